"""Nothing typed is lost: the idle warning keeps a session on request, and a form sent
after the session ended comes back filled in after signing in again."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore

from circlekeep.accounts.middleware import SEEN_KEY
from circlekeep.testing import PASSWORD

from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser

def session_of(tab):
    cookie = next(c for c in tab.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return SessionStore(session_key=cookie["value"])

def age_idle_clock(tab, seconds):
    """Move the tab's last activity ``seconds`` further into the past."""
    session = session_of(tab)
    session[SEEN_KEY] = session[SEEN_KEY] - seconds
    session.save()

def test_the_idle_warning_appears_and_stay_signed_in_keeps_the_session(
        live_cast, visit, settings):
    # A one-minute session that warns after two seconds, instead of waiting half an hour.
    settings.IDLE_TIMEOUT_MEMBER = timedelta(seconds=60)
    settings.IDLE_WARNING = timedelta(seconds=58)
    mina = visit(width=390)
    sign_in(mina, "mina@example.test")
    dialog = mina.page.get_by_role("alertdialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=15_000)
    assert "you will be signed out" in dialog.inner_text()
    stay = dialog.get_by_role("button", name="Stay signed in")
    assert stay.evaluate("button => document.activeElement === button")
    mina.visited.clear()
    mina.check()  # axe-core and the overflow check with the warning open, on a phone

    age_idle_clock(mina, 50)  # ten seconds left
    stay.click()
    dialog.wait_for(state="hidden")
    # Twenty more idle seconds would have ended the session without "Stay signed in".
    age_idle_clock(mina, 20)
    mina.goto("/accounts/profile/")
    assert mina.page.url.endswith("/accounts/profile/")

    age_idle_clock(mina, 70)
    mina.goto("/accounts/profile/")
    assert "/accounts/sign-in/" in mina.page.url

def test_a_proposal_sent_after_the_session_ended_is_back_after_signing_in(live_cast, visit):
    mina = visit()
    sign_in(mina, "mina@example.test")
    page = f"/agreements/circles/{live_cast.circle.public_id}/propose/"
    mina.goto(page)
    text = "Phones stay in our bags until the closing round."
    mina.fill("Clause title", "Phones")
    mina.fill("Clause text", text)
    mina.fill("Why", "Focus")
    age_idle_clock(mina, 31 * 60)
    mina.page.get_by_role("button", name="Share the proposal").click()
    mina.page.wait_for_load_state()
    assert "/accounts/sign-in/" in mina.page.url
    assert "What you typed is kept" in mina.text()
    mina.fill("Password", PASSWORD)
    mina.fill("E-mail address", "mina@example.test")
    mina.click("Sign in")
    assert mina.page.url.endswith(page)
    field = mina.page.get_by_label("Clause text", exact=True)
    field.wait_for()
    assert field.input_value() == text
    assert mina.page.get_by_label("Clause title", exact=True).input_value() == "Phones"
    assert "back in the form" in mina.text()
    # The browser kept none of it.
    stored = mina.page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert "Phones" not in stored


def test_a_page_that_keeps_the_session_in_use_puts_the_warning_away(
        live_cast, visit, settings):
    """The online room tells the idle warning that the person is in a meeting: the warning
    closes and its clock starts again (static/js/room.js sends the same event)."""
    settings.IDLE_TIMEOUT_MEMBER = timedelta(seconds=60)
    settings.IDLE_WARNING = timedelta(seconds=58)
    mina = visit()
    sign_in(mina, "mina@example.test")
    dialog = mina.page.get_by_role("alertdialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=15_000)
    mina.page.evaluate("document.dispatchEvent(new Event('circlekeep:active'))")
    dialog.wait_for(state="hidden")
    # The clock started again: the warning comes back two seconds later, not at once.
    assert not dialog.is_visible()
    dialog.wait_for(state="visible", timeout=15_000)
