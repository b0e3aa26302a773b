import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts.middleware import SEEN_KEY
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
