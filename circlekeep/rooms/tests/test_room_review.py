# ruff: noqa: F811 (the socket tests' fixtures, imported by name)
"""Security review of the online room (docs/rooms.md): each test states what the room
promises and fails while the promise is broken. Server tests drive the websocket as in
test_room_socket.py; the browser side's are in tests/browser/test_room_review_page.py."""

import asyncio
import contextlib

import pytest
from channels.db import database_sync_to_async

from circlekeep.audit.models import AuditEvent
from circlekeep.circles.models import Facilitation
from circlekeep.rooms.models import Presence
from circlekeep.rooms.tests.test_room_socket import (  # noqa: F401 (fixtures)
    application,
    b64,
    cast,
    enter,
    meeting,
    open_socket,
    run,
    waiting_member,
)

pytestmark = pytest.mark.django_db(transaction=True)


# Server ------------------------------------------------------------------------------------


def test_a_member_no_longer_cleared_is_not_admitted_from_the_waiting_room(
        application, cast, meeting):
    """Only a member cleared to take part enters. do_admit checks the room's window, and the
    member's clearance only inside do_record_attendance, which it skips once the member has
    attended this meeting: a member who came in once, left, asked again and then withdrew
    consent is let in again (and sees who is here until the 30-second recheck)."""
    from circlekeep.consent.actions import do_withdraw_consent
    from circlekeep.consent.models import ConsentRecord

    record = ConsentRecord.objects.get(subject=cast.member, withdrawn_at=None)

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        phone = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": phone.device["id"]})
        await phone.expect("admitted")
        await phone.close()
        laptop = await waiting_member(application, cast.member, meeting)
        await database_sync_to_async(do_withdraw_consent)(record, actor=cast.member)
        await fran.send({"type": "admit", "device": laptop.device["id"]})
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            frame = await laptop.receive(timeout=1)
            assert frame["type"] != "admitted", "admitted after withdrawing consent"
    run(scenario())
    assert not Presence.objects.filter(user=cast.member, status="admitted").exists()


def test_an_ended_facilitation_ends_the_facilitators_powers_at_once(
        application, cast, meeting):
    """A co-facilitator removed from the circle keeps locking the room, removing people and
    signing rosters until the recheck: those actions check the role stored on the presence,
    not the circle."""
    from circlekeep.circles.actions import do_add_facilitator, do_remove_facilitator

    do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.admin)
    felix = Facilitation.objects.get(circle=cast.circle, user=cast.other_facilitator)

    async def scenario():
        socket = await enter(application, cast.other_facilitator, meeting)
        await database_sync_to_async(do_remove_facilitator)(felix, actor=cast.admin)
        await socket.send({"type": "lock", "locked": True})
        frame = await socket.receive()
        while frame["type"] not in ("error", "locked", "closed", "refused"):
            frame = await socket.receive()
        assert frame["type"] != "locked", "a former facilitator locked the room"
    run(scenario())


def test_a_replaced_admitted_device_leaves_the_facilitators_roster(
        application, cast, meeting):
    """After every departure the facilitator's device signs a new roster (it learns of it
    by a `leave` frame). A device sent away by `keep` gets no `leave`: on_keep tells nobody,
    and its own disconnect finds its presence cleared and returns early."""
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        phone = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": phone.device["id"]})
        await phone.expect("admitted")
        laptop = await enter(application, cast.member, meeting)
        await laptop.expect("other-device")
        await laptop.send({"type": "keep", "this": True})
        await phone.expect("replaced")
        leave = None
        with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
            leave = await fran.expect("leave", timeout=1)
        assert leave is not None and leave["device"] == phone.device["id"], \
            "the facilitator was not told that the replaced device left"
    run(scenario())


def test_keep_without_another_device_changes_nothing_and_records_nothing(
        application, cast, meeting):
    """`keep` is for a person told of another device. Sent by anyone at any time it writes
    an audit row and makes every admitted device and facilitator re-read the room (two
    broadcasts, each a few queries per device), at 5 frames a second per socket."""
    async def scenario():
        await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        for _n in range(10):
            await mina.send({"type": "keep", "this": True})
        await asyncio.sleep(0.5)
    run(scenario())
    assert AuditEvent.objects.filter(event_type="room.device.replaced").count() == 0


def test_coming_and_going_does_not_grow_the_tables_without_bound(
        application, cast, meeting, monkeypatch):
    """DEVICES_AT_MOST bounds live devices only: connect, hello, close, repeat would write a
    Presence row and two audit rows each time. New devices an hour are bounded too (here
    lowered to three, as the bound is what matters, not its size)."""
    from circlekeep.rooms import actions

    monkeypatch.setattr(actions, "NEW_DEVICES_PER_HOUR", 3)
    refusals = []

    async def scenario():
        for _n in range(12):
            socket = await open_socket(application, cast.member, meeting)
            await socket.connect()
            await socket.send({"type": "hello", "device": socket.device})
            frame = await socket.receive()
            if frame["type"] == "error":
                refusals.append(frame["message"])
            await socket.close()
    run(scenario())
    assert len(refusals) == 9 and "too many times" in refusals[0]
    assert Presence.objects.filter(user=cast.member).count() <= 3
    assert AuditEvent.objects.filter(event_type__in=("room.entered", "room.left")).count() <= 6


def test_a_device_id_is_exactly_22_characters(application, cast, meeting):
    """actions.DEVICE_ID is `^...{22}$`, and `$` also matches before a final newline: a
    device id of 23 characters is stored, and then every facilitator frame about it (admit,
    refuse, whisper) and every key box to it is refused by consumers._device_id, so the
    facilitator cannot turn the waiting device away."""
    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        odd = await open_socket(application, cast.member, meeting)
        await odd.connect()
        await odd.send({"type": "hello", "device": {**odd.device, "id": "A" * 22 + "\n"}})
        first = await odd.receive()
        if first["type"] == "welcome":
            await odd.send({"type": "ask"})
            await odd.expect("waiting")
            await fran.send({"type": "refuse", "device": "A" * 22 + "\n"})
            assert (await fran.expect("error"))["code"] == "bad-frame"
    run(scenario())
    assert not Presence.objects.filter(device="A" * 22 + "\n").exists(), \
        "a 23-character device id was stored, and the facilitator cannot turn it away"


def test_a_left_devices_keys_are_not_kept(application, cast, meeting):
    """models.py: the server keeps 'each device's public keys while it is connected'. They
    stay on every Presence row forever, with the channel name."""
    async def scenario():
        mina = await enter(application, cast.member, meeting)
        await mina.close()
    run(scenario())
    left = Presence.objects.get(user=cast.member)
    assert left.status == "left"
    assert (left.sign_key, left.dh_key, left.channel_name) == ("", "", "")


def test_a_co_facilitator_coming_in_does_not_change_the_pinned_facilitator(
        application, cast, meeting):
    """Members pin the facilitator key from `welcome`. presence.facilitator_device names the
    latest admitted facilitator device, so a co-facilitator's arrival (or any reload)
    announces another key in `presence`: the server would choose the key every member
    trusts."""
    from circlekeep.circles.actions import do_add_facilitator

    do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.admin)

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        mina = await waiting_member(application, cast.member, meeting)
        await fran.send({"type": "admit", "device": mina.device["id"]})
        await mina.expect("admitted")
        first = (await mina.expect("presence"))["facilitator"]
        assert first["device"] == fran.device["id"]
        felix = await enter(application, cast.other_facilitator, meeting)
        seen = []
        while True:
            frame = await mina.expect("presence")
            seen.append(frame)
            if len(frame["people"]) == 3:
                break
        assert felix.device["id"] in {p["device"] for p in frame["people"]}
        assert frame["facilitator"]["device"] == fran.device["id"]
    run(scenario())


def test_only_the_first_facilitator_device_signs_and_a_co_facilitator_can_be_added(
        application, cast, meeting):
    """One device signs the roster: the first facilitator device admitted. A co-facilitator
    who comes in is announced to it with its keys (a `join`), and its own rosters are
    refused."""
    import json

    from circlekeep.circles.actions import do_add_facilitator

    do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.admin)
    roster = b64(json.dumps({"devices": [], "version": 1}).encode())

    async def scenario():
        fran = await enter(application, cast.facilitator, meeting)
        felix = await enter(application, cast.other_facilitator, meeting)
        join = await fran.expect("join")
        while join["device"]["id"] == fran.device["id"]:  # her own, on entering
            join = await fran.expect("join")
        assert join["device"] == felix.device and join["label"] == "Felix"
        await felix.send({"type": "roster", "roster": roster, "sig": b64(b"s" * 64)})
        assert "Another facilitator" in (await felix.expect("error"))["message"]
        await fran.send({"type": "roster", "roster": roster, "sig": b64(b"s" * 64)})
        assert (await felix.expect("roster"))["from"] == fran.device["id"]
    run(scenario())
