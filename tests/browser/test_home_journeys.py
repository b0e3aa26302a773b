"""One journey per role that starts at the home page, follows a task it shows to the page
where it is done, does it, and comes back to find it gone; at a desktop width and at a
phone's (every page is checked with axe-core and for sideways scrolling)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change
from circlekeep.agreements.models import Agreement
from circlekeep.incidents.actions import do_record_privacy_incident, do_report_concern
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.onboarding.actions import do_ask_question
from circlekeep.testing import make_member, make_staff, totp_now

from .conftest import DESKTOP, PHONE
from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser

WIDTHS = pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])


def staff_tab(visit, width, email, user):
    tab = visit(width=width)
    sign_in(tab, email, code=totp_now(TOTPDevice.objects.get(user=user), ahead=1))
    return tab


def home(tab):
    tab.click("Dashboard", role="link")
    return tab.text()


@WIDTHS
def test_a_member_signs_the_new_agreement_and_acknowledges_the_opening_from_home(
        live_cast, visit, width):
    cast = live_cast
    proposal = do_propose_change(Agreement.objects.get(circle=cast.circle), kind="add",
                                 title="Phones away", text="Phones stay in bags.",
                                 reason="Fewer distractions", actor=cast.member)
    do_adopt_proposal(proposal, reason="Agreed by the circle", actor=cast.facilitator)
    do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=20),
                         duration_minutes=60, recurrence="none", mode="online",
                         actor=cast.facilitator)
    mina = visit(width=width)
    sign_in(mina, "mina@example.test")
    text = mina.text()
    assert "Sign the new version of the agreement" in text
    assert "Your next meeting" not in text  # not cleared until she signs

    mina.click("Read and sign", role="link")
    mina.fill("Type your full name to sign", "Mina Tester")
    mina.click("Sign")
    text = home(mina)
    assert "Sign the new version of the agreement" not in text
    assert "Your next meeting" in text and "Acknowledge the opening" in text

    mina.click("Open the ritual", role="link")
    mina.click("I acknowledge and will keep the circle's confidentiality")
    assert "Welcome to the circle" in mina.text()
    text = home(mina)
    assert "Acknowledge the opening" not in text and "Your next meeting" in text


@WIDTHS
def test_a_facilitator_answers_a_question_and_acknowledges_a_concern_from_home(
        live_cast, visit, width):
    cast = live_cast
    joining = make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                          status="onboarding")
    do_ask_question(joining, text="Is there parking nearby?", actor=joining.user)
    do_report_concern(cast.circle, kind="accidental", body="A name was said at the café.",
                      visibility="facilitators", actor=cast.member)
    fran = staff_tab(visit, width, "fran@riverside.test", cast.facilitator)
    text = fran.text()
    assert "A question from Ona" in text and "A new concern to acknowledge" in text

    fran.click("Answer", role="link")
    assert "Is there parking nearby?" in fran.text()
    fran.fill("Your answer", "Yes, behind the library.")
    fran.click("Send")
    assert "A question from Ona" not in home(fran)

    fran.click("Acknowledge", role="link")
    fran.click("Acknowledge")
    text = home(fran)
    assert "A new concern to acknowledge" not in text and "A concern to follow up" in text


@WIDTHS
def test_an_admin_follows_a_concern_about_a_facilitator_and_an_incident_clock_from_home(
        live_cast, visit, width):
    cast = live_cast
    make_staff(cast.org, "sol@riverside.test", "facilitator", name="Sol", actor=cast.admin,
               enroll=False)
    do_report_concern(cast.circle, kind="boundaries", body="The facilitator shared a story.",
                      visibility="facilitators", actor=cast.member, about_facilitator=True)
    do_record_privacy_incident(cast.org, title="A laptop was lost",
                               discovered_at=timezone.now() - timedelta(hours=20),
                               exposed="Names and circles", actor=cast.admin)
    ada = staff_tab(visit, width, "ada@riverside.test", cast.admin)
    text = ada.text()
    assert "Sol has no two-step sign-in" in text
    assert "A new concern about a facilitator" in text
    assert "A laptop was lost" in text and "authority (GDPR)" in text

    ada.click("Open the incident", role="link")
    assert "A laptop was lost" in ada.text()
    home(ada)
    ada.click("Acknowledge", role="link")
    ada.click("Acknowledge")
    text = home(ada)
    assert "A new concern about a facilitator" not in text
    assert "A concern about a facilitator" in text
    # Last, as the staff table does not fit a phone yet (see the mark above).
    ada.click("Open staff", role="link")
    assert "Staff of Riverside Collective" in ada.text() and "Sol" in ada.text()


@WIDTHS
def test_an_auditor_goes_from_the_summary_to_the_report_and_the_trail(live_cast, visit, width):
    cast = live_cast
    audrey = staff_tab(visit, width, "audrey@riverside.test", cast.auditor)
    text = audrey.text()
    assert "Security in the last 30 days" in text and "failed sign-in" in text
    audrey.click("Open the security report", role="link")
    assert "Failed sign-ins" in audrey.text()
    home(audrey)
    # Last, as the trail's table does not fit a phone yet (see the mark above).
    audrey.click("Open the audit trail", role="link")
    assert "Audit trail" in audrey.text()
