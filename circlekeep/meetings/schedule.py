"""Week and month grids of a person's meetings, in the viewer's own time zone.

One query fetches the meetings between the grid's first and last local day; days are then
filled in Python, so the page costs the same whatever the number of meetings.
"""

from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.lib.actions import DomainError
from circlekeep.lib.zones import viewer_zone
from circlekeep.meetings.access import meetings_on_calendar_of

VIEWS = ("week", "month")
MAX_DAYS = 62  # a month grid is at most six weeks


@dataclass
class Day:
    date: date
    today: bool
    outside: bool  # a day of the neighbouring month, shown to fill the month's weeks
    meetings: list = field(default_factory=list)


@dataclass
class Grid:
    view: str
    anchor: date
    days: list
    previous: date
    next: date
    zone: str

    @property
    def is_empty(self):
        return not any(day.meetings for day in self.days)


def _within_calendar(day):
    """Whether a day leaves room for its grid and any time zone before the calendar's first
    and after its last year (their edges cannot be turned into times in UTC)."""
    return MINYEAR + 1 < day.year < MAXYEAR - 1  # a month grid spans at most six weeks


def parse_anchor(value, today):
    """The day a grid is built around, from ``?date=YYYY-MM-DD``; anything else (or a day
    at the calendar's very edge) is today."""
    try:
        anchor = date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return anchor if _within_calendar(anchor) else today


def _span(view, anchor):
    """The first day shown, the number of days shown, and the anchors of the previous and
    next grids. Weeks start on Monday (ISO)."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, 7, anchor - timedelta(days=7), anchor + timedelta(days=7)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    previous = (first - timedelta(days=1)).replace(day=1)
    return start, (end - start).days, previous, following


def meetings_between(user, first_day, end_day):
    """The user's calendar (``meetings_on_calendar_of``) from ``first_day`` up to, not
    including, ``end_day``, both local days in the user's zone; at most ``MAX_DAYS`` days,
    so one request cannot ask for years of meetings."""
    if not _within_calendar(first_day):
        raise DomainError(_("Ask for days between the years %(first)d and %(last)d.")
                          % {"first": MINYEAR + 1, "last": MAXYEAR - 1}, field="start")
    if not _within_calendar(end_day):
        raise DomainError(_("Ask for days between the years %(first)d and %(last)d.")
                          % {"first": MINYEAR + 1, "last": MAXYEAR - 1}, field="end")
    if end_day <= first_day:
        raise DomainError(_("The end comes after the start."), field="end")
    if (end_day - first_day).days > MAX_DAYS:
        raise DomainError(_("Ask for at most %(days)d days at a time.") % {"days": MAX_DAYS},
                          field="end")
    zone = viewer_zone(user)
    begin = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(end_day, time.min, tzinfo=zone)
    return (meetings_on_calendar_of(user).filter(starts_at__gte=begin, starts_at__lt=end)
            .select_related("circle").order_by("starts_at"))


def build_grid(user, view, anchor):
    """The days of the week or month around ``anchor`` with the meetings the user may see
    (``meetings_on_calendar_of``), each meeting's times in the viewer's zone."""
    zone = viewer_zone(user)
    today = timezone.localtime(timezone.now(), zone).date()
    start, length, previous, following = _span(view, anchor)
    days = [Day(date=start + timedelta(days=i), today=start + timedelta(days=i) == today,
                outside=view == "month" and (start + timedelta(days=i)).month != anchor.month)
            for i in range(length)]
    meetings = meetings_between(user, start, start + timedelta(days=length))
    by_day = {day.date: day for day in days}
    for meeting in meetings:
        meeting.local_start = timezone.localtime(meeting.starts_at, zone)
        meeting.local_end = timezone.localtime(meeting.ends_at, zone)
        by_day[meeting.local_start.date()].meetings.append(meeting)
    return Grid(view=view, anchor=anchor, days=days, previous=previous, next=following,
                zone=zone.key)
