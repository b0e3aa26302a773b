"""The online room's end-to-end encryption, run in Chromium's WebCrypto: only the devices the
facilitator signed into the roster can read the chat, and nothing sent to the server carries
what was said (docs/rooms.md, protocol version 1)."""

import hashlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

MODULE = Path(__file__).resolve().parents[2] / "static" / "js" / "room-crypto.js"
ROOM = "mtg_7Yq2Lr"

# Test scaffolding, loaded into a blank page: a facilitator and people, each with a device,
# a roster guard and a chat session, and a record of every frame made for the wire.
HARNESS = """async (room) => {
  const rc = await import("/static/js/room-crypto.js");
  window.rc = rc;
  window.ROOM = room;
  window.wire = [];
  window.person = async (facilitator) => {
    const device = await rc.makeDevice();
    const pinned = facilitator ? facilitator.device : device;
    return {
      device,
      guard: new rc.RosterGuard({ room, facilitator: { device: pinned.id, sign: pinned.sign } }),
      chat: new rc.ChatSession({ device, room }),
      refused: [],
    };
  };
  // The facilitator signs a roster of `members`; each of `everyone` that accepts it rotates
  // its sender key, and each box is handed to the device it is addressed to.
  window.publish = async (facilitator, version, members, everyone) => {
    const frame = await rc.signRoster(facilitator.device,
      { room, version, devices: members.map((p) => p.device) });
    wire.push(frame);
    const sent = [];
    for (const p of everyone) {
      try {
        const keys = await p.chat.rotate(await p.guard.accept(frame));
        if (keys) {
          wire.push(keys);
          sent.push([p, keys]);
        }
      } catch (error) {
        p.refused.push(error.reason);
      }
    }
    for (const [p, keys] of sent) {
      for (const { to, box } of keys.boxes) {
        const q = everyone.find((x) => x.device.id === to);
        if (q) await q.chat.acceptKey({ from: p.device.id, epoch: keys.epoch, box });
      }
    }
    return { frame, keys: sent.map(([p, keys]) => keys) };
  };
  window.say = async (p, text) => {
    const frame = await p.chat.encrypt(text);
    wire.push(frame);
    return { ...frame, from: p.device.id };
  };
  window.hear = async (p, frame) => {
    try {
      return (await p.chat.decrypt(frame)).text;
    } catch (error) {
      if (!(error instanceof rc.Refused)) throw error;
      return "refused:" + error.reason;
    }
  };
  window.three = async () => {
    const f = await person(null);
    const a = await person(f);
    const b = await person(f);
    await publish(f, 1, [f, a, b], [f, a, b]);
    return { f, a, b };
  };
}"""


@pytest.fixture
def page(browser):
    context = browser.new_context()

    def serve(route):
        if route.request.url.endswith("/static/js/room-crypto.js"):
            route.fulfill(status=200, content_type="text/javascript", body=MODULE.read_text())
        else:
            route.fulfill(status=200, content_type="text/html",
                          body="<!doctype html><html lang=en><title>room</title></html>")

    # http://localhost is a secure context, as the room's https page is.
    context.route("http://localhost/**", serve)
    page = context.new_page()
    page.goto("http://localhost/")
    page.evaluate(HARNESS, ROOM)
    yield page
    context.close()


def test_a_box_opens_for_its_recipient_only(page):
    opened, wrong, tampered_epoch = page.evaluate("""async () => {
      const [a, b, c] = [await rc.makeDevice(), await rc.makeDevice(), await rc.makeDevice()];
      const plaintext = new TextEncoder().encode("sender key bytes");
      const box = await rc.seal(a, b, { room: ROOM, epoch: 4, plaintext });
      const opened = new TextDecoder().decode(await rc.open(b, a, { room: ROOM, epoch: 4, box }));
      const attempt = async (own, from, epoch) => {
        try { await rc.open(own, from, { room: ROOM, epoch, box }); return "opened"; }
        catch (error) { return error.reason; }
      };
      return [opened, await attempt(c, a, 4), await attempt(b, a, 5)];
    }""")
    assert opened == "sender key bytes"
    assert wrong == "unreadable"
    assert tampered_epoch == "unreadable"


def test_private_keys_cannot_be_exported(page):
    exported = page.evaluate("""async () => {
      const d = await rc.makeDevice();
      const out = [];
      for (const key of [d.signKey, d.dhKey]) {
        try { await crypto.subtle.exportKey("pkcs8", key); out.push("exported"); }
        catch { out.push("refused"); }
      }
      return [out, d.signKey.extractable, d.dhKey.extractable, rc.b64decode(d.id).length];
    }""")
    assert exported == [["refused", "refused"], False, False, 16]


def test_a_roster_signed_by_the_facilitator_is_accepted(page):
    version, devices = page.evaluate("""async () => {
      const { f, a, b } = await three();
      return [a.guard.version, a.chat.roster.devices.map((d) => d.id).sort().join()
        === [f, a, b].map((p) => p.device.id).sort().join()];
    }""")
    assert version == 1
    assert devices is True


def test_a_tampered_roster_is_refused(page):
    reason, version = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const frame = await rc.signRoster(f.device, { room: ROOM, version: 2,
        devices: [f.device, a.device, b.device] });
      const bytes = rc.b64decode(frame.roster);
      const text = new TextDecoder().decode(bytes);
      // One byte of b's key exchange key changed: a server putting its own key in.
      const at = text.indexOf(b.device.dh) + 3;
      bytes[at] = bytes[at] === 65 ? 66 : 65;
      try {
        await a.guard.accept({ roster: rc.b64encode(bytes), sig: frame.sig });
        return ["accepted"];
      } catch (error) { return [error.reason, a.guard.version]; }
    }""")
    assert reason == "signature"
    assert version == 1


def test_a_replayed_or_rolled_back_roster_is_refused(page):
    reasons = page.evaluate("""async () => {
      const f = await person(null);
      const a = await person(f);
      const b = await person(f);
      const first = await publish(f, 1, [f, a, b], [f, a, b]);
      await publish(f, 3, [f, a], [f, a]);
      const older = await rc.signRoster(f.device, { room: ROOM, version: 2,
        devices: [f.device, a.device, b.device] });
      const out = [];
      for (const frame of [first.frame, older]) {
        try { await a.guard.accept(frame); out.push("accepted"); }
        catch (error) { out.push(error.reason); }
      }
      return [out, a.guard.version, a.chat.roster.devices.length];
    }""")
    assert reasons == [["version", "version"], 3, 2]


def test_a_roster_signed_by_another_key_is_refused(page):
    reason = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const impostor = await rc.makeDevice();
      // Same facilitator id, same room, a newer version: only the key differs.
      const forged = await rc.signRoster({ ...impostor, id: f.device.id },
        { room: ROOM, version: 2, devices: [f.device, a.device, b.device, impostor] });
      try { await a.guard.accept(forged); return "accepted"; }
      catch (error) { return error.reason; }
    }""")
    assert reason == "signature"


def test_a_roster_for_another_room_is_refused(page):
    reason = page.evaluate("""async () => {
      const { f, a } = await three();
      const elsewhere = await rc.signRoster(f.device, { room: "mtg_other", version: 2,
        devices: [f.device, a.device] });
      try { await a.guard.accept(elsewhere); return "accepted"; }
      catch (error) { return error.reason; }
    }""")
    assert reason == "room"


def test_three_devices_read_each_others_messages(page):
    heard = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const fromA = await say(a, "I had a hard week.");
      const fromF = await say(f, "Thank you for saying so.");
      return [await hear(f, fromA), await hear(b, fromA), await hear(a, fromF),
              await hear(b, fromF)];
    }""")
    assert heard == ["I had a hard week.", "I had a hard week.", "Thank you for saying so.",
                     "Thank you for saying so."]


def test_a_removed_device_gets_no_box_and_cannot_read_the_next_epoch(page):
    boxed_to_c, opened_by_c, heard_by_c, heard_by_b = page.evaluate("""async () => {
      const f = await person(null);
      const [a, b, c] = [await person(f), await person(f), await person(f)];
      await publish(f, 1, [f, a, b, c], [f, a, b, c]);
      // c is removed: the server no longer relays rosters to it.
      const next = await publish(f, 2, [f, a, b], [f, a, b]);
      const boxes = next.keys.flatMap((k) => k.boxes);
      let opened = 0;
      for (const k of next.keys) {
        for (const { box } of k.boxes) {
          for (const from of [f, a, b]) {
            try { await rc.open(c.device, from.device, { room: ROOM, epoch: 2, box }); opened++; }
            catch {}
          }
        }
      }
      const message = await say(a, "Only for those still here.");
      return [boxes.filter((x) => x.to === c.device.id).length, opened,
              await hear(c, message), await hear(b, message)];
    }""")
    assert boxed_to_c == 0
    assert opened_by_c == 0
    assert heard_by_c == "refused:no-key"
    assert heard_by_b == "Only for those still here."


def test_a_newcomer_cannot_read_what_was_said_before_it_came_in(page):
    before, after = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const earlier = await say(a, "Said before anyone new came in.");
      const d = await person(f);
      await publish(f, 2, [f, a, b, d], [f, a, b, d]);
      const later = await say(a, "Welcome.");
      return [await hear(d, earlier), await hear(d, later)];
    }""")
    assert before == "refused:no-key"
    assert after == "Welcome."


def test_replayed_and_out_of_date_counters_are_refused(page):
    heard = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const first = await say(a, "one");
      const second = await say(a, "two");
      const third = await say(a, "three");
      return [await hear(b, first), await hear(b, third), await hear(b, third),
              await hear(b, second), await hear(b, first)];
    }""")
    assert heard == ["one", "three", "refused:replay", "refused:replay", "refused:replay"]


def test_a_flipped_bit_or_a_wrong_signature_is_refused(page):
    heard = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const flip = (b64, at) => {
        const bytes = rc.b64decode(b64);
        bytes[at] ^= 1;
        return rc.b64encode(bytes);
      };
      const one = await say(a, "one");
      const two = await say(a, "two");
      const third = await say(a, "three");
      // The signature of one message on another, and a message signed by b claiming to be a.
      const forged = await b.chat.encrypt("pretending");
      return [
        await hear(b, { ...one, ct: flip(one.ct, 0) }),
        await hear(b, { ...two, sig: flip(two.sig, 5) }),
        await hear(b, { ...third, sig: one.sig }),
        await hear(f, { ...forged, from: a.device.id }),
        await hear(b, third),
      ];
    }""")
    assert heard[:4] == ["refused:signature", "refused:signature", "refused:signature",
                         "refused:signature"]
    assert heard[4] == "three"


def test_a_sender_outside_the_current_roster_is_refused(page):
    heard = page.evaluate("""async () => {
      const f = await person(null);
      const [a, b] = [await person(f), await person(f)];
      await publish(f, 1, [f, a, b], [f, a, b]);
      const late = await say(a, "sent just before a was removed");
      await publish(f, 2, [f, b], [f, b]);
      return await hear(b, late);
    }""")
    assert heard == "refused:sender"


def test_nonces_never_repeat(page):
    distinct, total = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const nonces = new Set();
      let total = 0;
      for (let i = 0; i < 300; i++) {
        for (const p of [f, a]) {
          nonces.add((await p.chat.encrypt("same words every time")).nonce);
          total++;
        }
      }
      for (const k of wire.filter((x) => x.type === "keys")) {
        for (const { box } of k.boxes) { nonces.add(box.slice(0, 16)); total++; }
      }
      return [nonces.size, total];
    }""")
    assert total > 600
    assert distinct == total


def test_the_safety_code_is_the_same_for_everyone_holding_the_same_key(page):
    codes, other, raw = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const codes = [];
      for (const p of [f, a, b]) codes.push(await rc.safetyCode(ROOM, p.guard.facilitator.sign));
      const impostor = await rc.makeDevice();
      return [codes, await rc.safetyCode(ROOM, impostor.sign),
              Array.from(rc.b64decode(f.device.sign))];
    }""")
    assert len(set(codes)) == 1
    digest = hashlib.sha256(f"circlekeep safety v1|{ROOM}|".encode() + bytes(raw)).digest()
    expected = " ".join(f"{int.from_bytes(digest[i:i + 2], 'big') % 10000:04d}"
                        for i in range(0, 8, 2))
    assert codes[0] == expected
    assert other != codes[0]


def test_a_whisper_reaches_only_the_waiting_device(page):
    heard, other = page.evaluate("""async () => {
      const f = await rc.makeDevice();
      const waiting = await rc.makeDevice();
      const stranger = await rc.makeDevice();
      const box = await rc.sealWhisper(f, waiting, { room: ROOM, text: "Two minutes, please." });
      wire.push({ type: "whisper", device: waiting.id, box });
      const heard = (await rc.openWhisper(waiting, f, { room: ROOM, box })).text;
      try { await rc.openWhisper(stranger, f, { room: ROOM, box }); return [heard, "opened"]; }
      catch (error) { return [heard, error.reason]; }
    }""")
    assert heard == "Two minutes, please."
    assert other == "unreadable"


def test_nothing_sent_to_the_server_carries_what_was_said(page):
    secret = "My sister's name is Aurelia and I relapsed on Tuesday."
    frames, leaks = page.evaluate("""async (secret) => {
      const { f, a, b } = await three();
      const d = await person(f);
      await publish(f, 2, [f, a, b, d], [f, a, b, d]);
      await say(a, secret);
      await say(d, secret);
      const waiting = await rc.makeDevice();
      wire.push({ type: "whisper", device: waiting.id,
                  box: await rc.sealWhisper(f.device, waiting, { room: ROOM, text: secret }) });
      const bytes = new TextEncoder().encode(secret);
      const forms = [secret, "Aurelia", rc.b64encode(bytes), btoa(secret)];
      const text = JSON.stringify(wire);
      return [wire.length, forms.filter((form) => text.includes(form))];
    }""", secret)
    assert frames >= 8
    assert leaks == []


def test_a_roster_giving_this_device_other_keys_or_a_device_twice_is_refused(page):
    # Genuinely signed by the facilitator (a facilitator page told lies about the keys of a
    # device): this device's id with keys it never made, or one device listed twice.
    out = page.evaluate("""async () => {
      const { f, a, b } = await three();
      const stranger = await rc.makeDevice();
      const inMyName = await rc.signRoster(f.device, { room: ROOM, version: 2,
        devices: [f.device, { ...stranger, id: a.device.id }, b.device] });
      const twice = await rc.signRoster(f.device, { room: ROOM, version: 3,
        devices: [f.device, a.device, b.device, { ...stranger, id: b.device.id }] });
      const attempt = async (work) => {
        try { await work(); return "accepted"; } catch (error) { return error.reason; }
      };
      const rotated = await attempt(async () => a.chat.rotate(await a.guard.accept(inMyName)));
      const guarded = new rc.RosterGuard({ room: ROOM,
        facilitator: { device: f.device.id, sign: f.device.sign }, device: a.device });
      const byGuard = await attempt(() => guarded.accept(inMyName));
      const dup = await attempt(async () => b.chat.rotate(await b.guard.accept(twice)));
      const roster = JSON.parse(new TextDecoder().decode(rc.b64decode(twice.roster)));
      const dupRotate = await attempt(() => b.chat.rotate(roster));
      return [rotated, a.chat.roster.version, byGuard, guarded.version, dup, b.guard.version,
        dupRotate, b.chat.roster.version];
    }""")
    assert out == ["own-keys", 1, "own-keys", 0, "duplicate", 1, "duplicate", 1]
