// Anonymous feedback tokens: on a signed-in page, at most every few minutes, ask which
// open rounds this person has no token for yet, and fetch one for each, blinded. The server
// signs without seeing the token; this browser keeps the unblinded token and its signature
// in localStorage until it is spent (feedback-answer.js). Every member's browser does this,
// so holding a token says nothing about wanting to use it.
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

async function fetchOne(person, round) {
  const spki = fromBase64(round.public_key);
  if ((await fingerprintOf(spki)) !== round.fingerprint) return;
  let pending = readToken(person, round.id);
  if (!pending || !pending.blinded) {
    const token = await blindToken(await importRoundKey(spki), tokenMessage(round.id));
    pending = {
      round: round.id, fingerprint: round.fingerprint, public_key: round.public_key,
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
  const response = await fetch(`/feedback/rounds/${pending.round}/token/`, {
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
    signature: toBase64(signature),
  }));
}

// Tokens blinded and sent on an earlier page whose answer never arrived.
function unfinished(person) {
  const found = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(storageKey(person, ""))) continue;
    const token = readToken(person, key.slice(storageKey(person, "").length));
    if (token && token.blinded && !token.signature && token.public_key) found.push(token);
  }
  return found;
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
