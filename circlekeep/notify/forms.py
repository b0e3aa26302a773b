from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.notify.models import Notification


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind: also send an e-mail (in the app, every kind always shows)."""

    email_kinds = forms.MultipleChoiceField(
        label=_("Also tell me by e-mail when"), required=False,
        choices=Notification.Kind.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("The e-mail only says that something is waiting for you, with a link. "
                    "It never names a circle or a person."))
