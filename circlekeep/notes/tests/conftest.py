from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep.accounts.actions import do_update_profile
from circlekeep.meetings import actions as meetings
from circlekeep.notes.models import ProgressNote
from circlekeep.testing import make_member

GROUP = ("The circle opened with the reminder. Mina shared her fear of relapse; Dana "
         "Whitfield said she felt the same, and dana's sister was mentioned. "
         "Fran invited everyone to breathe. I hope we return to this next week. "
         "Dana asked to be reached at dana@example.test or +1 415 555 0134.")


@pytest.fixture
def held(cast):
    """A meeting that has begun, Mina and Dana present (Dana also goes by Dee)."""
    dana = make_member(cast.circle, "dana@example.test", name="Dana", actor=cast.facilitator,
                       full_name="Dana Whitfield")
    do_update_profile(dana.user, display_name="Dana", pronouns="", language="en",
                      time_zone="UTC", other_names="Dee", phone="+1 415 555 0134",
                      actor=dana.user)
    meeting = meetings.do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=90,
        recurrence="none", mode="in_person", actor=cast.facilitator).meetings.get()
    for membership in (cast.membership, dana):
        meetings.do_acknowledge_ritual(meeting, membership, actor=cast.facilitator)
        meetings.do_record_attendance(meeting, membership, status="present",
                                      actor=cast.facilitator)
    from circlekeep.meetings.models import Meeting

    Meeting.objects.filter(pk=meeting.pk).update(  # it began a few minutes ago
        starts_at=timezone.now() - timedelta(minutes=10))
    meeting.refresh_from_db()
    return meeting, dana


def progress_of(meeting, membership):
    return ProgressNote.objects.select_related(
        "group_note", "group_note__meeting", "membership__user", "membership__circle",
        "membership__circle__organization").get(group_note__meeting=meeting,
                                                membership=membership)
