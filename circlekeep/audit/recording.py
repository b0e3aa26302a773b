"""The one audit writer."""

import json
import secrets
from datetime import UTC, datetime, time
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from circlekeep.audit.chain import (
    canonical,
    canonical_data,
    held_message,
    message_signature_is_valid,
    public_key_text,
    sign_message,
    tally_message,
)
from circlekeep.audit.events import ANONYMOUS_EVENT_TYPES, EVENT_TYPES
from circlekeep.audit.hooks import ROLE_LABEL
from circlekeep.lib.actions import current_action
from circlekeep.lib.middleware import current_request_id


def _role_of(actor, **where):
    if actor is None:
        return "system"
    if not ROLE_LABEL.handlers:
        return "member"
    return ROLE_LABEL.one(actor, **where)


PROTECTED_DATA_KEYS = {"text", "body", "note", "answer", "question", "password", "code", "token"}

# The head's record of its newest checkpoint and that checkpoint's promise, returned by
# every append so that the append knows, without another query, whether to sign.
_SIGNING = "signed_sequence, signed_digest, sign_due_sequence, sign_due_us"


def _record_sql(sequence_sql):
    """The record's text in SQL: the sequence field, then the rest (a parameter)."""
    return (f"CAST(LENGTH(CAST({sequence_sql} AS TEXT)) AS TEXT) || ':' || "
            f"CAST({sequence_sql} AS TEXT) || '|' || %s")


def _sha256_sql(text_sql, vendor):
    if vendor == "postgresql":
        return f"encode(sha256(convert_to({text_sql}, 'UTF8')), 'hex')"
    return f"ck_sha256({text_sql})"  # registered on each SQLite connection (apps.py)


def _advance_head_sql(vendor):
    """Advance the head and chain the new event's hash in one UPDATE. Every append takes
    this row's lock, so appends queue up; a waiting append is re-evaluated against the
    row its predecessor left (PostgreSQL's read-committed rule), so no hash is stale."""
    newline = "chr(10)" if vendor == "postgresql" else "char(10)"
    record = _record_sql("sequence + 1")
    # Assembled from this module's constants only; every value is a query parameter.
    return (
        "UPDATE audit_audithead SET sequence = sequence + 1, prev_hash = hash, "
        f"hash = {_sha256_sql(f'hash || {newline} || ' + record, vendor)} "
        f"WHERE id = 1 RETURNING sequence, prev_hash, hash, {_SIGNING}"
    )


_COLUMNS = ("sequence, at_us, actor_id, actor_role, event_type, target_type, target_id, "
            "organization_id, circle_id, subject_id, reason, data_json, request_id, record, "
            "prev_hash, hash")
INSERT_EVENT = (f"INSERT INTO audit_auditevent ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, "
                "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
# PostgreSQL appends in one round trip: the head's UPDATE feeds the INSERT. The record's
# CHECK constraint still holds the record to the columns.
APPEND_POSTGRES = (
    f"WITH head AS ({_advance_head_sql('postgresql')}), appended AS ("
    f"INSERT INTO audit_auditevent ({_COLUMNS}) "
    "SELECT sequence, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    f"{_record_sql('sequence')}, prev_hash, hash FROM head) "
    f"SELECT sequence, hash, {_SIGNING} FROM head"
)
ADVANCE_SQLITE = _advance_head_sql("sqlite")
RECORD_SIGNATURE = ("UPDATE audit_audithead SET signed_sequence = %s, signed_digest = %s, "
                    "sign_due_sequence = %s, sign_due_us = %s WHERE id = 1")


def _append(cursor, values):
    """Insert the event; returns (sequence, hash, signed sequence, signed digest, due
    sequence, due time), or None when the trail has no head."""
    rest = canonical(values[1:])
    if cursor.db.vendor == "postgresql":
        cursor.execute(APPEND_POSTGRES, [rest, *values[1:], rest])
        return cursor.fetchone()
    cursor.execute(ADVANCE_SQLITE, [rest])
    row = cursor.fetchone()
    if row is None:
        return None
    sequence, prev_hash, event_hash, *signing = row
    values[0] = sequence
    cursor.execute(INSERT_EVENT, [*values, f"{len(str(sequence))}:{sequence}|{rest}",
                                  prev_hash, event_hash])
    return (sequence, event_hash, *signing)


def _append_and_sign(values):
    """Append one event and, when the newest checkpoint's promise has run out (by
    sequence or by time), sign the new head. Returns the sequence."""
    with connection.cursor() as cursor:
        appended = _append(cursor, values)
        if appended is None:
            _create_genesis_head()
            appended = _append(cursor, values)
    sequence, event_hash, signed_sequence, signed_digest, due_sequence, due_us = appended
    # The event's own time decides, so that an event left unsigned was written before the
    # promise ran out: what verify holds the trail to.
    if sequence >= due_sequence or values[1] >= due_us:
        _sign_head(sequence, event_hash, signed_sequence, signed_digest, timezone.now())
    return sequence


def record(event_type, *, actor, target, organization=None, circle=None, subject=None,
           reason="", data=None, actor_role=None, anonymous=False):
    """Append one audit event inside the caller's transaction; returns its sequence.

    ``data`` holds ids and field names with old/new values, never protected text; keys
    that name protected content are refused so that a slip fails in tests, not in a clinic.
    An ``anonymous`` event names no actor, carries no request id and is not appended yet:
    it is held with nothing but its day (HeldAuditEvent) and joins the trail with the rest
    of its day's, in random order, once the day is over; None is returned for it.
    """
    from circlekeep.audit.models import to_microseconds
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown audit event type {event_type!r}; add it to audit/events.py")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    data = dict(data or {})
    leaked = PROTECTED_DATA_KEYS & set(data)
    if leaked:
        raise ValueError(f"Audit data may not carry protected fields: {sorted(leaked)}")
    if circle is not None and organization is None:
        organization = circle.organization
    if anonymous:
        if actor is not None:
            raise ValueError("An anonymous audit event names no actor")
        actor_role = "anonymous"
    if actor_role is None:
        actor_role = _role_of(actor, organization=organization, circle=circle, subject=subject)
    values = [
        None,  # sequence, from the head
        None if anonymous else to_microseconds(timezone.now()),
        actor.pk if actor is not None else None,
        actor_role,
        event_type,
        target._meta.label_lower if target is not None else "",
        str(getattr(target, "public_id", getattr(target, "pk", ""))) if target else "",
        organization.pk if organization is not None else None,
        circle.pk if circle is not None else None,
        subject.pk if subject is not None else None,
        reason,
        canonical_data(data),
        "" if anonymous else current_request_id(),
    ]
    sequence = _hold(values) if anonymous else _append_and_sign(values)
    context = current_action()
    if context is not None:
        context.events += 1
    return sequence


def _hold(values):
    """Keep an anonymous event back until its day is over, signed, and count it in the
    signed tally (see HeldTally)."""
    from circlekeep.audit.models import HeldAuditEvent, HeldTally

    (_sequence, _at, _actor, _role, event_type, target_type, target_id, organization_id,
     circle_id, subject_id, reason, data_json, _request) = values
    if event_type not in ANONYMOUS_EVENT_TYPES:
        raise ValueError(f"{event_type} cannot be anonymous")
    held = HeldAuditEvent(
        day=timezone.now().astimezone(UTC).date(), event_type=event_type,
        target_type=target_type, target_id=target_id, organization_id=organization_id,
        circle_id=circle_id, subject_id=subject_id, reason=reason, data_json=data_json)
    held.signature = sign_message(held_message(held))
    held.save()
    tally, _created = HeldTally.objects.select_for_update().get_or_create(pk=1)
    tally.total += 1
    tally.signature = sign_message(tally_message(tally.total))
    tally.save(update_fields=["total", "signature"])


def held_accounting():
    """(signed total held, accounted for: released, refused or found missing in the
    trail, plus still held, held rows whose signature fails). The first is None when the
    tally is missing or its signature fails."""
    from circlekeep.audit.models import AuditEvent, HeldAuditEvent, HeldTally

    trusted = {public_key_text(), *settings.AUDIT_RETIRED_PUBLIC_KEYS}
    tally = HeldTally.objects.filter(pk=1).first()
    total = None
    if tally is not None and any(message_signature_is_valid(
            tally_message(tally.total), tally.signature, key) for key in trusted):
        total = tally.total
    accounted = 0
    for data_json in AuditEvent.objects.filter(event_type__in=(
            "audit.held.released", "audit.held.rejected", "audit.held.missing")).values_list(
            "data_json", flat=True):
        accounted += int(json.loads(data_json or "{}").get("rows", 0))
    held = list(HeldAuditEvent.objects.all())
    forged = [h for h in held if not _held_is_genuine(h, trusted)]
    return total, accounted + len(held) - len(forged), forged


def _held_is_genuine(held, trusted):
    return held.event_type in ANONYMOUS_EVENT_TYPES and any(
        message_signature_is_valid(held_message(held), held.signature, key) for key in trusted)


def release_held_events(*, rng=None, today=None):
    """Append every held anonymous event of the days before ``today`` (UTC) to the trail,
    a day after another and shuffled within each day, each at the start of its day (UTC),
    and forget the held rows; all in one transaction. Returns how many were released.

    A held row whose signature fails (planted by someone holding only the database) is
    not released; the trail records how many were refused, and how many held events went
    missing before their release (the signed tally says how many there were).

    ``rng`` is for tests; otherwise the order comes from the operating system's randomness,
    so that nobody can recompute it from anything stored.
    """
    from circlekeep.audit.models import HeldAuditEvent, HeldTally, to_microseconds

    today = today or timezone.now().astimezone(UTC).date()
    trusted = {public_key_text(), *settings.AUDIT_RETIRED_PUBLIC_KEYS}
    with transaction.atomic():
        HeldTally.objects.select_for_update().filter(pk=1).first()
        held = list(HeldAuditEvent.objects.select_for_update().filter(day__lt=today))
        genuine = [h for h in held if _held_is_genuine(h, trusted)]
        forged = len(held) - len(genuine)
        (rng or secrets.SystemRandom()).shuffle(genuine)
        genuine.sort(key=lambda event: event.day)  # day by day; within a day, shuffled
        for event in genuine:
            start_of_day = datetime.combine(event.day, time.min, tzinfo=UTC)
            _append_and_sign([
                None, to_microseconds(start_of_day), None, "anonymous", event.event_type,
                event.target_type, event.target_id, event.organization_id, event.circle_id,
                event.subject_id, event.reason, event.data_json, "",
            ])
        HeldAuditEvent.objects.filter(pk__in=[event.pk for event in held]).delete()
        if genuine:
            _record_system("audit.held.released", {"rows": len(genuine)})
        if forged:
            _record_system("audit.held.rejected", {"rows": forged})
        total, accounted, _forged = held_accounting()
        if total is not None and total > accounted:
            _record_system("audit.held.missing", {"rows": total - accounted})
    return len(genuine)


def _record_system(event_type, data):
    _append_and_sign([
        None, to_microseconds_now(), None, "system", event_type, "", "", None, None, None, "",
        canonical_data(data), "",
    ])


def to_microseconds_now():
    from circlekeep.audit.models import to_microseconds

    return to_microseconds(timezone.now())


def _create_genesis_head():
    """An empty trail starts from the genesis head; a trail with events but no head was
    tampered with, and nothing more is appended to it."""
    from circlekeep.audit.models import AuditEvent, AuditHead

    if AuditEvent.objects.exists():
        raise RuntimeError("The audit trail has lost its head; run `manage.py audit verify` "
                           "before anything else is recorded.")
    AuditHead.objects.create(pk=1)


def _sign_head(sequence, event_hash, previous, previous_digest, now):
    """Sign the event at ``sequence`` as the newest checkpoint, chained to the one before,
    with the promise of the next; record it on the head (whose lock the caller holds);
    and, once the transaction commits, hand it to the witness outside the database."""
    from circlekeep.audit import witness
    from circlekeep.audit.models import AuditCheckpoint, to_microseconds

    at_us = to_microseconds(now)
    checkpoint = AuditCheckpoint(
        sequence=sequence, hash=event_hash, previous=previous, previous_digest=previous_digest,
        due_sequence=sequence + settings.AUDIT_CHECKPOINT_EVERY,
        due_us=at_us + int(settings.AUDIT_SIGN_EVERY_SECONDS * 1_000_000),
        public_key=public_key_text(), created_at=now,
    )
    checkpoint.signature = sign_message(checkpoint.message())
    checkpoint.save(force_insert=True)
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SIGNATURE, [sequence, checkpoint.digest(),
                                          checkpoint.due_sequence, checkpoint.due_us])
    # Only a committed head is published: a rolled-back one never existed.
    transaction.on_commit(partial(witness.publish, checkpoint.witness_entry()), robust=True)
    return checkpoint


def checkpoint_now():
    """Sign the current head (``manage.py audit checkpoint``); None if already signed."""
    from circlekeep.audit.models import AuditCheckpoint, AuditHead

    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None or head.sequence == 0 or AuditCheckpoint.objects.filter(
                sequence=head.sequence).exists():
            return None
        return _sign_head(head.sequence, head.hash, head.signed_sequence, head.signed_digest,
                          timezone.now())
