"""What an attacker with write access to the database (and neither the signing key nor the
witness) does, for the tampering tests."""

from contextlib import contextmanager

from django.db import connection

from circlekeep.accounts.actions import do_record_sign_in
from circlekeep.audit.chain import CANONICAL_COLUMNS, canonical, chain_hash
from circlekeep.audit.models import AuditEvent, AuditHead


@contextmanager
def tampering():
    """Act as an attacker with direct database access (past PostgreSQL's triggers)."""
    if connection.vendor == "postgresql":
        sql("SET session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            sql("SET session_replication_role = DEFAULT")


@contextmanager
def record_rule_suspended():
    """Change columns without the database holding them to the record: SQLite's pragma
    skips CHECK constraints; on PostgreSQL the rule is dropped."""
    from circlekeep.audit.chain import RECORD_CONSTRAINT

    with tampering():
        if connection.vendor == "postgresql":
            sql("SET CONSTRAINTS ALL IMMEDIATE")
            sql(f"ALTER TABLE audit_auditevent DROP CONSTRAINT {RECORD_CONSTRAINT}")
            yield
            return
        sql("PRAGMA ignore_check_constraints = 1")
        try:
            yield
        finally:
            sql("PRAGMA ignore_check_constraints = 0")


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rewrite(at, **changes):
    """Change columns and rewrite the record to match, so that the database's own rule
    is satisfied."""
    row = AuditEvent.objects.filter(sequence=at).values(*CANONICAL_COLUMNS).get()
    row.update(changes)
    record = canonical([row[c] for c in CANONICAL_COLUMNS])
    assignments = ", ".join(f"{column} = %s" for column in changes)
    sql(f"UPDATE audit_auditevent SET {assignments}, record = %s WHERE sequence = %s",
        [*changes.values(), record, at])


def rechain(start):
    """Recompute every hash from ``start`` on, and the head, as a rewrite needs."""
    previous = AuditEvent.objects.get(sequence=start - 1).hash if start > 1 else "0" * 64
    before = previous
    for event in AuditEvent.objects.filter(sequence__gte=start).order_by("sequence"):
        new_hash = chain_hash(previous, canonical(
            [getattr(event, column) for column in CANONICAL_COLUMNS]))
        sql("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE sequence = %s",
            [previous, new_hash, event.sequence])
        before, previous = previous, new_hash
    end = AuditEvent.objects.order_by("-sequence").first()
    sql("UPDATE audit_audithead SET sequence = %s, hash = %s, prev_hash = %s WHERE id = 1",
        [end.sequence, previous, before])


def truncate(keep):
    """Delete every event after ``keep`` and every checkpoint signing one, and move the
    head back, so that the trail looks whole."""
    sql("DELETE FROM audit_auditevent WHERE sequence > %s", [keep])
    sql("DELETE FROM audit_auditcheckpoint WHERE sequence > %s", [keep])
    kept = AuditEvent.objects.get(sequence=keep)
    sql("UPDATE audit_audithead SET sequence = %s, hash = %s, prev_hash = %s WHERE id = 1",
        [keep, kept.hash, kept.prev_hash])


def events(n, user):
    for _ in range(n):
        do_record_sign_in(user)


def last():
    return AuditHead.objects.get(pk=1).sequence
