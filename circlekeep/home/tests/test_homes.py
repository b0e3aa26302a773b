"""What each person's home shows, what it never shows, and what it costs."""

import time
import zoneinfo
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.accounts.actions import do_update_profile
from circlekeep.accounts.middleware import SEEN_KEY
from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change, do_sign_agreement
from circlekeep.agreements.models import Agreement
from circlekeep.circles.actions import do_invite_member
from circlekeep.feedback.tests.helpers import open_round
from circlekeep.incidents import actions as incidents
from circlekeep.lib.times import when
from circlekeep.meetings import actions as meetings
from circlekeep.meetings.models import Meeting
from circlekeep.notes.actions import do_sign_progress_note, do_write_group_note
from circlekeep.notes.models import ProgressNote
from circlekeep.onboarding.actions import do_answer_question, do_ask_question
from circlekeep.orgs.actions import do_change_org_policies, do_create_organization
from circlekeep.testing import (
    enroll_totp,
    make_circle,
    make_member,
    make_staff,
    page_of,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def home(user):
    return page_of(signed_in_client(user).get("/"))


def home_queries(client):
    """The queries of one home page. The idle clock is set to now first, so that the
    session's last-seen write (once a minute) never counts as the page's."""
    session = client.session
    session[SEEN_KEY] = int(time.time())
    session.save()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def schedule(circle, actor, *, minutes=60 * 24, mode="online", place="", count=1):
    starts = timezone.now() + timedelta(minutes=minutes)
    series = meetings.do_schedule_meetings(
        circle, starts_at=starts, duration_minutes=60, recurrence="weekly" if count > 1
        else "none", until=(starts + timedelta(weeks=count - 1)).date() if count > 1 else None,
        mode=mode, place=place, actor=actor)
    return list(series.meetings.order_by("starts_at"))


def change_agreement(cast, circle=None, facilitator=None, proposer=None):
    circle = circle or cast.circle
    agreement = Agreement.objects.get(circle=circle)
    proposal = do_propose_change(agreement, kind="add", title="Phones away",
                                 text="Phones stay in bags during the circle.",
                                 reason="Fewer distractions", actor=proposer or cast.member)
    return do_adopt_proposal(proposal, reason="Agreed", actor=facilitator or cast.facilitator)


def report(cast, circle=None, actor=None, **changes):
    fields = {"kind": "accidental", "body": "A name was said outside the circle.",
              "visibility": "facilitators", "actor": actor or cast.member}
    fields.update(changes)
    return incidents.do_report_concern(circle or cast.circle, **fields)


def held_meeting(circle, facilitator, memberships):
    """A meeting that began a few minutes ago with ``memberships`` present."""
    [meeting] = schedule(circle, facilitator, minutes=5, mode="in_person", place="Room 2")
    for membership in memberships:
        meetings.do_acknowledge_ritual(meeting, membership, actor=facilitator)
        meetings.do_record_attendance(meeting, membership, status="present", actor=facilitator)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=90),
                                                 ends_at=timezone.now() - timedelta(minutes=30))
    meeting.refresh_from_db()
    return meeting


# The member's home -------------------------------------------------------------------------


def test_the_next_meeting_is_a_card_in_the_members_zone_with_a_join_button(cast):
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="en",
                      time_zone="America/Los_Angeles", actor=cast.member)
    [meeting] = schedule(cast.circle, cast.facilitator, minutes=3 * 24 * 60)
    page = home(cast.member)
    local = timezone.localtime(meeting.starts_at,
                               timezone=zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert "Your next meeting" in page
    # Weekday, day, time and PST or PDT, as the member's zone has it.
    assert local.strftime("%a %-d %b, %H:%M %Z") in page
    assert f'href="/meetings/{meeting.public_id}/room/">Join<' in page


def test_an_in_person_meeting_shows_its_place_and_no_join_button(cast):
    schedule(cast.circle, cast.facilitator, mode="in_person", place="Library, room 4")
    page = home(cast.member)
    assert "Library, room 4" in page and ">Join<" not in page


def test_a_member_not_cleared_sees_no_meeting_details_but_the_signature_to_give(cast):
    schedule(cast.circle, cast.facilitator, mode="in_person", place="Library, room 4")
    version = change_agreement(cast)
    page = home(cast.member)
    assert "Library, room 4" not in page and "Your next meeting" not in page
    assert "Sign the new version of the agreement" in page
    assert f'href="/agreements/circles/{cast.circle.public_id}/"' in page
    do_sign_agreement(version, typed_name="Mina Tester", actor=cast.member)
    page = home(cast.member)
    assert "Sign the new version of the agreement" not in page
    assert "Library, room 4" in page


def test_the_opening_is_a_task_when_the_meeting_is_near_until_acknowledged(cast):
    schedule(cast.circle, cast.facilitator, minutes=3 * 24 * 60)
    assert "Acknowledge the opening" not in home(cast.member)
    [soon] = schedule(cast.circle, cast.facilitator, minutes=20)
    page = home(cast.member)
    assert "Acknowledge the opening" in page
    assert f'href="/meetings/{soon.public_id}/ritual/"' in page
    meetings.do_acknowledge_ritual(soon, cast.membership, actor=cast.member)
    assert "Acknowledge the opening" not in home(cast.member)


def test_an_answered_question_is_a_task_for_the_joining_member(cast):
    joining = make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                          status="onboarding")
    do_ask_question(joining, text="Can I bring my partner?", actor=joining.user)
    assert "Your question has an answer" not in home(joining.user)
    do_answer_question(joining, text="Not to the circle itself.", actor=cast.facilitator)
    page = home(joining.user)
    assert "Your question has an answer" in page
    assert f'href="/circles/memberships/{joining.public_id}/onboarding/questions/"' in page
    assert "Not to the circle itself." not in page  # protected text stays on its page


def test_a_new_note_and_a_decision_about_the_member_show_and_nobody_elses(cast):
    pat = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    meeting = held_meeting(cast.circle, cast.facilitator, [cast.membership, pat])
    do_write_group_note(meeting, body="The circle talked about trust.",
                        sections={cast.membership: "Mina spoke first."}, actor=cast.facilitator)
    note = ProgressNote.objects.get(membership=cast.membership)
    do_sign_progress_note(note, actor=cast.facilitator)
    concern = report(cast, actor=pat.user)
    incidents.do_acknowledge_concern(concern, actor=cast.facilitator)
    incidents.do_decide_concern(concern, membership=cast.membership, step="reminder",
                                reasons="Names stay here.", actor=cast.facilitator)
    page = home(cast.member)
    assert "A new note about your participation" in page
    assert f'href="/notes/progress/{note.public_id}/"' in page
    assert "A decision about you: Reminder" in page
    assert "Names stay here." not in page and "Mina spoke first." not in page
    other = home(pat.user)
    assert "A decision about you" not in other and "A new note" not in other
    assert "Mina" not in other


def test_an_open_feedback_round_waits_on_the_members_home_until_it_closes(cast):
    from circlekeep.feedback.actions import do_close_round

    round_ = open_round(cast.circle, cast.facilitator)
    open_round(cast.other_circle, cast.other_facilitator)  # not Mina's circle
    page = home(cast.member)
    assert page.count("Anonymous feedback is open") == 1
    assert f'href="/feedback/rounds/{round_.public_id}/"' in page
    assert "Tuesday circle asks: “Autumn check-in”" in page
    assert "Until " in page
    # Not for someone still joining: they receive no token.
    joining = make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                          status="onboarding")
    assert "Anonymous feedback is open" not in home(joining.user)
    do_close_round(round_, actor=cast.facilitator)
    assert "Anonymous feedback is open" not in home(cast.member)


def test_a_circle_closed_until_two_step_sign_in_shows_neither_meeting_nor_news(cast):
    [meeting] = schedule(cast.circle, cast.facilitator, minutes=20)
    concern = report(cast, actor=cast.facilitator)
    incidents.do_acknowledge_concern(concern, actor=cast.facilitator)
    incidents.do_decide_concern(concern, membership=cast.membership, step="reminder",
                                reasons="Names stay here.", actor=cast.facilitator)
    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=True, actor=cast.admin)
    page = home(cast.member)
    assert "Set up two-step sign-in" in page
    assert "Your next meeting" not in page and str(meeting.public_id) not in page
    assert "Acknowledge the opening" not in page and "A decision about you" not in page
    enroll_totp(cast.member)
    page = home(cast.member)
    assert "Your next meeting" in page and "A decision about you" in page


# The facilitator's home --------------------------------------------------------------------


def test_a_new_concern_shows_from_the_moment_it_arrives(cast):
    concern = report(cast)
    page = home(cast.facilitator)
    assert "A new concern to acknowledge" in page
    assert f'href="/incidents/concerns/{concern.public_id}/"' in page
    assert "Past the 48-hour target" not in page
    zone = zoneinfo.ZoneInfo(cast.facilitator.time_zone)  # Fran's own zone
    assert f"Due {when(concern.acknowledge_by, zone)}" in page
    assert "A name was said outside" not in page  # the text stays on its page
    incidents.do_acknowledge_concern(concern, actor=cast.facilitator)
    assert "A new concern to acknowledge" not in home(cast.facilitator)


def test_a_concern_about_the_facilitator_never_reaches_their_home(cast):
    concern = report(cast, about_facilitator=True)
    link = f'href="/incidents/concerns/{concern.public_id}/"'
    page = home(cast.facilitator)
    assert "A new concern" not in page and link not in page
    page = home(cast.admin)
    assert "A new concern about a facilitator" in page and link in page


def test_an_admin_who_facilitates_does_not_handle_a_concern_about_themself(cast):
    circle = make_circle(cast.org, "Admin's circle", lead=cast.admin)
    membership = make_member(circle, "ida@example.test", name="Ida", actor=cast.admin)
    report(cast, circle=circle, actor=membership.user, about_facilitator=True)
    assert "A new concern about a facilitator" not in home(cast.admin)


def test_this_weeks_meetings_name_who_is_not_cleared_but_never_an_invitee(cast):
    do_invite_member(cast.circle, email=cast.other_member.email, actor=cast.facilitator)
    make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                status="onboarding")
    [meeting] = schedule(cast.circle, cast.facilitator, minutes=2 * 24 * 60)
    page = home(cast.facilitator)
    assert "Today and this week" in page and f"/meetings/{meeting.public_id}/" in page
    assert "1 not cleared yet" in page and "Ona" in page
    assert "Otto" not in page  # invited, not accepted: the name must not show


def test_onboarding_questions_proposals_and_notes_wait_for_the_facilitator(cast):
    joining = make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                          status="onboarding")
    do_ask_question(joining, text="Is there parking?", actor=joining.user)
    proposal = do_propose_change(Agreement.objects.get(circle=cast.circle), kind="add",
                                 title="Tea", text="We share tea.", reason="Warmth",
                                 actor=cast.member)
    meeting = held_meeting(cast.circle, cast.facilitator, [cast.membership])
    page = home(cast.facilitator)
    assert "A question from Ona" in page and "Is there parking?" not in page
    assert f'href="/agreements/proposals/{proposal.public_id}/"' in page
    assert f'href="/notes/meetings/{meeting.public_id}/"' in page
    do_write_group_note(meeting, body="A calm meeting.", sections={}, actor=cast.facilitator)
    page = home(cast.facilitator)
    assert f'href="/notes/meetings/{meeting.public_id}/"' not in page
    note = ProgressNote.objects.get(membership=cast.membership)
    assert "Review and sign the note for Mina" in page
    do_sign_progress_note(note, actor=cast.facilitator)
    assert "Review and sign the note for Mina" not in home(cast.facilitator)


def test_another_facilitators_circle_is_not_on_the_home(cast):
    report(cast, circle=cast.other_circle, actor=cast.other_member)
    do_propose_change(Agreement.objects.get(circle=cast.other_circle), kind="add",
                      title="Tea", text="We share tea.", reason="Warmth",
                      actor=cast.other_member)
    page = home(cast.facilitator)
    assert "A new concern" not in page and "A proposal to decide" not in page
    assert "Thursday circle" not in page


# The admin's and the auditor's homes -------------------------------------------------------


def test_the_admin_sees_staff_without_two_step_sign_in_of_their_organization_only(cast):
    make_staff(cast.org, "sol@riverside.test", "facilitator", name="Sol", actor=cast.admin,
               enroll=False)
    make_staff(cast.other_org, "hal@harbor.test", "facilitator", name="Hal",
               actor=cast.other_admin, enroll=False)
    page = home(cast.admin)
    assert "Sol has no two-step sign-in" in page
    assert f'href="/org/{cast.org.public_id}/staff/"' in page
    assert "Hal" not in page
    assert "Sol" not in home(cast.other_admin)
    assert "Hal has no two-step sign-in" in home(cast.other_admin)


def test_privacy_incidents_show_their_clocks_to_their_organizations_admins(cast):
    incident = incidents.do_record_privacy_incident(
        cast.org, title="A laptop was lost", discovered_at=timezone.now() - timedelta(days=4),
        exposed="Names and circles", actor=cast.admin)
    page = home(cast.admin)
    assert "A laptop was lost" in page and "authority (GDPR): past due" in page
    assert "individuals (HIPAA): 1\xa0month" in page
    assert f'href="/incidents/privacy/{incident.public_id}/"' in page
    assert "A laptop was lost" not in home(cast.other_admin)
    assert "A laptop was lost" not in home(cast.auditor)


def test_a_generic_consent_document_is_marked_for_review(cast):
    organization = do_create_organization(name="Lyon Collective", country="FR")
    admin = make_staff(organization, "lea@lyon.test", "admin", name="Léa")
    page = home(admin)
    assert "Review the consent document" in page
    assert f'href="/consent/organizations/{organization.public_id}/"' in page
    assert "Review the consent document" not in home(cast.admin)  # California's own


def test_a_generic_consent_document_in_spanish_is_marked_for_review_too(cast):
    organization = do_create_organization(name="Colectivo Puebla", country="MX")
    admin = make_staff(organization, "lu@puebla.test", "admin", name="Lu")
    assert "Review the consent document" in home(admin)


def test_the_security_summary_counts_and_links_to_the_report(cast):
    client = signed_in_client(None)
    client.post("/accounts/sign-in/", {"username": cast.member.email, "password": "wrong"})
    for user in (cast.admin, cast.auditor):
        page = home(user)
        assert "1 failed sign-in" in page
        assert 'href="/audit/security/"' in page and 'href="/audit/"' in page
    assert "1 failed sign-in" not in home(cast.other_admin)
    assert "Security in the last" not in home(cast.facilitator)


def test_the_auditor_sees_no_tasks_of_the_admin(cast):
    make_staff(cast.org, "sol@riverside.test", "facilitator", name="Sol", actor=cast.admin,
               enroll=False)
    report(cast, about_facilitator=True)
    page = home(cast.auditor)
    assert "Sol" not in page and "concern" not in page.lower()


# The cost of each home ---------------------------------------------------------------------


def test_the_members_home_costs_the_same_with_one_circle_or_six(cast):
    client = signed_in_client(cast.member)
    schedule(cast.circle, cast.facilitator, minutes=20)
    held = held_meeting(cast.circle, cast.facilitator, [cast.membership])
    do_write_group_note(held, body="Calm.", sections={}, actor=cast.facilitator)
    do_sign_progress_note(ProgressNote.objects.get(membership=cast.membership),
                          actor=cast.facilitator)
    concern = report(cast, actor=cast.facilitator)
    incidents.do_acknowledge_concern(concern, actor=cast.facilitator)
    incidents.do_decide_concern(concern, membership=cast.membership, step="reminder",
                                reasons="A reminder.", actor=cast.facilitator)
    change_agreement(cast)
    one, page = home_queries(client)
    assert "Sign the new version" in page and "A decision about you" in page
    for n in range(5):
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.facilitator)
        membership = make_member(circle, cast.member.email, name="Mina", actor=cast.facilitator)
        schedule(circle, cast.facilitator, minutes=30 + n, count=10)
        held = held_meeting(circle, cast.facilitator, [membership])
        do_write_group_note(held, body="Calm.", sections={}, actor=cast.facilitator)
        do_sign_progress_note(ProgressNote.objects.get(membership=membership),
                              actor=cast.facilitator)
        concern = report(cast, circle=circle, actor=cast.facilitator)
        incidents.do_acknowledge_concern(concern, actor=cast.facilitator)
        incidents.do_decide_concern(concern, membership=membership, step="reminder",
                                    reasons="A reminder.", actor=cast.facilitator)
        change_agreement(cast, circle=circle, proposer=membership.user)
    six, page = home_queries(client)
    assert page.count("Sign the new version") == 6
    assert page.count("A decision about you") == 6
    assert page.count("A new note about your participation") == 6
    assert six == one


def test_open_feedback_rounds_cost_the_members_home_nothing_more(cast):
    client = signed_in_client(cast.member)
    open_round(cast.circle, cast.facilitator)
    one, page = home_queries(client)
    assert page.count("Anonymous feedback is open") == 1
    for n in range(5):
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.facilitator)
        make_member(circle, cast.member.email, name="Mina", actor=cast.facilitator)
        open_round(circle, cast.facilitator)
    six, page = home_queries(client)
    assert page.count("Anonymous feedback is open") == 6
    assert six == one


def test_the_joining_members_home_costs_the_same_with_one_circle_or_six(cast):
    joining = make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                          status="onboarding")
    do_ask_question(joining, text="Parking?", actor=joining.user)
    do_answer_question(joining, text="Yes.", actor=cast.facilitator)
    client = signed_in_client(joining.user)
    one, _page = home_queries(client)
    for n in range(5):
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.facilitator)
        more = make_member(circle, joining.user.email, name="Ona", actor=cast.facilitator,
                           status="onboarding")
        do_ask_question(more, text="Parking?", actor=joining.user)
        do_answer_question(more, text="Yes.", actor=cast.facilitator)
    six, page = home_queries(client)
    assert page.count("Your question has an answer") == 6
    assert six == one


def _busy_circle(cast, circle, n):
    """A circle with this week's meetings, a member still joining with a question, a
    relationship declaration, a proposal, a concern and notes to write and to sign."""
    member = make_member(circle, f"m{n}@example.test", name=f"M{n}", actor=cast.facilitator)
    joining = make_member(circle, f"j{n}@example.test", name=f"J{n}", actor=cast.facilitator,
                          status="onboarding")
    do_ask_question(joining, text="Parking?", actor=joining.user)
    from circlekeep.onboarding.actions import do_declare_relationships

    do_declare_relationships(joining, declarations=[(f"M{n}", "coworker", "")],
                             actor=joining.user)
    do_propose_change(Agreement.objects.get(circle=circle), kind="add", title=f"T{n}",
                      text="Text.", reason="Why.", actor=member.user)
    report(cast, circle=circle, actor=member.user)
    held_meeting(circle, cast.facilitator, [member])
    signed = held_meeting(circle, cast.facilitator, [member])
    do_write_group_note(signed, body="Calm.", sections={}, actor=cast.facilitator)
    schedule(circle, cast.facilitator, minutes=120 + n)


def test_the_facilitators_home_costs_the_same_with_one_circle_or_six(cast):
    client = signed_in_client(cast.facilitator)
    _busy_circle(cast, cast.circle, 0)
    one, page = home_queries(client)
    assert "A question from J0" in page and "told you about people they know" in page
    for n in range(1, 6):
        _busy_circle(cast, make_circle(cast.org, f"Extra {n}", lead=cast.facilitator), n)
    six, page = home_queries(client)
    for text in ("A question from J", "told you about people they know",
                 "A proposal to decide", "A new concern to acknowledge",
                 "Write the note of a meeting", "Review and sign the note for M"):
        assert page.count(text) >= 6, text
    assert six == one


def test_the_admins_home_costs_the_same_with_one_task_of_each_kind_or_several(cast):
    client = signed_in_client(cast.admin)

    def add(n):
        make_staff(cast.org, f"s{n}@riverside.test", "facilitator", name=f"S{n}",
                   actor=cast.admin, enroll=False)
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.other_facilitator)
        member = make_member(circle, f"m{n}@example.test", name=f"M{n}",
                             actor=cast.other_facilitator)
        report(cast, circle=circle, actor=member.user, about_facilitator=True)
        incidents.do_record_privacy_incident(
            cast.org, title=f"Incident {n}", discovered_at=timezone.now() - timedelta(hours=n),
            exposed="Names", actor=cast.admin)

    add(0)
    one, _page = home_queries(client)
    for n in range(1, 6):
        add(n)
    six, page = home_queries(client)
    assert page.count("has no two-step sign-in") == 6
    assert page.count("A new concern about a facilitator") == 6
    assert page.count("Open the incident") == 6
    assert six == one
