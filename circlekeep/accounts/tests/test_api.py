import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_create_api_token, do_revoke_api_token
from circlekeep.accounts.models import ApiToken, User
from circlekeep.circles.actions import do_invite_member
from circlekeep.testing import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(user):
    _token, secret = do_create_api_token(user, name="test", days=1, actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


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
    token, secret = do_create_api_token(cast.member, name="old", days=1, actor=cast.member)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call("GET", "/me", headers).status_code == 401
    token, secret = do_create_api_token(cast.member, name="new", days=1, actor=cast.member)
    do_revoke_api_token(token, actor=cast.member)
    assert call("GET", "/me", {"HTTP_AUTHORIZATION": f"Bearer {secret}"}).status_code == 401


def test_tokens_are_created_shown_once_and_revoked_over_the_api(cast):
    headers = bearer(cast.admin)
    created = call("POST", "/tokens", headers, {"name": "ci", "days": 30})
    assert created.status_code == 201 and created.json()["token"].startswith("ck_")
    listed = call("GET", "/tokens", headers).json()
    assert all("token" not in t for t in listed)
    revoked = call("POST", f"/tokens/{created.json()['id']}/revoke", headers)
    assert revoked.json()["revoked"] is True
    again = call("POST", f"/tokens/{created.json()['id']}/revoke", headers)
    assert again.status_code == 400 and "already revoked" in again.json()["detail"]


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


def test_sign_out_everywhere_over_the_api_ends_web_sessions(cast):
    from circlekeep.testing import signed_in_client

    browser = signed_in_client(cast.member)
    assert call("POST", "/me/sign-out-everywhere", bearer(cast.member)).status_code == 204
    assert browser.get("/")["Location"] == "/accounts/sign-in/"


def test_a_member_sets_up_two_step_sign_in_over_the_api(cast):
    import base64

    from django_otp.oath import TOTP

    headers = bearer(cast.member)
    started = call("POST", "/me/two-step/setup", headers)
    assert started.status_code == 201
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/")
    wrong = call("POST", "/me/two-step/confirm", headers, {"code": "12"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "code"
    secret = started.json()["secret"]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    confirmed = call("POST", "/me/two-step/confirm", headers,
                     {"code": f"{TOTP(key).token():06d}"})
    assert confirmed.status_code == 200 and len(confirmed.json()["backup_codes"]) == 10
    assert call("POST", "/me/two-step/turn-off", headers).status_code == 204


def test_an_admin_resets_two_step_sign_in_over_the_api(cast):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from circlekeep.orgs.models import StaffRole

    role = StaffRole.objects.get(user=cast.facilitator)
    response = call("POST", f"/staff/{role.public_id}/reset-two-step", bearer(cast.admin),
                    {"reason": "Lost phone, confirmed in person"})
    assert response.status_code == 204
    assert not TOTPDevice.objects.filter(user=cast.facilitator).exists()
    again = call("POST", f"/staff/{role.public_id}/reset-two-step", bearer(cast.admin),
                 {"reason": "again"})
    assert again.status_code == 400 and "no two-step sign-in" in again.json()["detail"]


def test_a_token_cannot_stand_in_for_two_step_sign_in_a_new_role_requires(cast):
    from circlekeep.orgs.actions import do_grant_staff_role
    from circlekeep.testing import enroll_totp

    headers = bearer(cast.member)  # made while two-step sign-in was optional
    assert call("GET", "/me", headers).status_code == 200
    do_grant_staff_role(cast.org, cast.member, "facilitator", actor=cast.admin)
    assert call("GET", "/me", headers).status_code == 401
    enroll_totp(cast.member)
    assert call("GET", "/me", headers).status_code == 200
