"""The online room end to end: Chromium pages from the live server, the real websocket
consumer under uvicorn (the `room_server` fixture), the test database behind both, and
several people each in their own browser context. Members wait unseen by each other, the
facilitator lets them in, they chat with what only their browsers can read; a removed
member reads nothing further, a tampered roster is refused, the end closes the room for
everyone, and a copied room address is useless to anyone else."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.audit.models import AuditEvent
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Acknowledgement, Attendance
from circlekeep.rooms.models import Presence
from circlekeep.testing import make_member, totp_now

from .conftest import DESKTOP, PHONE
from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser

WAIT = 15_000  # milliseconds: the longest any step of the room may take here
ASK = "I acknowledge and ask to enter"
# Opens the room's websocket from the page, says hello as a new device, and reports what
# came back before the server closed it.
KNOCK = """(url) => new Promise((resolve) => {
  const got = [];
  const socket = new WebSocket(url);
  const device = {id: "A".repeat(22), sign: "B".repeat(43), dh: "C".repeat(43)};
  socket.onopen = () => socket.send(JSON.stringify({type: "hello", device}));
  socket.onmessage = (event) => got.push(event.data);
  socket.onclose = () => resolve({closed: true, got});
  setTimeout(() => resolve({closed: false, got}), 5000);
})"""


@pytest.fixture
def meeting(live_cast):
    return do_schedule_meetings(
        live_cast.circle, starts_at=timezone.now() + timedelta(minutes=5),
        duration_minutes=60, recurrence="none", mode="online",
        actor=live_cast.facilitator).meetings.get()


@pytest.fixture
def noor(live_cast):
    return make_member(live_cast.circle, "noor@example.test", name="Noor",
                       actor=live_cast.facilitator).user


class Person:
    """One person's browser context on the room's page, with every websocket frame it sent
    or received, in order."""

    def __init__(self, tab):
        self.tab = tab
        self.page = tab.page
        self.frames = []  # (direction, payload)
        self.problems = []
        self.page.on("websocket", self._watch)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def _watch(self, socket):
        socket.on("framesent", lambda payload: self.frames.append(("sent", payload)))
        socket.on("framereceived", lambda payload: self.frames.append(("received", payload)))

    def received(self, kind=None):
        frames = [json.loads(p) for d, p in self.frames if d == "received"]
        return [f for f in frames if kind is None or f["type"] == kind]

    def sent(self, kind=None):
        frames = [json.loads(p) for d, p in self.frames if d == "sent"]
        return [f for f in frames if kind is None or f["type"] == kind]

    def wire(self):
        return "\n".join(str(p) for _d, p in self.frames)

    def state(self, value, version=None):
        self.page.locator(f"#room[data-state='{value}']").wait_for(state="attached",
                                                                  timeout=WAIT)
        if version is not None:
            self.page.locator(f"#room[data-roster-version='{version}']").wait_for(
                state="attached", timeout=WAIT)

    def version(self):
        return self.page.get_attribute("#room", "data-roster-version")

    def room_text(self):
        return self.page.inner_text("#room")

    def ask(self):
        self.page.get_by_role("button", name=ASK).click()
        self.state("waiting")

    def press(self, name):
        self.page.get_by_role("button", name=name, exact=True).click()

    def write(self, text):
        """Send a chat message as a person would, once the page's keys are ready (the
        page says "Not sent" and keeps the text while they are still being shared)."""
        form = self.page.locator("[data-chat-form]")
        field = self.page.locator("#room-message")
        for _attempt in range(20):
            field.fill(text)
            form.get_by_role("button", name="Send").click()
            self.page.wait_for_function(
                "() => document.getElementById('room-message').value === '' || "
                "document.querySelector('[data-status]').textContent.startsWith('Not sent')",
                timeout=WAIT)
            if field.input_value() == "":
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"the page never sent {text!r}")

    def reads(self, text, by=None):
        self.page.locator("[data-log]").get_by_text(text, exact=True).wait_for(timeout=WAIT)
        if by is not None:
            who = self.page.locator("[data-log] li", has_text=text).locator(".room-who strong")
            assert who.inner_text() == by

    def audit(self):
        """axe-core and the sideways-scrolling check on the page as it is now."""
        self.tab.visited.discard((self.page.url, self.tab.width))
        self.tab.check()


def enter(visit, meeting, user, *, email, code=None, width=DESKTOP):
    tab = visit(width=width)
    sign_in(tab, email, code=code)
    person = Person(tab)
    tab.goto(f"/meetings/{meeting.public_id}/room/")
    person.state("admitted" if code else "opening")
    return person


def facilitator_enters(visit, cast, meeting, *, width=DESKTOP):
    fran = enter(visit, meeting, cast.facilitator, email="fran@riverside.test", width=width,
                 code=totp_now(TOTPDevice.objects.get(user=cast.facilitator), ahead=1))
    fran.state("admitted", 1)
    return fran


def gather(visit, cast, meeting, noor):
    """Fran in the room, then Mina (on a phone) and Noor let in."""
    fran = facilitator_enters(visit, cast, meeting)
    mina = enter(visit, meeting, cast.member, email="mina@example.test", width=PHONE)
    noor_ = enter(visit, meeting, noor, email="noor@example.test")
    mina.ask()
    noor_.ask()
    fran.press("Admit: Mina")
    fran.press("Admit: Noor")
    for person in (fran, mina, noor_):
        person.state("admitted", 3)
    return fran, mina, noor_


def test_members_wait_unseen_are_let_in_and_chat_end_to_end(live_cast, meeting, noor, visit,
                                                            room_server):
    cast = live_cast
    fran = facilitator_enters(visit, cast, meeting)
    mina = enter(visit, meeting, cast.member, email="mina@example.test", width=PHONE)
    noor_ = enter(visit, meeting, noor, email="noor@example.test")
    assert f"{room_server}/ws/rooms/{meeting.public_id}/" in mina.page.content()

    mina.ask()
    noor_.ask()
    waiting_list = fran.page.locator("[data-waiting-list]")
    waiting_list.get_by_role("button", name="Admit: Mina").wait_for(timeout=WAIT)
    waiting_list.get_by_role("button", name="Admit: Noor").wait_for(timeout=WAIT)
    assert sorted(waiting_list.locator(".task-text").all_inner_texts()) == ["Mina", "Noor"]
    mina.audit()
    noor_.audit()
    # Waiting, each sees nothing of the other: not on the page, not on the wire.
    for person, other, other_device in ((mina, "Noor", noor_.sent("hello")[0]["device"]["id"]),
                                        (noor_, "Mina", mina.sent("hello")[0]["device"]["id"])):
        assert other not in person.room_text()
        assert {f["type"] for f in person.received()} == {"welcome", "waiting"}
        assert other not in person.wire() and other_device not in person.wire()
        assert person.page.locator("[data-people] li").count() == 0

    fran.press("Admit: Mina")
    mina.state("admitted", 2)
    fran.press("Admit: Noor")
    for person in (fran, mina, noor_):
        person.state("admitted", 3)
    said = {mina: "I had a hard week at work.",
            noor_: "The same here, thank you for saying it.",
            fran: "Thank you both for telling us."}
    labels = {mina: "Mina", noor_: "Noor", fran: "Fran (facilitator)"}
    for person, text in said.items():
        person.write(text)
    for person in said:
        for other, text in said.items():
            if other is not person:
                person.reads(text, by=labels[other])

    # The wire carried ciphertext only, both ways, for every browser.
    for person in said:
        assert person.sent("chat") and person.received("chat") and person.received("key")
        wire = person.wire()
        for text in said.values():
            assert text not in wire and text.split(",")[0] not in wire
    assert len({c["ct"] for p in said for c in p.sent("chat")}) == 3

    memberships = {cast.member: cast.circle.memberships.get(user=cast.member),
                   noor: cast.circle.memberships.get(user=noor)}
    attended = Attendance.objects.filter(meeting=meeting, status__in=Attendance.ATTENDED)
    assert set(attended.values_list("membership", flat=True)) == {
        m.pk for m in memberships.values()}
    assert set(Acknowledgement.objects.filter(meeting=meeting).values_list(
        "membership", flat=True)) == {m.pk for m in memberships.values()}
    admitted = AuditEvent.objects.filter(event_type="room.admitted")
    assert admitted.count() == 2
    assert set(admitted.values_list("actor", flat=True)) == {cast.facilitator.pk}

    fran.audit()
    mina.audit()
    noor_.audit()
    assert fran.problems == mina.problems == noor_.problems == []


def test_a_removed_member_reads_nothing_said_after(live_cast, meeting, noor, visit,
                                                  room_server):
    fran, mina, noor_ = gather(visit, live_cast, meeting, noor)
    noor_device = noor_.sent("hello")[0]["device"]["id"]
    mina.write("Before: everyone reads this.")
    noor_.reads("Before: everyone reads this.")
    fran.reads("Before: everyone reads this.")

    fran.press("Remove: Noor")
    noor_.state("removed")
    assert "You were removed from the room" in noor_.room_text()
    fran.state("admitted", 4)
    mina.state("admitted", 4)
    mina.write("After: only those still here.")
    fran.reads("After: only those still here.")
    assert "After: only those still here." not in noor_.room_text()
    assert "Before: everyone reads this." not in noor_.room_text()  # forgotten on leaving
    assert noor_.page.locator("#room-message").is_disabled()

    # Nothing of the new epoch was sent to the removed device: no key for it in any box,
    # nothing of it on its wire.
    assert not [f for f in noor_.received() if f.get("epoch", 0) >= 4]
    for person in (fran, mina):
        fourth = [k for k in person.sent("keys") if k["epoch"] == 4]
        assert fourth and all(box["to"] != noor_device for k in fourth for box in k["boxes"])
    roster = json.loads(base64.urlsafe_b64decode(
        fran.sent("roster")[-1]["roster"] + "==").decode())
    assert roster["version"] == 4 and noor_device not in {d["id"] for d in roster["devices"]}
    assert "After: only those still here." not in noor_.wire()
    assert AuditEvent.objects.filter(event_type="room.removed").exists()


def roster_of(frame):
    raw = frame["roster"]
    return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode())


def encoded(roster):
    raw = json.dumps(roster, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_tampered_or_rolled_back_roster_is_refused(live_cast, meeting, noor, visit,
                                                    room_server):
    cast = live_cast
    fran = facilitator_enters(visit, cast, meeting)
    mina = enter(visit, meeting, cast.member, email="mina@example.test")
    noor_ = enter(visit, meeting, noor, email="noor@example.test")

    # Between Mina's page and the server: rosters from the server can be altered on the way.
    between = {"tamper": False, "page": None}

    def sit_between(ws):
        server = ws.connect_to_server()
        between["page"] = ws

        def from_server(message):
            frame = json.loads(message)
            if frame["type"] == "roster" and between["tamper"]:
                roster = roster_of(frame)
                # A device the facilitator never signed for slips into the roster.
                roster["devices"].append({**roster["devices"][0], "id": "A" * 22})
                frame = {**frame, "roster": encoded(roster)}
            ws.send(json.dumps(frame))

        server.on_message(from_server)

    mina.page.route_web_socket(f"{room_server}/ws/rooms/**", sit_between)
    # The route applies from the next connection on: Mina's page connects again.
    mina.page.reload()
    mina.state("opening")
    mina.ask()
    fran.press("Admit: Mina")
    mina.state("admitted", 2)

    noor_.ask()
    between["tamper"] = True
    fran.press("Admit: Noor")
    noor_.state("admitted", 3)
    fran.state("admitted", 3)
    mina.page.get_by_text("A change to who is in the room was refused: its signature does "
                          "not match.").wait_for(timeout=WAIT)
    assert mina.version() == "2"
    # Without the roster, Noor's messages stay unreadable to Mina.
    noor_.write("Only for those the facilitator let in.")
    fran.reads("Only for those the facilitator let in.")
    mina.page.get_by_text("A message was refused and is not shown").first.wait_for(timeout=WAIT)
    assert "Only for those the facilitator let in." not in mina.room_text()

    # An old roster, genuinely signed, played again: refused as older.
    # (Mina came in at version 2; the facilitator's page signed version 1 before that.)
    signed = next(f for f in fran.sent("roster") if roster_of(f)["version"] == 1)
    first = {"type": "roster", "roster": signed["roster"], "sig": signed["sig"],
             "from": fran.sent("hello")[0]["device"]["id"]}
    mina.page.get_by_text("A change to who is in the room was refused").first.wait_for()
    before = mina.page.get_by_text("A change to who is in the room was refused").count()
    between["page"].send(json.dumps(first))
    mina.page.get_by_text("A change to who is in the room was refused: it is older than one "
                          "already accepted.").wait_for(timeout=WAIT)
    assert mina.page.get_by_text("A change to who is in the room was refused").count() == \
        before + 1
    assert mina.version() == "2"


def test_the_facilitator_ends_the_meeting_for_everyone(live_cast, meeting, noor, visit,
                                                       room_server):
    cast = live_cast
    fran = facilitator_enters(visit, cast, meeting, width=PHONE)
    mina = enter(visit, meeting, cast.member, email="mina@example.test")
    noor_ = enter(visit, meeting, noor, email="noor@example.test", width=PHONE)
    mina.ask()
    noor_.ask()
    fran.press("Admit: Mina")
    mina.state("admitted", 2)
    fran.state("admitted", 2)
    fran.audit()  # the facilitator's room, on a phone, with someone waiting

    fran.press("End the meeting")
    dialog = fran.page.locator("#room-end")
    assert dialog.is_visible()
    fran.audit()
    dialog.get_by_role("button", name="End the meeting").click()
    for person in (fran, mina, noor_):  # Noor was still waiting
        person.state("ended")
        assert "The meeting has ended" in person.room_text()
    assert AuditEvent.objects.filter(event_type="room.ended").count() == 1

    for person in (fran, mina, noor_):
        response = person.page.goto(f"/meetings/{meeting.public_id}/room/")
        assert response.status == 403
        assert "The facilitator ended this meeting's room." in person.tab.text()
        assert person.page.locator("#room").count() == 0
        assert room_server not in person.page.content()
        person.tab.check()


def test_a_copied_room_address_is_useless_to_anyone_else(live_cast, meeting, noor, visit,
                                                         room_server):
    from circlekeep.consent.actions import do_withdraw_consent
    from circlekeep.consent.models import ConsentRecord

    cast = live_cast
    # The room is in use: Fran and Noor are in it.
    fran = facilitator_enters(visit, cast, meeting)
    noor_ = enter(visit, meeting, noor, email="noor@example.test")
    noor_.ask()
    fran.press("Admit: Noor")
    noor_.state("admitted", 2)
    address = f"/meetings/{meeting.public_id}/room/"

    do_withdraw_consent(ConsentRecord.objects.get(subject=cast.member, withdrawn_at=None),
                        actor=cast.member)
    outsiders = {
        "another circle's member": ("otto@example.test", None, (403, 404)),
        "a member not cleared": ("mina@example.test", None, (403,)),
        "the organisation's admin": (
            "ada@riverside.test", totp_now(TOTPDevice.objects.get(user=cast.admin), ahead=1),
            (403, 404)),
        "a signed-out browser": (None, None, (200,)),
    }
    for who, (email, code, statuses) in outsiders.items():
        tab = visit()
        if email:
            sign_in(tab, email, code=code)
        response = tab.page.goto(address)
        assert response.status in statuses, (who, response.status)
        if email is None:
            assert "/accounts/sign-in/" in tab.page.url
        for width in (DESKTOP, PHONE):
            tab.page.set_viewport_size({"width": width, "height": 800})
            tab.width = width
            page = tab.page.content()
            assert tab.page.locator("#room").count() == 0, who
            assert room_server not in page and "/ws/rooms/" not in page, who
            for name in ("Fran", "Noor"):
                assert name not in tab.text(), (who, name)
            tab.check()
        # The websocket's address copied too: the server lets nobody else say hello.
        answer = tab.page.evaluate(KNOCK, f"{room_server}/ws/rooms/{meeting.public_id}/")
        assert answer["closed"], who
        assert not [m for m in answer["got"] if json.loads(m)["type"] != "refused"], who
        assert "Fran" not in str(answer) and "Noor" not in str(answer), who
        tab.close()
    # Nobody new reached the room, and those in it saw nobody come.
    assert Presence.objects.filter(room__meeting=meeting).count() == 2
    assert not fran.received("waiting-list")[-1]["waiting"]
    assert sorted(p["label"] for p in noor_.received("presence")[-1]["people"]) == [
        "Fran (facilitator)", "Noor"]
    assert set(meeting.attendance.values_list("membership__user", flat=True)) == {noor.pk}
