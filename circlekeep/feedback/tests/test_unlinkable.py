"""What a spend leaves behind. Sent the way a member's browser sends it (and with a session
cookie, an address and a browser name it should not carry), an entry must leave nothing
that shares the member's id, session, address, browser or a time finer than the day: no
log line, no session row, no audit event, no stored value. And one token, one entry, even
when two are sent at the same instant."""

import base64
import logging
import re
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from circlekeep.feedback.models import Entry, Issuance, Spend
from circlekeep.feedback.tests.helpers import Browser, at_once, open_round
from circlekeep.testing import signed_in_client


def _dump():
    """Every row of every table, as text."""
    rows = set()
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                rows.add((table, tuple(str(bytes(v)) if isinstance(v, memoryview) else str(v)
                                       for v in row)))
    return rows


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.django_db
def test_a_spend_leaves_nothing_that_names_its_sender_or_its_moment(cast, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    round_ = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_).receive(cast.member)
    member_client = signed_in_client(cast.member)
    session_key = member_client.cookies[settings.SESSION_COOKIE_NAME].value
    before = _dump()
    handler = _Lines()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        response = member_client.post(
            "/api/v1/feedback/entries", data=browser.entry_json(), content_type="application/json",
            REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Zanzibar-Browser/9.9",
            HTTP_X_FORWARDED_FOR="198.51.100.23")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert response.status_code == 201, response.content
    assert not response.cookies, "a spend sets no cookie"
    added = _dump() - before
    assert {table for table, _row in added} <= {
        "feedback_spend", "feedback_entry", "audit_heldauditevent", "audit_heldtally"}
    assert any(table == "feedback_entry" for table, _row in added)
    now = timezone.now()
    moments = {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}
    identifying = {str(cast.member.pk), str(cast.member.public_id), cast.member.email,
                   session_key, "203.0.113.77", "198.51.100.23", "Zanzibar"}
    for table, row in added:
        for value in row:
            assert value not in identifying, (table, value)
            assert not any(part in value for part in identifying - {str(cast.member.pk)}), \
                (table, value)
            # No time of day: a date at most (a held event keeps its day).
            assert not re.search(r"\d{2}:\d{2}", value) or \
                not any(m in value for m in moments), (table, value)
    for line in handler.lines:
        for part in identifying - {str(cast.member.pk)}:
            assert part not in line, line
    # (The session's row is in the dump: the spend left it as it was.)
    assert Issuance.objects.filter(member=cast.member).count() == 1  # issued, by design
    assert Entry.objects.count() == 1 and Spend.objects.count() == 1


@pytest.mark.django_db
def test_a_spend_needs_no_account_and_the_key_needs_no_cookie(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_).receive(cast.member)
    anonymous = Client(enforce_csrf_checks=True)
    key = anonymous.get(f"/api/v1/feedback-rounds/{round_.public_id}/key").json()
    assert base64.b64decode(key["public_key"]) == bytes(round_.public_key)
    assert key["fingerprint"] == round_.fingerprint and "questions" not in key
    sent = anonymous.post("/api/v1/feedback/entries", data=browser.entry_json(),
                          content_type="application/json")
    assert sent.status_code == 201
    again = anonymous.post("/api/v1/feedback/entries", data=browser.entry_json(),
                           content_type="application/json")
    assert again.status_code == 400 and "already used" in again.json()["detail"]
    assert Entry.objects.count() == 1
    from circlekeep.feedback.actions import do_close_round

    do_close_round(round_, actor=cast.facilitator)
    assert anonymous.get(f"/api/v1/feedback-rounds/{round_.public_id}/key").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_same_token_sent_twice_at_once_makes_one_entry(live_cast):
    round_ = open_round(live_cast.circle, live_cast.facilitator)
    browser = Browser(round_).receive(live_cast.member)
    outcomes = at_once(4, browser.send)
    kinds = sorted(kind for kind, _detail in outcomes)
    assert kinds == ["ok", "refused", "refused", "refused"], outcomes
    assert Entry.objects.count() == 1 and Spend.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tokens_asked_for_at_once_by_one_member_give_one(live_cast):
    round_ = open_round(live_cast.circle, live_cast.facilitator)
    browsers = [Browser(round_) for _ in range(4)]
    queue = list(browsers)
    lock = threading.Lock()

    def ask():
        with lock:
            browser = queue.pop()
        return browser.receive(live_cast.member)

    outcomes = at_once(4, ask)
    kinds = sorted(kind for kind, _detail in outcomes)
    assert kinds == ["ok", "refused", "refused", "refused"], outcomes
    assert Issuance.objects.count() == 1
