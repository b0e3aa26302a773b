"""The hash chain and its signed checkpoints.

Each event's hash is SHA-256 over the previous event's hash, a newline, and the event's
canonical form: compact JSON with sorted keys of every column, people and places named by
their public ids, times in UTC to the microsecond. Changing, deleting, inserting or
reordering an event breaks the chain; rewriting the chain from some point on breaks the
next signed checkpoint.
"""

import base64
import hashlib
import json
from datetime import UTC

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

GENESIS = "0" * 64


def canonical(*, sequence, created_at, actor, actor_role, event_type, target_type, target_id,
              organization, circle, subject, reason, data, request_id) -> bytes:
    """The bytes an event's hash covers. Ids are public ids (str) or None."""
    return json.dumps(
        [sequence, created_at.astimezone(UTC).isoformat(timespec="microseconds"), actor,
         actor_role, event_type, target_type, target_id, organization, circle, subject,
         reason, data, request_id],
        separators=(",", ":"), sort_keys=True, ensure_ascii=False,
    ).encode()


def chain_hash(prev_hash: str, canonical_bytes: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_bytes).hexdigest()


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
