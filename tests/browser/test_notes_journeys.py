"""A facilitator reviews a member's note with a flagged name, signs it once the flag is
decided, adds an addendum naming another member; the member reads neither name."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.meetings.actions import do_acknowledge_ritual, do_record_attendance
from circlekeep.testing import make_member, totp_now

from .test_foundation_journey import sign_in
from .test_meeting_journeys import begun_meeting

pytestmark = pytest.mark.browser


def test_a_flag_holds_the_signature_and_the_member_reads_no_other_member(live_cast, visit):
    cast = live_cast
    will = make_member(cast.circle, "will@example.test", name="Will", actor=cast.facilitator,
                       full_name="Will Thornton")
    make_member(cast.circle, "dana@example.test", name="Dana", actor=cast.facilitator,
                full_name="Dana Whitfield")
    meeting = begun_meeting(cast)
    for membership in (cast.membership, will):
        do_acknowledge_ritual(meeting, membership, actor=cast.facilitator)
        do_record_attendance(meeting, membership, status="present", actor=cast.facilitator)

    fran = visit()
    sign_in(fran, "fran@riverside.test",
            code=totp_now(TOTPDevice.objects.get(user=cast.facilitator), ahead=1))
    fran.goto(f"/notes/meetings/{meeting.public_id}/")
    fran.fill("Group note", "Mina spoke about her week. Will is the word she chose for "
                            "her goal. I hope we return to it next time.")
    fran.fill("About Mina", "Mina set a goal to walk every morning.")
    fran.click("Save notes")
    fran.click("Note for Mina", role="link")
    assert fran.page.get_by_test_id("flagged").inner_text().startswith("Will")
    assert "1 flagged word to decide." in fran.text()
    fran.click("Sign this note")
    assert "Decide every flagged word first: 1 left" in fran.text()
    assert fran.page.get_by_test_id("note-preview").is_visible()  # still unsigned

    fran.page.get_by_label("Flagged: Will", exact=True).select_option("remove")
    fran.click("Update redactions")
    assert "flagged word to decide" not in fran.text()
    fran.click("Sign this note")
    body = fran.page.get_by_test_id("note-body").inner_text()
    assert "Will" not in body and "another member is the word she chose" in body
    assert "I hope we return" in body

    fran.fill("Addendum", "Dana called the next day; she had driven Mina home.")
    fran.click("Review the addendum")
    assert "Dana" in fran.page.get_by_test_id("note-preview").inner_text()  # struck through
    fran.click("Add the addendum")
    assert "The addendum is added." in fran.text()

    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.click("My notes", role="link")
    mina.page.get_by_role("link").filter(has_text="Tuesday circle").first.click()
    mina.check()
    text = mina.text()
    assert "Mina set a goal to walk" in text
    assert "another member called the next day; she had driven Mina home." in text
    assert "Will" not in text and "Dana" not in text
