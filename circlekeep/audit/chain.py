"""The hash chain and its signed checkpoints.

Each event's hash is SHA-256 over the previous event's hash, a newline, and the event's
canonical form. The canonical form lists every column in a fixed order, each written as
``<length>:<text>`` (``~`` for none) and joined by ``|``: unambiguous without escaping,
and simple enough for either database to rebuild in SQL, so that verification can run
where the data is. Changing, deleting, inserting or reordering an event breaks the
chain; rewriting the chain from some point on breaks the next signed checkpoint.

Signed checkpoints form a chain of their own: each signs the sequence and the digest of
the one before it, and promises the next one by a sequence number and by a time. A
checkpoint deleted from the middle breaks that chain, and events past a promise with no
checkpoint after them show that the newest ones were deleted. The same signed text goes
to the witness outside the database (witness.py), which the trail must still contain.
"""

import base64
import functools
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

GENESIS = "0" * 64
RECORD_CONSTRAINT = "audit_record_matches_columns"
# Column order of the canonical form; verify.py rebuilds it in SQL from the same list.
CANONICAL_COLUMNS = ("sequence", "at_us", "actor_id", "actor_role", "event_type",
                     "target_type", "target_id", "organization_id", "circle_id", "subject_id",
                     "reason", "data_json", "request_id")


def canonical_data(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _field(value) -> str:
    if value is None:
        return "~"
    text = str(value)
    return f"{len(text)}:{text}"


def canonical(values) -> str:
    """``values`` in CANONICAL_COLUMNS order → the text an event's hash covers."""
    return "|".join(map(_field, values))


def chain_hash(prev_hash: str, canonical_text: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_text}".encode()).hexdigest()


def canonical_sql(alias="") -> str:
    """The same canonical text, built by the database (SQLite and PostgreSQL alike)."""
    prefix = f"{alias}." if alias else ""

    def field(column):
        col = f"{prefix}{column}"
        return (f"CASE WHEN {col} IS NULL THEN '~' ELSE "
                f"CAST(LENGTH(CAST({col} AS TEXT)) AS TEXT) || ':' || CAST({col} AS TEXT) END")

    return " || '|' || ".join(field(c) for c in CANONICAL_COLUMNS)


def columns_match_sql(vendor) -> str:
    """A condition that holds when an event's record is its columns' canonical text.

    The same text as canonical_sql(), built more cheaply: verification evaluates it for
    every event, so that a column changed behind the CHECK constraint's back (SQLite can be
    told to skip CHECK constraints; PostgreSQL's owner can drop one) is found. Written for a
    cursor with parameters, so percent signs are doubled.
    """
    nullable = {"actor_id", "organization_id", "circle_id", "subject_id"}
    if vendor == "postgresql":
        text = " || '|' || ".join(
            f"coalesce(length({c}::text) || ':' || {c}::text, '~')" for c in CANONICAL_COLUMNS)
    else:
        # One printf instead of a chain of concatenations: a third of the cost in SQLite.
        formats = "|".join("%%s" if c in nullable else "%%d:%%s" for c in CANONICAL_COLUMNS)
        arguments = ", ".join(
            f"CASE WHEN {c} IS NULL THEN '~' ELSE length({c}) || ':' || {c} END"
            if c in nullable else f"length({c}), {c}" for c in CANONICAL_COLUMNS)
        text = f"printf('{formats}', {arguments})"
    return f"record = ({text})"


def record_fields(record: str) -> list[str] | None:
    """The canonical text split back into its fields (each ``<length>:<text>`` or ``~``),
    or None when it is not canonical text."""
    fields, position = [], 0
    try:
        while True:
            if record[position] == "~":
                end = position + 1
            else:
                colon = record.index(":", position)
                end = colon + 1 + int(record[position:colon])
            fields.append(record[position:end])
            if end == len(record):
                return fields
            if record[end] != "|":
                return None
            position = end + 1
    except (IndexError, ValueError):
        return None


def changed_columns(values, record) -> list[str]:
    """Columns (in CANONICAL_COLUMNS order) whose values differ from the record's."""
    fields = record_fields(record or "")
    if fields is None or len(fields) != len(CANONICAL_COLUMNS):
        return list(CANONICAL_COLUMNS)
    return [column for column, value, field in zip(CANONICAL_COLUMNS, values, fields,
                                                   strict=True) if _field(value) != field]


@functools.lru_cache(maxsize=8)
def _key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


@functools.lru_cache(maxsize=8)
def _public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def _signing_key():
    return _key_from_seed(bytes(settings.AUDIT_SIGNING_KEY))


def public_key_text() -> str:
    raw = _signing_key().public_key().public_bytes_raw()
    return base64.b64encode(raw).decode()


def _message(sequence, event_hash) -> bytes:
    """What checkpoints made before checkpoints were chained sign."""
    return f"circlekeep-audit-checkpoint:{sequence}:{event_hash}".encode()


def checkpoint_message(*, sequence, event_hash, previous, previous_digest, due_sequence,
                       due_us, at_us) -> bytes:
    """What a chained checkpoint signs: the event it pins, the checkpoint before it (its
    sequence and digest, 0 and "" for the first), the promise of the next one (by
    sequence, by time in microseconds) and when it was made."""
    return (f"circlekeep-audit-checkpoint-v2:{sequence}:{event_hash}:{previous}:"
            f"{previous_digest}:{due_sequence}:{due_us}:{at_us}").encode()


def checkpoint_digest(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def sign_message(message: bytes) -> str:
    return base64.b64encode(_signing_key().sign(message)).decode()


def message_signature_is_valid(message: bytes, signature, public_key) -> bool:
    try:
        _public_key_from_text(public_key).verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def held_message(held) -> bytes:
    """What a held anonymous event's signature covers: every column but the signature."""
    return ("circlekeep-audit-held:" + canonical([
        str(held.pk), held.day.isoformat(), held.event_type, held.target_type, held.target_id,
        held.organization_id, held.circle_id, held.subject_id, held.reason, held.data_json,
    ])).encode()


def tally_message(total) -> bytes:
    return f"circlekeep-audit-held-tally:{total}".encode()


def sign(sequence, event_hash) -> str:
    return base64.b64encode(_signing_key().sign(_message(sequence, event_hash))).decode()


def signature_is_valid(sequence, event_hash, signature, public_key) -> bool:
    return message_signature_is_valid(_message(sequence, event_hash), signature, public_key)
