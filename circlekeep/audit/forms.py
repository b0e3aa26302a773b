from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.audit.events import EVENT_TYPES


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(label=_("What"), required=False)
    circle = forms.ChoiceField(label=_("Circle"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        types = sorted(((k, str(v)) for k, v in EVENT_TYPES.items()), key=lambda kv: kv[1])
        self.fields["event_type"].choices = [("", _("Everything")), *types]
        self.fields["circle"].choices = [("", _("All circles")),
                                         *((str(c.public_id), c.name) for c in circles)]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def apply(self, events):
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        from circlekeep.audit.models import to_microseconds

        data = self.cleaned_data
        if data.get("event_type"):
            events = events.filter(event_type=data["event_type"])
        if data.get("circle"):
            events = events.filter(circle__public_id=data["circle"])
        if data.get("since"):
            events = events.filter(at_us__gte=to_microseconds(timezone.make_aware(
                datetime.combine(data["since"], time.min))))
        if data.get("until"):
            events = events.filter(at_us__lt=to_microseconds(timezone.make_aware(
                datetime.combine(data["until"] + timedelta(days=1), time.min))))
        return events


class ReportForm(forms.Form):
    since = forms.DateField(label=_("Since"), widget=forms.DateInput(attrs={"type": "date"}))
