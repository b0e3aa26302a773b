import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_revoke_api_token
from circlekeep.accounts.models import ApiToken, User
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.actions import do_invite_member
from circlekeep.testing import PASSWORD, make_api_token

pytestmark = pytest.mark.django_db


def bearer(user, name="test", days=1):
    return make_api_token(user, name=name, days=days)[1]


def call(method, path, headers=None, body=None):
    return Client().generic(method, f"/api/v1{path}", data=json.dumps(body or {}),
                            content_type="application/json", **(headers or {}))


def test_a_valid_token_identifies_the_person(cast):
    response = call("GET", "/me", bearer(cast.member))
    assert response.status_code == 200
    assert response.json()["display_name"] == "Mina"
    assert "password" not in response.json() and "session_epoch" not in response.json()


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer ck_wrong", "Basic abc", "Token ck_x"])
def test_missing_or_wrong_tokens_are_401(cast, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    assert call("GET", "/me", headers).status_code == 401


def test_expired_and_revoked_tokens_are_401(cast):
    token, headers = make_api_token(cast.member, name="old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call("GET", "/me", headers).status_code == 401
    token, headers = make_api_token(cast.member, name="new")
    do_revoke_api_token(token, actor=cast.member)
    assert call("GET", "/me", headers).status_code == 401


def test_tokens_are_listed_without_secrets_and_revoked_over_the_api(cast):
    headers = bearer(cast.admin)
    token, _other = make_api_token(cast.admin, name="ci", days=30)
    listed = call("GET", "/tokens", headers).json()
    assert {t["name"] for t in listed} == {"test", "ci"}
    assert all("token" not in t for t in listed)
    revoked = call("POST", f"/tokens/{token.public_id}/revoke", headers)
    assert revoked.json()["revoked"] is True
    again = call("POST", f"/tokens/{token.public_id}/revoke", headers)
    assert again.status_code == 400 and "already revoked" in again.json()["detail"]


@pytest.mark.parametrize("who", ["member", "admin"])
def test_a_token_cannot_create_tokens_so_none_extends_itself(cast, who):
    user = getattr(cast, who)
    headers = bearer(user, days=1)
    response = call("POST", "/tokens", headers, {"name": "successor", "days": 90})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Do this on the web, signed in")
    assert list(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == ["test"]


def test_profile_updates_go_through_the_action_with_specific_errors(cast):
    headers = bearer(cast.member)
    bad = call("PUT", "/me", headers, {"display_name": "Mina", "language": "de"})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Choose English or Spanish.", "field": "language"}
    good = call("PUT", "/me", headers, {"display_name": "M", "pronouns": "she/her",
                                        "language": "es", "time_zone": "Europe/Madrid"})
    assert good.status_code == 200 and good.json()["language"] == "es"


def test_an_invitation_is_accepted_over_the_api(cast):
    _invitation, token = do_invite_member(cast.circle, email="api@example.test",
                                         actor=cast.facilitator)
    bad = call("POST", "/invitations/accept", body={"token": token, "display_name": "A",
                                                    "password": "short"})
    assert bad.status_code == 400 and "too short" in bad.json()["detail"]
    assert not User.objects.get(email="api@example.test").is_active
    good = call("POST", "/invitations/accept", body={"token": token, "display_name": "Api",
                                                     "password": PASSWORD})
    assert good.status_code == 200 and good.json()["email"] == "api@example.test"
    used = call("POST", "/invitations/accept", body={"token": token, "display_name": "Api",
                                                     "password": PASSWORD})
    assert used.status_code == 400 and "already been used" in used.json()["detail"]


def test_sign_out_everywhere_over_the_api_ends_sessions_and_every_token(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    from circlekeep.testing import signed_in_client

    browser = signed_in_client(cast.member)
    headers = bearer(cast.member, name="laptop script")
    other_headers = bearer(cast.member, name="phone app")
    others_token = bearer(cast.other_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = call("POST", "/me/sign-out-everywhere", headers)
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["revoked_tokens"]] == ["laptop script",
                                                                     "phone app"]
    assert browser.get("/")["Location"] == "/accounts/sign-in/"
    assert call("GET", "/me", headers).status_code == 401
    assert call("GET", "/me", other_headers).status_code == 401
    assert call("GET", "/me", others_token).status_code == 200  # nobody else's
    events = AuditEvent.objects.filter(event_type="account.api_token.revoked")
    assert sorted(e.target_id for e in events) == sorted(
        str(t.public_id) for t in ApiToken.objects.filter(user=cast.member))
    assert {e.data["because"] for e in events} == {"signed_out_everywhere"}
    [mail] = mailoutbox
    assert mail.to == ["mina@example.test"]
    assert "laptop script" in mail.body and "phone app" in mail.body
    assert "You signed out everywhere" in mail.body
    assert "Tuesday circle" not in mail.body and "ck_" not in mail.body


@pytest.mark.parametrize("path,body", [
    ("/me/two-step/setup", {}),
    ("/me/two-step/confirm", {"code": "123456"}),
    ("/me/two-step/backup-codes", {}),
    ("/me/two-step/turn-off", {}),
])
@pytest.mark.parametrize("who", ["member", "facilitator"])
def test_two_step_settings_and_backup_codes_are_refused_with_a_token(cast, who, path, body):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from circlekeep.testing import enroll_totp

    user = getattr(cast, who)
    if who == "member":
        enroll_totp(user)  # optional for her, and on: she could turn it off on the web
    devices = list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed"))
    codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    response = call("POST", path, bearer(user), body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Do this on the web, signed in: an API token cannot "
                               "create tokens, change two-step sign-in, make backup codes "
                               "or change the password."}
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == devices
    assert set(StaticToken.objects.filter(device__user=user)
               .values_list("token", flat=True)) == codes


def test_an_admin_resets_two_step_sign_in_over_the_api(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from circlekeep.orgs.models import StaffRole

    frans = bearer(cast.facilitator, name="roster export")
    role = StaffRole.objects.get(user=cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = call("POST", f"/staff/{role.public_id}/reset-two-step", bearer(cast.admin),
                        {"reason": "Lost phone, confirmed in person"})
    assert response.status_code == 204
    assert not TOTPDevice.objects.filter(user=cast.facilitator).exists()
    # Whoever has the lost phone may have Fran's token too: it ends with the reset.
    assert call("GET", "/me", frans).status_code == 401
    [mail] = mailoutbox
    assert mail.to == ["fran@riverside.test"] and "roster export" in mail.body
    assert "reset your two-step sign-in" in mail.body
    again = call("POST", f"/staff/{role.public_id}/reset-two-step", bearer(cast.admin),
                 {"reason": "again"})
    assert again.status_code == 400 and "no two-step sign-in" in again.json()["detail"]


def test_a_token_made_before_two_step_became_required_never_works_again(cast):
    from circlekeep.orgs.actions import do_grant_staff_role
    from circlekeep.testing import enroll_totp

    token, headers = make_api_token(cast.member)  # made while two-step was optional
    assert token.second_factor is False
    assert call("GET", "/me", headers).status_code == 200
    do_grant_staff_role(cast.org, cast.member, "facilitator", actor=cast.admin)
    assert call("GET", "/me", headers).status_code == 401
    enroll_totp(cast.member)
    # Setting up two-step sign-in later does not vouch for a token made without it.
    assert call("GET", "/me", headers).status_code == 401
    token, headers = make_api_token(cast.member)  # made after the second step
    assert token.second_factor is True
    assert call("GET", "/me", headers).status_code == 200


def test_a_members_old_token_no_longer_opens_an_organization_that_requires_two_step(cast):
    """The organization's rule closes its own circles to a token made without the second
    step, even once the member sets it up; the token still reaches the account itself
    and any other organization's circles."""
    from circlekeep.orgs.actions import do_change_org_policies
    from circlekeep.testing import enroll_totp

    _token, headers = make_api_token(cast.member)
    circle = f"/circles/{cast.circle.public_id}"
    assert call("GET", circle, headers).status_code == 200
    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=True, actor=cast.admin)
    assert call("GET", circle, headers).status_code == 404
    assert call("GET", "/circles", headers).json() == []
    enroll_totp(cast.member)
    assert call("GET", circle, headers).status_code == 404
    _new, fresh = make_api_token(cast.member)
    assert call("GET", circle, fresh).status_code == 200


# Lifetime -----------------------------------------------------------------------------------


def set_token_limit(organization, days, actor):
    from circlekeep.orgs.actions import do_change_org_policies

    do_change_org_policies(organization, name=organization.name, country=organization.country,
                           region=organization.region,
                           require_member_2fa=organization.require_member_2fa,
                           api_token_max_days=days, actor=actor)


def test_a_token_older_than_the_limit_as_it_stands_now_stops_working(cast):
    token, headers = make_api_token(cast.member, days=90)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=20))
    assert call("GET", "/me", headers).status_code == 200
    set_token_limit(cast.org, 14, cast.admin)
    assert call("GET", "/me", headers).status_code == 401
    set_token_limit(cast.org, 30, cast.admin)  # back inside both limit and expiry
    assert call("GET", "/me", headers).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).expires_at == token.expires_at


def test_the_strictest_organization_sets_the_limit(cast):
    from circlekeep.accounts.actions import do_accept_invitation, do_create_api_token
    from circlekeep.accounts.models import Invitation
    from circlekeep.lib.actions import DomainError
    from circlekeep.testing import just_signed_in, make_member

    set_token_limit(cast.other_org, 30, cast.other_admin)
    # Mina is only invited to Harbor's circle: a pending invitation changes nothing.
    make_member(cast.other_org_circle, "mina@example.test", name="Mina",
                actor=cast.other_admin, status="invited")
    assert make_api_token(cast.member, days=90)[0].expires_at > timezone.now() + timedelta(
        days=89)
    invitation = Invitation.objects.get(user=cast.member, circle=cast.other_org_circle)
    do_accept_invitation(invitation, acting_user=cast.member)  # now onboarding there
    with pytest.raises(DomainError, match="within 1 to 30 days"):
        do_create_api_token(cast.member, name="long", days=31, actor=cast.member,
                            proof=just_signed_in(cast.member))
    assert make_api_token(cast.member, days=30)[0].second_factor is False

