"""Concerns, the consequence ladder, trust repair, and privacy incidents."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep import vault
from circlekeep.agreements.actions import do_update_template
from circlekeep.audit.models import AuditEvent, HeldAuditEvent
from circlekeep.circles.models import Membership
from circlekeep.incidents import actions
from circlekeep.incidents.models import Concern, PrivacyIncident
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.onboarding.progress import check_cleared
from circlekeep.testing import (
    ConcernToken,
    assert_events,
    audit_mark,
    enough_token_holders,
    make_circle,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_meeting(cast):
    return do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=2),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=cast.facilitator).meetings.get()


@pytest.fixture
def pat(cast):
    return make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)


def report(cast, **changes):
    fields = {"kind": "intentional", "body": "Someone posted about our circle online.",
              "visibility": "facilitators", "actor": cast.member}
    fields.update(changes)
    return actions.do_report_concern(cast.circle, **fields)


def test_an_anonymous_report_stores_nothing_that_links_the_reporter(cast, next_meeting,
                                                                    caplog):
    from django.test import Client

    client = signed_in_client(cast.member)
    token = ConcernToken(cast.member, cast.circle)  # fetched on an earlier page view
    enough_token_holders(cast.circle)
    mark = audit_mark()
    with caplog.at_level(logging.DEBUG):
        response = Client().post("/api/v1/anonymous-concerns", content_type="application/json",
                                 data=token.json(kind="third_party",
                                                 body="A screenshot of the chat went round.",
                                                 raise_in_group="unnamed"))
    assert response.status_code == 201 and response.json() == {}
    concern = Concern.objects.get()
    assert concern.reporter is None
    # Its audit event is held back (no actor, no request, only the day) and joins the
    # trail with the rest of the day's, shuffled, once the day is over.
    assert not AuditEvent.objects.filter(sequence__gt=mark).exists()
    held = HeldAuditEvent.objects.get(event_type="concern.reported")
    assert (held.event_type, held.subject_id) == ("concern.reported", None)
    assert cast.member.email not in str(vars(held)) and str(cast.member.public_id) not in \
        str(vars(held))
    # The request's id is on the response only; no stored row carries it.
    assert not AuditEvent.objects.filter(request_id=response["X-Request-Id"]).exists()
    assert cast.member.email not in caplog.text and "Mina" not in caplog.text
    # Raised in the group as the reporter asked: the agenda item names nobody.
    assert concern.raise_in_group == "unnamed"
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    actions.do_raise_concern_in_group(concern, meeting=next_meeting, actor=cast.facilitator)
    assert next_meeting.agenda.get().title == "A confidentiality concern"
    page = signed_in_client(cast.facilitator).get(
        f"/incidents/concerns/{concern.public_id}/").content.decode()
    assert "Reported anonymously" in page and "Reported by" not in page
    # The reporter has no way back to it either.
    assert client.get(f"/incidents/concerns/{concern.public_id}/").status_code == 404


def test_anonymous_reports_are_rate_limited_per_circle_without_identity(cast):
    people = [make_member(cast.circle, f"m{n}@example.test", name=f"M{n}",
                          actor=cast.facilitator).user
              for n in range(actions.ANONYMOUS_PER_CIRCLE_PER_DAY + 1)]
    tokens = [ConcernToken(person, cast.circle) for person in people]
    for token in tokens[:-1]:
        token.send()
    with pytest.raises(DomainError, match="many anonymous reports today"):
        tokens[-1].send()
    assert Concern.objects.count() == actions.ANONYMOUS_PER_CIRCLE_PER_DAY


def test_the_report_page_encourages_raising_it_in_the_group(cast):
    page = signed_in_client(cast.member).get(
        f"/incidents/circles/{cast.circle.public_id}/report/").content.decode()
    assert "bring it to the group itself" in page and "Fully anonymous" in page


def test_a_concern_about_the_facilitator_goes_to_the_admins(cast):
    concern = report(cast, about_facilitator=True)
    url = f"/incidents/concerns/{concern.public_id}/"
    assert signed_in_client(cast.facilitator).get(url).status_code == 404
    assert signed_in_client(cast.admin).get(url).status_code == 200
    with pytest.raises(ActionForbidden):
        actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    actions.do_acknowledge_concern(concern, actor=cast.admin)


def test_members_who_are_not_part_of_a_concern_never_see_it(cast, pat):
    concern = report(cast)
    for outsider in (pat.user, cast.other_member, cast.other_facilitator, cast.auditor):
        assert signed_in_client(outsider).get(
            f"/incidents/concerns/{concern.public_id}/").status_code == 404


def test_the_facilitator_acknowledges_assesses_raises_decides_and_closes(
        cast, pat, next_meeting):
    concern = report(cast, affected=[cast.membership])
    mark = audit_mark()
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    actions.do_assess_concern(concern, assessment="Pat shared a detail at work.",
                              actor=cast.facilitator)
    actions.do_raise_concern_in_group(concern, meeting=next_meeting, actor=cast.facilitator)
    decision = actions.do_decide_concern(concern, membership=pat, step="written_warning",
                                         reasons="You named a member at work.",
                                         actor=cast.facilitator)
    actions.do_respond_to_decision(decision, response="I understand and apologise.",
                                   actor=pat.user)
    actions.do_close_concern(concern, summary="Handled with a written warning; the circle "
                             "recommitted.", actor=cast.facilitator)
    f = cast.facilitator
    assert_events(mark, [("concern.acknowledged", f, None), ("concern.assessed", f, None),
                         ("concern.raised_in_group", f, None),
                         ("concern.decided", f, pat.user),
                         ("concern.decision.responded", pat.user, pat.user),
                         ("concern.closed", f, None)])
    # Trust repair: the next meeting's ritual asks the circle to recommit.
    assert next_meeting.agenda.filter(kind="recommit").exists()
    ritual = signed_in_client(cast.member).get(f"/meetings/{next_meeting.public_id}/ritual/")
    assert "the whole circle recommits" in ritual.content.decode()
    # The member concerned reads the decision; the reporter and the affected read the end.
    pat_page = signed_in_client(pat.user).get(
        f"/incidents/concerns/{concern.public_id}/").content.decode()
    assert "You named a member at work." in pat_page and "Written warning" in pat_page
    assert "Pat shared a detail" not in pat_page  # the assessment is the handlers'
    mina_page = signed_in_client(cast.member).get(
        f"/incidents/concerns/{concern.public_id}/").content.decode()
    assert "Handled with a written warning" in mina_page
    assert "You named a member at work." not in mina_page
    with pytest.raises(DomainError, match="closed"):
        actions.do_assess_concern(concern, assessment="x", actor=cast.facilitator)


def test_a_consequence_must_be_on_the_circles_ladder(cast):
    do_update_template(cast.org, clauses=[{"title": "Rule", "text": "Keep it here."}],
                       ladder=[{"step": "reminder", "text": "A word."},
                               {"step": "revocation", "text": "Out."}], actor=cast.admin)
    circle = make_circle(cast.org, "Gentle circle", lead=cast.facilitator)
    member = make_member(circle, "gil@example.test", name="Gil", actor=cast.facilitator)
    concern = actions.do_report_concern(circle, kind="accidental", body="A slip.",
                                        visibility="named", actor=member.user)
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    mark = audit_mark()
    with pytest.raises(DomainError, match="not on this circle's ladder"):
        actions.do_decide_concern(concern, membership=member, step="written_warning",
                                  reasons="x", actor=cast.facilitator)
    assert_events(mark, [])
    assert not concern.decisions.exists()


def test_suspension_and_revocation_take_effect_at_once(cast, pat):
    concern = report(cast)
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    with pytest.raises(DomainError, match="end date in the future"):
        actions.do_decide_concern(concern, membership=pat, step="suspension",
                                  reasons="Repeated", actor=cast.facilitator)
    actions.do_decide_concern(concern, membership=pat, step="suspension", reasons="Repeated",
                              suspended_until=timezone.localdate() + timedelta(days=30),
                              actor=cast.facilitator)
    pat = Membership.objects.select_related("circle__organization", "user").get(pk=pat.pk)
    assert pat.status == "suspended"
    with pytest.raises(DomainError, match="suspended"):
        check_cleared(pat)
    actions.do_decide_concern(concern, membership=pat, step="revocation", reasons="Again",
                              actor=cast.facilitator)
    assert Membership.objects.get(pk=pat.pk).status == "revoked"


def test_overdue_concerns_stand_out_on_the_facilitators_dashboard(cast):
    concern = report(cast)
    assert "48-hour" not in signed_in_client(cast.facilitator).get("/").content.decode()
    Concern.objects.filter(pk=concern.pk).update(
        reported_at=timezone.now() - timedelta(hours=49))
    page = signed_in_client(cast.facilitator).get("/").content.decode()
    assert "1 concern waits past the 48-hour target" in page


def test_report_texts_are_sealed(cast):
    concern = report(cast, body="Kim from the office saw the group chat.")
    assert "Kim" not in concern.body.envelope
    assert "Kim" in vault.reveal(concern, "body", actor=cast.facilitator, reason="test")


def test_a_privacy_incident_runs_its_clocks_and_finds_the_affected_in_the_trail(cast):
    from circlekeep.circles.actions import do_change_membership_status
    from circlekeep.circles.models import MembershipChange

    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="A private reason")
    change = MembershipChange.objects.filter(membership=cast.membership).latest("pk")
    vault.reveal(change, "reason", actor=cast.facilitator, reason="Curious")
    discovered = timezone.now() - timedelta(hours=2)
    mark = audit_mark()
    with pytest.raises(DomainError, match="cannot be in the future"):
        actions.do_record_privacy_incident(cast.org, title="Laptop", exposed="x",
                                           discovered_at=timezone.now() + timedelta(1),
                                           actor=cast.admin)
    incident = actions.do_record_privacy_incident(
        cast.org, title="A facilitator's laptop was stolen", exposed="Membership reasons",
        discovered_at=discovered, actor=cast.admin)
    assert incident.authority_due == discovered + timedelta(hours=72)
    assert incident.individuals_due == discovered + timedelta(days=60)
    found = actions.do_find_affected(incident, reader=cast.facilitator,
                                     since=discovered - timedelta(days=1),
                                     until=timezone.now(), actor=cast.admin)
    assert found == [cast.member]
    notification = actions.do_draft_notification(
        incident, kind="authority", recipient="State attorney general",
        draft="On … we discovered …", actor=cast.admin)
    actions.do_mark_notification_sent(notification, actor=cast.admin)
    assert_events(mark, [("incident.recorded", cast.admin, None),
                         ("incident.affected.found", cast.admin, None),
                         ("incident.notification.drafted", cast.admin, None),
                         ("incident.notification.sent", cast.admin, None)])
    page = signed_in_client(cast.admin).get("/").content.decode()
    assert "time left to notify" in page and "authority (GDPR)" in page
    with pytest.raises(ActionForbidden):
        actions.do_record_privacy_incident(cast.org, title="x", exposed="x",
                                           discovered_at=discovered, actor=cast.facilitator)
    assert signed_in_client(cast.facilitator).get(
        f"/incidents/privacy/{incident.public_id}/").status_code == 404
    assert PrivacyIncident.objects.count() == 1


def test_a_reporter_named_to_the_circle_may_be_named_in_the_group(cast, next_meeting):
    with pytest.raises(DomainError, match="choose to be named to the circle"):
        report(cast, visibility="facilitators", raise_in_group="named")
    concern = report(cast, visibility="named", raise_in_group="named")
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    actions.do_raise_concern_in_group(concern, meeting=next_meeting, actor=cast.facilitator)
    assert next_meeting.agenda.get().title == "A confidentiality concern, raised by Mina"
    with pytest.raises(DomainError, match="already on that meeting"):
        actions.do_raise_concern_in_group(concern, meeting=next_meeting,
                                          actor=cast.facilitator)


def test_a_suspension_ends_on_its_date(cast, pat):
    import io

    from django.core.management import call_command

    from circlekeep.incidents.models import Decision

    concern = report(cast)
    actions.do_acknowledge_concern(concern, actor=cast.facilitator)
    decision = actions.do_decide_concern(
        concern, membership=pat, step="suspension", reasons="A pause",
        suspended_until=timezone.localdate() + timedelta(days=7), actor=cast.facilitator)
    with pytest.raises(DomainError, match="not ended yet"):
        actions.do_end_suspension(decision)
    call_command("concerns", "end-suspensions", stdout=io.StringIO())
    assert Membership.objects.get(pk=pat.pk).status == "suspended"
    Decision.objects.filter(pk=decision.pk).update(suspended_until=timezone.localdate())
    decision.refresh_from_db()
    mark = audit_mark()
    actions.do_end_suspension(decision)
    assert_events(mark, [("circle.member.status.changed", None, pat.user)])
    assert Membership.objects.get(pk=pat.pk).status == "active"
    out = io.StringIO()
    call_command("concerns", "end-suspensions", stdout=out)
    assert "0 suspensions ended" in out.getvalue()


def test_the_api_reports_anonymously_without_a_way_back_and_lists_the_accounting(cast):
    import json

    from django.test import Client

    from circlekeep.accounts.actions import do_create_api_token
    from circlekeep.disclosures.actions import do_record_legal_disclosure
    from circlekeep.testing import just_signed_in

    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
                                         proof=just_signed_in(cast.member))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    mark = audit_mark()
    response = Client().post(
        "/api/v1/anonymous-concerns", content_type="application/json",
        data=json.dumps(token.json(kind="accidental", body="It slipped out.")))
    assert response.status_code == 201 and response.json() == {}
    assert Concern.objects.get().reporter is None
    assert not AuditEvent.objects.filter(sequence__gt=mark, event_type="concern.reported").exists()
    assert HeldAuditEvent.objects.filter(event_type="concern.reported").count() == 1
    do_record_legal_disclosure(cast.membership, basis="court_order", recipient="County court",
                               information=["attendance"], summary="Attendance dates",
                               reason="Subpoena", confirmed=True, actor=cast.facilitator)
    rows = client.get("/api/v1/me/disclosures").json()
    assert [(r["recipient"], r["basis"]) for r in rows] == [("County court", "court_order")]


def test_an_admin_who_facilitates_never_sees_or_handles_a_concern_about_themself(cast):
    from django.test import Client

    from circlekeep.testing import make_api_token, make_staff

    circle = make_circle(cast.org, "Admin's circle", lead=cast.admin)
    ida = make_member(circle, "ida@example.test", name="Ida", actor=cast.admin)
    concern = actions.do_report_concern(circle, kind="intentional", body="The lead shared it.",
                                        visibility="facilitators", about_facilitator=True,
                                        actor=ida.user)
    url = f"/incidents/concerns/{concern.public_id}/"
    assert signed_in_client(cast.admin).get(url).status_code == 404
    privacy = signed_in_client(cast.admin).get(
        f"/incidents/organizations/{cast.org.public_id}/privacy/").content.decode()
    assert str(concern.public_id) not in privacy
    _token, auth = make_api_token(cast.admin)
    assert Client().get(f"/api/v1/concerns/{concern.public_id}", **auth).status_code == 404
    with pytest.raises(ActionForbidden):
        actions.do_acknowledge_concern(concern, actor=cast.admin)
    # Another admin of the organization handles it.
    other_admin = make_staff(cast.org, "abe@riverside.test", "admin", name="Abe",
                             actor=cast.admin)
    assert signed_in_client(other_admin).get(url).status_code == 200
    actions.do_acknowledge_concern(concern, actor=other_admin)
