"""Recompute the audit trail and say where and how it was tampered with, if it was.

Three kinds of evidence are held against each other:

- the events: each record is hashed onto the hash before it (content and link in one
  comparison), and in the same pass the database compares each event's columns with its
  record, so that a column changed behind the CHECK constraint's back is found;
- the signed checkpoints: a chain of their own, each signing the one before it and
  promising the next by a sequence and a time; a checkpoint missing from the middle, or
  events past a promise with no checkpoint after them, mean checkpoints were deleted;
- the witness file outside the database: every signed head in it must still be in the
  trail, with the same hash; a head past the trail's end means the tail was cut off.

Only the newest checkpoint of each unbroken run has its signature checked: the digests
chain the others to it. Checkpoints and witness lines are read in pages alongside the
events, so memory does not grow with the trail. Only when something is wrong are the
events around it loaded to tell what happened.
"""

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime

from circlekeep.audit.chain import (
    CANONICAL_COLUMNS,
    GENESIS,
    RECORD_CONSTRAINT,
    canonical,
    canonical_sql,
    chain_hash,
    changed_columns,
    checkpoint_digest,
    checkpoint_message,
    columns_match_sql,
    message_signature_is_valid,
    signature_is_valid,
)

NEVER = 2**63 - 1  # past any sequence or time; an int, so comparisons stay cheap
# Which problem is named first when there are several: the most telling.
KINDS = ("deleted", "inserted", "reordered", "truncated", "changed", "bad-checkpoint",
         "rewritten", "missing-checkpoints", "held", "rule-removed")


@dataclass
class Problem:
    sequence: int
    # deleted, inserted, reordered, truncated, changed, bad-checkpoint, rewritten,
    # missing-checkpoints, rule-removed
    kind: str
    message: str


@dataclass
class Result:
    events: int = 0
    checkpoints: int = 0
    unsigned_tail: int = 0
    witnessed: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)
    # What could not be checked or needs attention without being tampering.
    notes: list = field(default_factory=list)

    @property
    def problem(self):
        return self.problems[0] if self.problems else None

    @property
    def ok(self):
        return not self.problems

    @property
    def events_per_second(self):
        return self.events / self.seconds if self.seconds else 0.0

    def add(self, sequence, kind, message):
        self.problems.append(Problem(sequence, kind, message))


WALK_SQL = ("SELECT sequence, hash, record, at_us, {match} FROM audit_auditevent "
            "WHERE sequence > %s ORDER BY sequence LIMIT %s")
PAGE = 10000


class _Checkpoint:
    """One checkpoint row as verify reads it (lighter than a model instance)."""

    FIELDS = ("sequence", "hash", "signature", "public_key", "created_at", "previous",
              "previous_digest", "due_sequence", "due_us")
    __slots__ = FIELDS

    def __init__(self, row):
        for name, value in zip(self.FIELDS, row, strict=True):
            setattr(self, name, value)

    @property
    def chained(self):
        return self.previous is not None

    def message(self):
        from circlekeep.audit.models import to_microseconds

        moment = self.created_at
        if isinstance(moment, str):  # SQLite's text, read without the ORM
            moment = parse_datetime(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return checkpoint_message(
            sequence=self.sequence, event_hash=self.hash, previous=self.previous,
            previous_digest=self.previous_digest, due_sequence=self.due_sequence,
            due_us=self.due_us, at_us=to_microseconds(moment))

    def digest(self):
        return checkpoint_digest(self.message()) if self.chained else ""

    def signed_by(self, trusted):
        if self.public_key not in trusted:
            return False
        if not self.chained:
            return signature_is_valid(self.sequence, self.hash, self.signature,
                                      self.public_key)
        return message_signature_is_valid(self.message(), self.signature, self.public_key)

    def promise(self):
        """(due sequence, due time) of the next checkpoint. Before checkpoints were
        chained, one was made every AUDIT_CHECKPOINT_EVERY events, and none by time."""
        if not self.chained:
            return self.sequence + settings.AUDIT_CHECKPOINT_EVERY, NEVER
        return self.due_sequence, self.due_us


# Assembled from this module's constants only; every value is a query parameter.
CHECKPOINTS_SQL = (f"SELECT {', '.join(_Checkpoint.FIELDS)} FROM audit_auditcheckpoint "  # noqa: S608
                   "WHERE sequence {} %s ORDER BY sequence {} LIMIT %s")


def _query(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _checkpoints(*, newest_first=False):
    """Every checkpoint, read a page at a time (plain SQL: verify runs these often)."""
    sql = CHECKPOINTS_SQL.format(*(("<", "DESC") if newest_first else (">", "ASC")))
    bound = NEVER if newest_first else -NEVER
    while True:
        page = [_Checkpoint(row) for row in _query(sql, [bound, PAGE])]
        yield from page
        if len(page) < PAGE:
            return
        bound = page[-1].sequence


@dataclass
class _Walk:
    events: int = 0
    bad: int | None = None  # the first event that does not follow the one before
    last_seq: int = 0
    last_hash: str = GENESIS
    last_signed: int = 0
    changed: list = field(default_factory=list)  # events whose columns left their record
    unmatched: int | None = None  # the first checkpoint whose hash is not the event's
    gap: tuple | None = None  # (checkpoint before, the one after, event, by count, due)


def _walk(batch, progress):
    """One pass over the events in order, with the checkpoints beside them.

    Each event's record is hashed onto the hash computed for the event before it, so one
    comparison checks its content and its link at once; the database says whether the
    columns still match the record. Each checkpoint must sign its event's hash, and every
    event after it, up to the next checkpoint, must lie within its promise.
    """
    sha256 = hashlib.sha256
    walk = _Walk()
    last_seq, last_hash, count, changed, gap_open = 0, GENESIS, 0, walk.changed, True
    signed_at = iter(_checkpoints())
    following = next(signed_at, None)
    next_signed = following.sequence if following is not None else NEVER
    signed, due_sequence, due_us = 0, settings.AUDIT_CHECKPOINT_EVERY, NEVER
    query = WALK_SQL.format(match=columns_match_sql(connection.vendor))
    with connection.cursor() as cursor:
        while walk.bad is None:
            cursor.execute(query, [last_seq, batch])
            rows = cursor.fetchall()
            if not rows:
                break
            for seq, digest, record, at_us, same in rows:
                if (seq != last_seq + 1
                        or sha256(f"{last_hash}\n{record}".encode()).hexdigest() != digest):
                    walk.bad = seq
                    break
                if not same:
                    changed.append(seq)
                if seq == next_signed:
                    if following.hash == digest:
                        walk.last_signed = seq
                    elif walk.unmatched is None:
                        walk.unmatched = seq
                    signed, (due_sequence, due_us) = seq, following.promise()
                    following = next(signed_at, None)
                    next_signed = following.sequence if following is not None else NEVER
                elif gap_open and (seq >= due_sequence or at_us >= due_us):
                    walk.gap = (signed, next_signed, seq, seq >= due_sequence, due_sequence)
                    gap_open = False
                last_seq, last_hash = seq, digest
            else:
                count += len(rows)
                if progress:
                    progress(count)
    walk.events, walk.last_seq, walk.last_hash = count, last_seq, last_hash
    return walk


def _hashes_at(sequences):
    from circlekeep.audit.models import AuditEvent

    wanted, found = sorted(sequences), {}
    for start in range(0, len(wanted), 500):
        found.update(AuditEvent.objects.filter(sequence__in=wanted[start:start + 500])
                     .values_list("sequence", "hash"))
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
    from circlekeep.audit.chain import public_key_text

    return {public_key_text(), *settings.AUDIT_RETIRED_PUBLIC_KEYS}


def _check_checkpoints(result, trusted):
    """Hold the checkpoints to their own chain, newest first: a checkpoint the next one
    links to (by sequence and digest) is vouched for by that one's signature; where the
    links break, something is missing or was changed, and the older checkpoint has to
    stand on its own signature."""
    later, vouched = None, False
    for checkpoint in _checkpoints(newest_first=True):
        linked = False
        if later is not None and later.chained:
            linked = (checkpoint.sequence == later.previous
                      and checkpoint.digest() == later.previous_digest)
            if not linked and later.previous > checkpoint.sequence:
                result.add(checkpoint.sequence, "missing-checkpoints",
                           f"checkpoints missing between #{checkpoint.sequence} and "
                           f"#{later.sequence}")
            elif not linked:
                result.add(later.sequence, "bad-checkpoint",
                           f"the checkpoint at #{later.sequence} does not follow the one at "
                           f"#{checkpoint.sequence}")
        elif later is not None and checkpoint.chained:
            result.add(later.sequence, "bad-checkpoint",
                       f"the checkpoint at #{later.sequence} is not part of the signed "
                       "sequence of checkpoints")
        if not (linked and vouched and checkpoint.chained):
            vouched = checkpoint.signed_by(trusted)
            if not vouched:
                result.add(checkpoint.sequence, "bad-checkpoint",
                           f"the signed checkpoint at #{checkpoint.sequence} is not validly "
                           "signed: it was forged or changed")
        result.checkpoints += vouched
        later = checkpoint
    if later is not None and later.chained and (later.previous, later.previous_digest) != (
            0, ""):
        result.add(0, "missing-checkpoints",
                   f"checkpoints missing between #0 and #{later.sequence}")


def _read_witness(result, trusted):
    """Compare the witness file with the checkpoints, a page of lines at a time. Returns
    the newest head the database's checkpoints account for, and the validly signed heads
    they do not, as {sequence: entry}; (None, {}) when there is no file to read."""
    from circlekeep.audit import witness

    kinds = witness.configured()
    if "file" not in kinds:
        result.notes.append(
            "No witness is configured: the database was checked on its own." if not kinds
            else f"The witness ({', '.join(kinds)}) cannot be read back from here: the "
            "database was checked on its own; compare the newest signed heads there by hand.")
        return None, {}
    newest, unaccounted, page, unsigned, unreadable = 0, {}, [], [], []

    def settle(page):
        nonlocal newest
        sequences = [sequence for _n, sequence, _d, _e in page]
        placeholders = ", ".join(["%s"] * len(sequences))  # only placeholders; values are params
        held = {c.sequence: c for c in map(_Checkpoint, _query(
            f"SELECT {', '.join(_Checkpoint.FIELDS)} FROM audit_auditcheckpoint "  # noqa: S608
            f"WHERE sequence IN ({placeholders})", sequences))}
        for number, sequence, digest, entry in page:
            if sequence in held and held[sequence].digest() == digest:
                newest = max(newest, sequence)
            elif entry["public_key"] in trusted and message_signature_is_valid(
                    entry["message"], entry["signature"], entry["public_key"]):
                unaccounted.setdefault(sequence, entry)
            else:
                unsigned.append(number)

    try:
        for number, entry in witness.read_file():
            try:
                entry["message"] = checkpoint_message(
                    sequence=int(entry["sequence"]), event_hash=entry["hash"],
                    previous=entry["previous"], previous_digest=entry["previous_digest"],
                    due_sequence=entry["due_sequence"], due_us=entry["due_us"],
                    at_us=entry["at_us"])
                entry["sequence"] = int(entry["sequence"])
                if not all(isinstance(entry[k], str) for k in ("signature", "public_key")):
                    raise TypeError
            except (KeyError, TypeError, ValueError):
                unreadable.append(number)
                continue
            result.witnessed += 1
            page.append((number, entry["sequence"], checkpoint_digest(entry["message"]), entry))
            if len(page) == 1000:
                settle(page)
                page = []
    except OSError as error:
        result.notes.append(f"The witness file cannot be read ({type(error).__name__}): the "
                            "database was checked on its own.")
        return None, {}
    if page:
        settle(page)
    for numbers, what in ((unreadable, "not signed heads"), (unsigned, "not validly signed")):
        if numbers:
            result.notes.append(f"{len(numbers)} line(s) of the witness file (the first is line "
                                f"{numbers[0]}) are {what}; they were skipped.")
    return newest, unaccounted


def _hold_to_witness(result, walk, unaccounted, truncations):
    """Heads the witness holds and the database does not account for: past the trail's
    end, with another hash than the trail's, or whose checkpoint is gone."""
    if not unaccounted:
        return
    newest = max(unaccounted)
    if newest > walk.last_seq:
        truncations.append(Problem(
            newest, "truncated", f"the trail was truncated: the witness saw #{newest} (hash "
            f"{unaccounted[newest]['hash'][:16]}…) but the database ends at #{walk.last_seq}"))
    within = sorted(s for s in unaccounted if s <= walk.last_seq)
    hashes = _hashes_at(within)
    rewritten = [s for s in within if hashes.get(s) != unaccounted[s]["hash"]]
    if rewritten:
        first = rewritten[0]
        result.add(first, "rewritten",
                   f"history was rewritten: the witness saw #{first} with hash "
                   f"{unaccounted[first]['hash'][:16]}…, the database has "
                   f"{hashes.get(first, '')[:16]}…")
    deleted = [s for s in within if s not in rewritten]
    if deleted:
        more = f" (and {len(deleted) - 1} more)" if len(deleted) > 1 else ""
        result.add(deleted[0], "missing-checkpoints",
                   f"checkpoints missing: the witness saw #{deleted[0]}, which the database "
                   f"no longer has{more}")


def _summarized(problems, shown=5):
    """At most ``shown`` problems of each kind (a wrong key would otherwise name every
    checkpoint); the last one shown says how many more there are."""
    kept, counts = [], {}
    for problem in problems:
        counts[problem.kind] = counts.get(problem.kind, 0) + 1
        if counts[problem.kind] <= shown:
            kept.append(problem)
    for problem in kept:
        more = counts[problem.kind] - shown
        if more > 0 and problem is [p for p in kept if p.kind == problem.kind][-1]:
            problem.message += f" (and {more} more like it)"
    return kept


def _check_held(result):
    """Anonymous events held until their day is over live outside the chain: each is
    signed, and a signed tally counts them, so that one planted or removed by someone
    holding only the database shows."""
    from circlekeep.audit.models import AuditEvent
    from circlekeep.audit.recording import held_accounting

    total, accounted, forged = held_accounting()
    if forged:
        result.add(0, "held", f"{len(forged)} held anonymous event(s) carry no valid "
                   "signature: they were planted in the database and will not be released")
    if total is None and accounted:
        result.add(0, "held", "the signed tally of held anonymous events is missing or "
                   "forged: held events may have been removed")
    elif total is not None and total > accounted:
        result.add(0, "held", f"{total - accounted} held anonymous event(s) were removed "
                   "before their release")
    for event in AuditEvent.objects.filter(event_type__in=(
            "audit.held.rejected", "audit.held.missing")).order_by("sequence"):
        what = "refused as forged" if event.event_type == "audit.held.rejected" else "missing"
        result.add(event.sequence, "held", f"event #{event.sequence}: "
                   f"{event.data.get('rows', '?')} held anonymous event(s) were {what} at "
                   "their release")


def verify(*, batch=50000, progress=None) -> Result:
    """Recompute every hash, compare every event's columns with its record, and hold the
    checkpoints to their own chain and the trail to the witness. ``progress(n)`` is called
    as events are checked."""
    from circlekeep.audit.models import AuditEvent

    result = Result()
    started = time.perf_counter()
    rule_removed = not record_rule_in_force()
    trusted = trusted_public_keys()
    _check_checkpoints(result, trusted)
    witnessed_up_to, unaccounted = _read_witness(result, trusted)
    walk = _walk(batch, progress)
    result.events = walk.events
    if walk.bad is not None:
        result.problems = [_diagnose(walk.bad)]
    else:
        truncations = []
        _hold_to_witness(result, walk, unaccounted, truncations)
        [(beyond,)] = _query("SELECT MAX(sequence) FROM audit_auditcheckpoint")
        if beyond is not None and beyond > walk.last_seq:
            truncations.append(Problem(
                beyond, "truncated", f"the trail was truncated: a checkpoint signs #{beyond} "
                f"but the database ends at #{walk.last_seq}"))
        if walk.unmatched is not None:
            result.add(walk.unmatched, "bad-checkpoint",
                       f"the signed checkpoint at #{walk.unmatched} does not match the trail: "
                       "history up to here was rewritten")
        result.unsigned_tail = walk.last_seq - walk.last_signed
        if walk.changed:
            first = AuditEvent.objects.filter(sequence=walk.changed[0]).values(
                *CANONICAL_COLUMNS, "record").get()
            columns = changed_columns([first[c] for c in CANONICAL_COLUMNS], first["record"])
            more = f"; {len(walk.changed)} events in all" if len(walk.changed) > 1 else ""
            result.add(walk.changed[0], "changed",
                       f"event #{walk.changed[0]}'s columns {', '.join(columns)} differ from "
                       f"its record (changed after it was written){more}")
        if walk.gap is not None:
            signed, following, event, by_count, due_sequence = walk.gap
            end = following if following != NEVER else walk.last_seq
            why = (f"one was due by #{due_sequence}" if by_count else
                   f"#{event} was written after the signature at #{signed} ran out")
            named = f"checkpoints missing between #{signed} and #{end}"
            if not any(p.message == named for p in result.problems):
                result.add(signed, "missing-checkpoints", f"{named}: {why}")
        [head] = _query("SELECT sequence, hash FROM audit_audithead WHERE id = 1") or [
            (0, GENESIS)]
        if head[0] > walk.last_seq:
            truncations.append(Problem(
                head[0], "truncated", f"the trail was truncated: its head says #{head[0]} but "
                f"the database ends at #{walk.last_seq}"))
        elif head != (walk.last_seq, walk.last_hash):
            result.add(head[0], "rewritten",
                       f"the trail's head does not match its last event #{walk.last_seq}: "
                       "the end of the trail was rewritten")
        # One truncation is enough to name: the witness's, else a checkpoint's, else the
        # head's.
        result.problems += truncations[:1]
        if witnessed_up_to is not None:
            [(unseen,)] = _query("SELECT COUNT(*) FROM audit_auditcheckpoint WHERE sequence > %s "
                                 "AND previous IS NOT NULL", [witnessed_up_to])
            if unseen:
                result.notes.append(
                    f"The witness file has not seen the newest {unseen} signed "
                    f"head(s), after #{witnessed_up_to}: publishing failed or was off; the "
                    "trail after the last witnessed head rests on the database alone.")
    _check_held(result)
    if rule_removed:
        result.add(0, "rule-removed",
                   "the database rule that ties each event's record to its columns was "
                   "removed: restore it before trusting the trail")
    result.problems = _summarized(sorted(result.problems,
                                         key=lambda p: (KINDS.index(p.kind), p.sequence)))
    if progress:
        progress(result.events)
    result.seconds = time.perf_counter() - started
    return result


def latest_signed_head():
    """The newest checkpoint as members are shown it, with whether its signature holds
    under a key kept outside the database; None before anything was signed."""
    from circlekeep.audit.models import AuditCheckpoint

    checkpoint = AuditCheckpoint.objects.order_by("-sequence").first()
    if checkpoint is None:
        return None
    return {
        "sequence": checkpoint.sequence, "hash": checkpoint.hash,
        "signed_at": checkpoint.created_at, "signature": checkpoint.signature,
        "public_key": checkpoint.public_key,
        "signature_valid": (checkpoint.public_key in trusted_public_keys()
                            and checkpoint.signature_ok()),
    }


def event_hash_at(sequence):
    """The hash of the event at ``sequence``, or None if the trail has no such event."""
    from circlekeep.audit.models import AuditEvent

    return AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
