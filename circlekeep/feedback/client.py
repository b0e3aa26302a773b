"""A member's browser's half of RFC 9474 in Python, for the tests and the demo: prepare,
blind and finalize (the site's own browser code uses @cloudflare/blindrsa-ts)."""

import hashlib
import math
import secrets

from circlekeep.feedback import blindrsa


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def emsa_pss_encode(message: bytes, em_bits: int, salt: bytes) -> bytes:
    """RFC 8017 §9.1.1 with SHA-384 and MGF1-SHA-384."""
    h_len = 48
    em_len = math.ceil(em_bits / 8)
    m_hash = hashlib.sha384(message).digest()
    h = hashlib.sha384(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - h_len - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(db, _mgf1(h, em_len - h_len - 1), strict=True))
    first = masked[0] & (0xFF >> (8 * em_len - em_bits))
    return bytes([first]) + masked[1:] + h + b"\xbc"


def prepare(message: bytes, prefix: bytes | None = None) -> bytes:
    return (prefix if prefix is not None else secrets.token_bytes(32)) + message


def blind(public_key, prepared: bytes, *, salt: bytes | None = None, r: int | None = None):
    """(blinded message, inverse of the blinding factor)."""
    numbers = public_key.public_numbers()
    n, e = numbers.n, numbers.e
    k = blindrsa.modulus_length(public_key)
    salt = salt if salt is not None else secrets.token_bytes(blindrsa.SALT_LENGTH)
    m = int.from_bytes(emsa_pss_encode(prepared, n.bit_length() - 1, salt), "big")
    r = r if r is not None else secrets.randbelow(n - 1) + 1
    inverse = pow(r, -1, n)
    return (m * pow(r, e, n) % n).to_bytes(k, "big"), inverse


def finalize(public_key, blind_signature: bytes, inverse: int) -> bytes:
    n = public_key.public_numbers().n
    k = blindrsa.modulus_length(public_key)
    return (int.from_bytes(blind_signature, "big") * inverse % n).to_bytes(k, "big")
