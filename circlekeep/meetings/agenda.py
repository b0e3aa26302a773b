"""What a meeting's agenda shows: the items the agreement adds while the meeting is still
ahead (a review that is due, a recommitment), then the items people added."""

from django.utils import timezone

from circlekeep.agreements.agenda import agenda_items
from circlekeep.meetings.models import Meeting


def system_agenda_items(meeting, now=None):
    """The agreement's own items, for a scheduled meeting that has not ended; a past or
    cancelled meeting shows only what was recorded on it."""
    agreement = getattr(meeting.circle, "agreement", None)
    if agreement is None or meeting.status != Meeting.Status.SCHEDULED or \
            meeting.ends_at <= (now or timezone.now()):
        return []
    return agenda_items(agreement, now)


def recorded_agenda_items(meeting):
    """The items added to the meeting, oldest first, with their authors."""
    return list(meeting.agenda.select_related("author"))
