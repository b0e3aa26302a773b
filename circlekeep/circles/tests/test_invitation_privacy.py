"""Inviting an address reveals nothing about an account that may exist behind it, and a
pending invitation grants nothing."""

import json
import re

import pytest
from django.test import Client

from circlekeep.accounts.actions import (
    do_update_profile,
)
from circlekeep.circles.actions import do_invite_guardian, do_invite_member
from circlekeep.lib.actions import DomainError
from circlekeep.testing import make_api_token, make_circle, make_member, signed_in_client

pytestmark = pytest.mark.django_db


def scrub(text, *addresses):
    """A page with the typed addresses, ids and tokens blanked, to compare two pages."""
    for address in addresses:
        text = text.replace(address, "ADDRESS")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", text)
    text = re.sub(r'nonce="[^"]+"', "", text)  # each response's own script nonce
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_inviting_an_existing_account_reads_the_same_as_a_new_address(cast):
    do_update_profile(cast.member, display_name="Mina", pronouns="she/her", language="es",
                      time_zone="Europe/Madrid", actor=cast.member)
    oscar = signed_in_client(cast.other_admin)
    pages = []
    for address in ("mina@example.test", "nobody-yet@example.test"):
        circle = make_circle(cast.other_org, "Evening circle", lead=cast.other_admin)
        response = oscar.post(f"/circles/{circle.public_id}/invite/", {"email": address},
                              follow=True)
        assert response.status_code == 200
        pages.append(scrub(response.content.decode(), address))
    assert pages[0] == pages[1]
    circle = cast.other_org_circle
    oscar.post(f"/circles/{circle.public_id}/invite/", {"email": "mina@example.test"})
    roster = oscar.get(f"/circles/{circle.public_id}/").content.decode()
    assert "mina@example.test" in roster
    for trace in ("Mina", "she/her", str(cast.member.public_id)):
        assert trace not in roster
    assert "Mina" not in oscar.get("/").content.decode()  # the dashboard's roster
    _t, auth = make_api_token(cast.other_admin)
    members = Client().get(f"/api/v1/circles/{circle.public_id}/members",
                           **auth).json()
    mina = next(m for m in members if m["display_name"] == "mina@example.test")
    assert mina["user_id"] is None
    assert "Mina" not in json.dumps(members)
    trail = oscar.get("/audit/").content.decode()
    assert "Mina" not in trail and "Someone invited, not yet joined" in trail
    export = b"".join(oscar.get("/audit/export.csv").streaming_content).decode()
    assert str(cast.member.public_id) not in export


def test_an_invitation_does_not_reveal_that_the_account_is_a_minor(cast):
    young = make_circle(cast.org, "Young people", lead=cast.facilitator, allows_minors=True)
    kid = make_member(young, "kid@example.test", name="Kid", actor=cast.facilitator,
                      is_minor=True, status="onboarding")
    invitation, _token = do_invite_member(cast.other_org_circle, email="kid@example.test",
                                          actor=cast.other_admin)
    assert invitation.kind == "member"  # sent like any other
    pending = kid.user.memberships.get(circle=cast.other_org_circle)
    with pytest.raises(DomainError, match="once the member has accepted"):
        do_invite_guardian(pending, email="parent@example.test", actor=cast.other_admin)


def test_a_pending_invitation_opens_nothing_in_the_circle(cast):
    do_invite_member(cast.other_org_circle, email="mina@example.test", actor=cast.other_admin)
    mina = signed_in_client(cast.member)
    assert mina.get(f"/circles/{cast.other_org_circle.public_id}/").status_code == 404
    assert mina.get(f"/agreements/circles/{cast.other_org_circle.public_id}/").status_code \
        == 404
    assert "Harbor circle" not in mina.get("/").content.decode()


def test_another_organizations_two_step_rule_does_not_follow_an_invitation(cast):
    """Harbor requires two-step sign-in for members; inviting Mina must not change how she
    signs in to Riverside."""
    from circlekeep.orgs.actions import do_change_org_policies

    do_change_org_policies(cast.other_org, name="Harbor Clinic", country="ES", region="MD",
                           require_member_2fa=True, actor=cast.other_admin)
    do_invite_member(cast.other_org_circle, email="mina@example.test", actor=cast.other_admin)
    response = signed_in_client(cast.member).get(f"/circles/{cast.circle.public_id}/")
    assert response.status_code == 200


def test_one_organizations_two_step_rule_stays_within_its_own_circles(cast):
    """Mina belongs to Riverside (no rule) and Harbor (members must use two-step sign-in).
    Without the second step her Harbor circle stays closed; Riverside's is untouched."""
    from circlekeep.orgs.actions import do_change_org_policies
    from circlekeep.testing import enroll_totp

    harbor = make_member(cast.other_org_circle, "mina@example.test", name="Mina",
                         actor=cast.other_admin)
    do_change_org_policies(cast.other_org, name="Harbor Clinic", country="ES", region="MD",
                           require_member_2fa=True, actor=cast.other_admin)
    mina = signed_in_client(cast.member)
    assert mina.get(f"/circles/{cast.circle.public_id}/").status_code == 200
    assert mina.get(f"/circles/{cast.other_org_circle.public_id}/").status_code == 404
    assert mina.get(f"/circles/memberships/{harbor.public_id}/").status_code == 404
    assert "Harbor Clinic asks everyone" in mina.get("/").content.decode()
    enroll_totp(cast.member)
    verified = signed_in_client(cast.member)
    assert verified.get(f"/circles/{cast.other_org_circle.public_id}/").status_code == 200


def test_a_pending_invitation_does_not_decide_a_persons_age_elsewhere(cast):
    """Harbor invites a new address "as a minor" and hears nothing back; Riverside invites
    the same address to an adults' circle, and the person can join it."""
    from circlekeep.accounts.actions import do_accept_invitation

    young = make_circle(cast.other_org, "Harbor youth", lead=cast.other_admin,
                        allows_minors=True)
    do_invite_member(young, email="sam@example.test", actor=cast.other_admin, is_minor=True)
    invitation, _token = do_invite_member(cast.circle, email="sam@example.test",
                                          actor=cast.facilitator)
    user = do_accept_invitation(invitation, acting_user=None, display_name="Sam",
                                full_name="Sam Doe", password="a-long-test-passphrase")
    assert not user.is_minor
    assert user.memberships.get(circle=cast.circle).status == "onboarding"
