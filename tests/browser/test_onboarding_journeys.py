"""Onboarding from invitation to active, for an adult and for a minor with a guardian, and
the circle co-writing its agreement."""

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts.actions import do_accept_invitation
from circlekeep.circles.actions import do_invite_member, do_update_circle
from circlekeep.circles.models import Membership
from circlekeep.onboarding.actions import (
    do_declare_relationships,
    do_read_orientation,
    do_settle_questions,
)
from circlekeep.testing import PASSWORD, invitation_token_from_mail, make_member, totp_now

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def staff_tab(visit, user, email):
    tab = visit()
    sign_in(tab, email, code=totp_now(TOTPDevice.objects.get(user=user), ahead=1))
    return tab


def accept(tab, token, display_name, full_name):
    tab.goto(f"/accounts/invitations/{token}/")
    tab.fill("Display name", display_name)
    tab.fill("Full name", full_name)
    tab.fill("Choose a password", PASSWORD)
    tab.fill("Type the password again", PASSWORD)
    tab.click("Create my account")


def test_a_new_adult_member_goes_from_invitation_to_active(live_cast, visit):
    cast = live_cast
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode="online", capacity=10, allows_minors=False,
                     meeting_details="Tuesdays 18:00, join from your dashboard",
                     actor=cast.facilitator)
    do_invite_member(cast.circle, email="sam@example.test", actor=cast.facilitator)
    sam = visit()
    accept(sam, invitation_token_from_mail(mail.outbox, "sam@example.test"), "Sam",
           "Sam Rivera")
    assert "Before your first meeting:" in sam.text()
    membership = Membership.objects.get(user__email="sam@example.test")
    checklist = f"/circles/memberships/{membership.public_id}/onboarding/"

    sam.click("Read the orientation", role="link")
    assert "The limits of confidentiality" in sam.text()
    assert "Known or suspected abuse or neglect of a child" in sam.text()
    sam.click("I have read the orientation")
    assert "1 of 6 steps done." in sam.text()

    sam.click("Ask your questions, or say you have none", role="link")
    sam.fill("Your question", "Does my employer ever learn that I attend?")
    sam.click("Send")
    fran = staff_tab(visit, cast.facilitator, "fran@riverside.test")
    fran.goto(f"/circles/memberships/{membership.public_id}/onboarding/questions/")
    assert "Does my employer ever learn" in fran.text()
    fran.fill("Your answer", "No. Nothing leaves the circle without your authorization.")
    fran.click("Send")
    sam.goto(f"/circles/memberships/{membership.public_id}/onboarding/questions/")
    assert "Nothing leaves the circle" in sam.text()
    sam.click("I have no more questions")

    sam.click("Give your consent", role="link")
    sam.click("Read and consent", role="link")
    sam.fill("Type your full name to consent", "Sam Rivera")
    sam.click("I consent")
    assert "your consent is recorded" in sam.text()

    sam.goto(checklist)
    sam.click("Sign the circle's agreement", role="link")
    sam.fill("Type your full name to sign", "Sam Rivers")
    sam.click("Sign")
    assert "not the full name on your account" in sam.text()
    sam.fill("Type your full name to sign", "Sam Rivera")
    sam.click("Sign")
    assert "You signed version 1" in sam.text()

    sam.click("Agree to the online rules", role="link")
    sam.click("I agree to the online rules")
    sam.click("Tell your facilitator privately about anyone you know here", role="link")
    # No roster is shown to someone still joining: Sam types the name she knows.
    assert "Mina" not in sam.text()
    sam.fill("Person 1: their name", "mina")
    sam.page.get_by_label("How you know person 1", exact=True).select_option("coworker")
    sam.fill("Anything your facilitator should know (person 1)", "We work on the same team")
    sam.click("Send to my facilitator")
    assert "5 of 6 steps done." in sam.text()
    assert "reviewing what you told them" in sam.text()

    fran.goto(f"/circles/memberships/{membership.public_id}/onboarding/relationships/")
    assert "We work on the same team" in fran.text()
    assert "Mina" in fran.text()  # the typed name matched Mina, for the facilitator only
    fran.page.get_by_label("Proceed with a plan", exact=True).check()
    fran.fill("Plan or reason", "Different breakout groups; check in after two meetings.")
    fran.click("Record decision")
    assert "Your decision is recorded." in fran.text()

    sam.goto(f"/circles/{cast.circle.public_id}/")
    text = sam.text()
    assert "Active" in text and "Tuesdays 18:00" in text
    # Mina, the other member, never sees what Sam declared.
    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.page.goto(f"/circles/memberships/{membership.public_id}/onboarding/relationships/")
    assert "same team" not in mina.page.content()


def test_a_minor_joins_with_a_guardians_consent_and_their_own_assent(live_cast, visit):
    cast = live_cast
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode="in_person", capacity=10, allows_minors=True,
                     actor=cast.facilitator)
    invitation, _token = do_invite_member(cast.circle, email="kit@example.test",
                                          is_minor=True, actor=cast.facilitator)
    kit_user = do_accept_invitation(invitation, acting_user=None, display_name="Kit",
                                    full_name="Kit Young", password=PASSWORD)
    membership = Membership.objects.get(user=kit_user)
    do_read_orientation(membership, actor=kit_user)
    do_settle_questions(membership, actor=kit_user)
    do_declare_relationships(membership, declarations=[], actor=kit_user)

    kit = visit()
    sign_in(kit, "kit@example.test")
    kit.click("Your guardian's consent and your assent", role="link")
    kit.click("Read and consent", role="link")
    kit.fill("Type your full name to consent", "Kit Young")
    kit.click("I consent")
    assert "needs a guardian" in kit.text()

    fran = staff_tab(visit, cast.facilitator, "fran@riverside.test")
    fran.goto(f"/circles/memberships/{membership.public_id}/")
    fran.click("Invite a guardian", role="link")
    fran.fill("Guardian's e-mail address", "gail@example.test")
    fran.click("Send invitation")
    gail = visit()
    accept(gail, invitation_token_from_mail(mail.outbox, "gail@example.test"), "Gail",
           "Gail Young")
    assert "People you are guardian for" in gail.text()
    gail.click("Consent for them", role="link")
    gail.click("Read and consent for Kit", role="link")
    assert "Minors and their guardians" in gail.text()
    gail.fill("Type your full name to consent", "Gail Young")
    gail.click("I consent")
    assert "your consent is recorded" in gail.text()

    kit.goto("/consent/")
    assert "Your guardian has consented" in kit.text()
    kit.click("Read and consent", role="link")
    kit.fill("Type your full name to consent", "Kit Young")
    kit.click("I consent")
    kit.goto(f"/agreements/circles/{cast.circle.public_id}/")
    kit.fill("Type your full name to sign", "Kit Young")
    kit.click("Sign")
    membership.refresh_from_db()
    assert membership.status == "active"
    kit.goto("/")
    assert "Before your first meeting:" not in kit.text()


def test_a_member_proposes_a_clause_the_facilitator_adopts_and_everyone_signs_again(
        live_cast, visit):
    cast = live_cast
    make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.goto(f"/agreements/circles/{cast.circle.public_id}/")
    mina.click("Propose a change", role="link")
    mina.page.get_by_label("What do you propose?", exact=True).select_option("add")
    mina.fill("Clause title", "Phones")
    mina.fill("Clause text", "Phones stay silent and out of sight during the circle.")
    mina.fill("Why", "Notifications break the room's attention.")
    mina.click("Share the proposal")
    assert "Your proposal is shared with the circle." in mina.text()
    proposal_url = mina.page.url

    fran = staff_tab(visit, cast.facilitator, "fran@riverside.test")
    fran.page.goto(proposal_url)
    fran.check()
    assert "Notifications break" in fran.text()
    fran.page.get_by_label("Adopt", exact=True).check()
    fran.fill("Reason, for the circle", "Everyone agreed at Tuesday's meeting.")
    fran.click("Record decision")
    assert "Adopted: version 2" in fran.text()
    fran.goto(f"/agreements/circles/{cast.circle.public_id}/")
    roster = fran.page.get_by_role("region", name="Who has signed version 2").inner_text()
    assert "Mina: not signed yet" in roster and "Pat: not signed yet" in roster

    mina.goto("/")
    assert "read and sign the new version" in mina.text()
    mina.goto(f"/agreements/circles/{cast.circle.public_id}/")
    assert "Phones stay silent" in mina.text() and "sign it again" in mina.text()
    mina.fill("Type your full name to sign", "Mina Tester")
    mina.click("Sign")
    assert "You signed version 2" in mina.text()
    fran.goto(f"/agreements/circles/{cast.circle.public_id}/")
    roster = fran.page.get_by_role("region", name="Who has signed version 2").inner_text()
    assert "Mina: signed" in roster and "Pat: not signed yet" in roster
