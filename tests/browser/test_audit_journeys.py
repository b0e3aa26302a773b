import json

import pytest

from circlekeep.audit.models import AuditCheckpoint
from circlekeep.audit.recording import checkpoint_now
from circlekeep.audit.tests.tampering import tampering, truncate
from circlekeep.testing import PASSWORD

pytestmark = pytest.mark.browser
REMEMBERED = "localStorage.getItem('circlekeep.audit.signedHead')"


def test_a_members_browser_notices_when_the_audit_trail_is_rolled_back(live_cast, visit):
    checkpoint_now()
    older = AuditCheckpoint.objects.latest("sequence")
    mina = visit()
    errors = []
    mina.page.on("pageerror", lambda error: errors.append(str(error)))
    mina.goto("/accounts/sign-in/")
    mina.fill("E-mail address", "mina@example.test")
    mina.fill("Password", PASSWORD)
    mina.click("Sign in")
    checkpoint_now()  # signing in was recorded; the head moves past the older one
    newest = AuditCheckpoint.objects.latest("sequence")
    assert newest.sequence > older.sequence
    mina.click("Who has seen my information", role="link")
    assert f"#{newest.sequence}" in mina.text()
    mina.page.wait_for_function(f"{REMEMBERED} !== null")
    assert json.loads(mina.page.evaluate(REMEMBERED)) == {"sequence": newest.sequence,
                                                          "hash": newest.hash}
    assert not mina.page.locator("[data-rollback-warning]").is_visible()

    # Whoever holds the database cuts the trail back to the older signed head.
    with tampering():
        truncate(older.sequence)
    mina.goto("/audit/mine/")
    assert f"#{older.sequence}" in mina.text()
    mina.page.wait_for_selector("[data-rollback-warning]", state="visible")
    assert "may have been rolled back or rewritten" in mina.text()
    # The evidence stays: the browser still remembers the newer head.
    assert json.loads(mina.page.evaluate(REMEMBERED))["sequence"] == newest.sequence
    assert errors == []
