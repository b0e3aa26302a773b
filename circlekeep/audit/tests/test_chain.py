import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from circlekeep.audit.chain import CANONICAL_COLUMNS, canonical, chain_hash
from circlekeep.audit.models import AuditCheckpoint, AuditEvent
from circlekeep.audit.recording import checkpoint_now
from circlekeep.audit.tests.tampering import events, last, rewrite, sql, tampering
from circlekeep.audit.verify import verify

pytestmark = pytest.mark.django_db


def test_an_untouched_trail_verifies(cast):
    result = verify()
    assert result.ok and result.events == last() and result.events > 20


def test_every_event_links_to_the_one_before(cast):
    rows = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "prev_hash",
                                                                     "hash"))
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))


def test_checkpoints_are_signed_every_n_events_and_on_demand(cast, settings):
    settings.AUDIT_CHECKPOINT_EVERY = 10
    settings.AUDIT_SIGN_EVERY_SECONDS = 3600
    start = checkpoint_now().sequence  # from here on, the new cadence is promised
    events(25, cast.member)
    signed = set(AuditCheckpoint.objects.filter(sequence__gt=start).values_list("sequence",
                                                                                flat=True))
    assert signed == {start + 10, start + 20}
    checkpoint = checkpoint_now()
    assert checkpoint.sequence == last() and checkpoint_now() is None
    result = verify()
    assert result.ok and result.unsigned_tail == 0 and result.checkpoints >= 3


def test_a_changed_event_is_named(cast):
    target = last() - 5
    with tampering():
        rewrite(target, reason="nothing to see")
    problem = verify().problem
    assert (problem.kind, problem.sequence) == ("changed", target)


def test_the_database_refuses_a_column_changed_without_its_record(cast):
    from django.db import IntegrityError

    with tampering(), pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE sequence = 3")
    assert verify().ok


def test_removing_the_records_rule_is_reported(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a CHECK constraint in place; PostgreSQL can")
    from circlekeep.audit.chain import RECORD_CONSTRAINT

    with tampering():
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql(f"ALTER TABLE audit_auditevent DROP CONSTRAINT {RECORD_CONSTRAINT}")
        sql("UPDATE audit_auditevent SET reason = 'quietly' WHERE sequence = 3")
    problems = verify().problems
    assert [(p.kind, p.sequence) for p in problems] == [("changed", 3), ("rule-removed", 0)]
    assert "rule that ties each event's record to its columns was removed" in \
        problems[1].message


def test_a_deleted_event_is_named(cast):
    target = last() - 5
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE sequence = %s", [target])
    problem = verify().problem
    assert problem.kind == "deleted" and f"#{target}" in problem.message


def test_deleting_the_newest_events_is_caught_by_the_head(cast):
    end = last()
    with tampering():
        sql("DELETE FROM audit_auditevent WHERE sequence > %s", [end - 2])
        sql("DELETE FROM audit_auditcheckpoint WHERE sequence > %s", [end - 2])
    problem = verify().problem
    assert problem.kind == "truncated"
    assert problem.message == (f"the trail was truncated: its head says #{end} but the "
                               f"database ends at #{end - 2}")


def test_an_inserted_event_is_named(cast):
    target, end = last() - 5, last()
    original = AuditEvent.objects.get(sequence=target)
    before = AuditEvent.objects.get(sequence=target - 1)
    with tampering():
        for seq in range(end, target - 1, -1):
            rewrite(seq, sequence=seq + 1)
        forged = AuditEvent(
            sequence=target, at_us=original.at_us, actor=None, actor_role="system",
            event_type="account.signed_in", target_type="", target_id="", reason="",
            data_json="{}", request_id="", prev_hash=before.hash,
        )
        forged.record = canonical([target, original.at_us, None, "system",
                                   "account.signed_in", "", "", None, None, None, "", "{}", ""])
        forged.hash = chain_hash(before.hash, forged.record)
        forged.save(force_insert=True)
    problem = verify().problem
    assert (problem.kind, problem.sequence) == ("inserted", target)


def test_reordered_events_are_named(cast):
    target = last() - 5
    with tampering():
        rewrite(target, sequence=-1)
        rewrite(target + 1, sequence=target)
        rewrite(-1, sequence=target + 1)
    problem = verify().problem
    assert (problem.kind, problem.sequence) == ("reordered", target)


def test_a_rewritten_chain_is_caught_by_a_signed_checkpoint(cast):
    checkpoint_now()
    signed = last()
    events(3, cast.member)
    # The attacker changes an old event and recomputes every hash after it.
    target = signed - 3
    with tampering():
        rewrite(target, reason="rewritten")
        previous = AuditEvent.objects.get(sequence=target - 1).hash
        for event in AuditEvent.objects.filter(sequence__gte=target).order_by("sequence"):
            new_hash = chain_hash(previous, canonical(
                [getattr(event, column) for column in CANONICAL_COLUMNS]))
            sql("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE sequence = %s",
                [previous, new_hash, event.sequence])
            previous = new_hash
    problem = verify().problem
    assert (problem.kind, problem.sequence) == ("bad-checkpoint", signed)


def test_a_checkpoint_signed_with_another_key_is_not_trusted(cast):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from circlekeep.audit import chain

    checkpoint = checkpoint_now()
    other = Ed25519PrivateKey.generate()
    message = chain._message(checkpoint.sequence, checkpoint.hash)
    import base64

    with tampering():
        sql("UPDATE audit_auditcheckpoint SET signature = %s, public_key = %s "
            "WHERE sequence = %s",
            [base64.b64encode(other.sign(message)).decode(),
             base64.b64encode(other.public_key().public_bytes_raw()).decode(),
             checkpoint.sequence])
    assert verify().problem.kind == "bad-checkpoint"


def test_the_verify_command_reports_speed_and_exits_non_zero_on_tampering(cast):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "The audit trail is intact." in out.getvalue() and "events/s" in out.getvalue()
    with tampering():
        rewrite(3, actor_role="admin")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "TAMPERED at #3 (changed)" in err.getvalue()


def test_audit_rows_cannot_be_updated_deleted_or_truncated_on_postgresql(cast):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only triggers are PostgreSQL's; SQLite is the trial database")
    from django.db import DatabaseError

    checkpoint_now()  # a row for the checkpoint table's trigger to protect
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # settle the test transaction's deferred checks
    for statement in ("UPDATE audit_auditevent SET reason = 'x' WHERE sequence = 1",
                      "DELETE FROM audit_auditevent WHERE sequence = 1",
                      "TRUNCATE audit_auditevent CASCADE",
                      "DELETE FROM audit_auditcheckpoint"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql(statement)
    assert AuditEvent.objects.filter(sequence=1).exists()
