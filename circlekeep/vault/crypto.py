"""AES-256-GCM for data keys (wrapped by the key-encryption key) and for protected text."""

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

ENVELOPE_PREFIX = "v1:"


class VaultError(Exception):
    """Protected text cannot be sealed or read; the message says why, never what."""


def keyring():
    return settings.VAULT_KEYRING


def _kek(kek_id):
    try:
        return keyring()["keys"][kek_id]
    except KeyError:
        raise VaultError(f"The key-encryption key {kek_id!r} is not in the vault keyring. "
                         "Restore it from the keyring backup.") from None


def _dek_aad(key_id: uuid.UUID) -> bytes:
    return b"circlekeep-data-key:" + key_id.bytes


def wrap(dek: bytes, key_id: uuid.UUID, kek_id: str | None = None) -> tuple[bytes, str]:
    kek_id = kek_id or keyring()["current"]
    nonce = os.urandom(12)
    return nonce + AESGCM(_kek(kek_id)).encrypt(nonce, dek, _dek_aad(key_id)), kek_id


def unwrap(wrapped: bytes, key_id: uuid.UUID, kek_id: str) -> bytes:
    wrapped = bytes(wrapped)
    try:
        return AESGCM(_kek(kek_id)).decrypt(wrapped[:12], wrapped[12:], _dek_aad(key_id))
    except InvalidTag:
        raise VaultError(f"The key-encryption key {kek_id!r} in the keyring is not the one "
                         "these data keys were wrapped with.") from None


def encrypt(dek: bytes, key_id: uuid.UUID, plaintext: str, aad: bytes) -> str:
    nonce = os.urandom(12)
    body = AESGCM(dek).encrypt(nonce, plaintext.encode(), aad)
    return ENVELOPE_PREFIX + base64.b64encode(key_id.bytes + nonce + body).decode()


def parse_envelope(envelope: str) -> tuple[uuid.UUID, bytes, bytes]:
    if not envelope.startswith(ENVELOPE_PREFIX):
        raise VaultError("This value is not sealed protected text.")
    raw = base64.b64decode(envelope[len(ENVELOPE_PREFIX):])
    return uuid.UUID(bytes=raw[:16]), raw[16:28], raw[28:]


def decrypt(dek: bytes, nonce: bytes, body: bytes, aad: bytes) -> str:
    return AESGCM(dek).decrypt(nonce, body, aad).decode()


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


__all__ = ["InvalidTag", "VaultError"]
