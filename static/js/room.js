// The online room's page: the opening, the waiting room, the room itself with its encrypted
// chat, and the facilitator's controls (docs/rooms.md). The server only relays: who holds
// keys is decided by the roster the facilitator's device signs, and every message is
// encrypted and signed here (room-crypto.js). What others wrote is only ever put on the
// page as text, never as markup.
import {
  ChatSession, MAX_TEXT, Refused, RosterGuard, makeDevice, openWhisper, publicDevice,
  safetyCode, sealWhisper, signRoster,
} from "./room-crypto.js";

const root = document.getElementById("room");
const ENDINGS = new Set(["refused", "removed", "ended", "replaced", "left", "closed"]);

function part(selector) {
  return root.querySelector(selector);
}

const strings = root ? part("[data-strings]").dataset : {};
const roomId = root?.dataset.room;
const isFacilitator = root?.dataset.role === "facilitator";
const clock = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
  { hour: "2-digit", minute: "2-digit" });

function say(name, values = {}) {
  return (strings[name] || "").replace(/\{(\w+)\}/g, (whole, key) =>
    (key in values ? String(values[key]) : whole));
}

function reasonText(error) {
  const reason = error instanceof Refused ? error.reason : "malformed";
  const key = "reason" + reason.replace(/(^|-)(\w)/g, (whole, dash, char) => char.toUpperCase());
  return strings[key] || strings.reasonMalformed;
}

// --- what this page holds ----------------------------------------------------------------

let device = null; // this page load's keys, forgotten when the room ends for it
let socket = null;
let guard = null;
let chat = null;
let me = null; // {device, role, label} from the server
let facilitator = null; // {device, sign, dh?} as pinned: from `welcome`, or as compared aloud
let keyChange = null; // another facilitator key the server announced, not compared yet
let heldRoster = null; // a roster signed by that key, tried again once it is compared
let serverVersion = 0;
let muted = false;
let locked = false;
const people = new Map(); // device id -> {label, role, muted}, from the latest presence
const members = new Map(); // the signer: device id -> {id, sign, dh} for the next roster
const admitting = new Map(); // facilitator: device id -> the keys shown when Admit was pressed
const toConfirm = new Map(); // facilitator: device id -> {id, sign, dh, label}, not yet added
const waiting = new Map(); // facilitator: device id -> the waiting entry
let whisperTarget = null;
let asked = false;

// --- the page ----------------------------------------------------------------------------

function setState(state) {
  root.dataset.state = state;
}

function status(text) {
  part("[data-status]").textContent = text;
}

function show(view, focus) {
  for (const element of root.querySelectorAll("[data-view]")) {
    element.hidden = element.dataset.view !== view;
  }
  if (focus) {
    const heading = part(`[data-view="${view}"] h2[tabindex]`);
    if (heading) {
      heading.focus();
    }
  }
}

function line(text, kind, who, at) {
  const log = part("[data-log]");
  const item = document.createElement("li");
  item.className = kind ? `room-line room-${kind}` : "room-line";
  if (who) {
    const head = document.createElement("p");
    head.className = "room-who";
    const name = document.createElement("strong");
    name.textContent = who;
    head.append(name);
    if (at) {
      const time = document.createElement("time");
      time.dateTime = new Date(at).toISOString();
      time.textContent = clock.format(at);
      head.append(" ", time);
    }
    item.append(head);
  }
  const body = document.createElement("p");
  body.textContent = text;
  item.append(body);
  log.append(item);
  const box = part("[data-log-box]");
  box.scrollTop = box.scrollHeight;
}

function button(label, className, onClick, name) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = label;
  if (name) {
    element.setAttribute("aria-label", say("forLabel", { action: label, label: name }));
  }
  element.addEventListener("click", onClick);
  return element;
}

function row(label, badges, buttons) {
  const item = document.createElement("li");
  item.className = "task room-person";
  const text = document.createElement("span");
  text.className = "task-text";
  text.textContent = label;
  item.append(text);
  for (const [word, kind] of badges) {
    const badge = document.createElement("span");
    badge.className = `badge ${kind}`;
    badge.textContent = word;
    item.append(badge);
  }
  if (buttons.length) {
    const actions = document.createElement("span");
    actions.className = "actions room-person-actions";
    actions.append(...buttons);
    item.append(actions);
  }
  return item;
}

function renderPeople() {
  const list = part("[data-people]");
  list.replaceChildren();
  for (const [id, person] of people) {
    const self = device && id === device.id;
    const badges = [];
    if (self) badges.push([strings.you, "badge-info"]);
    if (person.role === "facilitator") badges.push([strings.facilitator, "badge-ok"]);
    if (person.muted) badges.push([strings.chatMuted, "badge-muted"]);
    const buttons = [];
    if (isFacilitator && !self) {
      buttons.push(button(strings.remove, "danger", () => removePerson(id), person.label));
      buttons.push(button(person.muted ? strings.unmute : strings.mute, "secondary",
        () => send({ type: "mute", device: id, muted: !person.muted }), person.label));
    }
    list.append(row(person.label, badges, buttons));
  }
}

function renderWaiting() {
  const list = part("[data-waiting-list]");
  list.replaceChildren();
  for (const entry of waiting.values()) {
    const badges = entry.second_device ? [[strings.secondDevice, "badge-warn"]] : [];
    list.append(row(entry.label, badges, [
      button(strings.admit, "primary", () => {
        // The keys shown now are the only ones this page will put in the roster for it.
        admitting.set(entry.device, { sign: entry.sign, dh: entry.dh });
        send({ type: "admit", device: entry.device });
      }, entry.label),
      button(strings.refuse, "secondary", () => send({ type: "refuse", device: entry.device }),
        entry.label),
      button(strings.whisper, "secondary", () => openWhisperDialog(entry), entry.label),
    ]));
  }
  part("[data-waiting-empty]").hidden = waiting.size > 0;
}

// Devices the server says are in the room but this page did not admit with the keys it
// showed: they get no key until the facilitator adds them here.
function renderToConfirm() {
  const box = part("[data-confirm-box]");
  if (!box) return;
  const list = part("[data-confirm-list]");
  list.replaceChildren();
  for (const entry of toConfirm.values()) {
    list.append(row(entry.label, [], [
      button(strings.addToRoster, "primary", () => confirmDevices([entry.id]), entry.label),
    ]));
  }
  box.hidden = !isSigner() || toConfirm.size === 0;
  part("[data-confirm-all-box]").hidden = toConfirm.size < 2;
}

function confirmDevices(ids) {
  for (const id of ids) {
    const entry = toConfirm.get(id);
    if (entry) {
      members.set(id, { id: entry.id, sign: entry.sign, dh: entry.dh });
      toConfirm.delete(id);
    }
  }
  renderToConfirm();
  later(publishRoster);
}

function setLocked(value) {
  locked = value;
  part("[data-locked-note]").hidden = !locked;
  const lock = part("[data-lock]");
  if (lock) {
    lock.textContent = locked ? strings.unlock : strings.lock;
    lock.setAttribute("aria-pressed", String(locked));
  }
}

function updateChatForm() {
  const form = part("[data-chat-form]");
  const open = root.dataset.state === "admitted" && !muted && !keyChange;
  for (const element of form.elements) {
    element.disabled = !open;
  }
}

async function showSafetyCode() {
  if (facilitator) {
    part("[data-safety-code]").textContent = await safetyCode(roomId, facilitator.sign);
  }
}

// --- the wire ----------------------------------------------------------------------------

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
  }
}

// Everything this page held of the room is dropped: keys, who is here, what was said.
function finish(state, message) {
  setState(state);
  chat?.forget();
  chat = null;
  guard = null;
  device = null;
  people.clear();
  members.clear();
  admitting.clear();
  toConfirm.clear();
  waiting.clear();
  keyChange = null;
  heldRoster = null;
  showKeyChange(null);
  renderToConfirm();
  part("[data-log]").replaceChildren();
  part("[data-whispers]").replaceChildren();
  for (const control of root.querySelectorAll("button, textarea")) {
    control.disabled = true;
  }
  for (const dialog of root.querySelectorAll("dialog[open]")) {
    dialog.close();
  }
  part("[data-locked-note]").hidden = true;
  const key = state.charAt(0).toUpperCase() + state.slice(1);
  part("[data-closed-title]").textContent = strings["title" + key];
  part("[data-closed-message]").textContent = message || strings["closed" + key] || "";
  status(strings["title" + key]);
  show("closed", true);
  if (socket && socket.readyState <= WebSocket.OPEN) {
    socket.close(1000);
  }
  socket = null;
}

function enterRoom() {
  setState("admitted");
  status(strings.admitted);
  show("room", true);
  updateChatForm();
}

// --- the roster and keys -----------------------------------------------------------------

async function afterRoster(roster) {
  root.dataset.rosterVersion = String(roster.version);
  const keys = await chat.rotate(roster);
  if (keys && !keyChange) {
    send(keys);
  }
}

// The signer's device: a new signed roster whenever who is in the room changes. Other
// facilitator devices take the signer's rosters like everyone else.
async function publishRoster() {
  if (!isSigner() || keyChange) {
    return;
  }
  const ids = [...members.keys()].sort().join();
  const latest = guard.latest ? guard.latest.devices.map((d) => d.id).sort().join() : null;
  if (ids === latest) {
    return;
  }
  const version = Math.max(guard.version, serverVersion) + 1;
  const frame = await signRoster(device, { room: roomId, version, devices: [...members.values()] });
  const roster = await guard.accept(frame);
  send(frame);
  await afterRoster(roster);
}

function removePerson(id) {
  send({ type: "remove", device: id });
  // Out of the next roster at once: no key for the next epoch reaches that device, even if
  // the server were slow to send it away.
  members.delete(id);
  toConfirm.delete(id);
  renderToConfirm();
  later(publishRoster);
}

// This page signs the roster: the facilitator key it pinned is its own.
function isSigner() {
  return Boolean(isFacilitator && device && facilitator &&
    facilitator.device === device.id && facilitator.sign === device.sign);
}

function sameKey(a, b) {
  return a.device === b.device && a.sign === b.sign;
}

async function pin(announced, { changed }) {
  facilitator = { device: announced.device, sign: announced.sign, dh: announced.dh };
  guard.pin(facilitator);
  await showSafetyCode();
  if (changed) {
    line(say("keyChanged", { code: part("[data-safety-code]").textContent }), "alert");
  }
}

function showKeyChange(code) {
  const alert = part("[data-key-change]");
  alert.hidden = !code;
  part("[data-key-change-code]").textContent = code ? say("keyChangeCode", { code }) : "";
  const confirm = part("[data-key-confirm]");
  confirm.disabled = !code;
  if (code) {
    confirm.focus();
  }
}

// The facilitator key named in `presence`. The server's word is never enough to change the
// key rosters are checked against: another key waits until the person here compared its
// safety code aloud with the facilitator; meanwhile this page sends no chat and no key.
async function announceFacilitator(announced) {
  if (!announced || typeof announced.device !== "string" ||
      typeof announced.sign !== "string") {
    return;
  }
  if (!facilitator) {
    await pin(announced, { changed: false }); // the first key, as from `welcome`
    return;
  }
  if (sameKey(announced, facilitator)) {
    if (!facilitator.dh && typeof announced.dh === "string") facilitator.dh = announced.dh;
    if (keyChange) {
      keyChange = null;
      heldRoster = null;
      showKeyChange(null);
      updateChatForm();
    }
    return;
  }
  if (keyChange && sameKey(announced, keyChange)) {
    return;
  }
  if (isFacilitator && announced.device === device.id && announced.sign === device.sign) {
    // This page's own key: known without comparing. It signs the roster from now on.
    const before = facilitator;
    keyChange = null;
    showKeyChange(null);
    await pin(announced, { changed: true });
    await becomeSigner(before);
    updateChatForm();
    return;
  }
  keyChange = { device: announced.device, sign: announced.sign, dh: announced.dh };
  heldRoster = null;
  showKeyChange(await safetyCode(roomId, keyChange.sign));
  updateChatForm();
}

async function confirmKeyChange() {
  if (!keyChange) return;
  const announced = keyChange;
  keyChange = null;
  showKeyChange(null);
  const wasSigner = isSigner();
  await pin(announced, { changed: true });
  updateChatForm();
  if (isSigner() && !wasSigner) {
    await becomeSigner(null);
  }
  const held = heldRoster;
  heldRoster = null;
  if (held) {
    await handlers.roster(held);
  }
}

// The devices of the last roster the previous signer signed (and still in the room) go on;
// anyone else waits in the list to be added.
async function becomeSigner(before) {
  members.clear();
  members.set(device.id, publicDevice(device));
  for (const d of guard.latest ? guard.latest.devices : []) {
    if (people.has(d.id) && d.id !== before?.device && d.id !== device.id) {
      members.set(d.id, { id: d.id, sign: d.sign, dh: d.dh });
    }
  }
  for (const id of toConfirm.keys()) {
    const known = members.get(id);
    if (known && known.sign === toConfirm.get(id).sign && known.dh === toConfirm.get(id).dh) {
      toConfirm.delete(id);
    }
  }
  renderToConfirm();
  await publishRoster();
}

// --- frames from the server --------------------------------------------------------------

const handlers = {
  async welcome(frame) {
    me = frame.you;
    serverVersion = Number(frame.roster_version) || 0;
    const named = frame.facilitator;
    facilitator = named && typeof named.device === "string" && typeof named.sign === "string"
      ? { device: named.device, sign: named.sign, dh: named.dh } : null;
    guard = new RosterGuard({ room: roomId, facilitator, device });
    chat = new ChatSession({ device, room: roomId });
    setLocked(Boolean(frame.locked));
    await showSafetyCode();
    if (frame.status === "admitted") {
      enterRoom();
      if (isSigner()) {
        members.set(device.id, publicDevice(device));
        await publishRoster();
      }
    } else if (frame.status === "waiting") {
      handlers.waiting();
    } else {
      setState("opening");
      status(strings.opening);
      const ask = part("[data-ask]");
      if (ask) ask.disabled = false;
    }
  },
  "other-device"() {
    status(strings.otherDevice);
    show("other-device", true);
  },
  replaced(frame) {
    finish("replaced", frame.message);
  },
  waiting() {
    setState("waiting");
    status(strings.waiting);
    show("waiting", true);
  },
  "waiting-list"(frame) {
    if (!isFacilitator) return;
    waiting.clear();
    for (const entry of frame.waiting || []) {
      waiting.set(entry.device, entry);
    }
    renderWaiting();
  },
  admitted() {
    enterRoom();
  },
  refused(frame) {
    finish("refused", frame.message);
  },
  removed(frame) {
    finish("removed", frame.message);
  },
  ended(frame) {
    finish("ended", frame.message);
  },
  async presence(frame) {
    people.clear();
    for (const person of frame.people || []) {
      people.set(person.device, person);
    }
    await announceFacilitator(frame.facilitator);
    const self = device && people.get(device.id);
    if (self && self.muted !== muted) {
      handlers.muted({ muted: self.muted });
    }
    renderPeople();
  },
  // A device the server says is now in the room. It goes into the roster at once only when
  // this page pressed Admit for it and it came with the very keys shown then: a server cannot
  // slip its own keys in at admission, nor a device nobody here let in. Anything else waits
  // in "To add to the encrypted roster" for the facilitator to add it.
  async join(frame) {
    if (!isFacilitator || !frame.device) return;
    const { id, sign, dh } = frame.device;
    if ([id, sign, dh].some((value) => typeof value !== "string") || id === device.id) return;
    const known = members.get(id);
    if (known && known.sign === sign && known.dh === dh) return;
    const asked = admitting.get(id);
    admitting.delete(id);
    if (asked && (asked.sign !== sign || asked.dh !== dh)) {
      line(say("rosterRefused", { reason: strings.reasonSignature }), "alert");
      return;
    }
    if (asked && isSigner()) {
      members.set(id, { id, sign, dh });
      await publishRoster();
      return;
    }
    const label = typeof frame.label === "string" && frame.label ? frame.label : strings.someone;
    toConfirm.set(id, { id, sign, dh, label });
    renderToConfirm();
  },
  async leave(frame) {
    if (!isFacilitator) return;
    members.delete(frame.device);
    admitting.delete(frame.device);
    toConfirm.delete(frame.device);
    renderToConfirm();
    await publishRoster();
  },
  async roster(frame) {
    if (guard.isLatest(frame.roster)) return;
    try {
      await afterRoster(await guard.accept(frame));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      let reason = reasonText(error);
      if (keyChange && error.reason === "signature") {
        // Signed by the key the server announced? Then it waits for that key to be compared.
        const trial = new RosterGuard({ room: roomId, facilitator: keyChange, device });
        try {
          await trial.accept(frame);
          heldRoster = frame;
          reason = strings.reasonUnconfirmed;
        } catch (trialError) {
          if (!(trialError instanceof Refused)) throw trialError;
        }
      }
      line(say("rosterRefused", { reason }), "alert");
    }
  },
  async key(frame) {
    try {
      await chat.acceptKey(frame);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      line(say("messageRefused", { reason: reasonText(error) }), "alert");
    }
  },
  async chat(frame) {
    try {
      const message = await chat.decrypt(frame);
      const who = people.get(message.from)?.label || strings.someone;
      line(message.text, "", who, message.sentAt);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      line(say("messageRefused", { reason: reasonText(error) }), "alert");
    }
  },
  async whisper(frame) {
    const box = part("[data-whispers-box]");
    const list = part("[data-whispers]");
    const item = document.createElement("li");
    item.className = "room-line";
    try {
      if (!facilitator || !facilitator.dh || frame.from !== facilitator.device) {
        throw new Refused("sender");
      }
      const message = await openWhisper(device, { id: frame.from, dh: facilitator.dh },
        { room: roomId, box: frame.box });
      item.textContent = message.text;
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      item.className = "room-line room-alert";
      item.textContent = strings.whisperUnreadable;
    }
    list.append(item);
    box.hidden = false;
  },
  muted(frame) {
    muted = Boolean(frame.muted);
    status(muted ? strings.muted : strings.unmuted);
    updateChatForm();
  },
  locked(frame) {
    setLocked(Boolean(frame.locked));
    status(locked ? strings.locked : strings.unlocked);
  },
  notice(frame) {
    const key = frame.kind === "second-device" ? "noticeSecondDevice" : "noticeLeft";
    line(say(key, { label: frame.label }), "system");
  },
  error(frame) {
    status(say("error", { message: frame.message || frame.code }));
  },
};

let queue = Promise.resolve();

// Work that changes the roster or keys waits its turn behind the frames already in hand.
function later(work) {
  queue = queue.then(() => (device ? work() : undefined)).catch(() => {
    line(say("messageRefused", { reason: strings.reasonMalformed }), "alert");
  });
}

// Frames are handled one at a time, in the order they came: a roster is in place before the
// keys and messages of its epoch are read.
function receive(event) {
  let frame;
  try {
    frame = JSON.parse(event.data);
  } catch {
    return;
  }
  const handler = frame && Object.hasOwn(handlers, frame.type) && handlers[frame.type];
  if (!handler) return;
  queue = queue.then(() => {
    if (ENDINGS.has(root.dataset.state) || !device) return undefined;
    return handler(frame);
  }).catch(() => {
    line(say("messageRefused", { reason: strings.reasonMalformed }), "alert");
  });
}

// --- what people do ----------------------------------------------------------------------

async function sendChat(event) {
  event.preventDefault();
  const field = event.target.elements.text;
  const text = field.value;
  if (text.trim() === "") return;
  if (keyChange) {
    status(strings.keyChangePaused);
    return;
  }
  if ([...text].length > MAX_TEXT) {
    status(strings.tooLong);
    return;
  }
  try {
    const frame = await chat.encrypt(text);
    send(frame);
    line(text, "mine", me?.label ? `${me.label} (${strings.you})` : strings.you, Date.now());
    field.value = "";
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    status(strings.notReady);
  }
}

function openWhisperDialog(entry) {
  const dialog = document.getElementById("room-whisper");
  whisperTarget = entry;
  dialog.querySelector("[data-whisper-to]").textContent = say("whisperTo", { label: entry.label });
  dialog.querySelector("textarea").value = "";
  dialog.showModal();
  dialog.querySelector("textarea").focus();
}

async function sendWhisper(event) {
  event.preventDefault();
  const dialog = document.getElementById("room-whisper");
  const text = event.target.elements.text.value;
  const entry = whisperTarget && waiting.get(whisperTarget.device);
  if (!entry || text.trim() === "" || [...text].length > MAX_TEXT) {
    dialog.close();
    return;
  }
  const box = await sealWhisper(device, { id: entry.device, dh: entry.dh }, { room: roomId, text });
  send({ type: "whisper", device: entry.device, box });
  dialog.close();
  status(say("whisperSent", { label: entry.label }));
}

function wireControls() {
  part("[data-ask]")?.addEventListener("click", (event) => {
    event.target.disabled = true;
    asked = true;
    send({ type: "ask" });
  });
  for (const keep of root.querySelectorAll("[data-keep]")) {
    keep.addEventListener("click", () => {
      const kept = keep.dataset.keep === "true";
      send({ type: "keep", this: kept });
      if (!kept) {
        finish("left");
        return;
      }
      // Back to the opening: asking to enter goes on (or begins) on this device.
      show("opening", false);
      status(asked ? strings.waiting : strings.opening);
      const ask = part("[data-ask]");
      if (ask) ask.disabled = asked;
    });
  }
  part("[data-chat-form]").addEventListener("submit", sendChat);
  part("[data-key-confirm]").addEventListener("click", () => later(confirmKeyChange));
  part("[data-confirm-all]")?.addEventListener("click",
    () => confirmDevices([...toConfirm.keys()]));
  part("[data-lock]")?.addEventListener("click", () => send({ type: "lock", locked: !locked }));
  const end = document.getElementById("room-end");
  if (end) {
    part("[data-end]").addEventListener("click", () => {
      end.showModal();
      end.querySelector("[data-close]").focus();
    });
    end.querySelector("[data-confirm-end]").addEventListener("click", () => {
      send({ type: "end" });
      end.close();
    });
  }
  for (const dialog of root.querySelectorAll("dialog")) {
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  }
  document.getElementById("room-whisper")?.querySelector("form")
    .addEventListener("submit", sendWhisper);
}

async function start() {
  wireControls();
  status(strings.connecting);
  device = await makeDevice();
  socket = new WebSocket(root.dataset.wsUrl);
  socket.addEventListener("open", () => send({ type: "hello", device: publicDevice(device) }));
  socket.addEventListener("message", receive);
  socket.addEventListener("close", () => {
    // After the frames already in hand: a `removed` or `ended` just before the close wins.
    queue = queue.then(() => {
      if (!ENDINGS.has(root.dataset.state)) finish("closed");
    });
  });
}

// Time in the room is not idleness: the server counts an open room as activity, so the
// page tells its idle warning (session-keeper.js) to start counting again.
const ACTIVE_EVERY_MS = 60 * 1000;

if (root) {
  start();
  setInterval(() => {
    if (root.dataset.state === "waiting" || root.dataset.state === "admitted") {
      document.dispatchEvent(new Event("circlekeep:active"));
    }
  }, ACTIVE_EVERY_MS);
}
