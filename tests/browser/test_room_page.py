"""The online room's page in Chromium, under the site's content security policy, against a
stand-in server that relays frames as docs/rooms.md describes: a member waits, is let in
and chats with the facilitator; what they say never reaches the server readable; a removed
member gets no further key; a tampered roster is refused on the page."""

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone

from tests.browser.conftest import DESKTOP, OVERFLOW_TOLERANCE, PHONE, SERIOUS

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
ROOM = "3f9a1c2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
NONCE = "n0nce"
CSP = ("default-src 'none'; script-src 'self' 'nonce-n0nce'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; "
       "form-action 'self'; object-src 'none'")


class Relay:
    """A stand-in for the room's server: it forwards frames as the protocol says, knows who
    is waiting and who is in, and keeps every frame the browsers sent it."""

    def __init__(self):
        self.seen = []
        self.connections = {}
        self.roster_version = 0
        self.tamper_rosters_to = set()

    def attach(self, ws, role, label):
        connection = SimpleNamespace(ws=ws, role=role, label=label, device=None,
                                     status="opening", muted=False)
        ws.on_message(lambda message: self.receive(connection, message))

    def facilitator(self):
        return next((c for c in self.connections.values() if c.role == "facilitator"), None)

    def admitted(self):
        return [c for c in self.connections.values() if c.status == "admitted"]

    def to(self, connection, frame):
        connection.ws.send(json.dumps(frame))

    def presence(self):
        host = self.facilitator()
        people = [{"device": c.device["id"], "label": c.label, "role": c.role, "muted": c.muted}
                  for c in self.admitted()]
        for connection in self.admitted():
            self.to(connection, {"type": "presence", "people": people, "facilitator":
                                 {"device": host.device["id"], "sign": host.device["sign"],
                                  "dh": host.device["dh"]}})

    def waiting_list(self):
        host = self.facilitator()
        if host:
            self.to(host, {"type": "waiting-list", "waiting": [
                {"device": c.device["id"], "label": c.label, "sign": c.device["sign"],
                 "dh": c.device["dh"], "second_device": False}
                for c in self.connections.values() if c.status == "waiting"]})

    def send_away(self, connection, kind):
        self.to(connection, {"type": kind, "message": ""})
        connection.status = kind
        connection.ws.close()

    def receive(self, sender, message):
        self.seen.append(message)
        frame = json.loads(message)
        kind = frame["type"]
        host = self.facilitator()
        target = self.connections.get(frame["device"]) if kind != "hello" and "device" in frame \
            else None
        if kind == "hello":
            sender.device = frame["device"]
            self.connections[sender.device["id"]] = sender
            sender.status = "admitted" if sender.role == "facilitator" else "opening"
            host = self.facilitator()
            self.to(sender, {
                "type": "welcome", "status": sender.status, "locked": False,
                "you": {"device": sender.device["id"], "role": sender.role,
                        "label": sender.label},
                "facilitator": host and {"device": host.device["id"],
                                         "sign": host.device["sign"],
                                         "dh": host.device["dh"]},
                "roster_version": self.roster_version})
            if sender.role == "facilitator":
                self.presence()
        elif kind == "ask":
            other = next((c for c in self.connections.values() if c is not sender
                          and c.label == sender.label and c.status in ("waiting", "admitted")),
                         None)
            if other:
                sender.other = other
                self.to(sender, {"type": "other-device"})
                return
            sender.status = "waiting"
            self.to(sender, {"type": "waiting"})
            self.waiting_list()
        elif kind == "keep":
            if not frame["this"]:
                sender.ws.close()
                return
            self.to(sender.other, {"type": "replaced"})
            sender.other.status = "replaced"
            sender.other.ws.close()
            sender.status = "waiting"
            self.to(sender, {"type": "waiting"})
            self.waiting_list()
        elif kind == "admit":
            target.status = "admitted"
            self.to(target, {"type": "admitted"})
            self.to(host, {"type": "join", "device": target.device, "label": target.label})
            self.presence()
            self.waiting_list()
        elif kind in ("remove", "refuse"):
            self.send_away(target, "removed" if kind == "remove" else "refused")
            self.to(host, {"type": "leave", "device": target.device["id"]})
            self.presence()
        elif kind == "end":
            for connection in list(self.connections.values()):
                if connection.status in ("admitted", "waiting", "opening"):
                    self.send_away(connection, "ended")
        elif kind == "mute":
            target.muted = frame["muted"]
            self.to(target, {"type": "muted", "muted": frame["muted"]})
            self.presence()
        elif kind == "lock":
            for connection in self.connections.values():
                if connection.status in ("admitted", "waiting", "opening"):
                    self.to(connection, {"type": "locked", "locked": frame["locked"]})
        elif kind == "whisper":
            self.to(target, {"type": "whisper", "from": sender.device["id"], "box": frame["box"]})
        elif kind == "roster":
            self.roster_version = max(self.roster_version, 1)
            for connection in self.admitted():
                if connection is not sender:
                    roster = frame["roster"]
                    if connection.device["id"] in self.tamper_rosters_to:
                        roster = ("A" if roster[0] != "A" else "B") + roster[1:]
                    self.to(connection, {"type": "roster", "roster": roster,
                                         "sig": frame["sig"], "from": sender.device["id"]})
        elif kind == "keys":
            for box in frame["boxes"]:
                receiver = self.connections.get(box["to"])
                if receiver and receiver.status == "admitted":
                    self.to(receiver, {"type": "key", "from": sender.device["id"],
                                       "epoch": frame["epoch"], "box": box["box"]})
        elif kind == "chat":
            for connection in self.admitted():
                if connection is not sender:
                    self.to(connection, {**frame, "from": sender.device["id"]})

    def frames(self, kind):
        return [json.loads(m) for m in self.seen if json.loads(m)["type"] == kind]


@pytest.fixture
def relay():
    return Relay()


@pytest.fixture
def room_page(browser, rf, relay):
    contexts = []

    def open_page(role, label, width=DESKTOP):
        request = rf.get(f"/meetings/{ROOM}/room/")
        request.user = AnonymousUser()
        request.csp_nonce = NONCE
        starts = timezone.now() + timedelta(minutes=5)
        html = render_to_string("rooms/room.html", {
            "meeting": SimpleNamespace(public_id=ROOM, starts_at=starts,
                                       ends_at=starts + timedelta(hours=1)),
            "circle": SimpleNamespace(name="Tuesday circle"), "role": role,
            "ws_url": f"ws://localhost/ws/rooms/{ROOM}/", "room_id": ROOM,
            "version": SimpleNamespace(clauses=[SimpleNamespace(
                title="Names stay here", text="Who came and what they said stays here.")]),
            "limits": ["A risk of serious harm may be reported."],
            "online_rules": ["Join from a place where nobody else can hear."],
            "already_acknowledged": False,
        }, request=request)
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)

        def serve(route):
            path = route.request.url.removeprefix("http://localhost")
            if path.startswith("/static/"):
                file = STATIC / path.removeprefix("/static/")
                kinds = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
                route.fulfill(status=200, body=file.read_bytes(),
                              content_type=kinds.get(file.suffix, "application/octet-stream"))
            else:
                route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8",
                              headers={"Content-Security-Policy": CSP})

        context.route("http://localhost/**", serve)
        context.route_web_socket("ws://localhost/ws/rooms/**",
                                 lambda ws: relay.attach(ws, role, label))
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.goto(f"http://localhost/meetings/{ROOM}/room/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def state(page, value, version=None):
    page.locator(f"#room[data-state='{value}']").wait_for(state="attached")
    if version is not None:
        page.locator(f"#room[data-roster-version='{version}']").wait_for(state="attached")


def check_page(page, width):
    from axe_playwright_python.sync_playwright import Axe

    over = page.evaluate("document.documentElement.scrollWidth - "
                         "document.documentElement.clientWidth")
    assert over <= OVERFLOW_TOLERANCE, f"the room scrolls sideways at {width}px by {over}px"
    results = Axe().run(page)
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert problems == []


def let_in(room_page, relay):
    host = room_page("facilitator", "Dana")
    state(host, "admitted", 1)
    member = room_page("member", "Mina", width=PHONE)
    ask = member.get_by_role("button", name="I acknowledge and ask to enter")
    ask.click()
    state(member, "waiting")
    host.get_by_role("button", name="Admit: Mina").click()
    state(member, "admitted", 2)
    state(host, "admitted", 2)
    return host, member


def test_a_member_waits_is_let_in_and_chats_with_the_facilitator(room_page, relay):
    host = room_page("facilitator", "Dana")
    state(host, "admitted", 1)
    member = room_page("member", "Mina", width=PHONE)
    check_page(member, PHONE)
    member.get_by_role("button", name="I acknowledge and ask to enter").click()
    state(member, "waiting")
    assert "Waiting for the facilitator to let you in" in member.inner_text("#room")

    host.get_by_role("button", name="Send a private message: Mina").click()
    host.get_by_label("Your private message").fill("We start in two minutes.")
    host.locator("#room-whisper").get_by_role("button", name="Send").click()
    member.get_by_text("We start in two minutes.").wait_for()

    host.get_by_role("button", name="Admit: Mina").click()
    state(member, "admitted", 2)
    state(host, "admitted", 2)
    codes = [p.inner_text("[data-safety-code]") for p in (host, member)]
    assert codes[0] == codes[1] and len(codes[0].split()) == 4

    member.get_by_label("Message").fill("I had a hard week.")
    member.get_by_role("button", name="Send").click()
    host.locator("[data-log]").get_by_text("I had a hard week.").wait_for()
    assert "Mina" in host.inner_text("[data-log]")
    host.get_by_label("Message", exact=True).fill("Thank you for telling us.")
    host.locator("[data-chat-form]").get_by_role("button", name="Send").click()
    member.locator("[data-log]").get_by_text("Thank you for telling us.").wait_for()

    check_page(member, PHONE)
    check_page(host, DESKTOP)
    server_saw = "\n".join(relay.seen)
    for words in ("We start in two minutes", "hard week", "Thank you for telling us"):
        assert words not in server_saw
    assert relay.frames("chat") and relay.frames("whisper")
    assert host.problems == [] and member.problems == []


def test_a_removed_member_is_sent_away_and_gets_no_further_key(room_page, relay):
    host, member = let_in(room_page, relay)
    removed_device = relay.frames("hello")[1]["device"]["id"]
    host.get_by_role("button", name="Remove: Mina").click()
    state(member, "removed")
    state(host, "admitted", 3)
    assert member.locator("textarea#room-message").is_disabled()
    assert member.inner_text("[data-log]") == ""
    newest = [k for k in relay.frames("keys") if k["epoch"] == 3]
    assert newest and all(box["to"] != removed_device for k in newest for box in k["boxes"])


def test_a_tampered_roster_is_refused_on_the_page(room_page, relay):
    host = room_page("facilitator", "Dana")
    state(host, "admitted", 1)
    member = room_page("member", "Mina")
    member.get_by_role("button", name="I acknowledge and ask to enter").click()
    state(member, "waiting")
    relay.tamper_rosters_to.add(relay.frames("hello")[1]["device"]["id"])
    host.get_by_role("button", name="Admit: Mina").click()
    state(member, "admitted")
    member.get_by_text("A change to who is in the room was refused").wait_for()
    assert member.get_attribute("#room", "data-roster-version") is None
    host.get_by_label("Message", exact=True).fill("Not for a forged roster.")
    host.locator("[data-chat-form]").get_by_role("button", name="Send").click()
    member.get_by_text("A message was refused and is not shown").first.wait_for()
    assert "Not for a forged roster." not in member.inner_text("#room")


def test_ending_the_meeting_asks_first_then_closes_the_room_for_everyone(room_page, relay):
    host, member = let_in(room_page, relay)
    host.get_by_role("button", name="End the meeting").click()
    dialog = host.locator("#room-end")
    assert dialog.is_visible()
    dialog.get_by_role("button", name="Cancel").click()
    assert member.get_attribute("#room", "data-state") == "admitted"
    host.get_by_role("button", name="End the meeting").click()
    dialog.get_by_role("button", name="End the meeting").click()
    state(member, "ended")
    state(host, "ended")
    assert "The meeting has ended" in member.inner_text("#room")


def test_a_second_device_asks_which_one_to_keep(room_page, relay):
    host = room_page("facilitator", "Dana")
    state(host, "admitted", 1)
    laptop = room_page("member", "Mina")
    laptop.get_by_role("button", name="I acknowledge and ask to enter").click()
    state(laptop, "waiting")
    phone = room_page("member", "Mina", width=PHONE)
    phone.get_by_role("button", name="I acknowledge and ask to enter").click()
    phone.get_by_text("You are already in this room on another device. Keep this one?").wait_for()
    check_page(phone, PHONE)
    phone.get_by_role("button", name="Keep this device").click()
    state(laptop, "replaced")
    state(phone, "waiting")
    assert laptop.locator("[data-ask]").is_disabled()


def test_the_facilitator_mutes_a_members_chat_and_locks_the_room(room_page, relay):
    host, member = let_in(room_page, relay)
    member.get_by_label("Message").fill("Before the mute.")
    member.get_by_role("button", name="Send").click()
    host.locator("[data-log]").get_by_text("Before the mute.").wait_for()
    host.get_by_role("button", name="Mute chat: Mina").click()
    member.get_by_text("The facilitator muted your chat.").first.wait_for()
    assert member.locator("textarea#room-message").is_disabled()
    host.get_by_role("button", name="Let them chat: Mina").wait_for()

    host.get_by_role("button", name="Lock the room").click()
    host.get_by_role("button", name="Unlock the room").wait_for()
    assert member.locator("[data-locked-note]").is_visible()
    assert host.get_attribute("[data-lock]", "aria-pressed") == "true"
