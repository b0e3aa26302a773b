"""Feedback rounds through their actions: who may open one, one token per member, one
entry per token, and a close that destroys the key and releases entries only above the
threshold, in random order."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep import vault
from circlekeep.audit.models import AuditEvent, HeldAuditEvent
from circlekeep.feedback import actions, blindrsa, client
from circlekeep.feedback.models import Entry, Issuance, Round, Spend
from circlekeep.feedback.tests.helpers import QUESTIONS, Browser, members, open_round
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.notify.models import Notification
from circlekeep.testing import assert_events, audit_mark

pytestmark = pytest.mark.django_db


def test_a_facilitator_opens_a_round_with_its_own_key_and_members_are_told(cast):
    mark = audit_mark()
    round_ = actions.do_open_round(cast.circle, actor=cast.facilitator, about="circle",
                                   title="Autumn check-in", questions=QUESTIONS)
    assert_events(mark, [("feedback.round.opened", cast.facilitator, None)])
    event = AuditEvent.objects.get(sequence__gt=mark)
    assert round_.fingerprint in event.data_json
    assert round_.private_key and round_.private_key_kek
    assert bytes(round_.private_key) != bytes(round_.public_key)
    assert blindrsa.fingerprint(bytes(round_.public_key)) == round_.fingerprint
    assert [q["key"] for q in round_.questions] == ["q1", "q2"]
    told = Notification.objects.filter(kind="feedback.open")
    assert [n.recipient_id for n in told] == [cast.member.pk]
    assert told[0].link == f"/feedback/circles/{cast.circle.public_id}/"
    other = open_round(cast.circle, cast.facilitator)
    assert other.fingerprint != round_.fingerprint


def test_who_may_open_a_round(cast):
    with pytest.raises(ActionForbidden):
        open_round(cast.circle, cast.member)
    with pytest.raises(ActionForbidden):
        open_round(cast.circle, cast.other_facilitator)
    with pytest.raises(ActionForbidden):
        open_round(cast.circle, cast.other_admin)
    # About the facilitator: admins who do not facilitate the circle, never its facilitator.
    with pytest.raises(ActionForbidden):
        open_round(cast.circle, cast.facilitator, about="facilitator")
    assert open_round(cast.circle, cast.admin, about="facilitator").about == "facilitator"
    from circlekeep.circles.actions import do_add_facilitator
    do_add_facilitator(cast.circle, cast.admin, actor=cast.admin)
    with pytest.raises(ActionForbidden):
        open_round(cast.circle, cast.admin, about="facilitator")


def test_who_facilitated_when_a_round_about_the_facilitator_opened_never_reads_it(cast):
    from circlekeep.circles.actions import do_add_facilitator, do_remove_facilitator
    from circlekeep.feedback.access import may_run_round, rounds_run_by
    from circlekeep.testing import make_staff

    second = make_staff(cast.org, "sam@riverside.test", "admin", name="Sam", actor=cast.admin)
    co = do_add_facilitator(cast.circle, second, actor=cast.admin)
    round_ = open_round(cast.circle, cast.admin, about="facilitator")
    assert not may_run_round(second, round_)
    # Stepping down as co-facilitator does not open it to them.
    do_remove_facilitator(co, actor=second)
    assert not may_run_round(second, round_)
    assert round_ not in rounds_run_by(cast.facilitator)
    assert may_run_round(cast.admin, round_)


@pytest.mark.parametrize("change, field", [
    ({"title": " "}, "title"),
    ({"questions": []}, "questions"),
    ({"questions": [{"kind": "poll", "prompt": "x"}]}, "questions"),
    ({"questions": [{"kind": "text", "prompt": ""}]}, "questions"),
    ({"questions": [{"kind": "text", "prompt": "x"}] * 9}, "questions"),
    ({"days_open": 0}, "days_open"),
    ({"days_open": 31}, "days_open"),
    ({"days_open": "soon"}, "days_open"),
    ({"about": "weather"}, "about"),
])
def test_a_bad_round_is_refused_with_the_field_and_nothing_is_kept(cast, change, field):
    arguments = {"about": "circle", "title": "Check-in", "days_open": 7,
                 "questions": [{"kind": "rating", "prompt": "How was it?"}], **change}
    with pytest.raises(DomainError) as refused:
        actions.do_open_round(cast.circle, actor=cast.facilitator, **arguments)
    assert refused.value.field == field
    assert not Round.objects.exists()


def test_each_member_gets_one_token_and_a_retry_gets_the_same_signature(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    mark = audit_mark()
    browser = Browser(round_).receive(cast.member)
    assert blindrsa.verify(browser.public, browser.prepared, browser.signature)
    again = actions.do_issue_token(round_, actor=cast.member, blinded=browser.blinded)
    assert Issuance.objects.count() == 1
    assert blindrsa.verify(browser.public, browser.prepared,
                           client
                           .finalize(browser.public, again, browser.inverse))
    assert_events(mark, [("feedback.token.issued", cast.member, None)])
    with pytest.raises(DomainError, match="another browser"):
        Browser(round_).receive(cast.member)
    assert Issuance.objects.count() == 1


def test_only_cleared_members_receive_a_token_and_only_while_it_is_open(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    for outsider in (cast.other_member, cast.facilitator, cast.admin, cast.other_admin):
        with pytest.raises(ActionForbidden):
            Browser(round_).receive(outsider)
    actions.do_close_round(round_, actor=cast.facilitator)
    with pytest.raises(DomainError, match="not open"):
        Browser(round_).receive(cast.member)
    assert not Issuance.objects.exists()


def test_an_entry_is_taken_once_per_token_and_names_nobody(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_).receive(cast.member)
    mark = audit_mark()
    actions.do_submit_entry(round_, prepared=browser.prepared, signature=browser.signature,
                            answers={"q1": 5, "q2": "  Thank you.  "})
    assert_events(mark, [])  # its event is held until the day is over
    held = HeldAuditEvent.objects.get(event_type="feedback.entry.submitted")
    assert held.day == timezone.now().date() and held.target_id == str(round_.public_id)
    entry = Entry.objects.get()
    assert not hasattr(entry, "created_at") and entry.round_id == round_.pk
    text = vault.reveal(entry, "answers", actor=cast.facilitator, reason="t")
    assert json.loads(text) == {"q1": 5, "q2": "Thank you."}
    # Padded, so that the ciphertext's length does not tell one answer from another.
    assert len(text) % actions.PAD_TO == 0
    with pytest.raises(DomainError, match="already used"):
        browser.send()
    assert Entry.objects.count() == 1 and Spend.objects.count() == 1


def test_forged_foreign_and_malformed_tokens_are_refused_and_change_nothing(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    other = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_).receive(cast.member)
    forged = Browser(round_)
    forged.signature = browser.signature  # a signature over another token
    elsewhere = Browser(other).receive(cast.member)
    elsewhere.round = round_  # a token of another round, sent to this one
    for attempt in (forged, elsewhere):
        with pytest.raises(DomainError, match="not issued for this round"):
            attempt.send()
    truncated = Browser(round_)
    truncated.signature = browser.signature[:-1]
    with pytest.raises(DomainError):
        truncated.send()
    for answers in ({}, {"q1": 6}, {"q1": True}, {"q1": "4.5"}, {"q1": "²"}, {"q9": 3},
                    {"q2": "x" * 2001}, {"q2": ["list"]}, "not a dict"):
        with pytest.raises(DomainError):
            browser.send(answers)
    assert not Entry.objects.exists() and not Spend.objects.exists()
    browser.send({"q1": "3"})  # the refusals spent nothing
    assert Entry.objects.count() == 1


def _round_with_entries(cast, count):
    round_ = open_round(cast.circle, cast.facilitator)
    people = [cast.member, *members(cast.circle, count - 1, actor=cast.facilitator)]
    for number, person in enumerate(people):
        Browser(round_).receive(person).send({"q1": 1 + number % 5, "q2": f"answer {number}"})
    return round_


def test_closing_with_enough_entries_destroys_the_key_and_releases_copies(cast):
    round_ = _round_with_entries(cast, 6)
    before = set(Entry.objects.values_list("id", flat=True))
    mark = audit_mark()
    closed = actions.do_close_round(round_, actor=cast.facilitator)
    assert closed.private_key is None and closed.private_key_kek == ""
    assert closed.released and closed.entry_count == 6
    released = list(Entry.objects.filter(round=round_))
    assert len(released) == 6 and all(e.released for e in released)
    assert not before & {e.id for e in released}  # copies, with new ids
    texts = sorted(json.loads(t)["q2"] for t in vault.reveal_many(
        released, "answers", actor=cast.facilitator, reason="t"))
    assert texts == [f"answer {n}" for n in range(6)]
    events = list(AuditEvent.objects.filter(sequence__gt=mark, event_type="feedback.round.closed"))
    assert len(events) == 1 and '"entries":6' in events[0].data_json
    assert not Spend.objects.exists()  # the key is gone: spent tokens have no use left
    assert actions.do_close_round(round_, actor=cast.facilitator).closed_at == closed.closed_at


def test_below_the_threshold_entries_are_destroyed_unread(cast):
    round_ = _round_with_entries(cast, 4)
    mark = audit_mark()
    closed = actions.do_close_round(round_, actor=cast.facilitator)
    # Not even the number is kept where anyone could read it.
    assert not closed.released and closed.entry_count is None
    assert not Entry.objects.exists() and not Spend.objects.exists()
    event = AuditEvent.objects.get(sequence__gt=mark, event_type="feedback.round.closed")
    assert '"entries":null' in event.data_json


def test_a_token_cannot_be_spent_after_the_close(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    browser = Browser(round_).receive(cast.member)
    actions.do_close_round(round_, actor=cast.facilitator)
    with pytest.raises(DomainError, match="closed"):
        browser.send()


def test_rounds_whose_time_is_up_are_closed_by_the_schedule(cast):
    from django.core.management import call_command

    due = open_round(cast.circle, cast.facilitator, days_open=1)
    later = open_round(cast.circle, cast.facilitator, days_open=3)
    Round.objects.filter(pk=due.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call_command("feedback", "close")
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.closed_at is not None and due.private_key is None
    assert later.closed_at is None
    closed = AuditEvent.objects.get(event_type="feedback.round.closed")
    assert closed.actor_id is None


def test_a_summary_is_shared_only_after_the_close_by_who_runs_the_round(cast):
    round_ = open_round(cast.circle, cast.facilitator)
    with pytest.raises(DomainError):
        actions.do_share_summary(round_, actor=cast.facilitator, summary="Themes")
    actions.do_close_round(round_, actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_share_summary(round_, actor=cast.member, summary="Themes")
    mark = audit_mark()
    actions.do_share_summary(round_, actor=cast.facilitator, summary="People want more time.")
    assert_events(mark, [("feedback.summary.shared", cast.facilitator, None)])
    round_.refresh_from_db()
    assert vault.reveal(round_, "summary", actor=cast.member, reason="t") == \
        "People want more time."


def test_the_production_key_is_3072_bits():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("CIRCLEKEEP_TESTING",
                                                             "FEEDBACK_KEY_BITS")}
    env.update({"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"})
    out = subprocess.run([sys.executable, "-c", "from django.conf import settings; "
                          "print(settings.FEEDBACK_KEY_BITS)"], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "3072"
