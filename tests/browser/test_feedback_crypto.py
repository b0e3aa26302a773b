"""Anonymous feedback's blind signatures in Chromium's WebCrypto, through the site's bundle
(static/dist/feedback.js, @cloudflare/blindrsa-ts): the RFC 9474 test vectors, and tokens
the browser blinds and the server signs and later checks."""

import base64
import json
from pathlib import Path

import pytest

from circlekeep.feedback import blindrsa
from circlekeep.feedback.actions import TOKEN_MESSAGE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "dist" / "feedback.js"
VECTORS = json.loads((ROOT / "circlekeep" / "feedback" / "tests" / "rfc9474_vectors.json")
                     .read_text())["vectors"]


@pytest.fixture
def page(browser):
    context = browser.new_context()

    def serve(route):
        if route.request.url.endswith("/static/dist/feedback.js"):
            route.fulfill(status=200, content_type="text/javascript", body=BUNDLE.read_text())
        else:
            route.fulfill(status=200, content_type="text/html",
                          body="<!doctype html><html lang=en><title>feedback</title></html>")

    context.route("http://localhost/**", serve)
    page = context.new_page()
    page.goto("http://localhost/")
    page.evaluate("""async () => { window.fb = await import("/static/dist/feedback.js"); }""")
    yield page
    context.close()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_rfc_vector_of_our_variant_blinds_finalizes_and_verifies_as_published(page):
    (v,) = [v for v in VECTORS if v["name"] == blindrsa.VARIANT]
    n = int(v["n"], 16)
    r = pow(int(v["inv"], 16), -1, n)
    result = page.evaluate("""async (v) => {
      const hex = (h) => Uint8Array.from(h.replace(/^0x/, "").match(/../g), (x) => parseInt(x, 16));
      const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
      const jwk = (h) => fb.toBase64(hex(h)).replace(/\\+/g, "-").replace(/\\//g, "_")
        .replace(/=+$/, "");
      const key = await crypto.subtle.importKey(
        "jwk", { kty: "RSA", n: jwk(v.n), e: jwk(v.e), ext: true },
        { name: "RSA-PSS", hash: "SHA-384" }, true, ["verify"]);
      // The library's randomness, in the order it asks: message prefix, PSS salt, blind.
      const queue = [hex(v.msg_prefix), hex(v.salt), hex(v.r)];
      const real = crypto.getRandomValues.bind(crypto);
      crypto.getRandomValues = (array) => {
        const next = queue.shift();
        if (!next) return real(array);
        array.set(next);
        return array;
      };
      const token = await fb.blindToken(key, hex(v.msg));
      crypto.getRandomValues = real;
      const signature = await fb.finalizeToken(key, token.prepared, hex(v.blind_sig),
                                               token.inverse);
      return { prepared: toHex(token.prepared), blinded: toHex(token.blinded),
               inverse: toHex(token.inverse), signature: toHex(signature),
               valid: await fb.verifyToken(key, signature, token.prepared),
               tampered: await fb.verifyToken(key, signature, hex(v.input_msg + "00")) };
    }""", {**v, "r": f"{r:x}".rjust(len(v["n"]) - 2, "0")})
    assert result["prepared"] == v["input_msg"]
    assert result["blinded"] == v["blinded_msg"]
    assert result["inverse"].lstrip("0") == v["inv"].removeprefix("0x").lstrip("0")
    assert result["signature"] == v["sig"]
    assert result["valid"] is True and result["tampered"] is False


def test_a_token_blinded_in_the_browser_is_signed_by_the_server_and_checks_out(page):
    key = blindrsa.new_private_key()
    der = blindrsa.public_key_bytes(key)
    round_id = "2b6a1f0e-4c1d-4f59-9f1e-0a4c7e3b9d21"
    issued = page.evaluate("""async ([spki, prefix]) => {
      window.key = await fb.importRoundKey(fb.fromBase64(spki));
      window.token = await fb.blindToken(key, fb.tokenMessage(prefix));
      return { fingerprint: await fb.fingerprintOf(fb.fromBase64(spki)),
               blinded: fb.toBase64(token.blinded) };
    }""", [b64(der), TOKEN_MESSAGE.format(round=round_id)])
    assert issued["fingerprint"] == blindrsa.fingerprint(der)
    blinded = base64.b64decode(issued["blinded"])
    signed = b64(blindrsa.blind_sign(key, blinded))
    spent = page.evaluate("""async (signed) => {
      const signature = await fb.finalizeToken(key, token.prepared, fb.fromBase64(signed),
                                               token.inverse);
      return { prepared: fb.toBase64(token.prepared), signature: fb.toBase64(signature) };
    }""", signed)
    prepared, signature = (base64.b64decode(spent[k]) for k in ("prepared", "signature"))
    assert blindrsa.verify(key.public_key(), prepared, signature)
    # The token names its round and nothing else, and the server never saw it while signing.
    message = prepared[blindrsa.PREFIX_LENGTH:].decode()
    assert message.startswith(f"circlekeep-feedback:v1:{round_id}:")
    assert prepared not in blinded and signature != blinded
    # A signature under another round's key does not check out.
    assert not blindrsa.verify(blindrsa.new_private_key().public_key(), prepared, signature)
