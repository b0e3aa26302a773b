"""The disclosure operations of the API: the member's authorizations, releases under them,
the staff's record and suspensions, legal-duty disclosures and the member's accounting."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.disclosures import actions
from circlekeep.disclosures.models import Authorization, Disclosure
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


def in_a_year():
    return (timezone.localdate() + timedelta(days=365)).isoformat()


AUTHORIZATION = {"recipient": "Dr. Lee, St. Mary's Clinic", "information": ["attendance"],
                 "purpose": "Coordinating my care", "typed_name": "Mina Tester"}


@pytest.fixture
def authorization(cast):
    return actions.do_sign_authorization(
        cast.membership, actor=cast.member, expires_on=timezone.localdate()
        + timedelta(days=365), **AUTHORIZATION)


def test_a_member_signs_lists_and_revokes_an_authorization(api, cast):
    path = f"/memberships/{cast.membership.public_id}/authorizations"
    mark = audit_mark()
    signed = api(cast.member, "POST", path, {**AUTHORIZATION, "expires_on": in_a_year(),
                                             "expiry_event": "the end of my treatment"})
    assert signed.status_code == 201
    made = signed.json()
    assert (made["recipient"], made["information"], made["expiry_event"],
            made["revoked_at"]) == ("Dr. Lee, St. Mary's Clinic", ["attendance"],
                                    "the end of my treatment", None)
    assert "purpose" not in made
    assert [a["id"] for a in api(cast.member, "GET", "/me/authorizations").json()] == \
        [made["id"]]
    assert [a["id"] for a in api(cast.facilitator, "GET", path).json()] == [made["id"]]
    revoked = api(cast.member, "POST", f"/authorizations/{made['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_events(mark, [("disclosure.authorization.signed", cast.member, cast.member),
                         ("disclosure.authorization.revoked", cast.member, cast.member)])


def test_nobody_but_the_member_and_the_circles_staff_sees_their_authorizations(
        api, cast, authorization):
    path = f"/memberships/{cast.membership.public_id}/authorizations"
    for outsider in (cast.other_member, cast.other_facilitator, cast.auditor,
                     cast.other_admin):
        assert api(outsider, "GET", path).status_code == 404
        assert api(outsider, "GET", "/me/authorizations").json() == []
    assert api(cast.admin, "GET", path).json()[0]["id"] == str(authorization.public_id)
    # Only the member signs for themself, even the circle's facilitator may not.
    refused = api(cast.facilitator, "POST", path, {**AUTHORIZATION, "expires_on": in_a_year()})
    assert refused.status_code == 403
    assert Authorization.objects.count() == 1


def test_a_release_is_recorded_by_the_staff_and_shown_in_the_members_accounting(
        api, cast, authorization):
    mark = audit_mark()
    recorded = api(cast.facilitator, "POST",
                   f"/authorizations/{authorization.public_id}/disclosures",
                   {"information": ["attendance"], "summary": "Attended 4 of 5 meetings"})
    assert recorded.status_code == 201
    assert recorded.json()["authorization_id"] == str(authorization.public_id)
    assert recorded.json()["basis"] == "authorization"
    assert "summary" not in recorded.json()
    assert_events(mark, [("disclosure.recorded", cast.facilitator, cast.member)])
    accounting = api(cast.member, "GET", "/me/disclosures").json()
    assert [(d["recipient"], d["summary"]) for d in accounting] == [
        ("Dr. Lee, St. Mary's Clinic", "Attended 4 of 5 meetings")]
    listed = api(cast.facilitator, "GET",
                 f"/memberships/{cast.membership.public_id}/disclosures").json()
    assert [d["id"] for d in listed] == [recorded.json()["id"]]
    # The member reads theirs in the accounting, not in the staff's record.
    assert api(cast.member, "GET",
               f"/memberships/{cast.membership.public_id}/disclosures").json() == []


def test_a_release_outside_the_authorization_or_by_others_changes_nothing(
        api, cast, authorization):
    path = f"/authorizations/{authorization.public_id}/disclosures"
    outside = api(cast.facilitator, "POST", path,
                  {"information": ["progress_notes"], "summary": "Notes"})
    assert outside.status_code == 400 and outside.json()["field"] == "information"
    body = {"information": ["attendance"], "summary": "Dates"}
    assert api(cast.member, "POST", path, body).status_code == 403
    assert api(cast.other_facilitator, "POST", path, body).status_code == 404
    assert api(cast.other_admin, "POST", path, body).status_code == 404
    api(cast.member, "POST", f"/authorizations/{authorization.public_id}/revoke")
    after = api(cast.facilitator, "POST", path, body)
    assert after.status_code == 400 and "revoked this authorization" in after.json()["detail"]
    assert not Disclosure.objects.exists()


def test_a_suspension_withholds_a_disclosure_from_the_accounting_until_its_date(
        api, cast, authorization):
    disclosure = actions.do_record_disclosure(authorization, information=["attendance"],
                                              summary="Dates", actor=cast.facilitator)
    path = f"/disclosures/{disclosure.public_id}/suspension"
    until = (timezone.localdate() + timedelta(days=90)).isoformat()
    body = {"legal_reason": "Law-enforcement request", "ends_on": until}
    assert api(cast.member, "POST", path, body).status_code == 403
    assert api(cast.other_facilitator, "POST", path, body).status_code == 404
    assert len(api(cast.member, "GET", "/me/disclosures").json()) == 1
    mark = audit_mark()
    suspended = api(cast.facilitator, "POST", path, body)
    assert suspended.status_code == 200
    assert suspended.json()["accounting_suspended_until"] == until
    assert_events(mark, [("disclosure.accounting.suspended", cast.facilitator, cast.member)])
    assert api(cast.member, "GET", "/me/disclosures").json() == []
    past = api(cast.facilitator, "POST", path, {"legal_reason": "x", "ends_on": "2020-01-01"})
    assert past.status_code == 400 and past.json()["field"] == "ends_on"


def test_a_legal_disclosure_answers_with_its_record(api, cast):
    made = api(cast.facilitator, "POST",
               f"/memberships/{cast.membership.public_id}/legal-disclosures",
               {"basis": "court_order", "recipient": "County court",
                "information": ["attendance"], "summary": "Attendance dates",
                "reason": "Subpoena", "confirmed": True})
    assert made.status_code == 201
    assert (made.json()["basis"], made.json()["authorization_id"]) == ("court_order", None)
    assert "summary" not in made.json() and "reason" not in made.json()
    listed = api(cast.admin, "GET", f"/memberships/{cast.membership.public_id}/disclosures")
    assert [d["id"] for d in listed.json()] == [made.json()["id"]]


def test_the_staffs_list_costs_the_same_queries_for_1_and_10_disclosures(
        api, cast, authorization):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(cast.facilitator, "GET", f"/memberships/{cast.membership.public_id}"
                       "/disclosures").status_code == 200
        return len(captured)

    def release():
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="Dates", actor=cast.facilitator)

    release()
    one = queries()
    for _n in range(9):
        release()
    assert queries() == one
