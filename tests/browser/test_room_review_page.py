"""What a dishonest server could do to the room's page, against a stand-in server in
Chromium under the site's content security policy (test_room_page.py): slip a device into
the roster with a `join` nobody here asked for, or swap the facilitator's key in `presence`
and sign rosters with its own. The page adds nobody to the roster unless its facilitator
admitted them with the keys shown or adds them by hand, and takes a new facilitator key
only once its safety code was compared aloud (docs/rooms.md)."""

import base64
import hashlib
import json
import os
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_room_page import ROOM, Relay, check_page, let_in, room_page, state

pytestmark = pytest.mark.browser

__all__ = ["room_page"]  # the fixture, shared with test_room_page.py

WAIT = 5_000  # milliseconds


def b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ServerRelay(Relay):
    """The stand-in relay as the server now behaves: the earliest facilitator device signs
    the roster and a roster from any other device is refused; facilitators hear of each
    other and of every admitted device. It notes who sent each frame."""

    def __init__(self):
        super().__init__()
        self.sent_by = []

    def facilitators(self):
        return [c for c in self.connections.values()
                if c.role == "facilitator" and c.status == "admitted"]

    def receive(self, sender, message):
        frame = json.loads(message)
        kind = frame["type"]
        self.sent_by.append((sender.device["id"] if sender.device else None, frame))
        signer = self.facilitator()
        if kind == "roster" and sender is not signer:
            self.seen.append(message)
            self.to(sender, {"type": "error", "code": "not-signer",
                             "message": "Only the signing facilitator device sends rosters."})
            return
        if kind == "admit":
            self.seen.append(message)
            target = self.connections[frame["device"]]
            target.status = "admitted"
            self.to(target, {"type": "admitted"})
            for host in self.facilitators():
                self.to(host, {"type": "join", "device": target.device, "label": target.label})
            self.presence()
            self.waiting_list()
            return
        super().receive(sender, message)
        if kind == "hello" and sender.role == "facilitator":
            for host in self.facilitators():
                if host is not sender:
                    self.to(host, {"type": "join", "device": sender.device,
                                   "label": sender.label})

    def waiting_list(self):
        for host in self.facilitators():
            self.to(host, {"type": "waiting-list", "waiting": [
                {"device": c.device["id"], "label": c.label, "sign": c.device["sign"],
                 "dh": c.device["dh"], "second_device": False}
                for c in self.connections.values() if c.status == "waiting"]})

    def sent(self, kind, device_id=None):
        return [f for d, f in self.sent_by
                if f["type"] == kind and (device_id is None or d == device_id)]


@pytest.fixture
def relay():
    return ServerRelay()


def new_device():
    sign = Ed25519PrivateKey.generate()
    dh = X25519PrivateKey.generate()
    public = {"id": b64(os.urandom(16)), "sign": b64(sign.public_key().public_bytes_raw()),
              "dh": b64(dh.public_key().public_bytes_raw())}
    return public, sign


def signed_roster(key, signer, devices, version):
    roster = {"devices": sorted(({"id": d["id"], "sign": d["sign"], "dh": d["dh"]}
                                 for d in devices), key=lambda d: d["id"]),
              "facilitator": signer["id"], "issued_at": int(time.time() * 1000),
              "room": ROOM, "version": version}
    raw = json.dumps(roster, sort_keys=True, separators=(",", ":")).encode()
    return {"type": "roster", "roster": b64(raw), "sig": b64(key.sign(raw)), "from": signer["id"]}


def announced(device):
    return {"device": device["id"], "sign": device["sign"], "dh": device["dh"]}


def roster_ids(frame):
    return {d["id"] for d in json.loads(unb64(frame["roster"]))["devices"]}


def boxed_to(relay, device_id, epoch=None):
    return [k for k in relay.sent("keys") if (epoch is None or k["epoch"] == epoch)
            and any(box["to"] == device_id for box in k["boxes"])]


def safety_code(sign):
    digest = hashlib.sha256(f"circlekeep safety v1|{ROOM}|".encode() + unb64(sign)).digest()
    return " ".join(f"{((digest[i] << 8) | digest[i + 1]) % 10000:04d}" for i in range(0, 8, 2))


def eventually(page, check):
    for _attempt in range(50):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError("never happened")


def device_of(relay, label):
    return next(c.device for c in relay.connections.values() if c.label == label)


def test_a_join_nobody_here_admitted_waits_to_be_added_and_gets_no_key(room_page, relay):
    host, member = let_in(room_page, relay)
    ghost, _key = new_device()
    relay.to(relay.facilitator(), {"type": "join", "device": ghost, "label": "Ghost"})
    host.wait_for_timeout(500)
    assert all(ghost["id"] not in roster_ids(r) for r in relay.sent("roster"))
    assert boxed_to(relay, ghost["id"]) == []
    assert host.get_attribute("#room", "data-roster-version") == "2"
    add = host.get_by_role("button", name="Add to the roster: Ghost")
    add.wait_for(timeout=WAIT)
    assert host.get_by_role("heading", name="To add to the encrypted roster").is_visible()
    assert not host.get_by_role("button", name="Add everyone listed").is_visible()
    check_page(host, DESKTOP)

    add.click()
    state(host, "admitted", 3)
    state(member, "admitted", 3)
    assert ghost["id"] in roster_ids(relay.sent("roster")[-1])
    eventually(host, lambda: len(boxed_to(relay, ghost["id"], 3)) == 2)
    assert not host.locator("[data-confirm-box]").is_visible()
    assert host.problems == [] and member.problems == []


def test_a_co_facilitator_and_a_member_they_admitted_are_added_by_the_signer(room_page,
                                                                              relay):
    dana = room_page("facilitator", "Dana")
    state(dana, "admitted", 1)
    sam = room_page("facilitator", "Sam")
    state(sam, "admitted")
    dana.get_by_role("button", name="Add to the roster: Sam").wait_for(timeout=WAIT)
    mina = room_page("member", "Mina", width=PHONE)
    mina.get_by_role("button", name="I acknowledge and ask to enter").click()
    state(mina, "waiting")
    # Sam (not the signer) lets Mina in: Dana's page did not, so it asks Dana first.
    sam.get_by_role("button", name="Admit: Mina").click()
    state(mina, "admitted")
    dana.get_by_role("button", name="Add to the roster: Mina").wait_for(timeout=WAIT)
    dana.wait_for_timeout(300)
    assert [roster_ids(r) for r in relay.sent("roster")] == [{device_of(relay, "Dana")["id"]}]
    assert boxed_to(relay, device_of(relay, "Mina")["id"]) == []

    dana.get_by_role("button", name="Add everyone listed").click()
    for page in (dana, sam, mina):
        state(page, "admitted", 2)
    assert relay.sent("roster", device_of(relay, "Sam")["id"]) == []
    assert len(relay.sent("roster")) == 2
    eventually(sam, lambda: boxed_to(relay, device_of(relay, "Mina")["id"], 2) and all(
        k["epoch"] != 2 or len(k["boxes"]) == 2
        for k in relay.sent("keys", device_of(relay, "Sam")["id"])))
    sam.get_by_label("Message", exact=True).fill("Welcome, Mina.")
    sam.locator("[data-chat-form]").get_by_role("button", name="Send").click()
    mina.locator("[data-log]").get_by_text("Welcome, Mina.").wait_for(timeout=WAIT)
    codes = {p.inner_text("[data-safety-code]") for p in (dana, sam, mina)}
    assert codes == {safety_code(device_of(relay, "Dana")["sign"])}
    # Sam keeps the facilitator's controls.
    sam.get_by_role("button", name="Remove: Mina").wait_for()
    assert sam.get_by_role("button", name="Lock the room").is_visible()
    for page in (dana, sam, mina):
        assert page.problems == []


def test_a_facilitator_key_swapped_in_presence_waits_for_the_code_to_be_compared(room_page,
                                                                                 relay):
    host, member = let_in(room_page, relay)
    mina = device_of(relay, "Mina")
    connection = relay.connections[mina["id"]]
    fake, fake_key = new_device()
    relay.to(connection, {"type": "presence", "facilitator": announced(fake), "people": [
        {"device": fake["id"], "label": "Dana", "role": "facilitator", "muted": False},
        {"device": mina["id"], "label": "Mina", "role": "member", "muted": False}]})
    relay.to(connection, signed_roster(fake_key, fake, [fake, mina], 3))
    member.wait_for_timeout(500)
    assert member.get_attribute("#room", "data-roster-version") == "2"
    assert boxed_to(relay, fake["id"]) == []
    member.get_by_text("A change to who is in the room was refused").wait_for(timeout=WAIT)
    confirm = member.get_by_role("button", name="I compared the new code with the facilitator")
    confirm.wait_for(timeout=WAIT)
    alert = member.get_by_role("alert")
    assert safety_code(fake["sign"]) in alert.inner_text()
    assert "aloud" in alert.inner_text()
    assert member.locator("textarea#room-message").is_disabled()
    assert member.inner_text("[data-safety-code]") != safety_code(fake["sign"])
    check_page(member, PHONE)

    confirm.click()
    state(member, "admitted", 3)
    eventually(member, lambda: boxed_to(relay, fake["id"], 3))
    assert member.inner_text("[data-safety-code]") == safety_code(fake["sign"])
    assert not member.get_by_role("alert").is_visible()
    assert not member.locator("textarea#room-message").is_disabled()
    assert host.problems == [] and member.problems == []


def test_the_facilitators_own_page_publishes_nothing_under_a_swapped_key(room_page, relay):
    host = room_page("facilitator", "Dana")
    state(host, "admitted", 1)
    fake, _key = new_device()
    relay.to(relay.facilitator(),
             {"type": "presence", "facilitator": announced(fake), "people": []})
    host.get_by_role("button", name="I compared the new code with the facilitator").wait_for(
        timeout=WAIT)
    member = room_page("member", "Mina")
    member.get_by_role("button", name="I acknowledge and ask to enter").click()
    state(member, "waiting")
    host.get_by_role("button", name="Admit: Mina").click()
    state(member, "admitted")
    host.wait_for_timeout(500)
    assert len(relay.sent("roster")) == 1
    assert host.get_attribute("#room", "data-roster-version") == "1"
