// Answering a feedback round: the answers go, with this browser's token, to an address that
// takes no cookies and no account. Before sending, the round's key is fetched again without
// cookies and must be the one the token was issued under: a key made for one member alone
// would tell their answers apart, so this browser refuses to send under it.
import { fingerprintOf, fromBase64, importRoundKey, verifyToken } from "../dist/feedback.js";
import { readToken, storageKey } from "./feedback-tokens.js";

const root = document.getElementById("feedback-answer");
const form = document.getElementById("feedback-form");
const status = document.getElementById("feedback-status");
const button = form.querySelector("button[type=submit]");
const words = JSON.parse(document.getElementById("feedback-words").textContent);
// The page makes no signed-in request of its own (it is a no-trace page): the token was
// fetched in the background on another page.
const person = root.dataset.person;

function say(text) {
  status.textContent = text;
}

function answers() {
  const result = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "radio") {
      if (field.checked) result[field.name] = Number(field.value);
    } else if (field.value.trim()) {
      result[field.name] = field.value.trim();
    }
  }
  return result;
}

async function sameKeyForEveryone(token) {
  const response = await fetch(root.dataset.keyUrl, { credentials: "omit", cache: "no-store",
    referrerPolicy: "no-referrer" });
  if (!response.ok) return false;
  const key = await response.json();
  const spki = fromBase64(key.public_key);
  const printed = await fingerprintOf(spki);
  if (printed !== token.fingerprint || printed !== root.dataset.fingerprint) return false;
  const publicKey = await importRoundKey(spki);
  return verifyToken(publicKey, fromBase64(token.signature), fromBase64(token.prepared));
}

// "Sent" is remembered for this tab only: a mark kept in the browser would tell whoever
// uses it next that this person answered.
const SENT = `ck-feedback-sent:${root.dataset.round}`;

function ready() {
  const token = readToken(person, root.dataset.round);
  if (sessionStorage.getItem(SENT)) {
    say(words.sent);
  } else if (token && token.signature) {
    button.disabled = false;
    say(words.ready);
  } else {
    say(words.none);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = readToken(person, root.dataset.round);
  if (!token || !token.signature) return;
  const given = answers();
  if (!Object.keys(given).length) {
    say(words.empty);
    return;
  }
  button.disabled = true;
  say(words.sending);
  try {
    if (!(await sameKeyForEveryone(token))) {
      say(words.wrongKey);
      return;
    }
    const response = await fetch(root.dataset.sendUrl, {
      method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ round_id: root.dataset.round, token: token.prepared,
        signature: token.signature, answers: given }),
    });
    if (response.status === 201) {
      localStorage.removeItem(storageKey(person, root.dataset.round));
      sessionStorage.setItem(SENT, "1");
      form.reset();
      say(words.sent);
      return;
    }
    const body = await response.json().catch(() => ({}));
    say(body.detail || words.failed);
    button.disabled = false;
  } catch {
    say(words.failed);
    button.disabled = false;
  }
});

ready();
