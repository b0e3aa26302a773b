"""Tampering by someone who holds the database but neither the signing key nor the witness:
changed columns, missing checkpoints, a rewritten or truncated tail."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from circlekeep.audit.models import AuditCheckpoint, AuditEvent
from circlekeep.audit.recording import checkpoint_now
from circlekeep.audit.tests.tampering import (
    events,
    last,
    rechain,
    record_rule_suspended,
    rewrite,
    sql,
    tampering,
    truncate,
)
from circlekeep.audit.verify import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def witnessed(settings, django_capture_on_commit_callbacks):
    """Sign every append, and publish each signed head to the test's witness file as its
    transaction commits."""
    settings.AUDIT_SIGN_EVERY_SECONDS = 0
    checkpoint_now()  # the cast's last signature promised the next within seconds

    def run(n, user):
        with django_capture_on_commit_callbacks(execute=True):
            events(n, user)

    return run


def messages(result):
    return [(p.kind, p.message) for p in result.problems]


def test_columns_changed_behind_the_records_back_are_named(cast):
    """(a) On SQLite a pragma skips CHECK constraints; on PostgreSQL the rule can be
    dropped. Either way the pages would show the edited columns."""
    target = last() - 5
    original = AuditEvent.objects.get(sequence=target)
    other = cast.admin if original.actor_id != cast.admin.pk else cast.auditor
    with record_rule_suspended():
        sql("UPDATE audit_auditevent SET actor_id = %s, reason = %s WHERE sequence = %s",
            [other.pk, "nothing to see", target])
    result = verify()
    assert not result.ok
    assert (result.problem.kind, result.problem.sequence) == ("changed", target)
    assert result.problem.message == (
        f"event #{target}'s columns actor_id, reason differ from its record (changed after "
        "it was written)")
    if connection.vendor == "postgresql":
        assert any("rule" in message for _kind, message in messages(result))


def test_every_changed_event_is_counted(cast):
    first, second = last() - 5, last() - 2
    with record_rule_suspended():
        sql("UPDATE audit_auditevent SET actor_role = 'nobody' WHERE sequence IN (%s, %s)",
            [first, second])
    problem = verify().problem
    assert problem.sequence == first
    assert problem.message == (f"event #{first}'s columns actor_role differ from its record "
                               "(changed after it was written); 2 events in all")


def test_deleting_every_checkpoint_and_rewriting_history_is_caught_in_the_database(
        cast, settings):
    """(b) Without the witness: checkpoints are due at least every N events."""
    settings.AUDIT_WITNESS_PATH = ""
    settings.AUDIT_CHECKPOINT_EVERY = 10
    events(25, cast.member)
    target = last() - 20
    with tampering():
        sql("DELETE FROM audit_auditcheckpoint")
        rewrite(target, reason="rewritten")
        rechain(target)
    result = verify()
    assert not result.ok
    assert messages(result) == [("missing-checkpoints",
                                 f"checkpoints missing between #0 and #{last()}: one was due "
                                 "by #10")]


def test_deleting_every_checkpoint_and_rewriting_history_is_caught_by_the_witness(
        cast, witnessed):
    """(b) With the witness, however short the trail."""
    witnessed(5, cast.member)
    target = last() - 3
    original = AuditEvent.objects.get(sequence=target).hash
    with tampering():
        sql("DELETE FROM audit_auditcheckpoint")
        rewrite(target, reason="rewritten")
        rechain(target)
    forged = AuditEvent.objects.get(sequence=target).hash
    result = verify()
    assert not result.ok
    assert ("rewritten", f"history was rewritten: the witness saw #{target} with hash "
                         f"{original[:16]}…, the database has {forged[:16]}…") \
        in messages(result)
    assert ("missing-checkpoints", f"checkpoints missing: the witness saw #{target - 1}, "
                                   "which the database no longer has") in messages(result)


def test_a_checkpoint_missing_from_the_sequence_is_named(cast, settings):
    settings.AUDIT_SIGN_EVERY_SECONDS = 0
    checkpoint_now()
    events(5, cast.member)
    middle = last() - 2
    with tampering():
        sql("DELETE FROM audit_auditcheckpoint WHERE sequence = %s", [middle])
    result = verify()
    assert messages(result) == [("missing-checkpoints",
                                 f"checkpoints missing between #{middle - 1} and "
                                 f"#{middle + 1}")]


def test_a_truncated_tail_is_reported_as_truncation(cast, witnessed):
    """(c) Events and checkpoints after some point deleted and the head moved back."""
    witnessed(5, cast.member)
    end = last()
    end_hash = AuditEvent.objects.get(sequence=end).hash
    with tampering():
        truncate(end - 3)
    problem = verify().problem
    assert (problem.kind, problem.sequence) == ("truncated", end)
    assert problem.message == (f"the trail was truncated: the witness saw #{end} (hash "
                               f"{end_hash[:16]}…) but the database ends at #{end - 3}")


def test_rewriting_the_events_after_the_last_checkpoint_is_caught(cast, witnessed):
    """(c) The tail rewritten after deleting the checkpoints that covered it."""
    witnessed(5, cast.member)
    target = last() - 3
    with tampering():
        sql("DELETE FROM audit_auditcheckpoint WHERE sequence >= %s", [target])
        rewrite(target, reason="rewritten")
        rechain(target)
    result = verify()
    kinds = [kind for kind, _message in messages(result)]
    assert kinds[0] == "rewritten"
    # The database alone also notices: later events were written after the last
    # signature's promise ran out.
    assert ("missing-checkpoints", f"checkpoints missing between #{target - 1} and "
                                   f"#{last()}: #{target} was written after the signature "
                                   f"at #{target - 1} ran out") in messages(result)


def test_the_head_is_signed_within_seconds_of_activity(cast, settings, monkeypatch):
    """(c) At most AUDIT_SIGN_EVERY_SECONDS of events are ever unsigned."""
    settings.AUDIT_SIGN_EVERY_SECONDS = 2
    now = [timezone.now() + timedelta(minutes=1)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def signed():
        return list(AuditCheckpoint.objects.order_by("sequence").values_list("sequence",
                                                                             flat=True))

    events(1, cast.member)  # a minute after the last signature: signed at once
    assert signed()[-1] == last()
    first = last()
    now[0] += timedelta(seconds=1)
    events(3, cast.member)
    assert signed()[-1] == first
    now[0] += timedelta(seconds=1.5)
    events(1, cast.member)
    assert signed()[-1] == last() == first + 4
    result = verify()
    assert result.ok and result.unsigned_tail == 0


def test_checkpoints_signed_with_a_key_kept_nowhere_are_named_a_few_at_a_time(cast, settings):
    settings.AUDIT_SIGN_EVERY_SECONDS = 0
    checkpoint_now()
    events(8, cast.member)
    settings.AUDIT_SIGNING_KEY = b"\x01" * 32  # the key changed, the old one not kept
    problems = verify().problems
    assert [p.kind for p in problems] == ["bad-checkpoint"] * 5
    assert problems[-1].message.endswith("more like it)")
