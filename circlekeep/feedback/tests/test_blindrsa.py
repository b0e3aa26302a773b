"""The signer's half of RFC 9474 against the RFC's own test vectors, and a whole exchange
with a fresh 3072-bit key."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from circlekeep.feedback import blindrsa, client

VECTORS = json.loads((Path(__file__).parent / "rfc9474_vectors.json").read_text())["vectors"]


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _int(value: str) -> int:
    return int(value, 16)


def _key(vector) -> rsa.RSAPrivateKey:
    p, q, d, e, n = (_int(vector[x]) for x in ("p", "q", "d", "e", "n"))
    public = rsa.RSAPublicNumbers(e, n)
    return rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q),
                                 rsa.rsa_crt_iqmp(p, q), public).private_key()


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_the_rfc_vectors_sign_finalize_and_blind_as_published(vector):
    key = _key(vector)
    blinded, blind_sig = _hex(vector["blinded_msg"]), _hex(vector["blind_sig"])
    assert blindrsa.blind_sign(key, blinded) == blind_sig
    assert client.finalize(key.public_key(), blind_sig, _int(vector["inv"])) == \
        _hex(vector["sig"])
    # The test client's blinding, given the vector's randomness, is the RFC's too.
    prepared = client.prepare(_hex(vector["msg"]), _hex(vector["msg_prefix"]))
    assert prepared == _hex(vector["input_msg"])
    r = pow(_int(vector["inv"]), -1, key.public_key().public_numbers().n)
    assert client.blind(key.public_key(), prepared, salt=_hex(vector["salt"]), r=r)[0] == \
        blinded


def test_the_rfc_signature_of_our_variant_verifies_and_a_changed_one_does_not():
    (vector,) = [v for v in VECTORS if v["name"] == blindrsa.VARIANT]
    public = _key(vector).public_key()
    signature, prepared = _hex(vector["sig"]), _hex(vector["input_msg"])
    assert blindrsa.verify(public, prepared, signature)
    assert not blindrsa.verify(public, prepared + b"!", signature)
    assert not blindrsa.verify(public, prepared, signature[:-1] + bytes([signature[-1] ^ 1]))
    assert not blindrsa.verify(public, prepared, signature[1:])


@pytest.fixture(scope="module")
def round_key():
    return blindrsa.new_private_key(blindrsa.KEY_BITS)


def test_a_whole_exchange_with_a_round_key(round_key):
    assert round_key.key_size == 3072
    der = blindrsa.public_key_bytes(round_key)
    public = blindrsa.load_public_key(der)
    prepared = client.prepare(b"a token for one round")
    blinded, inverse = client.blind(public, prepared)
    signature = client.finalize(public, blindrsa.blind_sign(round_key, blinded), inverse)
    assert blindrsa.verify(public, prepared, signature)
    # What the server signed cannot be told from what it later checks.
    assert blinded != signature and prepared not in blinded
    # Another key's signature is refused.
    other = blindrsa.new_private_key()
    assert not blindrsa.verify(other.public_key(), prepared, signature)


def test_a_blinded_message_out_of_range_or_of_the_wrong_length_is_refused(round_key):
    n = round_key.public_key().public_numbers().n
    for bad in (b"\x00" * 384, n.to_bytes(384, "big"), b"\x01" * 383, b"\x01" * 385):
        with pytest.raises(blindrsa.BlindSignError):
            blindrsa.blind_sign(round_key, bad)


def test_the_fingerprint_is_of_the_public_key_and_reads_in_groups(round_key):
    der = blindrsa.public_key_bytes(round_key)
    assert blindrsa.public_key_bytes(round_key.public_key()) == der
    printed = blindrsa.fingerprint(der)
    assert len(printed.split()) == 16 and all(len(g) == 4 for g in printed.split())
    assert printed != blindrsa.fingerprint(blindrsa.public_key_bytes(
        blindrsa.new_private_key()))
    assert blindrsa.load_private_key(blindrsa.private_key_bytes(round_key)) \
        .private_numbers() == round_key.private_numbers()
