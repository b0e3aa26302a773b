from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.lib.forms import SubmitOnceMixin
from circlekeep.meetings.models import Attendance, MeetingSeries, Pledge


class ScheduleForm(SubmitOnceMixin, forms.Form):
    date = forms.DateField(label=_("Date of the first meeting"),
                           widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time (your time zone)"),
                           widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), initial=90,
                                          min_value=15, max_value=480)
    recurrence = forms.ChoiceField(label=_("Repeats"), choices=MeetingSeries.Recurrence.choices)
    until = forms.DateField(label=_("Last date of the series"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    open_ended = forms.BooleanField(
        label=_("The series has no end date"), required=False,
        help_text=_("Meetings are laid out six months ahead and extended as time passes."))
    mode = forms.ChoiceField(label=_("How it meets"),
                             choices=[("in_person", _("In person")), ("online", _("Online"))])
    place = forms.CharField(label=_("Place"), max_length=300, required=False,
                            help_text=_("Shown only to the circle's cleared members, never in "
                                        "calendars or e-mails."))


class MoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("New start time (your time zone)"),
                           widget=forms.TimeInput(attrs={"type": "time"}))
    whole_series = forms.BooleanField(label=_("Also move every later meeting in the series"),
                                      required=False)


class AgendaForm(SubmitOnceMixin, forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200, error_messages={
        "required": _("Write the agenda item: it needs a title."),
        "max_length": _("Keep the agenda item under 200 characters."),
    })


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)


class PledgeForm(forms.Form):
    reason = forms.ChoiceField(choices=Pledge.Reason.choices)


class CalendarTitleForm(forms.Form):
    title = forms.CharField(
        label=_("Title of your calendar entries"), max_length=80, required=False,
        help_text=_("Empty means “Circle meeting”. Anyone who sees your calendar sees this."))
