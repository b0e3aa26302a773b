"""A member makes an API token, confirms it's her before a second one once her sign-in is
old, and signs out everywhere, which ends both tokens and names them."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.test import Client

from circlekeep.testing import PASSWORD

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


def age_sign_in(tab, seconds):
    """Move the tab's last proof of identity ``seconds`` into the past."""
    cookie = next(c for c in tab.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session["ck_reauth"] = {**session["ck_reauth"], "at": time.time() - seconds}
    session.save()


def test_a_member_makes_tokens_confirms_its_her_and_signing_out_everywhere_ends_them(
        live_cast, visit):
    mina = visit()
    sign_in(mina, "mina@example.test")
    mina.click("Security", role="link")
    mina.click("Manage personal access tokens", role="link")
    mina.fill("Name", "calendar sync")
    mina.click("Create token")
    first = mina.page.get_by_test_id("new-token").inner_text()

    age_sign_in(mina, 11 * 60)
    mina.fill("Name", "backup script")
    mina.click("Create token")
    assert "Confirm it's you" in mina.text()
    mina.fill("Your password", PASSWORD)
    mina.click("Confirm")
    assert mina.page.url.endswith("/accounts/tokens/")
    mina.fill("Name", "backup script")
    mina.click("Create token")
    second = mina.page.get_by_test_id("new-token").inner_text()

    for secret in (first, second):
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code \
            == 200
    mina.click("Security", role="link")
    mina.click("Sign out everywhere")
    assert "“calendar sync”, “backup script” were revoked" in mina.text()
    for secret in (first, second):
        assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code \
            == 401
