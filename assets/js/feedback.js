// Anonymous feedback in the browser: RFC 9474 blind RSA (RSABSSA-SHA384-PSS-Randomized)
// through @cloudflare/blindrsa-ts on WebCrypto. The server signs a blinded token and never
// sees the token itself; the unblinded signature later spends it without saying whose it was.
import { RSABSSA } from "@cloudflare/blindrsa-ts";

export const VARIANT = "RSABSSA-SHA384-PSS-Randomized";

const suite = () => RSABSSA.SHA384.PSS.Randomized();

export function toBase64(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// A round's public key as the server publishes it (SubjectPublicKeyInfo, DER). WebCrypto
// keeps it extractable because the blinding reads the modulus from it.
export function importRoundKey(spki) {
  return crypto.subtle.importKey("spki", spki, { name: "RSA-PSS", hash: "SHA-384" }, true,
    ["verify"]);
}

// SHA-256 of the public key in 16 groups of four hex digits, as the server prints it.
export async function fingerprintOf(spki) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  return hex.match(/.{4}/g).join(" ");
}

// The message a token signs: the prefix the server gives for the key (it names the round,
// or the circle's day for concerns) and 32 random bytes, nothing about the member.
export function tokenMessage(prefix) {
  const nonce = crypto.getRandomValues(new Uint8Array(32));
  return new TextEncoder().encode(`${prefix}${toBase64(nonce)}`);
}

export async function blindToken(publicKey, message) {
  const blindRSA = suite();
  const prepared = blindRSA.prepare(message);
  const { blindedMsg, inv } = await blindRSA.blind(publicKey, prepared);
  return { prepared, blinded: blindedMsg, inverse: inv };
}

export function finalizeToken(publicKey, prepared, blindSignature, inverse) {
  return suite().finalize(publicKey, prepared, blindSignature, inverse);
}

export function verifyToken(publicKey, signature, prepared) {
  return suite().verify(publicKey, signature, prepared);
}
