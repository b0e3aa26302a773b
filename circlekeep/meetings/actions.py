"""State changes for meetings: scheduling, the agenda, the opening ritual, attendance,
pledges, calendar feeds and reminders."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.accounts.models import hash_secret
from circlekeep.circles.access import (
    check_may_manage_circle,
    check_trained_to_facilitate,
    may_manage_circle,
)
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.meetings.access import cleared_membership, told_of_meeting_changes
from circlekeep.meetings.models import (
    Acknowledgement,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingSeries,
    Pledge,
    Reminder,
)
from circlekeep.notify.actions import notify
from circlekeep.onboarding.progress import check_cleared

if TYPE_CHECKING:
    from datetime import date

    from circlekeep.accounts.models import User
    from circlekeep.circles.models import Circle, Membership

# An open-ended series is laid out this far ahead; `manage.py meetings extend` adds more.
HORIZON_WEEKS = 26
MAX_OCCURRENCES = 104
# The opening ritual can be run from an hour before the start until the meeting ends.
RITUAL_OPENS = timedelta(hours=1)
STEP = {"weekly": timedelta(weeks=1), "fortnightly": timedelta(weeks=2)}
SCHEDULE_AHEAD = timedelta(days=2 * 366)


def _check_future(starts_at, field="starts_at"):
    """A start in the future, and at most ``SCHEDULE_AHEAD`` away (a date at the edge of
    the calendar would leave it once a duration or a time zone is applied)."""
    now = timezone.now()
    try:
        ahead = starts_at.astimezone(zoneinfo.ZoneInfo("UTC")) - now
    except OverflowError:  # before the calendar's first day or after its last, in UTC
        ahead = SCHEDULE_AHEAD * 2 if starts_at.year > now.year else -SCHEDULE_AHEAD
    if ahead <= timedelta(0):
        raise DomainError(_("A meeting cannot be scheduled in the past."), field=field)
    if ahead > SCHEDULE_AHEAD:
        raise DomainError(_("A meeting can be scheduled at most two years ahead."),
                          field=field)


def _occurrences(first_local, recurrence, until, tz):
    """Start times in UTC, stepping in local wall time so daylight saving keeps 18:00 at
    18:00."""
    if recurrence == "none":
        return [first_local.astimezone(zoneinfo.ZoneInfo("UTC"))]
    step = STEP[recurrence]
    limit = until or (first_local + timedelta(weeks=HORIZON_WEEKS)).date()
    starts, current = [], first_local.replace(tzinfo=None)
    while current.date() <= limit and len(starts) < MAX_OCCURRENCES:
        starts.append(current.replace(tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC")))
        current += step
    return starts


@action
def do_schedule_meetings(circle: Circle, *, starts_at: datetime, duration_minutes: int,
                         recurrence: str, mode: str, actor: User | None, place: str = "",
                         until: date | None = None, open_ended: bool = False):
    """Schedule one meeting or a recurring series. ``starts_at`` is an aware datetime; a
    series repeats at the same local time in the scheduler's time zone."""
    check_may_manage_circle(actor, circle)
    if starts_at is None or timezone.is_naive(starts_at):
        raise DomainError(_("Give the date and time of the first meeting."), field="starts_at")
    _check_future(starts_at)
    if recurrence not in MeetingSeries.Recurrence.values:
        raise DomainError(_("Choose once, every week or every two weeks."), field="recurrence")
    try:
        duration_minutes = int(duration_minutes)
    except (TypeError, ValueError):
        duration_minutes = 0
    if not 15 <= duration_minutes <= 480:
        raise DomainError(_("A meeting lasts between 15 minutes and 8 hours."),
                          field="duration_minutes")
    if mode not in ("in_person", "online"):
        raise DomainError(_("Choose in person or online."), field="mode")
    place = (place or "").strip()
    if len(place) > 300:
        raise DomainError(_("Keep the place under 300 characters."), field="place")
    tz = zoneinfo.ZoneInfo(actor.time_zone if actor.time_zone else "UTC")
    first_local = starts_at.astimezone(tz)
    if recurrence != "none":
        if until is None and not open_ended:
            raise DomainError(_("Give an end date for the series, or confirm that it has "
                                "no end."), field="until")
        if until is not None and until < first_local.date():
            raise DomainError(_("The end date is before the first meeting."), field="until")
        if until is not None and (until - first_local.date()).days // STEP[recurrence].days \
                >= MAX_OCCURRENCES:
            raise DomainError(_("A series can have at most %(max)d meetings; choose an earlier "
                                "end date, or no end date.") % {"max": MAX_OCCURRENCES},
                              field="until")
        if until is not None and until > (timezone.now() + SCHEDULE_AHEAD).date():
            raise DomainError(_("A series can be scheduled at most two years ahead."),
                              field="until")
    else:
        until = None
    now = timezone.now()
    series = MeetingSeries.objects.create(
        circle=circle, first_starts_at=starts_at, duration_minutes=duration_minutes,
        time_zone=str(tz), recurrence=recurrence, until=until, mode=mode, place=place,
        created_by=actor, created_at=now)
    starts = _occurrences(first_local, recurrence, until, tz)
    Meeting.objects.bulk_create([
        Meeting(series=series, circle=circle, starts_at=start, mode=mode, place=place,
                ends_at=start + timedelta(minutes=duration_minutes)) for start in starts])
    audit.record("meeting.scheduled", actor=actor, target=series, circle=circle,
                 data={"recurrence": recurrence, "occurrences": len(starts),
                       "open_ended": recurrence != "none" and until is None})
    notify("meeting.added", told_of_meeting_changes(circle, actor),
           organization=circle.organization, link=_meetings_link(circle))
    return series


def _meetings_link(circle, meeting=None):
    if meeting is not None:
        return reverse("meetings:detail", kwargs={"meeting_id": meeting.public_id})
    return reverse("meetings:circle", kwargs={"circle_id": circle.public_id})


@action
def do_extend_series(series):
    """Lay out an open-ended series up to six months ahead (run by the scheduler)."""
    if series.recurrence == "none" or series.until is not None or series.cancelled_at:
        return 0
    tz = zoneinfo.ZoneInfo(series.time_zone)
    last = series.meetings.order_by("-starts_at").first()
    step = STEP[series.recurrence]
    horizon = (timezone.now() + timedelta(weeks=HORIZON_WEEKS)).astimezone(tz)
    local = (last.starts_at if last else series.first_starts_at).astimezone(tz)
    current, new = local.replace(tzinfo=None) + step, []
    if last is None:
        current = local.replace(tzinfo=None)
    while current <= horizon.replace(tzinfo=None):
        start = current.replace(tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))
        new.append(Meeting(series=series, circle=series.circle, starts_at=start,
                           ends_at=start + timedelta(minutes=series.duration_minutes),
                           mode=series.mode, place=series.place))
        current += step
    if new:
        Meeting.objects.bulk_create(new)
        audit.record("meeting.scheduled", actor=None, target=series, circle=series.circle,
                     data={"recurrence": series.recurrence, "occurrences": len(new),
                           "open_ended": True, "extended": True})
    return len(new)


def _scheduled_from(meeting, whole_series):
    if not whole_series:
        return [meeting]
    return list(Meeting.objects.select_for_update().filter(
        series_id=meeting.series_id, status=Meeting.Status.SCHEDULED,
        starts_at__gte=meeting.starts_at))


@action
def do_cancel_meeting(meeting: Meeting, *, actor: User | None, whole_series: bool = False):
    """Cancel one occurrence, or it and every later one in its series."""
    check_may_manage_circle(actor, meeting.circle)
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(_("This meeting is already cancelled."))
    meetings = _scheduled_from(meeting, whole_series)
    Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(
        status=Meeting.Status.CANCELLED)
    if whole_series:
        MeetingSeries.objects.filter(pk=meeting.series_id).update(cancelled_at=timezone.now())
    audit.record("meeting.cancelled", actor=actor, target=meeting, circle=meeting.circle,
                 data={"occurrences": len(meetings), "series": bool(whole_series)})
    notify("meeting.cancelled", told_of_meeting_changes(meeting.circle, actor),
           organization=meeting.circle.organization, link=_meetings_link(meeting.circle))
    return len(meetings)


@action
def do_move_meeting(meeting: Meeting, *, starts_at: datetime, actor: User | None,
                    whole_series: bool = False):
    """Move one occurrence, or it and every later one by the same shift in local time."""
    check_may_manage_circle(actor, meeting.circle)
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(_("A cancelled meeting cannot be moved."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise DomainError(_("Give the new date and time."), field="starts_at")
    _check_future(starts_at)
    tz = zoneinfo.ZoneInfo(meeting.series.time_zone)
    shift = (starts_at.astimezone(tz).replace(tzinfo=None)
             - meeting.starts_at.astimezone(tz).replace(tzinfo=None))
    meetings = _scheduled_from(meeting, whole_series)
    for item in meetings:
        duration = item.ends_at - item.starts_at
        local = item.starts_at.astimezone(tz).replace(tzinfo=None) + shift
        item.starts_at = local.replace(tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))
        item.ends_at = item.starts_at + duration
        item.moved = True
        item.save(update_fields=["starts_at", "ends_at", "moved"])
    audit.record("meeting.moved", actor=actor, target=meeting, circle=meeting.circle,
                 data={"occurrences": len(meetings), "series": bool(whole_series)})
    notify("meeting.moved", told_of_meeting_changes(meeting.circle, actor),
           organization=meeting.circle.organization,
           link=_meetings_link(meeting.circle, meeting))
    return meetings[0] if meetings else meeting


@action
def do_add_agenda_item(meeting: Meeting, *, title: str, actor: User | None):
    """Facilitators add agenda items; cleared members propose topics."""
    if may_manage_circle(actor, meeting.circle):
        kind = AgendaItem.Kind.FACILITATOR
    else:
        cleared_membership(actor, meeting.circle)
        kind = AgendaItem.Kind.TOPIC
    if meeting.status != Meeting.Status.SCHEDULED or meeting.ends_at <= timezone.now():
        raise DomainError(_("This meeting is over or cancelled."))
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Write the agenda item: it needs a title."), field="title")
    if len(title) > 200:
        raise DomainError(_("Keep the agenda item under 200 characters."), field="title")
    item = AgendaItem.objects.create(meeting=meeting, kind=kind, title=title, author=actor,
                                     created_at=timezone.now())
    audit.record("meeting.agenda.added", actor=actor, target=item, circle=meeting.circle,
                 data={"kind": kind})
    return item


def _check_ritual_open(meeting):
    now = timezone.now()
    if meeting.status != Meeting.Status.SCHEDULED:
        raise DomainError(_("This meeting is cancelled."))
    if now < meeting.starts_at - RITUAL_OPENS:
        raise DomainError(_("The opening ritual starts an hour before the meeting."))
    if now > meeting.ends_at:
        raise DomainError(_("This meeting has ended."))


@action
def do_acknowledge_ritual(meeting: Meeting, membership: Membership, *, actor: User | None):
    """The attendee acknowledges the opening ritual: on their own device, or in the room
    with the facilitator recording it (room mode)."""
    if actor is not None and actor.pk == membership.user_id:
        via = Acknowledgement.Via.OWN_DEVICE
    else:
        check_may_manage_circle(actor, meeting.circle)
        check_trained_to_facilitate(actor, meeting.circle)
        via = Acknowledgement.Via.ROOM
    if membership.circle_id != meeting.circle_id:
        raise DomainError(_("This person is not a member of the meeting's circle."))
    check_cleared(membership)
    _check_ritual_open(meeting)
    if Acknowledgement.objects.filter(meeting=meeting, membership=membership).exists():
        raise DomainError(_("%(name)s has already acknowledged the opening.")
                          % {"name": membership.user.display_name})
    ack = Acknowledgement.objects.create(meeting=meeting, membership=membership, via=via,
                                         acknowledged_at=timezone.now(), recorded_by=actor)
    if meeting.opened_at is None:
        meeting.opened_at = ack.acknowledged_at
        meeting.save(update_fields=["opened_at"])
    audit.record("meeting.ritual.acknowledged", actor=actor, target=ack,
                 circle=meeting.circle, subject=membership.user, data={"via": via})
    return ack


@action
def do_record_attendance(meeting: Meeting, membership: Membership, *, status: str,
                         actor: User | None):
    """Present or late only for a cleared member who acknowledged the opening; excused
    and absent for anyone on the roster."""
    check_may_manage_circle(actor, meeting.circle)
    if status not in Attendance.Status.values:
        raise DomainError(_("Choose present, late, excused or absent."), field="status")
    if membership.circle_id != meeting.circle_id or not membership.is_live:
        raise DomainError(_("This person is not a member of the meeting's circle."))
    if meeting.status != Meeting.Status.SCHEDULED:
        raise DomainError(_("This meeting is cancelled."))
    if meeting.starts_at - RITUAL_OPENS > timezone.now():
        raise DomainError(_("Attendance is recorded once the meeting has begun."))
    if status in Attendance.ATTENDED:
        check_cleared(membership)
        if not Acknowledgement.objects.filter(meeting=meeting, membership=membership).exists():
            raise DomainError(_("%(name)s has not acknowledged the opening, so cannot be "
                                "marked present.") % {"name": membership.user.display_name},
                              field="status")
    record, created = Attendance.objects.update_or_create(
        meeting=meeting, membership=membership,
        defaults={"status": status, "recorded_at": timezone.now(), "recorded_by": actor})
    audit.record("meeting.attendance.recorded", actor=actor, target=record,
                 circle=meeting.circle, subject=membership.user,
                 data={"status": status, "changed": not created})
    return record


@action
def do_record_pledge(meeting: Meeting, membership: Membership, *, reason: str, actor: User | None):
    """The facilitator records a member's public pledge to the agreement."""
    check_may_manage_circle(actor, meeting.circle)
    if reason not in Pledge.Reason.values:
        raise DomainError(_("Choose why the member pledges."), field="reason")
    if not Acknowledgement.objects.filter(meeting=meeting, membership=membership).exists():
        raise DomainError(_("The member pledges after acknowledging the opening."))
    if Pledge.objects.filter(meeting=meeting, membership=membership).exists():
        raise DomainError(_("This pledge is already recorded."))
    pledge = Pledge.objects.create(
        meeting=meeting, membership=membership, reason=reason,
        version=meeting.circle.agreement.current_version, recorded_at=timezone.now(),
        recorded_by=actor)
    audit.record("meeting.pledge.recorded", actor=actor, target=pledge,
                 circle=meeting.circle, subject=membership.user, data={"reason": reason})
    return pledge


# Calendar feeds and reminders --------------------------------------------------------------


@action
def do_create_calendar_feed(user: User, *, actor: User | None):
    """A new secret feed address; any earlier one stops working. Returns (feed, secret)."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("You can only manage your own calendar feed."))
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    previous = CalendarFeed.objects.filter(user=user).order_by("-created_at").first()
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, secret_hash=hash_secret(secret),
                                       title=previous.title if previous else "",
                                       created_at=now)
    audit.record("meeting.calendar_feed.created", actor=actor, target=feed, subject=user)
    return feed, secret


@action
def do_revoke_calendar_feed(feed: CalendarFeed, *, actor: User | None):
    if actor is None or actor.pk != feed.user_id:
        raise ActionForbidden(_("You can only manage your own calendar feed."))
    if feed.revoked_at is not None:
        raise DomainError(_("This feed is already turned off."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record("meeting.calendar_feed.revoked", actor=actor, target=feed, subject=feed.user)
    return feed


@action
def do_set_calendar_title(feed: CalendarFeed, *, title: str, actor: User | None):
    """The member's own wording for their calendar entries (empty: "Circle meeting")."""
    if actor is None or actor.pk != feed.user_id:
        raise ActionForbidden(_("You can only manage your own calendar feed."))
    title = " ".join((title or "").split())
    if len(title) > 80:
        raise DomainError(_("Keep the title under 80 characters."), field="title")
    feed.title = title
    feed.save(update_fields=["title"])
    audit.record("meeting.calendar_feed.titled", actor=actor, target=feed, subject=feed.user,
                 data={"custom": bool(title)})
    return feed


@action
def do_send_reminder(meeting: Meeting, user: User):
    """E-mail one reminder for one meeting (once): its time in the member's own time zone,
    the confidentiality reminder and, online, the online rules. Nothing names the circle."""
    from circlekeep.lib.emails import send_templated_email
    from circlekeep.onboarding.progress import ONLINE_RULES

    if Reminder.objects.filter(meeting=meeting, user=user).exists():
        raise DomainError(_("The reminder for this meeting was already sent."))
    reminder = Reminder.objects.create(meeting=meeting, user=user, sent_at=timezone.now())
    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(user.time_zone or "UTC"))
    send_templated_email("meeting-reminder", to=user.email, language=user.language, context={
        "when": local, "time_zone": user.time_zone, "online": meeting.is_online,
        "online_rules": ONLINE_RULES,
    })
    audit.record("meeting.reminder.sent", actor=None, target=reminder, circle=meeting.circle,
                 subject=user)
    return reminder


def local_datetime(date_value, time_value, time_zone):
    """An aware datetime from a date and a time in the given zone."""
    return datetime.combine(date_value, time_value).replace(
        tzinfo=zoneinfo.ZoneInfo(time_zone or "UTC"))
