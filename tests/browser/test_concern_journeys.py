"""A concern raised anonymously and handled to recommitment; an authorization signed and
revoked; a mandatory report seen in the member's accounting."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.feedback import actions
from circlekeep.feedback.models import ConcernKey
from circlekeep.incidents.models import Concern
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.testing import ConcernToken, make_member, totp_now

from .test_feedback_journey import token_arrived
from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def fran_tab(visit, cast):
    fran = visit()
    sign_in(fran, "fran@riverside.test",
            code=totp_now(TOTPDevice.objects.get(user=cast.facilitator), ahead=1))
    return fran


def test_an_anonymous_concern_is_raised_in_the_group_and_ends_in_recommitment(
        live_cast, visit):
    cast = live_cast
    make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    meeting = do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=30),
                                   duration_minutes=90, recurrence="none", mode="online",
                                   actor=cast.facilitator).meetings.get()
    # Enough members hold the day's token for an anonymous report to hide among them.
    for person in [cast.circle.memberships.get(user__display_name="Pat").user] + [
            make_member(cast.circle, f"m{n}@example.test", name=f"M{n}",
                        actor=cast.facilitator).user for n in range(3)]:
        ConcernToken(person, cast.circle)
    mina = visit()
    sign_in(mina, "mina@example.test")
    # Her browser fetches the week's concern tokens in the background on any page.
    today = actions.utc_today()
    key = ConcernKey.objects.get(circle=cast.circle, day=today)
    token_arrived(mina, key.public_id)
    mina.goto(f"/circles/{cast.circle.public_id}/")
    opened = []
    mina.page.on("request", lambda request: opened.append(request))
    mina.click("Report a concern about confidentiality", role="link")
    assert "bring it to the group itself" in mina.text()
    mina.page.get_by_label("What kind of concern", exact=True).select_option("third_party")
    mina.fill("What happened", "A screenshot of our chat was posted in a public group.")
    mina.page.get_by_label("Fully anonymous", exact=True).check()
    mina.page.get_by_label("In the group, without my name", exact=True).check()
    # An anonymous report cannot list its author among the affected: the browser refuses.
    mina.page.get_by_label("Mina", exact=True).check()
    mina.click("Send the concern")
    mina.page.locator("#concern-status").filter(has_text="would show who wrote it").wait_for()
    assert not Concern.objects.exists()
    mina.page.get_by_label("Mina", exact=True).uncheck()
    # The token arrived moments ago: sent now, its arrival and the report could be matched.
    mina.click("Send the concern")
    mina.page.locator("#concern-status").filter(has_text="only minutes ago").wait_for()
    assert not Concern.objects.exists()
    mina.page.evaluate("""(key) => {
      for (const name of Object.keys(localStorage)) {
        if (!name.endsWith(`:${key}`)) continue;
        const token = JSON.parse(localStorage[name]);
        token.received_at -= 31 * 60 * 1000;
        localStorage[name] = JSON.stringify(token);
      }
    }""", str(key.public_id))
    sent = []
    mina.page.on("request", lambda r: sent.append(r) if "anonymous-concerns" in r.url else None)
    mina.click("Send the concern")
    mina.page.locator("#concern-sent").wait_for(timeout=20000)
    assert "Thank you. Your concern is sent." in mina.text()
    concern = Concern.objects.get()
    assert concern.reporter is None and concern.kind == "third_party"
    # Sent with the day's token, without the session cookie or a referrer.
    [request] = sent
    headers = request.all_headers()
    assert "cookie" not in headers and "referer" not in headers
    assert request.post_data_json["key_id"] and "csrfmiddlewaretoken" not in request.post_data
    # A second anonymous report the same day: the day's token is spent.
    mina.goto(f"/incidents/circles/{cast.circle.public_id}/report/")
    mina.fill("What happened", "Something else.")
    mina.page.get_by_label("Fully anonymous", exact=True).check()
    mina.click("Send the concern")
    mina.page.locator("#concern-status").filter(has_text="no anonymous token").wait_for(
        timeout=20000)
    assert Concern.objects.count() == 1
    # Opening the report page made no signed-in request of its own.
    assert not [r for r in opened if "/feedback/tokens/" in r.url]

    fran = fran_tab(visit, cast)
    fran.goto(f"/incidents/circles/{cast.circle.public_id}/")
    fran.click("Exposure through a third party or social media", role="link")
    assert "Reported anonymously" in fran.text()
    fran.click("Acknowledge")
    fran.page.get_by_label("Meeting", exact=True).select_option(str(meeting.public_id))
    fran.click("Add to that meeting's agenda")
    fran.page.get_by_label("Member", exact=True).select_option(
        str(cast.circle.memberships.get(user__display_name="Pat").public_id))
    fran.page.get_by_label("Consequence", exact=True).select_option("written_warning")
    fran.fill("Reasons, for the member", "A screenshot you took was shared outside the circle.")
    fran.click("Apply")
    assert "Decision for Pat" in fran.text() and "Written warning" in fran.text()

    mina.goto(f"/meetings/{meeting.public_id}/")
    text = mina.text()
    assert "A confidentiality concern" in text and "recommits" in text
    mina.click("Opening ritual", role="link")
    assert "Today the whole circle recommits to its agreement." in mina.text()
    mina.click("I acknowledge and will keep the circle's confidentiality")
    assert "You acknowledged the opening." in mina.text()


def test_a_member_signs_and_then_revokes_an_authorization(live_cast, visit):
    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.click("Disclosures", role="link")
    mina.click("Authorize a release (Tuesday circle)", role="link")
    mina.fill("Who receives the information", "Dr. Lee, my psychiatrist")
    mina.page.get_by_label("Attendance", exact=True).check()
    mina.fill("What it is for", "Coordinating my care")
    mina.fill("Valid until", (timezone.localdate() + timedelta(days=90)).isoformat())
    mina.fill("Type your full name to sign", "Mina Tester")
    mina.click("Sign the authorization")
    assert "Your authorization is signed" in mina.text()
    assert "Dr. Lee, my psychiatrist" in mina.text()
    mina.click("Revoke Dr. Lee, my psychiatrist")
    assert "The authorization is revoked" in mina.text() and "revoked" in mina.text()


def test_a_facilitator_records_a_mandatory_report_and_the_member_sees_it(live_cast, visit):
    cast = live_cast
    fran = fran_tab(visit, cast)
    fran.goto(f"/disclosures/memberships/{cast.membership.public_id}/")
    fran.click("Record a disclosure under a legal duty", role="link")
    fran.page.get_by_label("Legal basis", exact=True).select_option("danger")
    fran.fill("Disclosed to", "County crisis team")
    fran.page.get_by_label("Safety concerns", exact=True).check()
    fran.fill("Minimum-necessary summary", "Stated a plan to harm herself tonight.")
    fran.fill("Reason", "Imminent risk; duty to protect.")
    fran.click("Record the disclosure")
    assert "Confirm that the law requires" in fran.text()
    fran.page.get_by_label("I confirm the law requires this disclosure and only the minimum "
                           "necessary was shared", exact=True).check()
    fran.click("Record the disclosure")
    assert "the organization's admins are told" in fran.text()

    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.click("Disclosures", role="link")
    accounting = mina.page.get_by_test_id("accounting").inner_text()
    assert "County crisis team" in accounting and "Imminent danger" in accounting
