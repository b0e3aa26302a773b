"""API endpoints for meetings (notes have their own: notes/api.py)."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.circles.access import access_circle, access_membership, may_manage_circle
from circlekeep.lib.actions import ActionForbidden
from circlekeep.meetings import actions
from circlekeep.meetings.access import (
    access_meeting,
    access_meeting_membership,
    cleared_membership,
    live_calendar_feed_of,
    viewer_role,
)
from circlekeep.meetings.agenda import recorded_agenda_items, system_agenda_items
from circlekeep.meetings.ical import feed_address
from circlekeep.meetings.schedule import meetings_between

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: UUID
    circle_id: UUID
    starts_at: datetime
    ends_at: datetime
    mode: str
    place: str
    status: str
    moved: bool


class ScheduleIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"starts_at": "2027-05-11T18:00:00+02:00", "duration_minutes": 90,
         "recurrence": "weekly", "until": "2027-07-27", "mode": "in_person",
         "place": "Room 2, Eastside Library"}]})

    starts_at: datetime
    duration_minutes: int = 90
    recurrence: str = "none"
    until: date | None = None
    open_ended: bool = False
    mode: str
    place: str = ""


class AcknowledgeIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {}, {"membership_id": "5b1f0a52-8c1e-4d8e-9a53-2f0d1c7e9b11"}]})

    membership_id: str | None = None


class AttendanceIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"membership_id": "5b1f0a52-8c1e-4d8e-9a53-2f0d1c7e9b11", "status": "present"}]})

    membership_id: str
    status: str


class MoveIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"starts_at": "2027-05-12T18:30:00+02:00", "whole_series": True}]})

    starts_at: datetime
    whole_series: bool = False


class PledgeIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"membership_id": "5b1f0a52-8c1e-4d8e-9a53-2f0d1c7e9b11",
         "reason": "first_meeting"}]})

    membership_id: str
    reason: str


class PledgeOut(Schema):
    id: UUID
    membership_id: UUID
    reason: str
    agreement_version: int
    recorded_at: datetime


class AgendaItemIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "How we greet each other outside the circle"}]})

    title: str


class AgendaItemOut(Schema):
    id: UUID | None  # none for the items the agreement adds by itself
    kind: str
    title: str
    proposed_by: str | None  # the member who proposed a topic; nobody else is named
    created_at: datetime | None


class CalendarFeedOut(Schema):
    active: bool
    title: str
    created_at: datetime | None


class NewCalendarFeedOut(CalendarFeedOut):
    url: str  # shown once: only its hash is kept


class CalendarTitleIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Book club"}]})

    title: str


class CancelledOut(Schema):
    cancelled: int


class CancelIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"whole_series": False}]})

    whole_series: bool = False


def meeting_to_dict(meeting):
    return {"id": meeting.public_id, "circle_id": meeting.circle.public_id,
            "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "mode": meeting.mode,
            "place": meeting.place, "status": meeting.status, "moved": meeting.moved}


def _visible(request, meeting):
    viewer_role(request.user, meeting)  # a member who is not cleared: 403 with the reason


@router.get("/circles/{circle_id}/meetings", response=list[MeetingOut])
def list_meetings(request, circle_id: str):
    circle = access_circle(request.user, circle_id)
    if not may_manage_circle(request.user, circle):
        cleared_membership(request.user, circle)
    return [meeting_to_dict(m) for m in circle.meetings.select_related("circle")
            .filter(ends_at__gte=timezone.now())[:100]]


@router.post("/circles/{circle_id}/meetings", response={201: list[MeetingOut]})
def schedule(request, circle_id: str, payload: ScheduleIn):
    circle = access_circle(request.user, circle_id)
    series = actions.do_schedule_meetings(circle, actor=request.user, **payload.dict())
    return Status(201, [meeting_to_dict(m) for m in series.meetings.select_related("circle")])


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request, meeting_id: str):
    meeting = access_meeting(request.user, meeting_id)
    _visible(request, meeting)
    return meeting_to_dict(meeting)


@router.post("/meetings/{meeting_id}/acknowledgements", response={201: None})
def acknowledge(request, meeting_id: str, payload: AcknowledgeIn):
    """A member acknowledges the opening on their own device; in room mode a facilitator
    names the member."""
    meeting = access_meeting(request.user, meeting_id)
    role, membership = viewer_role(request.user, meeting)
    if payload.membership_id:
        if role != "staff":
            raise ActionForbidden("Only facilitators record acknowledgements in room mode.")
        membership = access_membership(request.user, payload.membership_id)
        if membership.circle_id != meeting.circle_id:
            raise Http404
    elif membership is None:
        raise ActionForbidden("Name the member whose acknowledgement you record.")
    actions.do_acknowledge_ritual(meeting, membership, actor=request.user)
    return Status(201, None)


@router.post("/meetings/{meeting_id}/attendance", response={204: None})
def attendance(request, meeting_id: str, payload: AttendanceIn):
    meeting = access_meeting(request.user, meeting_id)
    membership = access_meeting_membership(request.user, meeting, payload.membership_id)
    actions.do_record_attendance(meeting, membership, status=payload.status,
                                 actor=request.user)
    return Status(204, None)


@router.post("/meetings/{meeting_id}/pledges", response={201: PledgeOut})
def pledge(request, meeting_id: str, payload: PledgeIn):
    """The facilitator records a member's public pledge to the agreement, once the member
    has acknowledged the opening."""
    meeting = access_meeting(request.user, meeting_id)
    _visible(request, meeting)
    membership = access_meeting_membership(request.user, meeting, payload.membership_id)
    pledge = actions.do_record_pledge(meeting, membership, reason=payload.reason,
                                      actor=request.user)
    return Status(201, pledge_to_dict(pledge))


@router.get("/meetings/{meeting_id}/agenda", response=list[AgendaItemOut])
def agenda(request, meeting_id: str):
    """The agenda as the meeting's page shows it: the agreement's own items while the
    meeting is ahead, then the items people added."""
    meeting = access_meeting(request.user, meeting_id)
    _visible(request, meeting)
    return [*({"id": None, "kind": item.kind, "title": item.title, "proposed_by": None,
               "created_at": None} for item in system_agenda_items(meeting)),
            *(agenda_item_to_dict(item) for item in recorded_agenda_items(meeting))]


@router.post("/meetings/{meeting_id}/agenda", response={201: AgendaItemOut})
def add_agenda_item(request, meeting_id: str, payload: AgendaItemIn):
    """Facilitators add items; a cleared member proposes a topic."""
    meeting = access_meeting(request.user, meeting_id)
    _visible(request, meeting)
    item = actions.do_add_agenda_item(meeting, title=payload.title, actor=request.user)
    return Status(201, agenda_item_to_dict(item))


@router.post("/meetings/{meeting_id}/move", response=MeetingOut)
def move(request, meeting_id: str, payload: MoveIn):
    """Move one meeting, or it and every later one in its series by the same shift in
    the series' local time."""
    meeting = access_meeting(request.user, meeting_id)
    _visible(request, meeting)
    moved = actions.do_move_meeting(meeting, starts_at=payload.starts_at,
                                    whole_series=payload.whole_series, actor=request.user)
    return meeting_to_dict(moved)


@router.get("/me/meetings", response=list[MeetingOut])
def my_meetings(request, start: date, end: date):
    """The meetings on the caller's calendar, as the Calendar page shows them: their own
    circles' (facilitated, administered, or where they are cleared to take part) starting
    from ``start`` up to, not including, ``end`` (days in the caller's time zone; at most
    62 days)."""
    return [meeting_to_dict(m) for m in meetings_between(request.user, start, end)]


@router.get("/me/calendar-feed", response=CalendarFeedOut)
def calendar_feed(request):
    """The signed-in person's calendar feed: whether one works now, and its title. The
    address itself is shown only once, when it is made."""
    return calendar_feed_to_dict(live_calendar_feed_of(request.user))


@router.post("/me/calendar-feed", response={201: NewCalendarFeedOut})
def create_calendar_feed(request):
    """A new secret feed address; any earlier one stops working."""
    feed, secret = actions.do_create_calendar_feed(request.user, actor=request.user)
    return Status(201, {**calendar_feed_to_dict(feed), "url": feed_address(request, secret)})


@router.put("/me/calendar-feed", response=CalendarFeedOut)
def set_calendar_title(request, payload: CalendarTitleIn):
    """The wording of the calendar entries (empty: “Circle meeting”). Anyone who sees the
    calendar sees it."""
    feed = _own_feed(request)
    return calendar_feed_to_dict(actions.do_set_calendar_title(
        feed, title=payload.title, actor=request.user))


@router.post("/me/calendar-feed/revoke", response=CalendarFeedOut)
def revoke_calendar_feed(request):
    """Turn the feed off: its address stops working at once."""
    feed = _own_feed(request)
    actions.do_revoke_calendar_feed(feed, actor=request.user)
    return calendar_feed_to_dict(None)


def _own_feed(request):
    feed = live_calendar_feed_of(request.user)
    if feed is None:
        raise Http404
    return feed


def pledge_to_dict(pledge):
    return {"id": pledge.public_id, "membership_id": pledge.membership.public_id,
            "reason": pledge.reason, "agreement_version": pledge.version.number,
            "recorded_at": pledge.recorded_at}


def agenda_item_to_dict(item):
    named = item.kind == "topic" and item.author is not None
    return {"id": item.public_id, "kind": item.kind, "title": item.title,
            "proposed_by": item.author.display_name if named else None,
            "created_at": item.created_at}


def calendar_feed_to_dict(feed):
    if feed is None:
        return {"active": False, "title": "", "created_at": None}
    return {"active": True, "title": feed.title, "created_at": feed.created_at}


@router.post("/meetings/{meeting_id}/cancel", response=CancelledOut)
def cancel(request, meeting_id: str, payload: CancelIn):
    meeting = access_meeting(request.user, meeting_id)
    count = actions.do_cancel_meeting(meeting, actor=request.user,
                                      whole_series=payload.whole_series)
    return {"cancelled": count}
