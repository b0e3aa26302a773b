// Sending a concern fully anonymously: instead of the signed-in form post, the report goes
// with this browser's token for the circle's day to an address that takes no cookies and
// no account. The page itself makes no signed-in request (it is a no-trace page): the token
// was fetched in the background on other pages, days ahead. Before sending, the circle's
// key for today is fetched again without cookies, asked for by the circle and the day
// (what everyone in the circle shares), and must be the one the token was issued under: a
// key made for one person alone would tell their report apart. Other choices of
// visibility post the form as usual.
import { fingerprintOf, fromBase64, importRoundKey, verifyToken } from "../dist/feedback.js";
import { concernToken, storageKey, utcToday } from "./feedback-tokens.js";

// A token used within this long of its arrival would sit next to its fetch in the
// server's database; the browser waits instead.
const SETTLE_MS = 30 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const root = document.getElementById("concern-report");
const form = document.getElementById("concern-form");
const status = document.getElementById("concern-status");
const sent = document.getElementById("concern-sent");
const button = form.querySelector("button[type=submit]");
const words = JSON.parse(document.getElementById("concern-words").textContent);
const person = root.dataset.person;
// The circle named by the address itself (/incidents/circles/<id>/report/).
const circle = (window.location.pathname.match(/\/circles\/([^/]+)\/report\/$/) || [])[1];

function say(text) {
  status.textContent = text;
  status.hidden = !text;
}

function value(name) {
  const checked = form.querySelector(`[name=${name}]:checked`);
  if (checked) return checked.value;
  const field = form.elements.namedItem(name);
  return field && "value" in field ? field.value : "";
}

async function sameKeyForEveryone(token) {
  const response = await fetch(`/api/v1/circles/${circle}/concern-keys/${token.day}`, {
    credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
  if (!response.ok) return false;
  const key = await response.json();
  if (key.id !== token.round || key.day !== token.day) return false;
  const spki = fromBase64(key.public_key);
  if ((await fingerprintOf(spki)) !== token.fingerprint) return false;
  return verifyToken(await importRoundKey(spki), fromBase64(token.signature),
    fromBase64(token.prepared));
}

function showFieldError(field, message) {
  const input = field && form.elements.namedItem(field);
  say(message);
  const target = input && (input.length ? input[0] : input);
  if (target && target.focus) target.focus();
}

function settledAt(token) {
  return (token.received_at || 0) + SETTLE_MS;
}

form.addEventListener("submit", async (event) => {
  if (value("visibility") !== "anonymous") return;
  event.preventDefault();
  if (button.disabled) return;
  const affected = Array.from(form.querySelectorAll("[name=affected]:checked"), (b) => b.value);
  if (root.dataset.self && affected.includes(root.dataset.self)) {
    showFieldError("affected", words.self);
    return;
  }
  const token = circle && UUID.test(circle) && circle === root.dataset.circle
    ? concernToken(person, circle, utcToday()) : null;
  if (!token) {
    say(words.none);
    return;
  }
  if (Date.now() < settledAt(token)) {
    const time = new Date(settledAt(token)).toLocaleTimeString(document.documentElement.lang,
      { hour: "2-digit", minute: "2-digit" });
    say(words.settle.replace("{time}", time));
    return;
  }
  button.disabled = true;
  say(words.sending);
  try {
    if (!(await sameKeyForEveryone(token))) {
      say(words.wrongKey);
      return;
    }
    const response = await fetch("/api/v1/anonymous-concerns", {
      method: "POST", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        key_id: token.round, token: token.prepared, signature: token.signature,
        kind: value("kind"), body: value("body"), raise_in_group: value("raise_in_group"),
        about_facilitator: Boolean(form.querySelector("[name=about_facilitator]:checked")),
        affected,
      }),
    });
    if (response.status === 201) {
      localStorage.removeItem(storageKey(person, token.round));
      form.reset();
      root.hidden = true;
      sent.hidden = false;
      sent.focus();
      return;
    }
    const body = await response.json().catch(() => ({}));
    showFieldError(body.field, typeof body.detail === "string" ? body.detail : words.invalid);
  } catch {
    say(words.failed);
  } finally {
    button.disabled = false;
  }
});
