"""API endpoints for meetings (notes have their own: notes/api.py)."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from circlekeep.circles.access import access_circle, access_membership, may_manage_circle
from circlekeep.lib.actions import ActionForbidden
from circlekeep.meetings import actions
from circlekeep.meetings.access import access_meeting, viewer_role

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
    starts_at: datetime
    duration_minutes: int = 90
    recurrence: str = "none"
    until: date | None = None
    open_ended: bool = False
    mode: str
    place: str = ""


class AcknowledgeIn(Schema):
    membership_id: str | None = None


class AttendanceIn(Schema):
    membership_id: str
    status: str


class CancelIn(Schema):
    whole_series: bool = False


def meeting_to_dict(meeting):
    return {"id": meeting.public_id, "circle_id": meeting.circle.public_id,
            "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "mode": meeting.mode,
            "place": meeting.place, "status": meeting.status, "moved": meeting.moved}


def _visible(request, meeting):
    viewer_role(request.user, meeting)  # a member who is not cleared: 400 with the reason


@router.get("/circles/{circle_id}/meetings", response=list[MeetingOut])
def list_meetings(request, circle_id: str):
    circle = access_circle(request.user, circle_id)
    if not may_manage_circle(request.user, circle):
        actions.cleared_membership(request.user, circle)
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
    membership = access_membership(request.user, payload.membership_id)
    if membership.circle_id != meeting.circle_id:
        raise Http404
    actions.do_record_attendance(meeting, membership, status=payload.status,
                                 actor=request.user)
    return Status(204, None)


@router.post("/meetings/{meeting_id}/cancel", response={200: dict})
def cancel(request, meeting_id: str, payload: CancelIn):
    meeting = access_meeting(request.user, meeting_id)
    count = actions.do_cancel_meeting(meeting, actor=request.user,
                                      whole_series=payload.whole_series)
    return {"cancelled": count}
