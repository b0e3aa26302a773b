// The online room's end-to-end encryption (docs/rooms.md, protocol version 1), in WebCrypto
// only. Nothing here touches the page: room.js drives it, and the browser tests call it
// directly. Private keys are made non-extractable and never leave the objects below; only
// public keys, boxes, ciphertexts and signatures are handed out for the wire.
const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const MAX_TEXT = 2000; // characters (code points) of one chat message
const KEPT_EPOCHS = 4; // past epochs whose keys stay, for messages still on their way
const NONCE_BYTES = 12;

// --- bytes -------------------------------------------------------------------------------

export function b64encode(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = "";
  for (const byte of view) {
    text += String.fromCharCode(byte);
  }
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function b64decode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new Refused("malformed");
  }
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function random(length) {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

function equalBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

// A refusal carries a short reason code; the page words it.
export class Refused extends Error {
  constructor(reason) {
    super(reason);
    this.name = "Refused";
    this.reason = reason;
  }
}

// --- a device ----------------------------------------------------------------------------

// A new device for this page load: a random id, an Ed25519 pair to sign and an X25519 pair to
// agree keys. The private halves cannot be exported, so not even this page can copy them out.
export async function makeDevice() {
  const sign = await subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const dh = await subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
  return {
    id: b64encode(random(16)),
    sign: b64encode(await subtle.exportKey("raw", sign.publicKey)),
    dh: b64encode(await subtle.exportKey("raw", dh.publicKey)),
    signKey: sign.privateKey,
    dhKey: dh.privateKey,
  };
}

// What the server and the other devices may know of a device.
export function publicDevice(device) {
  return { id: device.id, sign: device.sign, dh: device.dh };
}

async function importSign(b64) {
  return subtle.importKey("raw", b64decode(b64), { name: "Ed25519" }, false, ["verify"]);
}

async function verify(signB64, signature, data) {
  try {
    return await subtle.verify({ name: "Ed25519" }, await importSign(signB64),
      b64decode(signature), data);
  } catch {
    return false;
  }
}

async function signBytes(device, data) {
  return b64encode(await subtle.sign({ name: "Ed25519" }, device.signKey, data));
}

// --- the roster --------------------------------------------------------------------------

// JSON with sorted keys at every level and no spaces, so that every device signs and checks
// the very same bytes.
export function canonical(value) {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// The facilitator's device signs who may hold keys in this room from now on.
export async function signRoster(device, { room, version, devices, issuedAt = Date.now() }) {
  const roster = {
    devices: devices.map(publicDevice).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    facilitator: device.id,
    issued_at: issuedAt,
    room,
    version,
  };
  const bytes = encoder.encode(canonical(roster));
  return { type: "roster", roster: b64encode(bytes), sig: await signBytes(device, bytes) };
}

function readRoster(b64) {
  let text;
  let roster;
  try {
    text = decoder.decode(b64decode(b64));
    roster = JSON.parse(text);
  } catch {
    throw new Refused("malformed");
  }
  const fine = roster && typeof roster === "object" && canonical(roster) === text &&
    Number.isSafeInteger(roster.version) && roster.version > 0 &&
    typeof roster.room === "string" && typeof roster.facilitator === "string" &&
    Array.isArray(roster.devices) &&
    roster.devices.every((d) => d && typeof d.id === "string" &&
      typeof d.sign === "string" && typeof d.dh === "string");
  if (!fine) {
    throw new Refused("malformed");
  }
  checkDevices(roster, null);
  return roster;
}

// A roster lists each device once, and, for the device reading it, the very keys this device
// made: a roster that hands this device's id to other keys would let someone else read in
// its name. Throws Refused("duplicate") or Refused("own-keys").
export function checkDevices(roster, own) {
  const ids = new Set();
  for (const d of roster.devices) {
    if (ids.has(d.id)) {
      throw new Refused("duplicate");
    }
    ids.add(d.id);
    if (own && d.id === own.id && (d.sign !== own.sign || d.dh !== own.dh)) {
      throw new Refused("own-keys");
    }
  }
}

// Pins the facilitator's signing key and accepts only rosters it signed for this room, each
// newer than every roster accepted before: a server cannot forge one, nor replay an old one
// to bring back a removed device.
export class RosterGuard {
  constructor({ room, facilitator, device = null }) {
    this.room = room;
    this.device = device ? publicDevice(device) : null; // this page's own device, if given
    this.facilitator = facilitator ? { device: facilitator.device, sign: facilitator.sign } : null;
    this.version = 0;
    this.latest = null;
    this.latestBytes = null;
  }

  // Another facilitator key, pinned only once the person at this device compared its new
  // safety code with the facilitator (room.js); versions stay monotonic across the change.
  pin(facilitator) {
    this.facilitator = { device: facilitator.device, sign: facilitator.sign };
  }

  // The roster if accepted; otherwise throws Refused with "signature", "room", "version",
  // "facilitator", "duplicate", "own-keys" or "malformed".
  async accept({ roster: b64, sig }) {
    if (!this.facilitator) {
      throw new Refused("signature");
    }
    let bytes;
    try {
      bytes = b64decode(b64);
    } catch {
      throw new Refused("malformed");
    }
    if (!(await verify(this.facilitator.sign, sig, bytes))) {
      throw new Refused("signature");
    }
    const roster = readRoster(b64);
    if (roster.room !== this.room) {
      throw new Refused("room");
    }
    if (this.facilitator.device && roster.facilitator !== this.facilitator.device) {
      throw new Refused("facilitator");
    }
    if (roster.version <= this.version) {
      throw new Refused("version");
    }
    checkDevices(roster, this.device);
    this.version = roster.version;
    this.latest = roster;
    this.latestBytes = bytes;
    return roster;
  }

  // The same roster this device already accepted (the facilitator's own, relayed back).
  isLatest(b64) {
    try {
      return this.latestBytes !== null && equalBytes(b64decode(b64), this.latestBytes);
    } catch {
      return false;
    }
  }
}

// --- boxes -------------------------------------------------------------------------------

async function boxKey(own, peerDh, room, epoch, from, to, usage) {
  const peer = await subtle.importKey("raw", b64decode(peerDh), { name: "X25519" }, false, []);
  const shared = await subtle.deriveBits({ name: "X25519", public: peer }, own.dhKey, 256);
  const material = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const info = encoder.encode(`circlekeep box v1|${room}|${epoch}|${from}|${to}`);
  const key = await subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(room), info },
    material, { name: "AES-GCM", length: 256 }, false, [usage]);
  return { key, info };
}

// Seals bytes from this device to another (`to`: {id, dh}); `nonce || ciphertext`, b64.
export async function seal(own, to, { room, epoch, plaintext }) {
  const { key, info } = await boxKey(own, to.dh, room, epoch, own.id, to.id, "encrypt");
  const nonce = random(NONCE_BYTES);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: info }, key,
    plaintext);
  return b64encode(concat(nonce, new Uint8Array(ct)));
}

// Opens a box sealed to this device by `from` ({id, dh}); throws Refused("unreadable").
export async function open(own, from, { room, epoch, box }) {
  try {
    const bytes = b64decode(box);
    const { key, info } = await boxKey(own, from.dh, room, epoch, from.id, own.id, "decrypt");
    return new Uint8Array(await subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, NONCE_BYTES), additionalData: info }, key,
      bytes.slice(NONCE_BYTES)));
  } catch {
    throw new Refused("unreadable");
  }
}

function textOf(text) {
  if (typeof text !== "string" || text.trim() === "" || [...text].length > MAX_TEXT) {
    throw new Refused("length");
  }
  return text;
}

function messageBytes(text, sentAt) {
  return encoder.encode(canonical({ sent_at: sentAt, text: textOf(text) }));
}

function readMessage(bytes) {
  let message;
  try {
    message = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new Refused("malformed");
  }
  if (!message || typeof message.text !== "string" || [...message.text].length > MAX_TEXT ||
      !Number.isFinite(message.sent_at)) {
    throw new Refused("malformed");
  }
  return { text: message.text, sentAt: message.sent_at };
}

// A private message from the facilitator to one waiting device: a box with epoch 0.
export async function sealWhisper(own, to, { room, text, sentAt = Date.now() }) {
  return seal(own, to, { room, epoch: 0, plaintext: messageBytes(text, sentAt) });
}

export async function openWhisper(own, from, { room, box }) {
  return readMessage(await open(own, from, { room, epoch: 0, box }));
}

// --- chat --------------------------------------------------------------------------------

// One device's chat: its own sender key for each epoch (a roster version) and the keys the
// other devices of that roster sent it. A device outside a roster gets no key for its epoch,
// so it cannot read what is said from then on, nor what was said before it came in.
export class ChatSession {
  constructor({ device, room }) {
    this.device = device;
    this.room = room;
    this.roster = null; // the newest accepted roster
    this.rosters = new Map(); // epoch -> roster
    this.own = new Map(); // epoch -> {key, counter}
    this.peers = new Map(); // epoch -> Map(device id -> {key, last})
    this.pending = []; // key boxes for an epoch whose roster has not arrived yet
  }

  get epoch() {
    return this.roster && this.own.has(this.roster.version) ? this.roster.version : null;
  }

  // On a newly accepted roster: a new sender key for its epoch and the `keys` frame, with one
  // box for every other device in this roster and nobody else. Null when this device is not
  // in the roster (it has been removed: it sends and receives nothing more). Throws
  // Refused("own-keys") for a roster that gives this device's id other keys, and
  // Refused("duplicate") for one that lists a device twice.
  async rotate(roster) {
    checkDevices(roster, this.device); // before anything of this roster is taken in
    this.roster = roster;
    this.rosters.set(roster.version, roster);
    this.forgetOld();
    if (!roster.devices.some((d) => d.id === this.device.id)) {
      this.own.clear();
      this.peers.clear();
      return null;
    }
    const key = random(32);
    this.own.set(roster.version, { key, counter: 0 });
    const boxes = [];
    for (const other of roster.devices) {
      if (other.id === this.device.id) {
        continue;
      }
      try {
        boxes.push({ to: other.id, box: await seal(this.device, other,
          { room: this.room, epoch: roster.version, plaintext: key }) });
      } catch {
        // A device whose key cannot be used gets nothing; the others still get their boxes.
      }
    }
    const waiting = this.pending.filter((frame) => frame.epoch === roster.version);
    this.pending = this.pending.filter((frame) => frame.epoch > roster.version);
    for (const frame of waiting) {
      try {
        await this.acceptKey(frame);
      } catch {
        // A box that does not open is simply not a key.
      }
    }
    return { type: "keys", epoch: roster.version, boxes };
  }

  forgetOld() {
    const keep = [...this.rosters.keys()].sort((a, b) => b - a).slice(0, KEPT_EPOCHS);
    for (const map of [this.rosters, this.own, this.peers]) {
      for (const epoch of [...map.keys()]) {
        if (!keep.includes(epoch)) {
          map.delete(epoch);
        }
      }
    }
  }

  // A `key` frame: another device's sender key for an epoch, accepted only when both devices
  // are in that epoch's roster and the box opens under the sender's roster key.
  async acceptKey({ from, epoch, box }) {
    if (!Number.isSafeInteger(epoch) || epoch <= 0) {
      throw new Refused("malformed");
    }
    const roster = this.rosters.get(epoch);
    if (!roster) {
      if (!this.roster || epoch > this.roster.version) {
        this.pending = [...this.pending, { from, epoch, box }].slice(-64);
        return false;
      }
      throw new Refused("no-key");
    }
    const sender = roster.devices.find((d) => d.id === from);
    if (!sender || from === this.device.id ||
        !roster.devices.some((d) => d.id === this.device.id)) {
      throw new Refused("sender");
    }
    const key = await open(this.device, sender, { room: this.room, epoch, box });
    if (key.length !== 32) {
      throw new Refused("unreadable");
    }
    const keys = this.peers.get(epoch) || new Map();
    const known = keys.get(from);
    if (known && !equalBytes(known.key, key)) {
      throw new Refused("replay"); // one sender key per device and epoch
    }
    if (!known) {
      keys.set(from, { key, last: 0 });
    }
    this.peers.set(epoch, keys);
    return true;
  }

  async messageKey(senderKey, epoch, from, counter, usage) {
    const info = encoder.encode(`circlekeep chat v1|${this.room}|${epoch}|${from}|${counter}`);
    const material = await subtle.importKey("raw", senderKey, "HKDF", false, ["deriveKey"]);
    const key = await subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info },
      material, { name: "AES-GCM", length: 256 }, false, [usage]);
    return { key, info };
  }

  // The `chat` frame for a message: its own key (so no key meets two nonces), a random
  // nonce, the next counter, and this device's signature over info || nonce || ct.
  async encrypt(text, sentAt = Date.now()) {
    const epoch = this.epoch;
    if (epoch === null) {
      throw new Refused("no-key");
    }
    const plaintext = messageBytes(text, sentAt);
    const mine = this.own.get(epoch);
    mine.counter += 1;
    const counter = mine.counter;
    const { key, info } = await this.messageKey(mine.key, epoch, this.device.id, counter,
      "encrypt");
    const nonce = random(NONCE_BYTES);
    const ct = new Uint8Array(await subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: info }, key, plaintext));
    const sig = await signBytes(this.device, concat(info, nonce, ct));
    return { type: "chat", epoch, counter, nonce: b64encode(nonce), ct: b64encode(ct), sig };
  }

  // A relayed `chat` frame, read only when its sender is in the newest roster, this device
  // holds the sender's key for its epoch, the sender's roster key signed it and its counter
  // is past the last one accepted from that sender in that epoch.
  async decrypt({ from, epoch, counter, nonce, ct, sig }) {
    if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(counter) || counter < 1) {
      throw new Refused("malformed");
    }
    const then = this.rosters.get(epoch);
    const held = this.peers.get(epoch) && this.peers.get(epoch).get(from);
    if (!then || !held) {
      throw new Refused("no-key");
    }
    const current = this.roster.devices.find((d) => d.id === from);
    const sender = then.devices.find((d) => d.id === from);
    if (!current || !sender || current.sign !== sender.sign) {
      throw new Refused("sender");
    }
    if (counter <= held.last) {
      throw new Refused("replay");
    }
    const { key, info } = await this.messageKey(held.key, epoch, from, counter, "decrypt");
    const nonceBytes = b64decode(nonce);
    const ctBytes = b64decode(ct);
    if (nonceBytes.length !== NONCE_BYTES ||
        !(await verify(sender.sign, sig, concat(info, nonceBytes, ctBytes)))) {
      throw new Refused("signature");
    }
    let plaintext;
    try {
      plaintext = await subtle.decrypt({ name: "AES-GCM", iv: nonceBytes, additionalData: info },
        key, ctBytes);
    } catch {
      throw new Refused("unreadable");
    }
    const message = readMessage(new Uint8Array(plaintext));
    held.last = counter;
    return { from, epoch, counter, ...message };
  }

  // Everything forgotten: the room is over for this device.
  forget() {
    this.roster = null;
    this.rosters.clear();
    this.own.clear();
    this.peers.clear();
    this.pending = [];
  }
}

// --- the safety code ---------------------------------------------------------------------

// Four groups of four digits from the facilitator's signing key: read aloud and compared, the
// same code on every screen means everyone holds the same facilitator key.
export async function safetyCode(room, facilitatorSign) {
  const digest = new Uint8Array(await subtle.digest("SHA-256", concat(
    encoder.encode(`circlekeep safety v1|${room}|`), b64decode(facilitatorSign))));
  const groups = [];
  for (let i = 0; i < 8; i += 2) {
    groups.push(String(((digest[i] << 8) | digest[i + 1]) % 10000).padStart(4, "0"));
  }
  return groups.join(" ");
}
