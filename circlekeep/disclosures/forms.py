from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.disclosures.actions import LEGAL_BASES
from circlekeep.disclosures.models import Disclosure, Information


class AuthorizationForm(forms.Form):
    recipient = forms.CharField(label=_("Who receives the information"), max_length=200)
    information = forms.MultipleChoiceField(
        label=_("What information"), choices=Information.choices,
        widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("What it is for"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    expires_on = forms.DateField(label=_("Valid until"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    expiry_event = forms.CharField(label=_("Or until this event, if sooner"), max_length=200,
                                   required=False)
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=120,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))


class DisclosureForm(forms.Form):
    information = forms.MultipleChoiceField(
        label=_("What was released"), choices=Information.choices,
        widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Summary of what was released"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class LegalDisclosureForm(forms.Form):
    basis = forms.ChoiceField(label=_("Legal basis"), choices=[
        (value, label) for value, label in Disclosure.Basis.choices if value in LEGAL_BASES])
    law_named = forms.CharField(label=_("The law, if another law"), max_length=200,
                                required=False)
    recipient = forms.CharField(label=_("Disclosed to"), max_length=200)
    information = forms.MultipleChoiceField(
        label=_("What was disclosed"), choices=Information.choices,
        widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(
        label=_("Minimum-necessary summary"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only what the duty requires, and nothing about other members."))
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirmed = forms.BooleanField(
        label=_("I confirm the law requires this disclosure and only the minimum necessary "
                "was shared"), required=False)


class SuspensionForm(forms.Form):
    legal_reason = forms.CharField(label=_("Legal reason"), max_length=300)
    ends_on = forms.DateField(label=_("Withhold from the accounting until"),
                              widget=forms.DateInput(attrs={"type": "date"}))
