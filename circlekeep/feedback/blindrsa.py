"""The signer's half of RFC 9474 blind RSA signatures, variant RSABSSA-SHA384-PSS-Randomized.

A member's browser prepares a random message (32 random bytes, then the message), blinds
it with the round's public key and sends only the blinded value; the server signs that
value without learning the message (``blind_sign``); the browser unblinds the result into
an ordinary RSA-PSS signature (SHA-384, MGF1-SHA-384, 48-byte salt) that anyone can check
with the public key (``verify``). Nothing the server saw while signing can be matched with
the signature it later checks: that is what makes a submitted entry unattributable.

Keys come from pyca ``cryptography``. The private exponentiation runs on gmpy2's
``powmod_sec``, whose time does not depend on the exponent, with the Chinese remainder
theorem; its result is checked with the public exponent before it leaves (RFC 9474 §4.3),
so a computation fault can never hand out a value that reveals the key.
"""

import hashlib

import gmpy2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

VARIANT = "RSABSSA-SHA384-PSS-Randomized"
KEY_BITS = 3072
PUBLIC_EXPONENT = 65537
SALT_LENGTH = 48
PREFIX_LENGTH = 32


class BlindSignError(ValueError):
    """The blinded message cannot be signed (wrong length, or not below the modulus)."""


def new_private_key(bits: int | None = None) -> rsa.RSAPrivateKey:
    """A round's key: ``settings.FEEDBACK_KEY_BITS`` (3072 unless set) bits."""
    from django.conf import settings

    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT,
                                    key_size=bits or settings.FEEDBACK_KEY_BITS)


def private_key_bytes(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_private_key(data: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def public_key_bytes(key) -> bytes:
    """The public key as SubjectPublicKeyInfo DER: what browsers import and fingerprint."""
    if isinstance(key, rsa.RSAPrivateKey):
        key = key.public_key()
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(der: bytes) -> rsa.RSAPublicKey:
    key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def fingerprint(public_der: bytes) -> str:
    """SHA-256 of the public key, as 16 groups of four hex digits: short enough to read
    out in a meeting, long enough that no second key shares it."""
    digest = hashlib.sha256(public_der).hexdigest().upper()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def modulus_length(key) -> int:
    return (key.key_size + 7) // 8


def blind_sign(key: rsa.RSAPrivateKey, blinded: bytes) -> bytes:
    """RFC 9474 BlindSign: the blinded message raised to the private exponent."""
    numbers = key.private_numbers()
    public = numbers.public_numbers
    k = modulus_length(key)
    if len(blinded) != k:
        raise BlindSignError(f"a blinded message is {k} bytes long")
    m = int.from_bytes(blinded, "big")
    if not 0 < m < public.n:
        raise BlindSignError("the blinded message is out of range")
    p, q = gmpy2.mpz(numbers.p), gmpy2.mpz(numbers.q)
    s1 = gmpy2.powmod_sec(m % p, gmpy2.mpz(numbers.dmp1), p)
    s2 = gmpy2.powmod_sec(m % q, gmpy2.mpz(numbers.dmq1), q)
    s = s2 + ((gmpy2.mpz(numbers.iqmp) * (s1 - s2)) % p) * q
    if gmpy2.powmod(s, public.e, public.n) != m:
        raise BlindSignError("signing failed its own check")
    return int(s).to_bytes(k, "big")


def verify(public_key: rsa.RSAPublicKey, prepared: bytes, signature: bytes) -> bool:
    """Is ``signature`` the round's signature of ``prepared`` (random prefix + message)?"""
    if len(signature) != modulus_length(public_key):
        return False
    try:
        public_key.verify(signature, prepared,
                          padding.PSS(mgf=padding.MGF1(hashes.SHA384()),
                                      salt_length=SALT_LENGTH),
                          hashes.SHA384())
    except InvalidSignature:
        return False
    return True
