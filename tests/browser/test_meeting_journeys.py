"""A facilitator runs an in-person meeting in room mode, writes and signs the notes; a
member opens their calendar feed and their own progress note."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.circles.actions import do_update_circle
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Meeting
from circlekeep.testing import make_member, totp_now

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def begun_meeting(cast):
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode="in_person", capacity=10, allows_minors=False,
                     actor=cast.facilitator)
    meeting = do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=90,
        recurrence="none", mode="in_person", place="Room 4", actor=cast.facilitator,
    ).meetings.get()
    # The meeting began a few minutes ago.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now()
                                                 - timedelta(minutes=5))
    return meeting


def test_a_facilitator_runs_a_meeting_in_room_mode_and_signs_each_members_note(
        live_cast, visit):
    cast = live_cast
    make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    meeting = begun_meeting(cast)
    fran = visit()
    sign_in(fran, "fran@riverside.test",
            code=totp_now(TOTPDevice.objects.get(user=cast.facilitator), ahead=1))
    fran.goto(f"/meetings/{meeting.public_id}/")
    fran.click("Open the ritual in room mode", role="link")
    text = fran.text()
    assert "What is said in the circle" in text and "The limits of confidentiality" in text
    assert "Known or suspected abuse or neglect of a child" in text
    fran.click("Mina acknowledges")
    assert "Mina acknowledged the opening." in fran.text()
    fran.click("Pat acknowledges")
    fran.click("Back to the meeting", role="link")
    fran.page.get_by_label("Attendance of Mina", exact=True).select_option("present")
    fran.click("Save Mina")
    assert "Attendance saved for Mina." in fran.text()
    fran.page.get_by_label("Attendance of Pat", exact=True).select_option("late")
    fran.click("Save Pat")
    fran.page.get_by_label("Pledge of Pat", exact=True).select_option("first_meeting")
    fran.click("Record pledge Pat")
    assert "Pledge recorded for Pat." in fran.text()

    fran.click("Notes", role="link")
    fran.fill("Group note", "Theme: trust. Mina spoke about her brother; Pat listened and "
                            "shared a similar story. I hope we continue next week.")
    fran.fill("About Mina", "Mina set a goal to write to her brother.")
    fran.fill("About Pat", "Pat arrived late and settled quickly.")
    fran.click("Save notes")
    assert "Preview each member's note" in fran.text()
    fran.click("Note for Mina", role="link")
    preview = fran.page.get_by_test_id("note-preview").inner_text()
    assert "Pat" in preview and "another member" in preview  # highlighted, before signing
    fran.click("Sign this note")
    body = fran.page.get_by_test_id("note-body").inner_text()
    assert "Pat" not in body and "another member listened" in body
    assert "Mina set a goal" in body and "I hope we continue" in body
    fran.click("All notes of this meeting", role="link")
    fran.click("Note for Pat", role="link")
    fran.click("Sign this note")
    body = fran.page.get_by_test_id("note-body").inner_text()
    assert "Mina" not in body and "Pat arrived late" in body


def test_a_member_opens_their_calendar_feed_and_their_own_progress_note(live_cast, visit):
    from circlekeep.meetings.actions import do_acknowledge_ritual, do_record_attendance
    from circlekeep.notes.actions import do_sign_progress_note, do_write_group_note
    from circlekeep.notes.models import ProgressNote

    cast = live_cast
    pat = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    meeting = begun_meeting(cast)
    for membership in (cast.membership, pat):
        do_acknowledge_ritual(meeting, membership, actor=cast.facilitator)
        do_record_attendance(meeting, membership, status="present", actor=cast.facilitator)
    meeting.refresh_from_db()
    do_write_group_note(meeting, body="Mina and Pat talked about sleep.",
                        sections={cast.membership: "Mina will keep a sleep diary."},
                        actor=cast.facilitator)
    note = ProgressNote.objects.select_related(
        "group_note", "membership__user", "membership__circle").get(membership=cast.membership)
    do_sign_progress_note(note, actor=cast.facilitator)
    do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=2),
                         duration_minutes=60, recurrence="none", mode="in_person",
                         actor=cast.facilitator)

    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.goto(f"/circles/{cast.circle.public_id}/")
    assert "Next meeting:" in mina.text()
    mina.click("Add meetings to my calendar", role="link")
    mina.click("Create my feed")
    url = mina.page.get_by_test_id("feed-url").input_value()
    feed = mina.page.request.get(url)
    assert feed.status == 200
    body = feed.text()
    assert "SUMMARY:Circle meeting" in body
    assert "Tuesday circle" not in body and "Pat" not in body and "Room 4" not in body

    mina.click("My notes", role="link")
    mina.page.get_by_role("link").filter(has_text="Tuesday circle").first.click()
    mina.check()
    text = mina.page.get_by_test_id("note-body").inner_text()
    assert "Mina will keep a sleep diary" in text and "Pat" not in text
    assert "another member" in text

    mina.goto("/meetings/calendar/")
    mina.click("Turn the feed off")
    assert mina.page.request.get(url).status == 404
