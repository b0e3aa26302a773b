"""On a phone: a double click on a form makes one record, and leaving a circle asks
first on a page that says what will happen."""

import pytest

from circlekeep.agreements.models import Proposal
from circlekeep.circles.models import Membership

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def test_a_double_click_shares_one_proposal_and_leaving_asks_first(live_cast, visit):
    mina = visit(width=390)
    sign_in(mina, "mina@example.test")
    mina.goto(f"/agreements/circles/{live_cast.circle.public_id}/propose/")
    mina.fill("Clause title", "Phones")
    mina.fill("Clause text", "Phones stay in our bags.")
    mina.fill("Why", "Focus")
    mina.page.get_by_role("button", name="Share the proposal").dblclick()
    mina.page.wait_for_url(lambda url: "/propose/" not in url)
    mina.check()
    assert Proposal.objects.count() == 1

    mina.goto(f"/circles/memberships/{live_cast.membership.public_id}/")
    mina.click("Leave this circle", role="link")
    assert "What will happen" in mina.text()
    assert "You stop being a member at once" in mina.text()
    assert Membership.objects.get(pk=live_cast.membership.pk).status == "active"
    mina.click("Leave this circle")
    assert "You have left the circle." in mina.text()
    assert Membership.objects.get(pk=live_cast.membership.pk).status == "left"
