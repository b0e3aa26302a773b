"""Recompute the audit trail and say where and how it was tampered with, if it was."""

import time
from dataclasses import dataclass, field

from django.db import connection

from circlekeep.audit.chain import GENESIS, canonical, chain_hash, signature_is_valid

COLUMNS = ("sequence", "created_at", "actor__public_id", "actor_role", "event_type",
           "target_type", "target_id", "organization__public_id", "circle__public_id",
           "subject__public_id", "reason", "data", "request_id", "prev_hash", "hash")


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


def _canonical_of(row, sequence=None):
    (seq, created_at, actor, role, event_type, target_type, target_id, org, circle,
     subject, reason, data, request_id, _prev, _hash) = row
    return canonical(
        sequence=seq if sequence is None else sequence, created_at=created_at,
        actor=_text(actor), actor_role=role, event_type=event_type, target_type=target_type,
        target_id=target_id, organization=_text(org), circle=_text(circle),
        subject=_text(subject), reason=reason, data=data, request_id=request_id,
    )


def _text(value):
    return None if value is None else str(value)


def _content_ok(row, sequence=None):
    return chain_hash(row[13], _canonical_of(row, sequence)) == row[14]


def _rows(batch):
    from circlekeep.audit.models import AuditEvent

    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence")
                     .values_list(*COLUMNS)[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][0]


def _diagnose(previous, row, following):
    """What happened at ``row``, the first event that does not fit after ``previous``."""
    seq = row[0]
    expected = previous[0] + 1 if previous else 1
    previous_hash = previous[14] if previous else GENESIS
    if seq != expected:
        missing = f"#{expected}" if seq == expected + 1 else f"#{expected}–#{seq - 1}"
        return Problem(seq, "deleted", f"event {missing} is missing: deleted before #{seq}")
    if not _content_ok(row):
        if following is not None and _content_ok(row, following[0]) and _content_ok(
                following, seq):
            return Problem(seq, "reordered",
                           f"events #{seq} and #{following[0]} have swapped places")
        if _content_ok(row, seq - 1):
            return Problem(seq - 1, "inserted",
                           f"event #{seq - 1} was inserted: the events after it were "
                           "renumbered to make room")
        if _content_ok(row, seq + 1):
            return Problem(seq, "deleted",
                           f"an event before #{seq} was deleted and later events renumbered")
        return Problem(seq, "changed", f"event #{seq} was changed after it was written")
    if row[13] != previous_hash:
        if following is not None and following[13] == previous_hash:
            return Problem(seq, "inserted",
                           f"event #{seq} was inserted: the next event links past it")
        if following is not None and row[13] == following[14]:
            return Problem(seq, "reordered", f"event #{seq} comes before an event it follows")
        return Problem(seq, "changed",
                       f"event #{seq} does not follow #{seq - 1}: the chain was rewritten here")
    return None


def verify(*, batch=2000, progress=None) -> Result:
    """Recompute every hash, link and checkpoint signature. ``progress(n)`` is called as
    events are checked."""
    from circlekeep.audit.models import AuditCheckpoint, AuditHead

    result = Result()
    started = time.perf_counter()
    checkpoints = {c.sequence: c for c in AuditCheckpoint.objects.all()}
    previous = None
    pending = None  # a row held back until the one after it is known
    last_signed = 0
    rows = _rows(batch)
    with connection.cursor():  # one connection for the whole walk
        for row in rows:
            if pending is not None:
                problem = _check(previous, pending, row, checkpoints)
                if problem:
                    result.problem = problem
                    break
                previous = pending
                result.events += 1
                if previous[0] in checkpoints:
                    result.checkpoints += 1
                    last_signed = previous[0]
                if progress and result.events % batch == 0:
                    progress(result.events)
            pending = row
        else:
            if pending is not None:
                problem = _check(previous, pending, None, checkpoints)
                if problem:
                    result.problem = problem
                else:
                    previous = pending
                    result.events += 1
                    if previous[0] in checkpoints:
                        result.checkpoints += 1
                        last_signed = previous[0]
    if result.ok:
        head = AuditHead.objects.filter(pk=1).first() or AuditHead(sequence=0, hash=GENESIS)
        last_seq, last_hash = (previous[0], previous[14]) if previous else (0, GENESIS)
        if (head.sequence, head.hash) != (last_seq, last_hash):
            result.problem = Problem(head.sequence, "deleted",
                                     f"the trail ends at #{last_seq} but its head says "
                                     f"#{head.sequence}: events at the end were deleted")
        stray = [s for s in checkpoints if s > last_seq]
        if result.ok and stray:
            result.problem = Problem(stray[0], "deleted",
                                     f"a checkpoint signs #{stray[0]}, which no longer exists")
        result.unsigned_tail = last_seq - last_signed
    if progress:
        progress(result.events)
    result.seconds = time.perf_counter() - started
    return result


def trusted_public_keys():
    """Keys held outside the database: the current signing key's and retired ones'."""
    from django.conf import settings

    from circlekeep.audit.chain import public_key_text

    return {public_key_text(), *settings.AUDIT_RETIRED_PUBLIC_KEYS}


def _check(previous, row, following, checkpoints):
    problem = _diagnose(previous, row, following)
    if problem:
        return problem
    checkpoint = checkpoints.get(row[0])
    if checkpoint is not None and not (
            checkpoint.public_key in trusted_public_keys() and
            checkpoint.hash == row[14] and signature_is_valid(
                checkpoint.sequence, checkpoint.hash, checkpoint.signature,
                checkpoint.public_key)):
        return Problem(row[0], "bad-checkpoint",
                       f"the signed checkpoint at #{row[0]} does not match the trail: "
                       "history up to here was rewritten")
    return None
