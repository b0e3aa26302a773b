"""The concern and privacy-incident operations of the API, each through the page's own
action and refusing whoever the page refuses."""

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep import vault
from circlekeep.accounts.actions import do_create_api_token
from circlekeep.incidents import actions
from circlekeep.incidents.models import IncidentNotification, PrivacyIncident
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import AgendaItem
from circlekeep.testing import assert_events, audit_mark, just_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast):
    """``api(user, method, path, body)``: a request with a token of the user's, made for
    every principal before the test begins (so that its audit events come first)."""
    secrets = {user.pk: do_create_api_token(user, name="t", days=1, actor=user,
                                            proof=just_signed_in(user))[1]
               for user in cast.principals().values() if user is not None}

    def call(user, method, path, body=None):
        return Client().generic(method, f"/api/v1{path}", data=json.dumps(body or {}),
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {secrets[user.pk]}")

    return call


def next_meeting(circle, actor):
    return do_schedule_meetings(circle, starts_at=timezone.now() + timedelta(days=2),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=actor).meetings.get()


@pytest.fixture
def concern(cast):
    concern = actions.do_report_concern(
        cast.circle, kind="intentional", body="Someone posted about our circle online.",
        visibility="facilitators", raise_in_group="unnamed", actor=cast.member)
    return actions.do_acknowledge_concern(concern, actor=cast.facilitator)


def test_the_handlers_assess_a_concern_and_raise_it_in_the_group(api, cast, concern):
    meeting = next_meeting(cast.circle, cast.facilitator)
    mark = audit_mark()
    assessed = api(cast.facilitator, "POST", f"/concerns/{concern.public_id}/assessment",
                   {"text": "One post, taken down the same day."})
    assert assessed.status_code == 200 and assessed.json()["assessed_at"] is not None
    raised = api(cast.facilitator, "POST", f"/concerns/{concern.public_id}/raise",
                 {"meeting_id": str(meeting.public_id)})
    assert raised.status_code == 200
    # Unnamed, as the reporter asked.
    assert [i.title for i in AgendaItem.objects.filter(meeting=meeting)] == [
        "A confidentiality concern"]
    # Each answer shows the concern's text to its handler, and records that reading.
    assert_events(mark, [("concern.assessed", cast.facilitator, None),
                         ("vault.revealed", cast.facilitator, None),
                         ("concern.raised_in_group", cast.facilitator, None),
                         ("vault.revealed", cast.facilitator, None)])
    again = api(cast.facilitator, "POST", f"/concerns/{concern.public_id}/raise",
                {"meeting_id": str(meeting.public_id)})
    assert again.status_code == 400 and "already on that meeting" in again.json()["detail"]
    empty = api(cast.facilitator, "POST", f"/concerns/{concern.public_id}/assessment",
                {"text": "  "})
    assert empty.status_code == 400 and empty.json()["field"] == "assessment"


def test_a_concern_goes_only_on_an_upcoming_meeting_of_its_own_circle(api, cast, concern):
    elsewhere = next_meeting(cast.other_circle, cast.other_facilitator)
    path = f"/concerns/{concern.public_id}/raise"
    # The admin sees both circles' meetings; the action keeps the concern in its own.
    refused = api(cast.admin, "POST", path, {"meeting_id": str(elsewhere.public_id)})
    assert refused.status_code == 400 and refused.json()["field"] == "meeting"
    # The facilitator does not see the other circle's meetings at all.
    assert api(cast.facilitator, "POST", path,
               {"meeting_id": str(elsewhere.public_id)}).status_code == 404
    assert not AgendaItem.objects.exists()


def test_the_reporter_and_outsiders_neither_assess_nor_raise_a_concern(api, cast, concern):
    meeting = next_meeting(cast.circle, cast.facilitator)
    assess = f"/concerns/{concern.public_id}/assessment"
    raise_ = f"/concerns/{concern.public_id}/raise"
    body = {"meeting_id": str(meeting.public_id)}
    assert api(cast.member, "POST", assess, {"text": "Mine"}).status_code == 403
    assert api(cast.member, "POST", raise_, body).status_code == 403
    for outsider in (cast.other_member, cast.other_facilitator, cast.other_admin):
        assert api(outsider, "POST", assess, {"text": "x"}).status_code == 404
        assert api(outsider, "POST", raise_, body).status_code == 404
    concern.refresh_from_db()
    assert concern.assessed_at is None and concern.agenda_item_id is None


def incident_body(**changes):
    return {"title": "Facilitator's laptop stolen", "exposed": "Names of one circle",
            "discovered_at": (timezone.now() - timedelta(hours=2)).isoformat(), **changes}


def test_an_admin_records_an_incident_and_follows_its_clocks(api, cast):
    path = f"/organizations/{cast.org.public_id}/privacy-incidents"
    mark = audit_mark()
    made = api(cast.admin, "POST", path, incident_body())
    assert made.status_code == 201
    clocks = {c["notify"]: c for c in made.json()["clocks"]}
    incident = PrivacyIncident.objects.get()
    assert clocks["authority"]["past_due"] is False
    assert clocks["individuals"]["past_due"] is False
    assert_events(mark, [("incident.recorded", cast.admin, None)])
    four_days_ago = (timezone.now() - timedelta(days=4)).isoformat()
    api(cast.admin, "POST", path, incident_body(title="Misdirected e-mail",
                                                discovered_at=four_days_ago))
    listed = {i["title"]: {c["notify"]: c["past_due"] for c in i["clocks"]}
              for i in api(cast.admin, "GET", path).json()}
    assert listed == {"Facilitator's laptop stolen": {"authority": False, "individuals": False},
                      "Misdirected e-mail": {"authority": True, "individuals": False}}
    detail = api(cast.admin, "GET", f"/privacy-incidents/{incident.public_id}").json()
    # 72 hours for the authority (GDPR), 60 days for the people affected (HIPAA); the API
    # gives times to the millisecond.
    due = {c["notify"]: datetime.fromisoformat(c["due"]) for c in detail["clocks"]}
    expected = {"authority": incident.discovered_at + timedelta(hours=72),
                "individuals": incident.discovered_at + timedelta(days=60)}
    assert all(abs(due[k] - expected[k]) < timedelta(milliseconds=1) for k in expected)
    assert (detail["affected"], detail["notifications"]) == ([], [])


def test_an_incident_needs_a_past_discovery_time_with_its_offset(api, cast):
    path = f"/organizations/{cast.org.public_id}/privacy-incidents"
    naive = api(cast.admin, "POST", path, incident_body(discovered_at="2030-01-01T10:00:00"))
    assert naive.status_code == 422
    future = (timezone.now() + timedelta(days=1)).isoformat()
    ahead = api(cast.admin, "POST", path, incident_body(discovered_at=future))
    assert ahead.status_code == 400 and ahead.json()["field"] == "discovered_at"
    # Documentation is kept six years; the calendar's first day would fall off it in UTC.
    for long_ago in ("2015-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00"):
        old = api(cast.admin, "POST", path, incident_body(discovered_at=long_ago))
        assert old.status_code == 400 and old.json()["field"] == "discovered_at"
    assert not PrivacyIncident.objects.exists()


@pytest.fixture
def incident(cast):
    return actions.do_record_privacy_incident(
        cast.org, title="Laptop", exposed="Membership reasons",
        discovered_at=timezone.now() - timedelta(hours=2), actor=cast.admin)


def test_the_affected_are_found_in_the_audit_trail_by_whose_reads(api, cast, incident):
    from circlekeep.circles.actions import do_change_membership_status
    from circlekeep.circles.models import MembershipChange

    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="A private reason")
    change = MembershipChange.objects.filter(membership=cast.membership).latest("pk")
    vault.reveal(change, "reason", actor=cast.facilitator, reason="Curious")
    path = f"/privacy-incidents/{incident.public_id}/affected"
    window = {"since": (timezone.now() - timedelta(days=1)).isoformat(),
              "until": timezone.now().isoformat()}
    mark = audit_mark()
    found = api(cast.admin, "POST", path,
                {"reader_id": str(cast.facilitator.public_id), **window})
    assert found.status_code == 200
    assert found.json()["found"] == 1
    assert [p["id"] for p in found.json()["affected"]] == [str(cast.member.public_id)]
    assert_events(mark, [("incident.affected.found", cast.admin, None)])
    detail = api(cast.admin, "GET", f"/privacy-incidents/{incident.public_id}").json()
    assert [p["email"] for p in detail["affected"]] == ["mina@example.test"]
    # Only the organization's staff read others' information: a member is no reader.
    assert api(cast.admin, "POST", path,
               {"reader_id": str(cast.member.public_id), **window}).status_code == 404
    backwards = api(cast.admin, "POST", path, {"reader_id": str(cast.facilitator.public_id),
                                               "since": window["until"],
                                               "until": window["since"]})
    assert backwards.status_code == 400 and backwards.json()["field"] == "until"
    edge = api(cast.admin, "POST", path, {"reader_id": str(cast.facilitator.public_id),
                                          "since": "0001-01-01T00:00:00+14:00",
                                          "until": "0001-01-02T00:00:00+14:00"})
    assert edge.status_code == 400 and edge.json()["field"] == "since"


def test_a_notification_is_drafted_then_recorded_as_sent_once(api, cast, incident):
    path = f"/privacy-incidents/{incident.public_id}/notifications"
    mark = audit_mark()
    drafted = api(cast.admin, "POST", path, {"kind": "authority", "recipient": "Regulator",
                                             "draft": "On … a laptop was stolen …"})
    assert drafted.status_code == 201 and drafted.json()["sent_at"] is None
    sent = api(cast.admin, "POST", f"{path}/{drafted.json()['id']}/sent")
    assert sent.status_code == 200 and sent.json()["sent_at"] is not None
    assert_events(mark, [("incident.notification.drafted", cast.admin, None),
                         ("incident.notification.sent", cast.admin, None)])
    again = api(cast.admin, "POST", f"{path}/{drafted.json()['id']}/sent")
    assert again.status_code == 400 and "already recorded" in again.json()["detail"]
    unknown = api(cast.admin, "POST", path, {"kind": "press", "recipient": "x", "draft": "x"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    detail = api(cast.admin, "GET", f"/privacy-incidents/{incident.public_id}").json()
    assert [(n["kind"], n["recipient"]) for n in detail["notifications"]] == [
        ("authority", "Regulator")]
    # A notification is reached only through its own incident.
    other = actions.do_record_privacy_incident(
        cast.org, title="Other", exposed="x", discovered_at=timezone.now(), actor=cast.admin)
    elsewhere = actions.do_draft_notification(other, kind="other", recipient="Press",
                                              draft="x", actor=cast.admin)
    assert api(cast.admin, "POST", f"{path}/{elsewhere.public_id}/sent").status_code == 404
    assert IncidentNotification.objects.get(pk=elsewhere.pk).sent_at is None


def test_privacy_incidents_are_for_the_organizations_admins_alone(api, cast, incident):
    for someone in (cast.facilitator, cast.auditor, cast.member, cast.other_admin):
        assert api(someone, "GET",
                   f"/organizations/{cast.org.public_id}/privacy-incidents").status_code == 404
        assert api(someone, "POST", f"/organizations/{cast.org.public_id}/privacy-incidents",
                   incident_body()).status_code == 404
        assert api(someone, "GET", f"/privacy-incidents/{incident.public_id}").status_code \
            == 404
        assert api(someone, "POST", f"/privacy-incidents/{incident.public_id}/notifications",
                   {"kind": "other", "recipient": "x", "draft": "x"}).status_code == 404
    assert PrivacyIncident.objects.count() == 1
    assert not IncidentNotification.objects.exists()
    # Another organization's admin lists their own organization's incidents: none.
    assert api(cast.other_admin, "GET", f"/organizations/{cast.other_org.public_id}"
               "/privacy-incidents").json() == []


def test_the_incident_list_costs_the_same_queries_for_1_and_10_incidents(api, cast, incident):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(cast.admin, "GET", f"/organizations/{cast.org.public_id}"
                       "/privacy-incidents").status_code == 200
        return len(captured)

    one = queries()
    for n in range(9):
        actions.do_record_privacy_incident(cast.org, title=f"Incident {n}", exposed="x",
                                           discovered_at=timezone.now(), actor=cast.admin)
    assert queries() == one
