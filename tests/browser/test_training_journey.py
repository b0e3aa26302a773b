"""A new facilitator is refused leading, trains (failing one quiz and passing its retake),
is signed off, downloads the certificate, anyone verifies its code, and she leads; once the
certificate lapses past the grace period, the gate closes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.testing import make_staff, totp_now
from circlekeep.training.access import may_lead
from circlekeep.training.actions import do_set_up_programme, do_update_programme
from circlekeep.training.models import Certificate

from .conftest import DESKTOP, PHONE
from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def answer(tab, module, *, right):
    for number, question in enumerate(module.questions, start=1):
        choices = len(question["texts"]["en"]["choices"])
        choice = question["answer"] if right else (question["answer"] + 1) % choices
        tab.page.locator(f"input[name=q{number}][value='{choice}']").check()
    tab.click("Send my answers")


def create_circle(tab, name):
    tab.click("New circle", role="link")
    tab.fill("Name", name)
    tab.page.get_by_label("Kind", exact=True).select_option("peer_support")
    tab.page.get_by_label("How it meets", exact=True).select_option("online")
    tab.fill("Capacity", "8")
    tab.click("Create circle")


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_new_facilitator_trains_is_certified_verified_and_leads(live_cast, visit, width):
    cast = live_cast
    programme = do_set_up_programme(cast.org, actor=cast.admin)
    programme = do_update_programme(
        programme, actor=cast.admin, required=True, transition_until=None, pass_mark=80,
        retake_after_hours=0, valid_months=24, grace_days=14, co_facilitations=0,
        sign_off=True)
    tia = make_staff(cast.org, "tia@riverside.test", "facilitator", name="Tia",
                     actor=cast.admin)

    tab = visit(width=width)
    sign_in(tab, "tia@riverside.test", code=totp_now(TOTPDevice.objects.get(user=tia), ahead=1))
    assert "Finish your confidentiality training" in tab.text()
    create_circle(tab, "Evening circle")
    assert "current confidentiality training certificate" in tab.text()

    tab.click("Training", role="link")
    modules = list(programme.modules.filter(set="initial"))
    first = modules[0]
    tab.click(first.title, role="link")
    answer(tab, first, right=False)
    assert "Not passed" in tab.text()
    assert first.question_texts("en")[0]["explanation"] not in tab.text()
    tab.click("Back to the module", role="link")
    answer(tab, first, right=True)
    assert "Passed with 100%." in tab.text()
    assert first.question_texts("en")[0]["explanation"] in tab.text()
    for module in modules[1:]:
        tab.click("Back to the training", role="link")
        tab.click(module.title, role="link")
        answer(tab, module, right=True)
        assert "Passed with 100%." in tab.text()
    tab.click("Back to the training", role="link")
    assert "A trainer's sign-off" in tab.text()
    assert not Certificate.objects.filter(holder=tia).exists()

    # The admin signs her off.
    admin = visit(width=width)
    sign_in(admin, "ada@riverside.test",
            code=totp_now(TOTPDevice.objects.get(user=cast.admin), ahead=1))
    admin.click("Training", role="link")
    admin.click("Confirm a facilitator's co-facilitation or sign-off", role="link")
    admin.page.get_by_label("Facilitator", exact=True).select_option(label="Tia")
    admin.page.get_by_label("Signed off by a trainer", exact=True).check()
    # Yesterday, as days go everywhere: the day is read in the admin's own time zone.
    admin.fill("Day", (timezone.now() - timedelta(days=1)).date().isoformat())
    admin.fill("Note", "Watched her open and close a meeting.")
    admin.click("Confirm")
    assert "Confirmed for Tia." in admin.text(), admin.text()

    # She has a certificate: a PDF to download and a code anyone can check.
    tab.goto(tab.page.url)
    certificate = Certificate.objects.get(holder=tia)
    assert certificate.code in tab.text()
    with tab.page.expect_download() as download:
        tab.page.get_by_role("link", name="Download the certificate (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    public = visit(width=width)
    public.goto("/training/verify/")
    public.fill("Certificate code", certificate.code.lower())
    public.click("Check")
    assert "A genuine certificate" in public.text() and "Tia" in public.text()
    assert "tia@riverside.test" not in public.text()

    create_circle(tab, "Evening circle")
    assert "The circle “Evening circle” is created." in tab.text()

    # The gate closes when the grace period after expiry ends, not before.
    assert may_lead(tia, cast.org, now=certificate.expires_at + timedelta(days=13))
    assert not may_lead(tia, cast.org, now=certificate.expires_at + timedelta(days=14, seconds=1))
