"""The room's websocket as an attacker and as each person would use it: who gets in, what
waiting people see of each other, what is relayed to whom, and what is refused.

The browsers' cryptography is tested in tests/browser; here frames carry stand-in
ciphertext, since the server must treat it as opaque bytes anyway.
"""

import asyncio
import base64
import contextlib
import json
import os
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from circlekeep.audit.models import AuditEvent
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Attendance, Meeting
from circlekeep.rooms.models import Presence, Room
from circlekeep.testing import build_cast, make_member, run_on_own_loop, signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_device():
    return {"id": b64(os.urandom(16)), "sign": b64(os.urandom(32)), "dh": b64(os.urandom(32))}


@pytest.fixture
def cast(transactional_db):
    return build_cast()


@pytest.fixture
def meeting(cast):
    return do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=5),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=cast.facilitator).meetings.get()


@pytest.fixture
def application():
    from config.asgi import application

    return application


class Socket:
    """One device's websocket."""

    def __init__(self, application, user, meeting, *, origin=ORIGIN, verified=None):
        headers = [origin]
        if user is not None:
            cookie = signed_in_client(user, verified=verified).cookies[
                settings.SESSION_COOKIE_NAME].value
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        self.device = new_device()
        self.communicator = WebsocketCommunicator(
            application, f"/ws/rooms/{meeting.public_id}/", headers=headers)

    async def connect(self):
        connected, code = await self.communicator.connect()
        return connected, code

    async def send(self, frame):
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def receive(self, timeout=2):
        message = await self.communicator.receive_output(timeout)
        if message["type"] == "websocket.close":
            return {"type": "closed", "code": message.get("code")}
        return json.loads(message["text"])

    async def expect(self, kind, timeout=2):
        """The next frame of ``kind``, skipping others; fails if it does not come."""
        seen = []
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame
            seen.append(frame["type"])
            assert frame["type"] != "closed", f"closed while waiting for {kind}: {seen}"

    async def people(self, count, timeout=2):
        """The labels of the first presence frame that lists ``count`` people."""
        while True:
            people = (await self.expect("presence", timeout))["people"]
            if len(people) == count:
                return {p["label"] for p in people}

    async def kinds_within(self, seconds):
        """The kinds of frame that arrive within ``seconds``."""
        kinds = set()
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            while True:
                kinds.add((await self.receive(timeout=seconds))["type"])
        return kinds

    async def nothing(self, timeout=0.3):
        assert await self.communicator.receive_nothing(timeout), "a frame arrived"

    async def hello(self):
        connected, _code = await self.connect()
        assert connected
        await self.send({"type": "hello", "device": self.device})
        return await self.expect("welcome")

    async def close(self):
        await self.communicator.disconnect()


async def open_socket(application, user, meeting, **options):
    """A device's socket, its session made in a thread (the ORM is synchronous)."""
    return await database_sync_to_async(Socket)(application, user, meeting, **options)


async def enter(application, user, meeting):
    socket = await open_socket(application, user, meeting)
    await socket.hello()
    return socket


async def waiting_member(application, user, meeting):
    socket = await enter(application, user, meeting)
    await socket.send({"type": "ask"})
    await socket.expect("waiting")
    return socket


def run(coroutine):
    run_on_own_loop(coroutine)


# Who gets in -------------------------------------------------------------------------------


def test_signed_out_and_other_organisations_are_closed_before_anything_is_said(
        application, cast, meeting):
    async def scenario():
        for user in (None, cast.other_admin, cast.other_member):
            socket = await open_socket(application, user, meeting)
            connected, _code = await socket.connect()
            assert not connected
    run(scenario())


def test_an_admin_or_a_member_of_another_circle_is_refused_with_the_reason(
        application, cast, meeting):
    async def scenario():
        for user in (cast.admin, cast.other_member):
            socket = await open_socket(application, user, meeting)
            connected, _code = await socket.connect()
            if connected:
                refused = await socket.receive()
                assert refused["type"] == "refused"
                assert "members and facilitators" in refused["message"]
                assert (await socket.receive())["type"] == "closed"
    run(scenario())
    assert not Presence.objects.exists()


def test_a_member_not_cleared_is_refused_with_the_reason(application, cast, meeting):
    from circlekeep.consent.actions import do_withdraw_consent
    from circlekeep.consent.models import ConsentRecord

    do_withdraw_consent(ConsentRecord.objects.get(subject=cast.member, withdrawn_at=None),
                        actor=cast.member)

    async def scenario():
        socket = await open_socket(application, cast.member, meeting)
        connected, _code = await socket.connect()
        assert connected
        refused = await socket.receive()
        assert refused["type"] == "refused" and "consent" in refused["message"].lower()
    run(scenario())


def test_the_room_is_closed_before_its_window_and_for_in_person_meetings(
        application, cast):
    later = do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(hours=2),
                                 duration_minutes=60, recurrence="none", mode="online",
                                 actor=cast.facilitator).meetings.get()
    in_person = do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60,
        recurrence="none", mode="in_person", place="Hall", actor=cast.facilitator
    ).meetings.get()

    async def scenario():
        for meeting, words in ((later, "opens 15 minutes"), (in_person, "in person")):
            socket = await open_socket(application, cast.facilitator, meeting)
            await socket.connect()
            refused = await socket.receive()
            assert refused["type"] == "refused" and words in refused["message"]
    run(scenario())


def test_a_foreign_origin_is_refused(application, cast, meeting):
    async def scenario():
        socket = await open_socket(application, cast.member, meeting, origin=(b"origin", b"https://evil.test"))
        connected, _code = await socket.connect()
        assert not connected
    run(scenario())


# The waiting room ----------------------------------------------------------------------------


def test_waiting_members_see_nothing_of_each_other_and_the_facilitator_sees_both(
        application, cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user

    async def scenario():
        mina = await waiting_member(application, cast.member, meeting)
        noor = await waiting_member(application, second, meeting)
        await mina.nothing()
        fran = await enter(application, cast.facilitator, meeting)
        waiting = (await fran.expect("waiting-list"))["waiting"]
        assert sorted(w["label"] for w in waiting) == ["Mina", "Noor"]
        assert {w["device"] for w in waiting} == {mina.device["id"], noor.device["id"]}
        await mina.nothing()
        await noor.nothing()
        for s in (mina, noor, fran):
            await s.close()
    run(scenario())


def test_admission_records_attendance_and_gives_the_facilitator_the_keys(
        application, cast, meeting):
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.expect("waiting-list")
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        join = await fran.expect("join")
        assert join["device"] == mina.device and join["label"] == "Mina"
        assert await mina.people(2) == {"Mina", "Fran (facilitator)"}
        for s in (mina, fran):
            await s.close()
    run(scenario())
    attendance = Attendance.objects.get(meeting=meeting, membership=cast.membership)
    assert attendance.status == "present"
    kinds = list(AuditEvent.objects.filter(event_type__startswith="room.")
                 .values_list("event_type", flat=True))
    assert {"room.entered", "room.asked", "room.admitted", "room.left"} <= set(kinds)


def test_a_private_message_reaches_one_waiting_person_only(application, cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        noor = await waiting_member(application, second, meeting)
        await fran.send({"type": "whisper", "device": mina.device["id"], "box": b64(b"x" * 60)})
        whisper = await mina.expect("whisper")
        assert whisper["from"] == fran.device["id"]
        await noor.nothing()
        # A member cannot whisper, and learns nothing about the device named.
        await mina.send({"type": "whisper", "device": noor.device["id"], "box": b64(b"y" * 60)})
        error = await mina.expect("error")
        assert "facilitator" in error["message"]
        await noor.nothing()
    run(scenario())


def test_nothing_a_waiting_person_sends_reaches_the_room(application, cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        noor = await waiting_member(application, second, meeting)
        await noor.send({"type": "chat", "epoch": 1, "counter": 1, "nonce": b64(b"n" * 12),
                         "ct": b64(b"secret"), "sig": b64(b"s" * 64)})
        assert (await noor.expect("error"))["code"] == "refused"
        await noor.send({"type": "keys", "epoch": 1,
                         "boxes": [{"to": mina.device["id"], "box": b64(b"k" * 60)}]})
        await noor.expect("error")
        assert await mina.kinds_within(0.5) <= {"presence"}
    run(scenario())


# In the room ---------------------------------------------------------------------------------


def test_chat_and_keys_are_relayed_to_admitted_devices_only(application, cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        noor = await waiting_member(application, second, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        chat = {"type": "chat", "epoch": 1, "counter": 1, "nonce": b64(b"n" * 12),
                "ct": b64(b"ciphertext"), "sig": b64(b"s" * 64)}
        await mina.send(chat)
        relayed = await fran.expect("chat")
        assert relayed == {**chat, "from": mina.device["id"]}
        await mina.send({"type": "keys", "epoch": 1, "boxes": [
            {"to": fran.device["id"], "box": b64(b"k" * 60)},
            {"to": noor.device["id"], "box": b64(b"k" * 60)}]})
        key = await fran.expect("key")
        assert key == {"type": "key", "from": mina.device["id"], "epoch": 1,
                       "box": b64(b"k" * 60)}
        await noor.nothing()
    run(scenario())


def test_the_roster_comes_from_the_facilitator_only_and_only_forward(
        application, cast, meeting):
    def roster(version):
        return b64(json.dumps({"devices": [], "facilitator": "x", "issued_at": 1,
                               "room": str(meeting.public_id), "version": version},
                              separators=(",", ":"), sort_keys=True).encode())

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        await fran.send({"type": "roster", "roster": roster(1), "sig": b64(b"s" * 64)})
        relayed = await mina.expect("roster")
        assert relayed["roster"] == roster(1) and relayed["from"] == fran.device["id"]
        await fran.send({"type": "roster", "roster": roster(1), "sig": b64(b"s" * 64)})
        assert "newer" in (await fran.expect("error"))["message"]
        await mina.send({"type": "roster", "roster": roster(5), "sig": b64(b"s" * 64)})
        assert (await mina.expect("error"))["code"] == "refused"
    run(scenario())
    assert Room.objects.get(meeting=meeting).roster_version == 1


def test_a_removed_member_is_sent_out_and_gets_nothing_after(application, cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        noor = await waiting_member(application, second, meeting)
        for s in (mina, noor):
            await fran.send({"type": "admit", "device": s.device["id"]})
            await s.expect("admitted")
        await fran.send({"type": "remove", "device": noor.device["id"]})
        removed = await noor.expect("removed")
        assert "removed you" in removed["message"]
        assert (await noor.receive())["type"] == "closed"
        leave = await fran.expect("leave")
        assert leave["device"] == noor.device["id"]
        await mina.send({"type": "chat", "epoch": 2, "counter": 1, "nonce": b64(b"n" * 12),
                         "ct": b64(b"after"), "sig": b64(b"s" * 64)})
        await fran.expect("chat")
    run(scenario())
    assert Presence.objects.get(user=second).status == "removed"
    assert AuditEvent.objects.filter(event_type="room.removed").count() == 1


def test_ending_closes_every_device_and_the_room_stays_closed(application, cast, meeting):
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "end"})
        for s in (mina, fran):
            assert (await s.expect("ended"))["message"]
            assert (await s.receive())["type"] == "closed"
        again = await open_socket(application, cast.member, meeting)
        await again.connect()
        refused = await again.receive()
        assert refused["type"] == "refused" and "ended" in refused["message"]
    run(scenario())
    assert Room.objects.get(meeting=meeting).ended_at is not None
    assert not Presence.objects.filter(status__in=Presence.LIVE).exists()


def test_a_second_device_is_noticed_and_the_person_chooses_which_stays(
        application, cast, meeting):
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        phone = await waiting_member(application, cast.member, meeting)
        laptop = await enter(application, cast.member, meeting)
        await laptop.expect("other-device")
        notice = await fran.expect("notice")
        assert notice == {"type": "notice", "kind": "second-device", "label": "Mina"}
        await laptop.send({"type": "keep", "this": True})
        assert (await phone.expect("replaced"))["message"]
        assert (await phone.receive())["type"] == "closed"
    run(scenario())
    statuses = sorted(Presence.objects.filter(user=cast.member).values_list("status", flat=True))
    assert statuses == ["opening", "replaced"]


def test_the_name_policy_hides_names_from_members_but_not_from_the_facilitator(
        application, cast, meeting):
    from circlekeep.circles.actions import do_update_circle

    circle = cast.circle
    do_update_circle(circle, name=circle.name, kind=circle.kind, mode=circle.mode,
                     capacity=circle.capacity, allows_minors=circle.allows_minors,
                     room_names="hidden", actor=cast.facilitator)

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        assert await mina.people(2) == {"Member 1", "Fran (facilitator)"}
        assert await fran.people(2) == {"Mina", "Fran (facilitator)"}
    run(scenario())


# Bad frames and floods -----------------------------------------------------------------------


def test_bad_frames_are_refused_and_the_room_carries_on(application, cast, meeting):
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        for bad in ("not json", json.dumps([1, 2]), json.dumps({"type": "launch"}),
                    json.dumps({"type": "chat", "epoch": "1"}),
                    json.dumps({"type": "admit", "device": "../../etc"}),
                    json.dumps({"type": "lock", "locked": "yes"}),
                    json.dumps({"type": "roster", "roster": "!!", "sig": "x"}),
                    "x" * (70 * 1024)):
            await fran.communicator.send_to(text_data=bad)
            assert (await fran.expect("error"))["code"] in ("bad-frame", "too-big")
        await fran.communicator.send_to(bytes_data=b"\x00\x01")
        await fran.expect("error")
        await fran.send({"type": "lock", "locked": True})
        assert (await fran.expect("locked"))["locked"] is True
    run(scenario())


def test_a_flood_is_cut_off_without_disturbing_the_others(application, cast, meeting):
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        frame = {"type": "chat", "epoch": 1, "counter": 1, "nonce": b64(b"n" * 12),
                 "ct": b64(b"c"), "sig": b64(b"s" * 64)}
        for n in range(1, 40):
            await mina.send({**frame, "counter": n})
        assert (await mina.expect("error"))["code"] == "flood"
        assert (await mina.receive())["type"] == "closed"
        await fran.send({"type": "lock", "locked": True})
        assert (await fran.expect("locked"))["locked"] is True
    run(scenario())


def test_the_room_page_refuses_a_copied_address_with_a_clear_page(cast, meeting):
    url = f"/meetings/{meeting.public_id}/room/"
    assert signed_in_client(None).get(url).status_code == 302
    assert signed_in_client(cast.other_member).get(url).status_code == 404
    assert signed_in_client(cast.other_admin).get(url).status_code == 404
    refused = signed_in_client(cast.admin).get(url)
    assert refused.status_code == 403
    assert "members and facilitators" in refused.content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(mode="in_person")
    assert signed_in_client(cast.member).get(url).status_code == 403


def test_an_open_socket_is_sent_out_once_its_person_may_no_longer_be_here(
        application, cast, meeting, monkeypatch):
    from circlekeep.consent.actions import do_withdraw_consent
    from circlekeep.consent.models import ConsentRecord
    from circlekeep.rooms import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)
    monkeypatch.setattr(consumers, "HELLO_WITHIN_SECONDS", 0.1)
    record = ConsentRecord.objects.get(subject=cast.member, withdrawn_at=None)

    async def scenario():
        mina = await waiting_member(application, cast.member, meeting)
        await database_sync_to_async(do_withdraw_consent)(record, actor=cast.member)
        refused = await mina.expect("refused")
        assert "consent" in refused["message"].lower()
        assert (await mina.receive())["type"] == "closed"
        fran = await enter(application, cast.facilitator, meeting)
        cookie = dict(fran.communicator.scope["headers"])[b"cookie"].decode()
        await database_sync_to_async(_end_session)(cookie.split("=", 1)[1])
        assert "signed out" in (await fran.expect("refused", timeout=3))["message"]
    run(scenario())


def _end_session(key):
    from django.contrib.sessions.backends.cached_db import SessionStore

    SessionStore(session_key=key).delete()


def test_a_person_cannot_open_the_room_on_endless_devices(application, cast, meeting):
    async def scenario():
        for _n in range(3):
            await enter(application, cast.member, meeting)
        fourth = await open_socket(application, cast.member, meeting)
        await fourth.connect()
        await fourth.send({"type": "hello", "device": fourth.device})
        assert "3 devices" in (await fourth.expect("error"))["message"]
    run(scenario())
    assert Presence.objects.filter(user=cast.member).count() == 3


def test_time_in_the_room_counts_as_activity_for_the_session(
        application, cast, meeting, monkeypatch):
    import time

    from django.contrib.sessions.backends.cached_db import SessionStore

    from circlekeep.accounts.middleware import SEEN_KEY
    from circlekeep.rooms import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)
    monkeypatch.setattr(consumers, "HELLO_WITHIN_SECONDS", 0.1)

    def session_key(socket):
        return dict(socket.communicator.scope["headers"])[b"cookie"].decode().split("=", 1)[1]

    def age(key, seconds):
        store = SessionStore(session_key=key)
        store[SEEN_KEY] = int(time.time()) - seconds
        store.save()

    async def scenario():
        mina = await waiting_member(application, cast.member, meeting)
        key = session_key(mina)
        await database_sync_to_async(age)(key, 20 * 60)
        await asyncio.sleep(0.6)
        seen = await database_sync_to_async(lambda: SessionStore(session_key=key)[SEEN_KEY])()
        assert seen >= int(time.time()) - 5
    run(scenario())


def test_a_socket_that_never_says_hello_is_closed(application, cast, meeting, monkeypatch):
    from circlekeep.rooms import consumers

    monkeypatch.setattr(consumers, "HELLO_WITHIN_SECONDS", 0.2)

    async def scenario():
        silent = await open_socket(application, cast.member, meeting)
        connected, _code = await silent.connect()
        assert connected
        assert (await silent.receive(timeout=3))["type"] == "closed"
    run(scenario())
    assert not Presence.objects.exists()


def test_an_organisation_that_asks_for_two_step_sign_in_gets_it_at_the_room(
        application, cast, meeting):
    """Where the organisation requires members' second step, a session without it is
    refused with the reason on the page and on the socket; with it, the member is in."""
    from circlekeep.orgs.actions import do_change_org_policies
    from circlekeep.testing import enroll_totp

    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=True, actor=cast.admin)
    enroll_totp(cast.member)
    url = f"/meetings/{meeting.public_id}/room/"
    assert signed_in_client(cast.member, verified=True).get(url).status_code == 200
    refused = signed_in_client(cast.member, verified=False).get(url)
    assert refused.status_code == 403
    assert "asks everyone in its circles to use two-step sign-in" in refused.content.decode()

    async def scenario():
        socket = await open_socket(application, cast.member, meeting, verified=False)
        connected, _code = await socket.connect()
        assert connected
        frame = await socket.receive()
        assert frame["type"] == "refused" and "two-step sign-in" in frame["message"]
        assert (await socket.receive())["type"] == "closed"
        member = await open_socket(application, cast.member, meeting, verified=True)
        welcome = await member.hello()
        assert welcome["status"] == "opening"
        await member.close()
    run(scenario())
    assert not Presence.objects.filter(user=cast.member).exclude(status="left").exists()


def test_a_name_policy_tightened_during_the_meeting_applies_to_the_next_newcomer(
        application, cast, meeting):
    from circlekeep.circles.actions import do_update_circle

    circle = cast.circle

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        await database_sync_to_async(do_update_circle)(
            circle, name=circle.name, kind=circle.kind, mode=circle.mode,
            capacity=circle.capacity, allows_minors=circle.allows_minors,
            room_names="hidden", actor=cast.facilitator)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        assert await mina.people(2) == {"Member 1", "Fran (facilitator)"}
    run(scenario())


def test_a_meeting_cancelled_during_it_sends_everyone_out(
        application, cast, meeting, monkeypatch):
    from circlekeep.meetings.actions import do_cancel_meeting
    from circlekeep.rooms import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)
    monkeypatch.setattr(consumers, "HELLO_WITHIN_SECONDS", 0.1)

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        await database_sync_to_async(do_cancel_meeting)(meeting, actor=cast.facilitator)
        refused = await fran.expect("refused", timeout=3)
        assert "cancelled" in refused["message"]
    run(scenario())
