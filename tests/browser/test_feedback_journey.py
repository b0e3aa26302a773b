"""A whole feedback round in Chromium: the facilitator opens it, five members' browsers
each receive a token just by opening Circlekeep, answer without their account, and the
facilitator closes the round and reads the charts and answers. And a browser that was given
a key of its own (a tracking trick) refuses to send under it."""

import base64
import json

import pytest
from django.conf import settings

from circlekeep.feedback import blindrsa
from circlekeep.feedback.actions import TOKEN_MESSAGE
from circlekeep.feedback.models import Entry, Round
from circlekeep.feedback.tests.helpers import members, open_round
from circlekeep.testing import signed_in_client

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


def signed_in_tab(visit, base_url, user, *, width=DESKTOP):
    """A tab already signed in as ``user`` (a session made as the sign-in page makes it)."""
    tab = visit(width=width)
    session = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    tab.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                              "url": base_url}])
    return tab


def token_arrived(tab, key_id):
    """Wait until this browser holds a signed token for ``key_id`` (a round or a concern
    key): fetched in the background by the page's script, as on any signed-in page."""
    tab.page.wait_for_function("""(key) => Object.keys(localStorage).some(
        (name) => name.endsWith(`:${key}`) && JSON.parse(localStorage[name]).signature)""",
                               arg=str(key_id), timeout=20000)


def answer(tab, round_, mark, text):
    token_arrived(tab, round_.public_id)
    tab.goto(f"/feedback/rounds/{round_.public_id}/")
    status = tab.page.locator("#feedback-status")
    status.filter(has_text="Your token is ready").wait_for(timeout=20000)
    tab.page.locator(f"input[name=q1][value='{mark}']").check()
    tab.page.get_by_label("What would make the circle better?").fill(text)
    tab.click("Send anonymously")
    status.filter(has_text="Sent.").wait_for(timeout=20000)


def test_a_round_from_opening_to_released_charts(live_cast, visit, live_server):
    cast = live_cast
    facilitator = signed_in_tab(visit, live_server.url, cast.facilitator)
    facilitator.goto(f"/feedback/circles/{cast.circle.public_id}/")
    facilitator.fill("Title", "Autumn check-in")
    facilitator.fill("Questions answered with a mark from 1 to 5",
                     "I feel safe saying what I think here.")
    facilitator.fill("Open questions", "What would make the circle better?")
    facilitator.click("Open the round")
    round_ = Round.objects.get()
    assert round_.fingerprint in facilitator.text()

    people = [cast.member, *members(cast.circle, 4, actor=cast.facilitator)]
    for number, person in enumerate(people):
        tab = signed_in_tab(visit, live_server.url, person, width=PHONE if number == 0 else DESKTOP)
        tab.goto("/")  # any page: the browser fetches its token on its own
        answer(tab, round_, 1 + number % 5, f"Idea number {number}")
        tab.close()
    assert Entry.objects.filter(round=round_).count() == 5
    assert round_.issuances.count() == 5

    facilitator.goto(f"/feedback/rounds/{round_.public_id}/close/")
    facilitator.click("Close the round")
    text = facilitator.text()
    assert "5 entries, in random order." in text
    for number in range(5):
        assert f"Idea number {number}" in text
    canvas = facilitator.page.locator("canvas[data-chart]").first
    canvas.wait_for()
    drawn = facilitator.page.evaluate(
        "(c) => c.width > 0 && c.getContext('2d') !== null", canvas.element_handle())
    assert drawn


def test_a_key_of_ones_own_is_refused_before_anything_is_sent(live_cast, visit, live_server):
    cast = live_cast
    round_ = open_round(cast.circle, cast.facilitator)
    tracking = blindrsa.new_private_key()
    own = blindrsa.public_key_bytes(tracking)
    tab = signed_in_tab(visit, live_server.url, cast.member)

    def waiting(route):
        route.fulfill(status=200, content_type="application/json", body=json.dumps({
            "person": str(cast.member.public_id), "rounds": [{
                "id": str(round_.public_id), "public_key": base64.b64encode(own).decode(),
                "fingerprint": blindrsa.fingerprint(own),
                "token_url": f"/feedback/rounds/{round_.public_id}/token/",
                "prefix": TOKEN_MESSAGE.format(round=round_.public_id)}]}))

    def token(route):
        blinded = base64.b64decode(json.loads(route.request.post_data)["blinded"])
        signature = base64.b64encode(blindrsa.blind_sign(tracking, blinded)).decode()
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"blind_signature": signature}))

    tab.page.route("**/feedback/tokens/", waiting)
    tab.page.route(f"**/feedback/rounds/{round_.public_id}/token/", token)
    tab.goto("/")
    token_arrived(tab, round_.public_id)
    tab.goto(f"/feedback/rounds/{round_.public_id}/")
    status = tab.page.locator("#feedback-status")
    status.filter(has_text="Your token is ready").wait_for(timeout=20000)
    tab.page.locator("input[name=q1][value='2']").check()
    tab.click("Send anonymously")
    status.filter(has_text="not the one your token was given under").wait_for(timeout=20000)
    assert not Entry.objects.exists()
