import json

import pytest
from django.test import Client

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.circles.models import Circle, Membership
from circlekeep.testing import just_signed_in

pytestmark = pytest.mark.django_db


def api(user, method, path, body=None):
    _token, secret = do_create_api_token(user, name="t", days=1, actor=user,
                                         proof=just_signed_in(user))
    return Client().generic(method, f"/api/v1{path}", data=json.dumps(body or {}),
                            content_type="application/json",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_circle_lists_are_scoped_to_what_each_person_may_see(cast):
    names = {p: sorted(c["name"] for c in api(u, "GET", "/circles").json())
             for p, u in cast.principals().items() if u}
    assert names == {
        "other_member": ["Thursday circle"], "member": ["Tuesday circle"],
        "other_facilitator": ["Thursday circle"], "facilitator": ["Tuesday circle"],
        "auditor": [], "other_admin": ["Harbor circle"],
        "admin": ["Thursday circle", "Tuesday circle"],
    }


def test_a_facilitator_runs_a_circle_through_the_api(cast):
    f = cast.facilitator
    created = api(f, "POST", "/circles", {"organization_id": str(cast.org.public_id),
                                          "name": "Api circle", "kind": "therapy",
                                          "mode": "online", "capacity": 3})
    assert created.status_code == 201
    circle_id = created.json()["id"]
    assert created.json()["facilitators"][0]["display_name"] == "Fran"
    invited = api(f, "POST", f"/circles/{circle_id}/invitations", {"email": "x@example.test"})
    assert invited.status_code == 201 and invited.json()["state"] == "pending"
    dup = api(f, "POST", f"/circles/{circle_id}/invitations", {"email": "X@example.test"})
    assert dup.status_code == 400 and "already a member" in dup.json()["detail"]
    members = api(f, "GET", f"/circles/{circle_id}/members").json()
    assert [(m["display_name"], m["status"], m["user_id"]) for m in members] == [
        ("x@example.test", "invited", None)]


def test_a_full_circle_answers_with_a_clear_error(cast):
    api(cast.facilitator, "PUT", f"/circles/{cast.circle.public_id}",
        {"name": "Tuesday circle", "kind": "peer_support", "mode": "online", "capacity": 2})
    api(cast.facilitator, "POST", f"/circles/{cast.circle.public_id}/invitations",
        {"email": "two@example.test"})
    full = api(cast.facilitator, "POST", f"/circles/{cast.circle.public_id}/invitations",
               {"email": "three@example.test"})
    assert full.status_code == 400 and "full" in full.json()["detail"]
    assert Membership.objects.filter(circle=cast.circle).count() == 2


def test_members_may_only_leave_through_the_status_endpoint(cast):
    path = f"/memberships/{cast.membership.public_id}/status"
    assert api(cast.member, "POST", path, {"status": "active"}).status_code == 403
    left = api(cast.member, "POST", path, {"status": "left"})
    assert left.status_code == 200 and left.json()["status"] == "left"


def test_a_facilitator_suspends_with_a_reason_the_member_can_read(cast):
    path = f"/memberships/{cast.membership.public_id}/status"
    no_reason = api(cast.facilitator, "POST", path, {"status": "suspended"})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    api(cast.facilitator, "POST", path, {"status": "suspended", "reason": "Two weeks' pause"})
    mine = api(cast.member, "GET", f"/memberships/{cast.membership.public_id}").json()
    assert mine["status"] == "suspended"
    assert mine["history"][-1]["reason"] == "Two weeks' pause"


def test_an_org_admin_cannot_reach_into_another_org_through_the_api(cast):
    oscar = cast.other_admin
    assert api(oscar, "GET", f"/circles/{cast.circle.public_id}").status_code == 404
    assert api(oscar, "GET", f"/organizations/{cast.org.public_id}/staff").status_code == 404
    created = api(oscar, "POST", "/circles", {"organization_id": str(cast.org.public_id),
                                              "name": "Sneaky", "kind": "therapy",
                                              "mode": "online", "capacity": 5})
    assert created.status_code == 404 and not Circle.objects.filter(name="Sneaky").exists()


def test_a_member_calling_a_staff_endpoint_is_refused(cast):
    response = api(cast.member, "GET", f"/circles/{cast.circle.public_id}/members")
    assert response.status_code == 403
    assert "facilitators and organization admins" in response.json()["detail"]
    assert api(cast.member, "GET", f"/organizations/{cast.org.public_id}/staff").status_code == 404


def test_malformed_bodies_get_a_422_with_the_field(cast):
    response = api(cast.facilitator, "POST", "/circles", {"name": "No org"})
    assert response.status_code == 422
    assert any("organization_id" in str(e["loc"]) for e in response.json()["detail"])
