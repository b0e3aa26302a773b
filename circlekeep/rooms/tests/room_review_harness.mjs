// Runs static/js/room.js and room-crypto.js in Node's WebCrypto with a stand-in page and
// websocket, playing a dishonest server; prints one JSON line for test_room_review.py.
// Usage: node room_review_harness.mjs <scenario>   (run from static/js)
import { pathToFileURL } from "node:url";
import path from "node:path";

const JS = process.cwd();
const rc = await import(pathToFileURL(path.join(JS, "room-crypto.js")).href);
const ROOM = "3f0c6a1e-0000-4000-8000-000000000001";
const scenario = process.argv[2];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function decodeRoster(b64) {
  return JSON.parse(new TextDecoder().decode(rc.b64decode(b64)));
}

// --- a stand-in page ----------------------------------------------------------------------

class El {
  constructor() {
    this.dataset = {};
    this.children = [];
    this.elements = [];
    this.hidden = false;
    this.textContent = "";
    this.className = "";
  }
  querySelector() { return new El(); }
  querySelectorAll() { return []; }
  append(...items) { this.children.push(...items); }
  replaceChildren() { this.children = []; }
  addEventListener() {}
  setAttribute() {}
  focus() {}
  showModal() {}
  close() {}
}

function installPage(role) {
  const root = new El();
  root.dataset = { room: ROOM, role, wsUrl: "ws://server.test/ws/rooms/x/", state: "opening" };
  const parts = new Map();
  root.querySelector = (selector) => {
    if (!parts.has(selector)) parts.set(selector, new El());
    return parts.get(selector);
  };
  globalThis.document = {
    documentElement: { lang: "en" },
    getElementById: (id) => (id === "room" ? root : null),
    createElement: () => new El(),
    dispatchEvent() {},
  };
  globalThis.Event = class { constructor(type) { this.type = type; } };
  return root;
}

class FakeSocket {
  static OPEN = 1;
  static last = null;
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    this.listeners = {};
    FakeSocket.last = this;
  }
  addEventListener(kind, fn) { (this.listeners[kind] ||= []).push(fn); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  fire(kind, data) { for (const fn of this.listeners[kind] || []) fn(data); }
  deliver(frame) { this.fire("message", { data: JSON.stringify(frame) }); }
}
globalThis.WebSocket = FakeSocket;

async function openPage(role) {
  installPage(role);
  await import(pathToFileURL(path.join(JS, "room.js")).href);
  while (!FakeSocket.last) await sleep(10);
  const socket = FakeSocket.last;
  socket.fire("open");
  const hello = socket.sent.find((f) => f.type === "hello");
  return { socket, me: hello.device };
}

function boxesTo(socket, id) {
  return socket.sent.filter((f) => f.type === "keys")
    .flatMap((f) => f.boxes).filter((b) => b.to === id).length;
}

// --- scenarios ----------------------------------------------------------------------------

async function ghostJoin() {
  // The facilitator's page; the server names a device nobody admitted.
  const { socket, me } = await openPage("facilitator");
  socket.deliver({ type: "welcome", you: { device: me.id, role: "facilitator", label: "Fran" },
    status: "admitted", facilitator: { device: me.id, sign: me.sign, dh: me.dh },
    locked: false, roster_version: 0 });
  socket.deliver({ type: "waiting-list", waiting: [] });
  const ghost = rc.publicDevice(await rc.makeDevice());
  socket.deliver({ type: "join", device: ghost, label: "Mina" });
  await sleep(300);
  const rosters = socket.sent.filter((f) => f.type === "roster");
  const last = rosters.length ? decodeRoster(rosters.at(-1).roster) : { devices: [] };
  return {
    ghost_in_roster: last.devices.some((d) => d.id === ghost.id),
    boxes_to_ghost: boxesTo(socket, ghost.id),
  };
}

async function swapFacilitator() {
  // A member's page pinned Fran's key; the server announces its own facilitator key in a
  // presence frame and then signs a roster with it that adds a device of its own.
  const { socket, me } = await openPage("member");
  const fran = await rc.makeDevice();
  const forger = await rc.makeDevice();
  const ghost = rc.publicDevice(await rc.makeDevice());
  socket.deliver({ type: "welcome", you: { device: me.id, role: "member", label: "Mina" },
    status: "admitted", facilitator: { device: fran.id, sign: fran.sign, dh: fran.dh },
    locked: false, roster_version: 0 });
  socket.deliver({ type: "presence", people: [],
    facilitator: { device: forger.id, sign: forger.sign, dh: forger.dh } });
  const forged = await rc.signRoster(forger, { room: ROOM, version: 1,
    devices: [me, ghost, forger] });
  socket.deliver({ ...forged, from: forger.id });
  await sleep(300);
  return {
    accepted_forged_roster: socket.sent.some((f) => f.type === "keys"),
    boxes_to_ghost: boxesTo(socket, ghost.id),
  };
}

async function ownEntry() {
  // Fran signs what the server gave her for Mina's device id: the server's keys.
  const fran = await rc.makeDevice();
  const mina = await rc.makeDevice();
  const server = await rc.makeDevice();
  const guard = new rc.RosterGuard({ room: ROOM, facilitator: { device: fran.id, sign: fran.sign } });
  const chat = new rc.ChatSession({ device: mina, room: ROOM });
  const frame = await rc.signRoster(fran, { room: ROOM, version: 1,
    devices: [fran, { id: mina.id, sign: server.sign, dh: server.dh }] });
  let rotated = false;
  try {
    rotated = (await chat.rotate(await guard.accept(frame))) !== null;
  } catch {
    rotated = false;
  }
  return { rotated_with_wrong_own_keys: rotated };
}

const scenarios = { "ghost-join": ghostJoin, "swap-facilitator": swapFacilitator,
  "own-entry": ownEntry };
const result = await scenarios[scenario]();
console.log(JSON.stringify(result));
process.exit(0);
