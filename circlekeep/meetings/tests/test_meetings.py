"""Scheduling, the opening ritual, attendance, pledges, calendar feeds and reminders."""

import io
import zoneinfo
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.accounts.actions import do_update_profile
from circlekeep.consent.actions import do_withdraw_consent
from circlekeep.consent.models import ConsentRecord
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings import actions
from circlekeep.meetings.models import Acknowledgement, Attendance, Meeting
from circlekeep.testing import (
    assert_events,
    audit_mark,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def soon(minutes=30):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def meeting(cast):
    series = actions.do_schedule_meetings(cast.circle, starts_at=soon(), duration_minutes=90,
                                          recurrence="none", mode="online",
                                          actor=cast.facilitator)
    return series.meetings.get()


def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(cast):
    do_update_profile(cast.facilitator, display_name="Fran", pronouns="", language="en",
                      time_zone="America/Los_Angeles", actor=cast.facilitator)
    tz = zoneinfo.ZoneInfo("America/Los_Angeles")
    year = timezone.now().year + 1
    first = timezone.datetime(year, 2, 25, 18, 0, tzinfo=tz)  # before DST starts in March
    mark = audit_mark()
    series = actions.do_schedule_meetings(
        cast.circle, starts_at=first, duration_minutes=90, recurrence="weekly",
        until=date(year, 3, 25), mode="in_person", place="Room 4", actor=cast.facilitator)
    assert_events(mark, [("meeting.scheduled", cast.facilitator, None)])
    starts = [m.starts_at.astimezone(tz) for m in series.meetings.order_by("starts_at")]
    assert len(starts) == 5
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert len({s.utcoffset() for s in starts}) == 2  # the UTC offset did change


def test_scheduling_refuses_the_past_and_endless_series_without_confirmation(cast):
    mark = audit_mark()
    with pytest.raises(DomainError, match="in the past"):
        actions.do_schedule_meetings(cast.circle, starts_at=timezone.now() - timedelta(1),
                                     duration_minutes=60, recurrence="none", mode="online",
                                     actor=cast.facilitator)
    with pytest.raises(DomainError, match="confirm that it has no end"):
        actions.do_schedule_meetings(cast.circle, starts_at=soon(), duration_minutes=60,
                                     recurrence="weekly", mode="online",
                                     actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_schedule_meetings(cast.circle, starts_at=soon(), duration_minutes=60,
                                     recurrence="none", mode="online", actor=cast.member)
    with pytest.raises(DomainError, match="at most 104 meetings"):
        actions.do_schedule_meetings(cast.circle, starts_at=soon(), duration_minutes=60,
                                     recurrence="weekly", mode="online",
                                     until=(timezone.now() + timedelta(weeks=110)).date(),
                                     actor=cast.facilitator)
    assert not Meeting.objects.exists()
    assert_events(mark, [])
    series = actions.do_schedule_meetings(cast.circle, starts_at=soon(), duration_minutes=60,
                                          recurrence="weekly", open_ended=True,
                                          mode="online", actor=cast.facilitator)
    assert series.meetings.count() == 27
    assert actions.do_extend_series(series) == 0  # already six months ahead


def test_one_occurrence_or_the_rest_of_the_series_is_moved_or_cancelled(cast):
    series = actions.do_schedule_meetings(cast.circle, starts_at=soon(60 * 24),
                                          duration_minutes=60, recurrence="weekly",
                                          until=(timezone.now() + timedelta(days=30)).date(),
                                          mode="online", actor=cast.facilitator)
    meetings = list(series.meetings.order_by("starts_at"))
    mark = audit_mark()
    was = meetings[1].starts_at
    actions.do_move_meeting(meetings[1], starts_at=was + timedelta(hours=2),
                            actor=cast.facilitator)
    moved = Meeting.objects.get(pk=meetings[1].pk)
    assert moved.moved and moved.starts_at == was + timedelta(hours=2)
    assert Meeting.objects.get(pk=meetings[3].pk).starts_at == meetings[3].starts_at
    count = actions.do_cancel_meeting(meetings[2], whole_series=True, actor=cast.facilitator)
    assert count == len(meetings) - 2
    assert Meeting.objects.get(pk=meetings[0].pk).status == "scheduled"
    assert_events(mark, [("meeting.moved", cast.facilitator, None),
                         ("meeting.cancelled", cast.facilitator, None)])
    with pytest.raises(DomainError, match="in the past"):
        actions.do_move_meeting(meetings[0], starts_at=timezone.now() - timedelta(hours=1),
                                actor=cast.facilitator)


def test_nobody_is_marked_present_without_acknowledging_or_being_cleared(cast, meeting):
    membership = cast.membership
    mark = audit_mark()
    with pytest.raises(DomainError, match="has not acknowledged the opening"):
        actions.do_record_attendance(meeting, membership, status="present",
                                     actor=cast.facilitator)
    assert_events(mark, [])
    actions.do_acknowledge_ritual(meeting, membership, actor=cast.member)
    actions.do_record_attendance(meeting, membership, status="late", actor=cast.facilitator)
    actions.do_record_pledge(meeting, membership, reason="first_meeting",
                             actor=cast.facilitator)
    assert_events(mark, [("meeting.ritual.acknowledged", cast.member, cast.member),
                         ("meeting.attendance.recorded", cast.facilitator, cast.member),
                         ("meeting.pledge.recorded", cast.facilitator, cast.member)])
    assert Acknowledgement.objects.get(meeting=meeting).via == "own_device"
    # A member still onboarding can be excused but never present.
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    with pytest.raises(DomainError, match="not finished onboarding"):
        actions.do_acknowledge_ritual(meeting, nia, actor=cast.facilitator)
    with pytest.raises(DomainError, match="not finished onboarding"):
        actions.do_record_attendance(meeting, nia, status="present", actor=cast.facilitator)
    actions.do_record_attendance(meeting, nia, status="excused", actor=cast.facilitator)
    # Withdrawn consent stops a member at once.
    do_withdraw_consent(ConsentRecord.objects.get(subject=cast.member), actor=cast.member)
    with pytest.raises(DomainError, match="consent is needed"):
        actions.do_record_attendance(meeting, membership, status="present",
                                     actor=cast.facilitator)


def test_room_mode_records_each_acknowledgement_by_the_facilitator(cast, meeting):
    ack = actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.facilitator)
    assert (ack.via, ack.recorded_by) == ("room", cast.facilitator)
    with pytest.raises(DomainError, match="already acknowledged"):
        actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.member)
    with pytest.raises(ActionForbidden):
        actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.other_member)


def test_the_ritual_opens_an_hour_before_the_meeting(cast):
    later = actions.do_schedule_meetings(cast.circle, starts_at=soon(180), duration_minutes=60,
                                         recurrence="none", mode="online",
                                         actor=cast.facilitator).meetings.get()
    with pytest.raises(DomainError, match="starts an hour before"):
        actions.do_acknowledge_ritual(later, cast.membership, actor=cast.member)


def test_members_and_facilitators_shape_the_agenda(cast, meeting):
    mark = audit_mark()
    actions.do_add_agenda_item(meeting, title="Check-in round", actor=cast.facilitator)
    actions.do_add_agenda_item(meeting, title="Holidays and family", actor=cast.member)
    assert_events(mark, [("meeting.agenda.added", cast.facilitator, None),
                         ("meeting.agenda.added", cast.member, None)])
    assert [i.kind for i in meeting.agenda.all()] == ["facilitator", "topic"]
    with pytest.raises(ActionForbidden):
        actions.do_add_agenda_item(meeting, title="x", actor=cast.other_member)
    page = signed_in_client(cast.member).get(f"/meetings/{meeting.public_id}/")
    assert "Holidays and family" in page.content.decode()


def test_uncleared_members_do_not_see_meeting_details(cast, meeting):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    response = signed_in_client(nia.user).get(f"/meetings/{meeting.public_id}/")
    assert response.status_code == 403
    assert "not finished onboarding" in response.content.decode()
    assert signed_in_client(cast.other_member).get(
        f"/meetings/{meeting.public_id}/").status_code == 404


def test_the_facilitators_meeting_page_costs_the_same_queries_for_5_and_15(cast, meeting):
    from circlekeep.circles.actions import do_update_circle

    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=20, allows_minors=False,
                     actor=cast.facilitator)
    client = signed_in_client(cast.facilitator)
    url = f"/meetings/{meeting.public_id}/"

    def queries():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for n in range(4):
        make_member(cast.circle, f"five{n}@example.test", name=f"F{n}", actor=cast.facilitator)
    assert Meeting.objects.get(pk=meeting.pk).circle.memberships.filter(
        status="active").count() == 5
    five = queries()
    for n in range(10):
        make_member(cast.circle, f"fifteen{n}@example.test", name=f"G{n}",
                    actor=cast.facilitator)
    for membership in cast.circle.memberships.filter(status="active")[:8]:
        actions.do_acknowledge_ritual(meeting, membership, actor=cast.facilitator)
    assert queries() == five


def test_the_calendar_feed_is_neutral_and_dies_with_its_secret(cast, meeting):
    client = signed_in_client(None)
    mark = audit_mark()
    feed, secret = actions.do_create_calendar_feed(cast.member, actor=cast.member)
    body = client.get(f"/calendar/{secret}.ics").content.decode()
    assert "SUMMARY:Circle meeting" in body
    for secret_word in ("Tuesday", "circle meeting of", "therapy", "Fran", "Otto", "Mina",
                        "LOCATION"):
        assert secret_word not in body
    actions.do_set_calendar_title(feed, title="Book club", actor=cast.member)
    assert "SUMMARY:Book club" in client.get(f"/calendar/{secret}.ics").content.decode()
    renewed, new_secret = actions.do_create_calendar_feed(cast.member, actor=cast.member)
    assert client.get(f"/calendar/{secret}.ics").status_code == 404
    assert client.get(f"/calendar/{new_secret}.ics").status_code == 200
    actions.do_revoke_calendar_feed(renewed, actor=cast.member)
    response = client.get(f"/calendar/{new_secret}.ics")
    assert response.status_code == 404 and b"BEGIN:VCALENDAR" not in response.content
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
    assert_events(mark, [("meeting.calendar_feed.created", cast.member, cast.member),
                         ("meeting.calendar_feed.titled", cast.member, cast.member),
                         ("meeting.calendar_feed.created", cast.member, cast.member),
                         ("meeting.calendar_feed.revoked", cast.member, cast.member)])
    with pytest.raises(ActionForbidden):
        actions.do_revoke_calendar_feed(renewed, actor=cast.other_member)


def test_reminders_go_once_to_cleared_members_and_name_no_circle(
        cast, meeting, django_capture_on_commit_callbacks):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    mail.outbox.clear()
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("meetings", "remind", stdout=io.StringIO())
        call_command("meetings", "remind", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[cast.member.email]]
    body = mail.outbox[0].body
    assert "stays in the circle" in body and "headphones" in body
    assert "Tuesday circle" not in body and "Tuesday circle" not in mail.outbox[0].subject
    assert nia.user.email not in str([m.to for m in mail.outbox])
    assert_events(mark, [("meeting.reminder.sent", None, cast.member)])
    with pytest.raises(DomainError, match="already sent"):
        actions.do_send_reminder(meeting, cast.member)


def test_attendance_history_shows_each_members_record(cast, meeting):
    actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.member)
    actions.do_record_attendance(meeting, cast.membership, status="present",
                                 actor=cast.facilitator)
    page = signed_in_client(cast.facilitator).get(
        f"/meetings/memberships/{cast.membership.public_id}/attendance/").content.decode()
    assert "Present" in page
    assert Attendance.objects.get().status == "present"


def test_a_member_abroad_sees_the_meeting_in_their_own_time(cast):
    do_update_profile(cast.facilitator, display_name="Fran", pronouns="", language="en",
                      time_zone="America/Los_Angeles", actor=cast.facilitator)
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="en",
                      time_zone="Asia/Tokyo", actor=cast.member)
    tz = zoneinfo.ZoneInfo("America/Los_Angeles")
    start = (timezone.now() + timedelta(days=3)).astimezone(tz).replace(
        hour=18, minute=0, second=0, microsecond=0)
    meeting = actions.do_schedule_meetings(
        cast.circle, starts_at=start, duration_minutes=60, recurrence="none",
        mode="online", actor=cast.facilitator).meetings.get()
    tokyo = start.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    page = signed_in_client(cast.member).get(f"/meetings/{meeting.public_id}/").content.decode()
    assert f"{tokyo.strftime('%H:%M')} JST" in page  # in their zone, with its abbreviation
    staff_page = signed_in_client(cast.facilitator).get(
        f"/meetings/{meeting.public_id}/").content.decode()
    assert "18:00" in staff_page


def test_attendance_controls_show_what_is_saved_and_never_a_default_that_looks_saved(
        cast, meeting):
    import re

    client = signed_in_client(cast.facilitator)
    page = client.get(f"/meetings/{meeting.public_id}/").content.decode()
    control = re.search(rf'<select name="status" id="att-{cast.membership.public_id}".*?'
                        r"</form>", page, re.S).group(0)
    # Nothing saved: no real status is selected, and the row says so.
    assert re.findall(r'<option value="([^"]*)" selected', control) == [""]
    assert "Not recorded yet" in control
    actions.do_record_attendance(meeting, cast.membership, status="excused",
                                 actor=cast.facilitator)
    page = client.get(f"/meetings/{meeting.public_id}/").content.decode()
    control = re.search(rf'<select name="status" id="att-{cast.membership.public_id}".*?'
                        r"</form>", page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected', control) == ["excused"]
    assert "Saved: Excused" in control and 'value=""' not in control


def test_a_blank_agenda_item_is_told_it_needs_a_title_not_a_length(cast, meeting):
    client = signed_in_client(cast.facilitator)
    url = f"/meetings/{meeting.public_id}/agenda/"
    page = client.post(url, {"title": "   "}, follow=True).content.decode()
    assert "Write the agenda item: it needs a title." in page
    assert "200 characters" not in page
    page = client.post(url, {"title": "x" * 201}, follow=True).content.decode()
    assert "Keep the agenda item under 200 characters." in page
    with pytest.raises(DomainError, match="needs a title"):
        actions.do_add_agenda_item(meeting, title=" ", actor=cast.facilitator)


def test_a_name_ending_in_a_full_stop_ends_the_sentence_once(cast, meeting):
    kw = make_member(cast.circle, "kenji@example.test", name="K.W.", actor=cast.facilitator)
    client = signed_in_client(cast.facilitator)
    page = client.post(f"/meetings/{meeting.public_id}/attendance/{kw.public_id}/",
                       {"status": "excused"}, follow=True).content.decode()
    assert "Attendance saved for K.W." in page and "K.W.." not in page


def test_a_member_signs_a_new_agreement_version_from_the_opening_page(cast, meeting):
    from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change
    from circlekeep.agreements.models import Agreement, Signature

    agreement = Agreement.objects.get(circle=cast.circle)
    proposal = do_propose_change(agreement, kind="add", title="Tea", text="We share tea.",
                                 reason="Warmth", actor=cast.member)
    version = do_adopt_proposal(proposal, reason="Lovely", actor=cast.facilitator)
    client = signed_in_client(cast.member)
    ritual = f"/meetings/{meeting.public_id}/ritual/"
    page = client.get(ritual).content.decode()
    assert "Sign version 2 first" in page and "We share tea." in page
    # Acknowledging before signing is refused with the reason, and records nothing.
    client.post(ritual)
    assert not Acknowledgement.objects.filter(meeting=meeting).exists()
    response = client.post(f"/agreements/versions/{version.public_id}/sign/",
                           {"typed_name": "Mina Tester", "next": ritual})
    assert response["Location"] == ritual
    assert Signature.objects.filter(membership=cast.membership, version=version).exists()
    page = client.get(ritual).content.decode()
    assert "Sign version 2 first" not in page
    client.post(ritual)
    assert Acknowledgement.objects.filter(meeting=meeting, membership=cast.membership).exists()
    # A member held back by something else than the signature still cannot open it.
    do_withdraw_consent(ConsentRecord.objects.get(subject=cast.member), actor=cast.member)
    assert client.get(ritual).status_code == 403
