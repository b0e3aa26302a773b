// Anonymous tokens: on a signed-in page, at most every few minutes, ask which keys this
// person has no token for yet (open feedback rounds, and the coming days' keys for anonymous
// concerns in their circles), and fetch one for each, blinded. The server signs without
// seeing the token; this browser keeps the unblinded token and its signature in
// localStorage until it is spent (feedback-answer.js, concern-report.js). Every member's
// browser does this, so holding a token says nothing about wanting to use it.
import {
  blindToken, finalizeToken, fingerprintOf, fromBase64, importRoundKey, toBase64, tokenMessage,
} from "../dist/feedback.js";

const CHECK_EVERY_MS = 5 * 60 * 1000;
const CHECKED = "ck-feedback-checked";

export function storageKey(person, round) {
  return `ck-feedback:${person}:${round}`;
}

export function readToken(person, round) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(person, round)) || "null");
  } catch {
    return null;
  }
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

// A key this browser blinds under must be an ordinary RSA key of at least 2048 bits with
// the usual exponent: an odd-shaped key chosen by a server could weaken the blinding.
function wellFormed(key) {
  const { modulusLength, publicExponent } = key.algorithm;
  return modulusLength >= 2048 && publicExponent.length === 3 &&
    publicExponent[0] === 1 && publicExponent[1] === 0 && publicExponent[2] === 1;
}

async function fetchOne(person, round) {
  const spki = fromBase64(round.public_key);
  if ((await fingerprintOf(spki)) !== round.fingerprint) return;
  let pending = readToken(person, round.id);
  if (!pending || !pending.blinded) {
    const key = await importRoundKey(spki);
    if (!wellFormed(key)) return;
    const token = await blindToken(key, tokenMessage(round.prefix));
    pending = {
      round: round.id, fingerprint: round.fingerprint, public_key: round.public_key,
      token_url: round.token_url, circle: round.circle, day: round.day,
      prepared: toBase64(token.prepared), blinded: toBase64(token.blinded),
      inverse: toBase64(token.inverse),
    };
    // Kept before it is sent, so that an answer lost on the way (the person went to another
    // page) is asked for again with the same blinded token, which the server answers with
    // the same signature.
    localStorage.setItem(storageKey(person, round.id), JSON.stringify(pending));
  }
  await finish(person, pending);
}

async function finish(person, pending) {
  const response = await fetch(pending.token_url, {
    method: "POST", credentials: "same-origin", referrerPolicy: "no-referrer",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ blinded: pending.blinded }),
  });
  if ([400, 403, 404].includes(response.status)) {
    // The round closed, or this member's token went to another browser: nothing to keep,
    // unless another tab finished a token meanwhile.
    const stored = readToken(person, pending.round);
    if (stored && stored.blinded === pending.blinded && !stored.signature) {
      localStorage.removeItem(storageKey(person, pending.round));
    }
    return;
  }
  if (!response.ok) return;
  const { blind_signature: blindSignature } = await response.json();
  const publicKey = await importRoundKey(fromBase64(pending.public_key));
  const signature = await finalizeToken(publicKey, fromBase64(pending.prepared),
    fromBase64(blindSignature), fromBase64(pending.inverse));
  localStorage.setItem(storageKey(person, pending.round), JSON.stringify({
    round: pending.round, fingerprint: pending.fingerprint, prepared: pending.prepared,
    circle: pending.circle, day: pending.day, signature: toBase64(signature),
    // When it arrived, kept in this browser only: a token used right after it came would
    // sit next to its fetch in whatever the server's database records.
    received_at: Date.now(),
  }));
}

// Tokens blinded and sent on an earlier page whose answer never arrived.
function unfinished(person) {
  const found = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(storageKey(person, ""))) continue;
    const token = readToken(person, key.slice(storageKey(person, "").length));
    if (token && token.blinded && !token.signature && token.token_url) found.push(token);
  }
  return found;
}

export function utcToday() {
  return new Date().toISOString().slice(0, 10);
}

// The token of a circle's day (UTC) for anonymous concerns, if this browser holds it.
export function concernToken(person, circle, day = utcToday()) {
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(storageKey(person, ""))) continue;
    const token = readToken(person, key.slice(storageKey(person, "").length));
    if (token && token.circle === circle && token.day === day && token.signature) return token;
  }
  return null;
}

// Concern tokens of days that are over can no longer be spent.
function forgetPastDays(person) {
  const today = utcToday();
  const stale = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(storageKey(person, ""))) continue;
    const token = readToken(person, key.slice(storageKey(person, "").length));
    if (token && token.day && token.day < today) stale.push(key);
  }
  stale.forEach((key) => localStorage.removeItem(key));
}

let chain = Promise.resolve(null);

// One check at a time, in this page and across the person's tabs (a Web Lock): two at
// once could blind two tokens for one round, and the server signs only one per member.
export function fetchTokens(url, options = {}) {
  const locked = () => (navigator.locks
    ? navigator.locks.request("ck-feedback-tokens", () => check(url, options))
    : check(url, options));
  const run = chain.then(locked);
  chain = run.catch(() => null);
  return run;
}

async function check(url, { force = false }) {
  const last = Number(sessionStorage.getItem(CHECKED) || 0);
  if (!force && Date.now() - last < CHECK_EVERY_MS) return null;
  sessionStorage.setItem(CHECKED, String(Date.now()));
  const response = await fetch(url, { credentials: "same-origin", referrerPolicy: "no-referrer",
    headers: { Accept: "application/json" } });
  if (!response.ok) return null;
  const { person, rounds } = await response.json();
  forgetPastDays(person);
  for (const round of rounds) {
    try {
      await fetchOne(person, round);
    } catch {
      // Another page view tries again.
    }
  }
  for (const pending of unfinished(person)) {
    try {
      await finish(person, pending);
    } catch {
      // Another page view tries again.
    }
  }
  return person;
}

const marker = document.getElementById("feedback-tokens");
if (marker) fetchTokens(marker.dataset.url);
