import base64

import pytest
from django.core import mail
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.testing import PASSWORD, invitation_token_from_mail, totp_now

pytestmark = pytest.mark.browser


def code_for_secret(secret, ahead=0):
    import time

    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + ahead * 30
    return f"{totp.token():06d}"


def sign_in(tab, email, code=None):
    tab.goto("/accounts/sign-in/")
    tab.fill("E-mail address", email)
    tab.fill("Password", PASSWORD)
    tab.click("Sign in")
    if code is not None:
        assert "Enter your code" in tab.text()
        tab.fill("Code", code)
        tab.click("Verify")


def test_admin_invites_a_facilitator_who_sets_up_two_step_runs_a_circle_and_invites_a_member(
        live_cast, visit):
    cast = live_cast
    # The admin signs in with password and code, and invites a facilitator.
    admin = visit()
    admin_device = TOTPDevice.objects.get(user=cast.admin)
    sign_in(admin, "ada@riverside.test", code=totp_now(admin_device, ahead=1))
    assert "Welcome, Ada" in admin.text()
    admin.click("Staff", role="link")
    admin.fill("E-mail address", "nadia@riverside.test")
    admin.page.get_by_label("Role", exact=True).select_option("facilitator")
    admin.click("Send invitation")
    assert "An invitation is on its way to nadia@riverside.test" in admin.text()

    # The facilitator accepts and must set up two-step sign-in before anything else.
    token = invitation_token_from_mail(mail.outbox, "nadia@riverside.test")
    nadia = visit()
    nadia.goto(f"/accounts/invitations/{token}/")
    assert token not in nadia.page.url
    nadia.fill("Display name", "Nadia")
    nadia.fill("Pronouns", "she/her")
    nadia.fill("Choose a password", PASSWORD)
    nadia.fill("Type the password again", PASSWORD)
    nadia.click("Create my account")
    assert nadia.page.url.endswith("/accounts/two-step/setup/")
    nadia.goto("/circles/new/")
    assert nadia.page.url.endswith("/accounts/two-step/setup/")
    nadia.click("Begin setup")
    assert nadia.page.locator(".qr svg").count() == 1
    secret = nadia.page.get_by_test_id("totp-secret").inner_text()
    nadia.fill("Six-digit code", code_for_secret(secret))
    nadia.click("Turn on two-step sign-in")
    assert nadia.page.get_by_test_id("backup-codes").locator("li").count() == 10
    nadia.click("I have saved them", role="link")
    assert "Welcome, Nadia" in nadia.text()

    # She signs out and back in with a code from her app.
    nadia.click("Sign out")
    sign_in(nadia, "nadia@riverside.test", code=code_for_secret(secret, ahead=1))
    assert "Welcome, Nadia" in nadia.text()

    # She creates a circle and invites a member.
    nadia.click("New circle", role="link")
    nadia.fill("Name", "Evening circle")
    nadia.page.get_by_label("Kind", exact=True).select_option("peer_support")
    nadia.page.get_by_label("How it meets", exact=True).select_option("online")
    nadia.fill("Capacity", "8")
    nadia.click("Create circle")
    assert "The circle “Evening circle” is created." in nadia.text()
    nadia.click("Invite a member", role="link")
    nadia.fill("E-mail address", "sam@example.test")
    nadia.click("Send invitation")
    assert "sam@example.test" in nadia.text()

    # The member accepts and sees the circle on the dashboard.
    token = invitation_token_from_mail(mail.outbox, "sam@example.test")
    sam = visit()
    sam.goto(f"/accounts/invitations/{token}/")
    sam.fill("Display name", "Sam")
    sam.fill("Choose a password", PASSWORD)
    sam.fill("Type the password again", PASSWORD)
    sam.click("Create my account")
    text = sam.text()
    assert "Evening circle" in text and "Onboarding" in text and "Nadia" in text
    assert "Before your first meeting:" in text and "Read the orientation" in text


def test_a_member_reads_the_site_in_spanish_and_pages_stay_accessible(live_cast, visit):
    tab = visit()
    sign_in(tab, "mina@example.test")
    tab.click("Profile", role="link")
    tab.page.get_by_label("Language", exact=True).select_option("es")
    tab.click("Save")
    assert "Tu perfil está guardado." in tab.text()
    assert tab.page.locator("html").get_attribute("lang") == "es"
    tab.click("Inicio", role="link")
    assert "Mis círculos" in tab.text()
    tab.click("Seguridad", role="link")
    tab.goto(f"/circles/{live_cast.circle.public_id}/")
    assert "Tuesday circle" in tab.text()


def test_the_accessibility_check_catches_a_real_violation(live_cast, visit):
    tab = visit()
    tab.goto("/accounts/sign-in/")
    tab.page.evaluate("document.querySelector('label[for=id_username]').remove()")
    tab.visited.clear()
    with pytest.raises(AssertionError, match="label"):
        tab.check()


def test_a_member_sees_who_read_their_information_and_an_auditor_reads_the_trail(
        live_cast, visit):
    from circlekeep import vault
    from circlekeep.circles.actions import do_change_membership_status
    from circlekeep.circles.models import MembershipChange

    cast = live_cast
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="A private reason")
    change = MembershipChange.objects.filter(membership=cast.membership).latest("pk")
    vault.reveal(change, "reason", actor=cast.facilitator, reason="Preparing the session")

    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.click("Who has seen my information", role="link")
    text = mina.text()
    assert "Fran" in text and "Preparing the session" in text
    assert "A private reason" not in text

    audrey = visit()
    sign_in(audrey, "audrey@riverside.test",
            code=totp_now(TOTPDevice.objects.get(user=cast.auditor), ahead=1))
    audrey.click("Audit trail", role="link")
    assert "Protected information read" in audrey.text()
    audrey.page.get_by_label("What", exact=True).select_option("vault.revealed")
    audrey.click("Filter")
    assert "Preparing the session" in audrey.text()
    audrey.click("Security report", role="link")
    assert "Fran (facilitator): 1" in audrey.text()
