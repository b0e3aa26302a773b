"""Recompute the audit trail and say where and how it was tampered with, if it was.

Each event's record is the canonical text its hash covers, and the database refuses a
record that does not match the event's own columns (models.RECORD_CONSTRAINT), so the walk
reads only sequences, hashes and records. Only when something is wrong are the events
around it loaded to tell what happened.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.db import connection

from circlekeep.audit.chain import (
    CANONICAL_COLUMNS,
    GENESIS,
    RECORD_CONSTRAINT,
    canonical,
    canonical_sql,
    chain_hash,
    signature_is_valid,
)


@dataclass
class Problem:
    sequence: int
    kind: str  # changed, deleted, inserted, reordered, bad-checkpoint
    message: str


@dataclass
class Result:
    events: int = 0
    checkpoints: int = 0
    unsigned_tail: int = 0
    seconds: float = 0.0
    problem: Problem | None = None
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return self.problem is None

    @property
    def events_per_second(self):
        return self.events / self.seconds if self.seconds else 0.0


WALK_SQL = ("SELECT sequence, hash, record FROM audit_auditevent WHERE sequence > %s "
            "ORDER BY sequence LIMIT %s")


def _walk(batch, checkpoint_sequences, progress):
    """(events checked, first bad sequence or None, hashes at checkpoints, last, its hash)

    Each event's record is hashed onto the hash computed for the event before it, so one
    comparison checks its content and its link at once; the stored prev_hash is only
    read to explain a failure. This reads one column more than a bare chain does.
    """
    sha256 = hashlib.sha256
    last_seq, last_hash, count = 0, GENESIS, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(WALK_SQL, [last_seq, batch])
            rows = cursor.fetchall()
            if not rows:
                return count, None, _hashes_at(cursor, checkpoint_sequences), last_seq, \
                    last_hash
            for seq, digest, record in rows:
                if (seq != last_seq + 1
                        or sha256(f"{last_hash}\n{record}".encode()).hexdigest() != digest):
                    return count, seq, _hashes_at(cursor, checkpoint_sequences), last_seq, \
                        last_hash
                last_seq, last_hash = seq, digest
            count += len(rows)
            if progress:
                progress(count)


def _hashes_at(cursor, sequences):
    if not sequences:
        return {}
    wanted = sorted(sequences)
    found = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        placeholders = ", ".join(["%s"] * len(part))  # only placeholders; values are params
        cursor.execute("SELECT sequence, hash FROM audit_auditevent "  # noqa: S608
                       f"WHERE sequence IN ({placeholders})", part)
        found.update(cursor.fetchall())
    return found


def record_rule_in_force() -> bool:
    """Whether the database still ties each record to its columns (RECORD_CONSTRAINT),
    with the expression it was given."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT convalidated, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conname = %s AND conrelid = 'audit_auditevent'::regclass",
                           [RECORD_CONSTRAINT])
            row = cursor.fetchone()
            return bool(row and row[0] and all(c in row[1] for c in CANONICAL_COLUMNS))
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND "
                       "name = 'audit_auditevent'")
        row = cursor.fetchone()
        return bool(row and f'CONSTRAINT "{RECORD_CONSTRAINT}" CHECK' in row[0]
                    and canonical_sql() in row[0])


class _Row:
    __slots__ = ("hash", "prev", "seq", "values")

    def __init__(self, event):
        self.seq, self.prev, self.hash = event["sequence"], event["prev_hash"], event["hash"]
        self.values = [event[c] for c in CANONICAL_COLUMNS]

    def content_ok(self, sequence=None):
        values = list(self.values)
        if sequence is not None:
            values[0] = sequence
        return chain_hash(self.prev, canonical(values)) == self.hash


def _rows_around(sequence):
    from circlekeep.audit.models import AuditEvent

    fields = sorted(set(CANONICAL_COLUMNS) | {"prev_hash", "hash"})
    before = (AuditEvent.objects.filter(sequence__lt=sequence).order_by("-sequence")
              .values(*fields)[:2])
    after = (AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence")
             .values(*fields)[:2])
    return [_Row(e) for e in reversed(list(before))], [_Row(e) for e in after]


def _diagnose(sequence):
    """What happened at the first event that does not fit after the one before it."""
    before, after = _rows_around(sequence)
    previous = before[-1] if before else None
    row = after[0]
    following = after[1] if len(after) > 1 else None
    seq = row.seq
    expected = previous.seq + 1 if previous else 1
    previous_hash = previous.hash if previous else GENESIS
    if seq != expected:
        missing = f"#{expected}" if seq == expected + 1 else f"#{expected}–#{seq - 1}"
        return Problem(seq, "deleted", f"event {missing} is missing: deleted before #{seq}")
    if not row.content_ok():
        if following is not None and row.content_ok(following.seq) and following.content_ok(
                seq):
            return Problem(seq, "reordered",
                           f"events #{seq} and #{following.seq} have swapped places")
        if row.content_ok(seq - 1):
            return Problem(seq - 1, "inserted",
                           f"event #{seq - 1} was inserted: the events after it were "
                           "renumbered to make room")
        if row.content_ok(seq + 1):
            return Problem(seq, "deleted",
                           f"an event before #{seq} was deleted and later events renumbered")
        return Problem(seq, "changed", f"event #{seq} was changed after it was written")
    if row.prev != previous_hash:
        if following is not None and following.prev == previous_hash:
            return Problem(seq, "inserted",
                           f"event #{seq} was inserted: the next event links past it")
        if following is not None and row.prev == following.hash:
            return Problem(seq, "reordered", f"event #{seq} comes before an event it follows")
        return Problem(seq, "changed",
                       f"event #{seq} does not follow #{seq - 1}: the chain was rewritten here")
    # The event itself is sound, so the one before it was the odd one out.
    if previous is not None and len(before) > 1:
        return _diagnose(previous.seq)
    return Problem(seq, "changed", f"event #{seq} does not fit the chain")


def trusted_public_keys():
    """Keys held outside the database: the current signing key's and retired ones'."""
    from django.conf import settings

    from circlekeep.audit.chain import public_key_text

    return {public_key_text(), *settings.AUDIT_RETIRED_PUBLIC_KEYS}


def verify(*, batch=50000, progress=None) -> Result:
    """Recompute every hash, link and checkpoint signature. ``progress(n)`` is called as
    events are checked."""
    from circlekeep.audit.models import AuditCheckpoint, AuditHead

    result = Result()
    started = time.perf_counter()
    if not record_rule_in_force():
        result.problem = Problem(0, "changed", "the database rule that ties each event's "
                                 "record to its columns was removed: events may have been "
                                 "changed without trace; restore it before trusting the trail")
        result.seconds = time.perf_counter() - started
        return result
    checkpoints = {c.sequence: c for c in AuditCheckpoint.objects.all()}
    count, bad, signed, last_seq, last_hash = _walk(batch, set(checkpoints), progress)
    result.events = count
    if bad is not None:
        result.problem = _diagnose(bad)
    else:
        trusted = trusted_public_keys()
        last_signed = 0
        for sequence in sorted(checkpoints):
            checkpoint = checkpoints[sequence]
            if sequence > last_seq:
                result.problem = Problem(sequence, "deleted", f"a checkpoint signs #{sequence}, "
                                         "which no longer exists")
                break
            if not (checkpoint.public_key in trusted and checkpoint.hash == signed.get(sequence)
                    and signature_is_valid(sequence, checkpoint.hash, checkpoint.signature,
                                           checkpoint.public_key)):
                result.problem = Problem(sequence, "bad-checkpoint",
                                         f"the signed checkpoint at #{sequence} does not match "
                                         "the trail: history up to here was rewritten")
                break
            result.checkpoints += 1
            last_signed = sequence
        if result.ok:
            head = AuditHead.objects.filter(pk=1).first() or AuditHead(sequence=0, hash=GENESIS)
            if (head.sequence, head.hash) != (last_seq, last_hash):
                result.problem = Problem(head.sequence, "deleted",
                                         f"the trail ends at #{last_seq} but its head says "
                                         f"#{head.sequence}: events at the end were deleted")
        result.unsigned_tail = last_seq - last_signed
    if progress:
        progress(result.events)
    result.seconds = time.perf_counter() - started
    return result
