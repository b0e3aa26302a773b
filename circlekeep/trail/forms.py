import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circlekeep.audit.events import EVENT_TYPES
from circlekeep.audit.models import to_microseconds
from circlekeep.lib.actions import DomainError
from circlekeep.lib.forms import add_domain_error

# Nothing in any trail is older; the bound also keeps a date moved to UTC in any time zone
# (and the day after ``until``) within what dates can hold.
EARLIEST_DATE = date(2000, 1, 1)


@dataclass(frozen=True)
class TrailFilters:
    event_type: str = ""
    circle_id: uuid.UUID | None = None
    since: date | None = None
    until: date | None = None

    def apply(self, events):
        """``events`` narrowed to these filters (dates are days in the reader's time zone)."""
        if self.event_type:
            events = events.filter(event_type=self.event_type)
        if self.circle_id:
            events = events.filter(circle__public_id=self.circle_id)
        if self.since:
            events = events.filter(at_us__gte=_start_of(self.since))
        if self.until:
            events = events.filter(at_us__lt=_start_of(self.until + timedelta(days=1)))
        return events


def _start_of(day):
    return to_microseconds(timezone.make_aware(datetime.combine(day, time.min)))


def check_report_date(value, *, field, message_if_future):
    """A day from 2000 up to today (in the reader's time zone), or a DomainError."""
    if value is None:
        return None
    if value > timezone.localdate():
        raise DomainError(message_if_future, field=field)
    if value < EARLIEST_DATE:
        raise DomainError(_("Choose a date in %(year)d or later.")
                          % {"year": EARLIEST_DATE.year}, field=field)
    return value


def check_trail_filters(*, event_type="", circle_id="", since=None, until=None):
    """The audit trail's filters, checked once for the page, its export and the API.

    Returns ``TrailFilters`` or raises a DomainError naming the field. A well-formed
    circle id that the reader cannot see is not an error: it matches nothing, as a
    circle that does not exist does.
    """
    if event_type and event_type not in EVENT_TYPES:
        raise DomainError(_("Choose a kind of event from the list."), field="event_type")
    parsed_circle = None
    if circle_id:
        try:
            parsed_circle = uuid.UUID(str(circle_id))
        except ValueError:
            raise DomainError(_("This is not the id of a circle."), field="circle_id") from None
    since = check_report_date(since, field="since",
                              message_if_future=_("The start date is in the future."))
    until = check_report_date(until, field="until",
                              message_if_future=_("The end date is in the future."))
    if since and until and since > until:
        raise DomainError(_("The end date is before the start date."), field="until")
    return TrailFilters(event_type=event_type or "", circle_id=parsed_circle, since=since,
                        until=until)


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    circle = forms.ChoiceField(label=gettext_lazy("Circle"), required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    # The page calls the circle "circle"; the shared check and the API say "circle_id".
    FIELD_NAMES = {"circle_id": "circle"}

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        types = sorted(((k, str(v)) for k, v in EVENT_TYPES.items()), key=lambda kv: kv[1])
        self.fields["event_type"].choices = [("", gettext_lazy("Everything")), *types]
        self.fields["circle"].choices = [("", gettext_lazy("All circles")),
                                         *((str(c.public_id), c.name) for c in circles)]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["filters"] = check_trail_filters(
                event_type=data.get("event_type"), circle_id=data.get("circle"),
                since=data.get("since"), until=data.get("until"))
        except DomainError as error:
            error.field = self.FIELD_NAMES.get(error.field, error.field)
            add_domain_error(self, error)
        return data

    def apply(self, events):
        return self.cleaned_data["filters"].apply(events)


class ReportForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Since"),
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean_since(self):
        try:
            return check_report_date(self.cleaned_data["since"], field="since",
                                     message_if_future=_("The start date is in the future."))
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from None
