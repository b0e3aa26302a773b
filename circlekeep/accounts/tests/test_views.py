import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts.middleware import IDLE_KEY, SEEN_KEY
from circlekeep.accounts.models import User
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.actions import do_invite_member
from circlekeep.testing import (
    PASSWORD,
    invitation_token_from_mail,
    signed_in_client,
    totp_now,
)

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/sign-in/"


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def test_a_member_without_two_step_signs_in_with_a_password(cast):
    client = Client()
    response = sign_in(client, "mina@example.test")
    assert response.status_code == 302 and response["Location"] == "/"
    assert b"Tuesday circle" in client.get("/").content


def test_a_wrong_password_is_refused_with_a_clear_message(cast):
    response = sign_in(Client(), "mina@example.test", "not-the-password")
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert AuditEvent.objects.filter(event_type="account.sign_in.failed",
                                     subject=cast.member).exists()


def test_a_password_alone_does_not_sign_in_someone_with_two_step(cast):
    client = Client()
    response = sign_in(client, "fran@riverside.test")
    assert response["Location"] == reverse("accounts:otp-verify")
    assert client.get("/")["Location"] == LOGIN  # not signed in yet
    device = TOTPDevice.objects.get(user=cast.facilitator)
    response = client.post(reverse("accounts:otp-verify"), {"code": totp_now(device, ahead=1)})
    assert response["Location"] == "/"
    assert b"Circles you facilitate" in client.get("/").content


def test_a_wrong_code_is_refused_and_five_end_the_attempt(cast):
    client = Client()
    sign_in(client, "fran@riverside.test")
    for _ in range(4):
        response = client.post(reverse("accounts:otp-verify"), {"code": "12345a"})
        assert response.status_code == 200
        assert b"not right" in response.content
    response = client.post(reverse("accounts:otp-verify"), {"code": "12345a"})
    assert response["Location"] == LOGIN
    assert client.get(reverse("accounts:otp-verify"))["Location"] == LOGIN


def test_repeated_failures_lock_the_account_out_with_a_message(cast, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "mina@example.test", "wrong-password")
    response = sign_in(client, "mina@example.test")  # right password, still locked
    assert response.status_code == 429
    assert b"paused for 15 minutes" in response.content


def test_staff_without_two_step_see_only_the_setup(cast):
    from circlekeep.testing import make_staff

    newcomer = make_staff(cast.org, "new@riverside.test", "facilitator", name="New",
                          actor=cast.admin, enroll=False)
    client = signed_in_client(newcomer)
    for path in ("/", reverse("circles:create"), reverse("orgs:staff", args=[cast.org.public_id])):
        assert client.get(path)["Location"] == reverse("accounts:otp-setup")
    client.post(reverse("accounts:otp-setup"), {"step": "start"})
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    page = client.get(reverse("accounts:otp-setup")).content.decode()
    assert "<svg" in page and "data-testid=\"totp-secret\"" in page
    # The QR code scales to its box instead of being clipped to a fixed size.
    svg = page[page.index("<svg role=\"img\""):].split(">", 1)[0]
    assert "viewBox=" in svg and "width=" not in svg and "height=" not in svg
    response = client.post(reverse("accounts:otp-setup"),
                           {"step": "confirm", "code": totp_now(device)})
    assert response.status_code == 200 and b"backup codes" in response.content
    assert client.get("/").status_code == 200


def test_members_are_offered_two_step_and_an_org_can_require_it(cast):
    from circlekeep.orgs.actions import do_change_org_policies

    client = signed_in_client(cast.member)
    assert b"Set up two-step sign-in" in client.get("/").content
    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=True, actor=cast.admin)
    # The organization's circles close until the session passes two-step sign-in; the
    # dashboard says why and how.
    home = client.get("/").content.decode()
    assert "Riverside Collective asks everyone in its circles to use two-step sign-in" in home
    assert reverse("accounts:otp-setup") in home
    assert client.get(f"/circles/{cast.circle.public_id}/").status_code == 404
    assert client.get(f"/circles/memberships/{cast.membership.public_id}/").status_code == 404


def test_an_idle_session_ends(cast):
    client = signed_in_client(cast.member)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/")
    assert response["Location"] == LOGIN
    assert client.get("/")["Location"] == LOGIN


def test_a_staff_session_ends_after_the_staff_limit_even_if_it_began_as_a_members(cast):
    # A session begun with a member's half hour (signed in before being made staff).
    client = signed_in_client(cast.facilitator)
    assert client.session[IDLE_KEY] == 30 * 60
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 16 * 60
    session.save()
    assert client.get("/")["Location"] == LOGIN


def test_an_idle_session_on_the_anonymous_report_page_leaves_no_address_or_sign_out(cast):
    client = signed_in_client(cast.member)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    mark = AuditEvent.objects.count()
    response = client.get(f"/incidents/circles/{cast.circle.public_id}/report/")
    # Sent to sign in with nothing that names the page or its circle.
    assert response["Location"] == LOGIN
    assert str(cast.circle.public_id) not in response["Location"]
    assert AuditEvent.objects.count() == mark  # no sign-out event at this moment
    assert client.get("/")["Location"] == LOGIN  # the next ordinary request ends it


def test_sign_out_everywhere_ends_other_sessions(cast):
    laptop, phone = signed_in_client(cast.member), signed_in_client(cast.member)
    laptop.post(reverse("accounts:logout-everywhere"))
    assert phone.get("/")["Location"] == LOGIN


def test_pages_speak_the_persons_language(cast):
    from circlekeep.accounts.actions import do_update_profile

    do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                      time_zone="Europe/Madrid", actor=cast.member)
    page = signed_in_client(cast.member).get("/").content.decode()
    assert 'lang="es"' in page and "Mis círculos" in page


def test_the_invitation_link_moves_the_token_out_of_the_address(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_invite_member(cast.circle, email="new@example.test", actor=cast.facilitator)
    token = invitation_token_from_mail(mailoutbox, "new@example.test")
    client = Client()
    response = client.get(f"/accounts/invitations/{token}/")
    assert response["Location"] == reverse("accounts:invitation-accept")
    page = client.get(reverse("accounts:invitation-accept"))
    assert token not in page.content.decode()
    response = client.post(reverse("accounts:invitation-accept"), {
        "display_name": "Newt", "pronouns": "", "language": "en", "time_zone": "UTC",
        "password": PASSWORD, "password_again": PASSWORD})
    assert response["Location"] == "/"
    assert b"Onboarding" in client.get("/").content


def test_a_mistyped_second_password_is_caught_and_nothing_changes(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        do_invite_member(cast.circle, email="new@example.test", actor=cast.facilitator)
    client = Client()
    token = invitation_token_from_mail(mailoutbox, "new@example.test")
    client.get(f"/accounts/invitations/{token}/")
    response = client.post(reverse("accounts:invitation-accept"), {
        "display_name": "Newt", "language": "en", "time_zone": "UTC",
        "password": PASSWORD, "password_again": PASSWORD + "x"})
    assert b"not the same" in response.content
    assert not User.objects.get(email="new@example.test").is_active


def test_an_unknown_invitation_token_is_a_404(db):
    assert Client().get("/accounts/invitations/not-a-real-token/").status_code == 404
    assert Client().get(reverse("accounts:invitation-accept")).status_code == 404


def test_a_used_invitation_says_so(cast, mailoutbox, django_capture_on_commit_callbacks):
    from circlekeep.accounts.actions import do_accept_invitation, get_invitation_by_token

    with django_capture_on_commit_callbacks(execute=True):
        do_invite_member(cast.circle, email="new@example.test", actor=cast.facilitator)
    token = invitation_token_from_mail(mailoutbox, "new@example.test")
    do_accept_invitation(get_invitation_by_token(token), acting_user=None, display_name="N",
                         password=PASSWORD)
    client = Client()
    client.get(f"/accounts/invitations/{token}/")
    assert b"already been used" in client.get(reverse("accounts:invitation-accept")).content


def test_password_reset_by_email(cast, mailoutbox):
    import re

    client = Client()
    client.post(reverse("accounts:password-reset"), {"email": "MINA@example.test"})
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", mailoutbox[0].body).group(0)
    response = client.get(link)
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": "brand-new-passphrase",
                                      "new_password2": "brand-new-passphrase"})
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert User.objects.get(pk=cast.member.pk).check_password("brand-new-passphrase")
    assert AuditEvent.objects.filter(event_type="account.password.reset").exists()


def test_password_reset_for_an_unknown_address_sends_nothing(db, mailoutbox):
    response = Client().post(reverse("accounts:password-reset"), {"email": "x@nowhere.test"})
    assert response.status_code == 302 and mailoutbox == []


def test_tokens_are_shown_once(cast):
    client = signed_in_client(cast.admin)
    response = client.post(reverse("accounts:api-tokens"), {"name": "script", "days": 30})
    secret = response.context["secret"]
    assert secret.startswith("ck_") and secret in response.content.decode()
    assert secret not in client.get(reverse("accounts:api-tokens")).content.decode()


def test_a_signed_in_person_is_sent_from_the_sign_in_page_to_the_dashboard(cast):
    assert signed_in_client(cast.member).get(LOGIN)["Location"] == "/"


def test_sign_in_keeps_only_local_next_addresses(cast):
    response = Client().post(LOGIN + "?next=https://evil.test/",
                             {"username": "mina@example.test", "password": PASSWORD,
                              "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_staff_sessions_end_sooner_than_members(cast):
    client = Client()
    sign_in(client, "fran@riverside.test")
    device = TOTPDevice.objects.get(user=cast.facilitator)
    client.post(reverse("accounts:otp-verify"), {"code": totp_now(device, ahead=1)})
    assert client.get("/").status_code == 200
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 16 * 60
    session.save()
    assert client.get("/")["Location"] == LOGIN
    member = Client()
    sign_in(member, "mina@example.test")
    session = member.session
    session[SEEN_KEY] = int(time.time()) - 16 * 60
    session.save()
    assert member.get("/").status_code == 200


def test_after_a_reset_the_facilitator_must_set_up_two_step_again(cast):
    from circlekeep.orgs.models import StaffRole

    role = StaffRole.objects.get(user=cast.facilitator)
    fran = signed_in_client(cast.facilitator)
    admin = signed_in_client(cast.admin)
    response = admin.post(f"/org/staff/{role.public_id}/reset-two-step/", {"reason": ""})
    assert "This field is required." in response.content.decode()
    response = admin.post(f"/org/staff/{role.public_id}/reset-two-step/",
                          {"reason": "Lost phone, confirmed by a call"})
    assert response.status_code == 302
    assert fran.get("/")["Location"] == LOGIN  # every session ended
    fran = Client()
    sign_in(fran, "fran@riverside.test")
    assert fran.get("/")["Location"] == reverse("accounts:otp-setup")


# Re-authentication before sensitive changes -------------------------------------------------

CONFIRM = "/accounts/two-step/confirm-its-you/"
STALE = 11 * 60  # seconds since signing in: past the 10-minute window


def test_a_stale_session_confirms_it_is_you_with_password_and_code_then_returns(cast):
    fran = signed_in_client(cast.facilitator, signed_in_ago=STALE)
    response = fran.get(reverse("accounts:password-change"))
    assert response["Location"] == CONFIRM + "?next=%2Faccounts%2Fsecurity%2Fpassword%2F"
    page = fran.get(response["Location"]).content.decode()
    assert "Confirm it's you" in page and 'name="code"' in page
    wrong = fran.post(CONFIRM, {"password": "not-it", "code": "123456",
                                "next": "/accounts/security/password/"})
    assert "That password is not right." in wrong.content.decode()
    assert AuditEvent.objects.filter(event_type="account.reauthentication.failed",
                                     subject=cast.facilitator).exists()
    device = TOTPDevice.objects.get(user=cast.facilitator)
    done = fran.post(CONFIRM, {"password": PASSWORD, "code": totp_now(device, ahead=1),
                               "next": "/accounts/security/password/"})
    assert done["Location"] == "/accounts/security/password/"
    assert fran.get(reverse("accounts:password-change")).status_code == 200
    event = AuditEvent.objects.filter(event_type="account.reauthenticated").latest("sequence")
    assert event.subject == cast.facilitator and event.data == {"second_factor": True}


def test_the_password_alone_does_not_confirm_someone_with_two_step(cast):
    fran = signed_in_client(cast.facilitator, signed_in_ago=STALE)
    wrong = fran.post(CONFIRM, {"password": PASSWORD, "code": "12345a"})
    assert "That code is not right" in wrong.content.decode()
    assert fran.post(CONFIRM, {"password": PASSWORD}).status_code == 200  # code required
    assert fran.get(reverse("accounts:password-change"))["Location"].startswith(CONFIRM)
    assert not AuditEvent.objects.filter(event_type="account.reauthenticated").exists()


def test_someone_without_two_step_confirms_with_the_password_alone(cast):
    mina = signed_in_client(cast.member, signed_in_ago=STALE)
    assert mina.get(reverse("accounts:otp-setup"))["Location"].startswith(CONFIRM)
    assert 'name="code"' not in mina.get(CONFIRM).content.decode()
    done = mina.post(CONFIRM, {"password": PASSWORD, "next": "https://evil.test/"})
    assert done["Location"] == reverse("accounts:security")  # only local addresses
    assert mina.get(reverse("accounts:otp-setup")).status_code == 200


def test_signing_in_counts_as_confirming_for_ten_minutes(cast):
    client = Client()
    sign_in(client, "fran@riverside.test")
    device = TOTPDevice.objects.get(user=cast.facilitator)
    client.post(reverse("accounts:otp-verify"), {"code": totp_now(device, ahead=1)})
    assert client.get(reverse("accounts:password-change")).status_code == 200
    session = client.session
    session["ck_reauth"] = {**session["ck_reauth"], "at": time.time() - STALE}
    session.save()
    assert client.get(reverse("accounts:password-change"))["Location"].startswith(CONFIRM)


@pytest.mark.parametrize("name", ["accounts:otp-backup-codes", "accounts:otp-disable"])
def test_backup_codes_and_turning_off_need_a_recent_sign_in(cast, name):
    from django_otp.plugins.otp_static.models import StaticToken

    from circlekeep.testing import enroll_totp

    enroll_totp(cast.member)
    codes = set(StaticToken.objects.filter(device__user=cast.member)
                .values_list("token", flat=True))
    mina = signed_in_client(cast.member, signed_in_ago=STALE)
    response = mina.post(reverse(name))
    assert response["Location"] == CONFIRM + "?next=%2Faccounts%2Fsecurity%2F"
    assert TOTPDevice.objects.filter(user=cast.member, confirmed=True).exists()
    assert set(StaticToken.objects.filter(device__user=cast.member)
               .values_list("token", flat=True)) == codes


def test_a_token_is_made_only_after_a_recent_sign_in_and_remembers_the_second_step(cast):
    from circlekeep.accounts.models import ApiToken

    stale = signed_in_client(cast.admin, signed_in_ago=STALE)
    assert stale.get(reverse("accounts:api-tokens")).status_code == 200  # the list stays
    response = stale.post(reverse("accounts:api-tokens"), {"name": "script", "days": 30})
    assert response["Location"] == CONFIRM + "?next=%2Faccounts%2Ftokens%2F"
    assert not ApiToken.objects.filter(user=cast.admin).exists()
    signed_in_client(cast.admin).post(reverse("accounts:api-tokens"),
                                      {"name": "script", "days": 30})
    assert ApiToken.objects.get(user=cast.admin).second_factor is True
    signed_in_client(cast.member).post(reverse("accounts:api-tokens"),
                                       {"name": "script", "days": 30})
    assert ApiToken.objects.get(user=cast.member).second_factor is False


def test_the_token_form_offers_the_organizations_limit_and_refuses_longer(cast):
    from circlekeep.accounts.models import ApiToken
    from circlekeep.orgs.actions import do_change_org_policies

    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=False, api_token_max_days=30, actor=cast.admin)
    mina = signed_in_client(cast.member)
    page = mina.get(reverse("accounts:api-tokens")).content.decode()
    assert 'value="30"' in page and "At most 30 days" in page
    response = mina.post(reverse("accounts:api-tokens"), {"name": "script", "days": 31})
    assert "A token must expire within 1 to 30 days" in response.content.decode()
    assert not ApiToken.objects.filter(user=cast.member).exists()


# Tokens end with the sessions ---------------------------------------------------------------


def _api_status(headers):
    return Client().get("/api/v1/me", **headers).status_code


def test_changing_the_password_revokes_tokens_and_says_which(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    from circlekeep.testing import make_api_token

    _token, headers = make_api_token(cast.member, name="calendar sync")
    mina = signed_in_client(cast.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = mina.post(reverse("accounts:password-change"), {
            "old_password": PASSWORD, "new_password": "a-brand-new-passphrase",
            "new_password_again": "a-brand-new-passphrase"})
    assert response["Location"] == reverse("accounts:security")
    page = mina.get(response["Location"]).content.decode()
    assert "Your API token “calendar sync” was revoked and no longer works." in page
    assert _api_status(headers) == 401
    [mail] = mailoutbox
    assert "Your password was changed" in mail.body and "calendar sync" in mail.body


def test_a_password_reset_by_email_revokes_tokens_and_says_which(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    import re

    from circlekeep.testing import make_api_token

    make_api_token(cast.member, name="one")
    _token, headers = make_api_token(cast.member, name="two")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": "mina@example.test"})
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", mailoutbox[0].body).group(0)
    form_url = client.get(link)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"new_password1": "brand-new-passphrase",
                                          "new_password2": "brand-new-passphrase"})
    page = client.get(response["Location"]).content.decode()
    assert "Your API tokens “one”, “two” were revoked and no longer work." in page
    assert _api_status(headers) == 401
    assert "Your password was reset by e-mail" in mailoutbox[-1].body


def test_turning_two_step_off_revokes_tokens_and_says_which(cast):
    from circlekeep.testing import enroll_totp, make_api_token

    enroll_totp(cast.member)
    _token, headers = make_api_token(cast.member, name="reports")
    mina = signed_in_client(cast.member)
    response = mina.post(reverse("accounts:otp-disable"))
    assert response["Location"] == LOGIN
    page = mina.get(LOGIN).content.decode()
    assert "Two-step sign-in is off." in page and "“reports” was revoked" in page
    assert _api_status(headers) == 401


def test_signing_out_everywhere_on_the_web_revokes_tokens_and_says_which(cast):
    from circlekeep.testing import make_api_token

    _token, headers = make_api_token(cast.admin, name="nightly export")
    ada = signed_in_client(cast.admin)
    response = ada.post(reverse("accounts:logout-everywhere"))
    page = Client().get(LOGIN).content.decode()  # a stranger sees nothing of it
    assert "nightly export" not in page
    page = ada.get(response["Location"]).content.decode()
    assert "“nightly export” was revoked" in page
    assert _api_status(headers) == 401
