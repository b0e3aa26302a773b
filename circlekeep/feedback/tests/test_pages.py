"""The feedback pages: asking for feedback, answering (the page the browser's script
drives), the results once released, the threshold, and the shared summary."""

import json

import pytest

from circlekeep.feedback import actions
from circlekeep.feedback.models import Round
from circlekeep.feedback.tests.helpers import Browser, members, open_round
from circlekeep.testing import page_of, signed_in_client

pytestmark = pytest.mark.django_db


def test_a_facilitator_opens_a_round_from_the_circles_feedback_page(cast):
    client = signed_in_client(cast.facilitator)
    page = page_of(client.get(f"/feedback/circles/{cast.circle.public_id}/"))
    assert "Ask for feedback" in page and "The facilitator (read by" not in page
    response = client.post(f"/feedback/circles/{cast.circle.public_id}/", {
        "title": "Autumn check-in", "about": "circle", "days_open": "7",
        "ratings": "I feel safe here.\n\nI am heard.", "open_questions": "What would help?"})
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/feedback/rounds/{round_.public_id}/")
    assert [(q["kind"], q["prompt"]) for q in round_.questions] == [
        ("rating", "I feel safe here."), ("rating", "I am heard."), ("text", "What would help?")]
    # An empty round is refused beside the form, and nothing is opened.
    page = page_of(client.post(f"/feedback/circles/{cast.circle.public_id}/", {
        "title": "Empty", "about": "circle", "days_open": "7"}))
    assert "Ask at least one question." in page and Round.objects.count() == 1


def test_an_admin_may_ask_about_the_facilitator(cast):
    client = signed_in_client(cast.admin)
    page = page_of(client.get(f"/feedback/circles/{cast.circle.public_id}/"))
    assert "The facilitator (read by the organization" in page


def test_a_member_answers_on_a_page_that_carries_the_round_and_the_fingerprint(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    response = signed_in_client(cast.member).get(f"/feedback/rounds/{round_.public_id}/")
    page = page_of(response)
    assert round_.fingerprint in page and 'id="feedback-answer"' in page
    assert f'data-round="{round_.public_id}"' in page
    assert "I feel safe saying what I think here." in page
    assert 'name="q1" value="5"' in page and 'name="q2"' in page
    assert "feedback-answer.js" in page and "Send anonymously" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in page
    assert "Close the round now" not in page


def test_the_token_end_signs_once_and_answers_a_retry_alike(cast):
    import base64

    round_ = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_)
    client = signed_in_client(cast.member)
    waiting = client.get("/feedback/tokens/").json()
    # Besides the round: the coming days' keys for anonymous concerns in the circle.
    assert [r["id"] for r in waiting["rounds"] if "circle" not in r] == [str(round_.public_id)]
    assert waiting["person"] == str(cast.member.public_id)
    body = json.dumps({"blinded": base64.b64encode(browser.blinded).decode()})
    first = client.post(f"/feedback/rounds/{round_.public_id}/token/", body,
                        content_type="application/json").json()
    second = client.post(f"/feedback/rounds/{round_.public_id}/token/", body,
                         content_type="application/json").json()
    assert first == second and "blind_signature" in first
    assert [r for r in client.get("/feedback/tokens/").json()["rounds"]
            if "circle" not in r] == []
    for body in ("{not json", '{"blinded": 5}', "null", "[1]"):
        bad = client.post(f"/feedback/rounds/{round_.public_id}/token/", body,
                          content_type="application/json")
        assert bad.status_code == 400 and "base64" in bad.json()["error"], body


def _released(cast, count=5):
    round_ = open_round(cast.circle, cast.facilitator)
    people = [cast.member, *members(cast.circle, count - 1, actor=cast.facilitator)]
    for number, person in enumerate(people):
        Browser(round_).receive(person).send({"q1": 1 + number % 5,
                                              "q2": f"Idea number {number}"})
    return actions.do_close_round(round_, actor=cast.facilitator)


def test_the_facilitator_reads_released_results_as_charts_and_a_list(cast):
    round_ = _released(cast)
    page = page_of(signed_in_client(cast.facilitator).get(f"/feedback/rounds/{round_.public_id}/"))
    assert "5 entries, in random order." in page
    assert page.count("data-chart=") == 1 and "Average 3" in page
    for number in range(5):
        assert f"Idea number {number}" in page
    circle_page = page_of(signed_in_client(cast.facilitator).get(
        f"/feedback/circles/{cast.circle.public_id}/"))
    assert "Average mark, round by round" in circle_page
    # The member sees no entry, only what is shared.
    member_page = page_of(signed_in_client(cast.member).get(
        f"/feedback/rounds/{round_.public_id}/"))
    assert "Idea number" not in member_page
    assert "If the facilitator shares a summary" in member_page


def test_below_the_threshold_the_facilitator_sees_only_that(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    Browser(round_).receive(cast.member).send({"q1": 2, "q2": "Only me"})
    signed_in_client(cast.facilitator).post(f"/feedback/rounds/{round_.public_id}/close/")
    page = page_of(signed_in_client(cast.facilitator).get(f"/feedback/rounds/{round_.public_id}/"))
    assert "Fewer than 5 entries came, so none is shown" in page and "Only me" not in page


def test_a_shared_summary_reaches_the_members(cast):
    round_ = _released(cast)
    client = signed_in_client(cast.facilitator)
    client.post(f"/feedback/rounds/{round_.public_id}/summary/",
                {"summary": "Most feel safe; some want more time."})
    page = page_of(signed_in_client(cast.member).get(f"/feedback/rounds/{round_.public_id}/"))
    assert "Most feel safe; some want more time." in page


def test_signing_in_to_answer_does_not_name_the_round_on_the_way(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    from django.test import Client

    response = Client().get(f"/feedback/rounds/{round_.public_id}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in/"


def test_the_trail_hides_a_round_about_the_facilitator_from_them(cast):
    round_ = open_round(cast.circle, cast.admin, about="facilitator")
    Browser(round_).receive(cast.member)
    from circlekeep.trail.access import events_visible_to

    mine = events_visible_to(cast.facilitator).filter(target_type="feedback.round")
    assert not mine.filter(target_id=str(round_.public_id)).exists()
    assert events_visible_to(cast.admin).filter(target_id=str(round_.public_id)).count() == 2


def test_feedback_about_the_facilitator_is_never_shown_to_them(cast):
    round_ = open_round(cast.circle, cast.admin, about="facilitator")
    assert signed_in_client(cast.facilitator).get(
        f"/feedback/rounds/{round_.public_id}/").status_code == 404
    assert signed_in_client(cast.member).get(
        f"/feedback/rounds/{round_.public_id}/").status_code == 200


def test_the_trend_names_each_round_by_its_day_in_the_viewers_zone(cast):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone, translation

    from circlekeep.feedback.results import trend_chart

    round_ = _released(cast)
    round_.closed_at = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # 1 December in Los Angeles
    with translation.override("en"), timezone.override(ZoneInfo("America/Los_Angeles")):
        chart = trend_chart([round_], [3.0], key="k")
    assert chart.labels == ["Autumn check-in (Dec. 1, 2026)"]
