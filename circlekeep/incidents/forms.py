from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.agreements.models import LadderStep
from circlekeep.incidents.models import Concern, IncidentNotification
from circlekeep.lib.forms import SubmitOnceMixin
from circlekeep.lib.times import when


class ConcernForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What kind of concern"), choices=Concern.Kind.choices)
    body = forms.CharField(label=_("What happened"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=_("Describe what happened. Only the people who handle "
                                       "the concern read this."))
    affected = forms.MultipleChoiceField(label=_("Who is affected"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    about_facilitator = forms.BooleanField(
        label=_("This is about the facilitator"), required=False,
        help_text=_("It then goes to the organization's admins instead."))
    visibility = forms.ChoiceField(label=_("How visible do you want to be?"),
                                   choices=Concern.Visibility.choices,
                                   widget=forms.RadioSelect)
    raise_in_group = forms.ChoiceField(label=_("Raise it at the next meeting?"),
                                       choices=Concern.RaiseInGroup.choices,
                                       widget=forms.RadioSelect, initial="unnamed")

    def __init__(self, *args, people, anonymous=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not anonymous:
            # Only those who hold the circle's day tokens can send without their account.
            self.fields["visibility"].choices = [
                c for c in Concern.Visibility.choices if c[0] != Concern.Visibility.ANONYMOUS]
        self.people = {str(m.public_id): m for m in people}
        self.fields["affected"].choices = [(str(m.public_id), m.user.display_name)
                                           for m in people]

    def affected_memberships(self):
        return [self.people[key] for key in self.cleaned_data["affected"]]


class TextForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    membership = forms.ChoiceField(label=_("Member"))
    step = forms.ChoiceField(label=_("Consequence"))
    suspended_until = forms.DateField(label=_("Suspended until"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(label=_("Reasons, for the member"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members, ladder, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.public_id): m for m in members}
        self.fields["membership"].choices = [(key, m.user.display_name)
                                             for key, m in self.members.items()]
        labels = dict(LadderStep.choices)
        self.fields["step"].choices = [(step, labels.get(step, step)) for step in ladder]


class RaiseForm(forms.Form):
    meeting = forms.ChoiceField(label=_("Meeting"))

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.public_id): m for m in meetings}
        # In the viewer's zone, as every time is shown (the form is built per request).
        self.fields["meeting"].choices = [(key, when(m.starts_at))
                                          for key, m in self.meetings.items()]


class PrivacyIncidentForm(SubmitOnceMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    discovered_at = forms.DateTimeField(
        label=_("Discovered at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    exposed = forms.CharField(
        label=_("What was exposed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The kinds of information, never the information itself."))


class AffectedForm(forms.Form):
    reader = forms.ChoiceField(label=_("Whose reads"))
    since = forms.DateTimeField(label=_("From"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label=_("Until"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, readers, **kwargs):
        super().__init__(*args, **kwargs)
        self.readers = {str(u.public_id): u for u in readers}
        self.fields["reader"].choices = [(key, u.display_name or u.email)
                                         for key, u in self.readers.items()]


class NotificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who is notified"),
                             choices=IncidentNotification.Kind.choices)
    recipient = forms.CharField(label=_("Recipient"), max_length=200)
    draft = forms.CharField(label=_("Draft"), max_length=10000,
                            widget=forms.Textarea(attrs={"rows": 6}))
