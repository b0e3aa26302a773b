"""The hash chain and its signed checkpoints.

Each event's hash is SHA-256 over the previous event's hash, a newline, and the event's
canonical form. The canonical form lists every column in a fixed order, each written as
``<length>:<text>`` (``~`` for none) and joined by ``|``: unambiguous without escaping,
and simple enough for either database to rebuild in SQL, so that verification can run
where the data is. Changing, deleting, inserting or reordering an event breaks the
chain; rewriting the chain from some point on breaks the next signed checkpoint.
"""

import base64
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


def _signing_key():
    return Ed25519PrivateKey.from_private_bytes(settings.AUDIT_SIGNING_KEY)


def public_key_text() -> str:
    raw = _signing_key().public_key().public_bytes_raw()
    return base64.b64encode(raw).decode()


def _message(sequence, event_hash) -> bytes:
    return f"circlekeep-audit-checkpoint:{sequence}:{event_hash}".encode()


def sign(sequence, event_hash) -> str:
    return base64.b64encode(_signing_key().sign(_message(sequence, event_hash))).decode()


def signature_is_valid(sequence, event_hash, signature, public_key) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature), _message(sequence, event_hash))
    except (InvalidSignature, ValueError):
        return False
    return True
