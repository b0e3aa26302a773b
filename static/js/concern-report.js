// Sending a concern fully anonymously: instead of the signed-in form post, the report goes
// with this browser's token for the circle's day to an address that takes no cookies and
// no account. Before sending, the circle's key for today is fetched again without cookies,
// asked for by the circle and the day (what everyone in the circle shares), and must be
// the one the token was issued under: a key made for one person alone would tell their
// report apart. Other choices of visibility post the form as usual.
import { fingerprintOf, fromBase64, importRoundKey, verifyToken } from "../dist/feedback.js";
import { concernToken, fetchTokens, storageKey, utcToday } from "./feedback-tokens.js";

const root = document.getElementById("concern-report");
const form = document.getElementById("concern-form");
const status = document.getElementById("concern-status");
const sent = document.getElementById("concern-sent");
const button = form.querySelector("button[type=submit]");
const words = JSON.parse(document.getElementById("concern-words").textContent);
let person = null;
const ready = fetchTokens(root.dataset.waitingUrl, { force: true })
  .then((found) => { person = found; })
  .catch(() => null);

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
  const response = await fetch(`${root.dataset.keyUrl}${token.day}`, {
    credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
  if (!response.ok) return false;
  const key = await response.json();
  const spki = fromBase64(key.public_key);
  if (key.id !== token.round || (await fingerprintOf(spki)) !== token.fingerprint) return false;
  return verifyToken(await importRoundKey(spki), fromBase64(token.signature),
    fromBase64(token.prepared));
}

function showFieldError(field, message) {
  const input = field && form.elements.namedItem(field);
  say(message);
  const target = input && (input.length ? input[0] : input);
  if (target && target.focus) target.focus();
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
  button.disabled = true;
  say(words.sending);
  try {
    await ready;
    let token = person && concernToken(person, root.dataset.circle, utcToday());
    if (!token) {
      person = await fetchTokens(root.dataset.waitingUrl, { force: true });
      token = person && concernToken(person, root.dataset.circle, utcToday());
    }
    if (!token) {
      say(words.none);
      return;
    }
    if (!(await sameKeyForEveryone(token))) {
      say(words.wrongKey);
      return;
    }
    const response = await fetch(root.dataset.sendUrl, {
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
