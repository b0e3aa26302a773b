"""The room's websocket (docs/rooms.md): a relay that checks who may send what.

The consumer is thin, like a view: it parses a frame, calls one action (or a read), and
tells the others through the channel layer. Chat, sender keys and whispers are ciphertext
it cannot read; it checks their shape and size and who may send them, and forwards them
to admitted devices only. Everything it knows about the room lives in the database, so a
room can span app nodes that share the channel layer (Redis in production).
"""

import asyncio
import base64
import binascii
import contextlib
import json
import random
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings.models import Meeting
from circlekeep.rooms import actions, presence
from circlekeep.rooms.access import (
    FACILITATOR,
    check_facilitator,
    check_may_enter,
    check_may_whisper_to,
    presence_in_room,
    room_entry,
)
from circlekeep.rooms.models import Presence
from circlekeep.rooms.sessions import still_signed_in, user_of_scope

MAX_FRAME = 64 * 1024
MAX_CIPHERTEXT = 12 * 1024          # base64url characters of a chat's ciphertext
MAX_BOX = 1024                      # a box holds a 32-byte key or a short whisper
MAX_WHISPER_BOX = 4096
MAX_BOXES = 128
BURST, REFILL_PER_SECOND = 20, 5.0
CLOSE_FLOOD, CLOSE_REFUSED, CLOSE_SIGNED_OUT, CLOSE_GONE = 4008, 4003, 4001, 4000
# How often an open socket checks again that its person may still be in the room (signed
# in, still cleared, the meeting not over).
RECHECK_SECONDS = 30
# A socket that has not said hello by then is closed (it holds nothing and costs a check).
HELLO_WITHIN_SECONDS = 10
B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
TYPES = {"hello", "ask", "keep", "admit", "refuse", "remove", "mute", "lock", "end",
         "whisper", "roster", "keys", "chat"}


class Refused(Exception):
    """A frame refused with a message; nothing changed."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def _b64(value, *, most, field):
    if not isinstance(value, str) or not value or len(value) > most or not B64.issuperset(value):
        raise Refused("bad-frame", _("The %(field)s is not in the expected form.")
                      % {"field": field})
    return value


def _int(value, *, field, least=0):
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value < 2**53:
        raise Refused("bad-frame", _("The %(field)s is not in the expected form.")
                      % {"field": field})
    return value


def _device_id(value):
    if not isinstance(value, str) or len(value) != 22 or not B64.issuperset(value):
        raise Refused("bad-frame", _("That is not a device of this room."))
    return value


def roster_summary(roster_b64):
    """The version and size of a signed roster (public metadata; the signature is for the
    browsers to check)."""
    try:
        raw = base64.urlsafe_b64decode(roster_b64 + "=" * (-len(roster_b64) % 4))
        roster = json.loads(raw.decode("utf-8"))
        version, devices = roster["version"], roster["devices"]
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise Refused("bad-frame", _("The roster is not in the expected form.")) from None
    if not isinstance(devices, list):
        raise Refused("bad-frame", _("The roster is not in the expected form."))
    return _int(version, field=_("roster version"), least=1), len(devices)


class RoomConsumer(AsyncWebsocketConsumer):
    presence = None
    watch = None
    # Whether a hello arrived (its handling may still wait for the database at a busy
    # moment), and whether this socket was closed (nothing more is sent on it).
    said_hello = False
    closed = False

    async def dispatch(self, message):
        """As Channels' own, without its hop to the database thread before every message
        to close old connections: this consumer reaches the database only through
        ``database_sync_to_async``, which closes them around each call, and most messages
        (chat relayed to every device) never touch it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.tokens, self.refilled = float(BURST), time.monotonic()
        self.user, self.language = await user_of_scope(self.scope)
        translation.activate(self.language)
        if self.user is None:
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        try:
            self.meeting, self.role, _membership_id = await database_sync_to_async(
                room_entry)(self.user, self.scope["url_route"]["kwargs"]["meeting_id"])
        except Http404:
            await self.close(code=CLOSE_REFUSED)
            return
        except ActionForbidden as refusal:
            await self.accept()
            await self.send_frame({"type": "refused", "message": str(refusal.message)})
            await self.close(code=CLOSE_REFUSED)
            return
        await self.accept()
        self.watch = asyncio.create_task(self._watch())

    async def _watch(self):
        """Send the person out as soon as they may no longer be here: signed out (or out
        everywhere), no longer cleared, the meeting over."""
        await asyncio.sleep(HELLO_WITHIN_SECONDS)
        if not self.said_hello:
            await self.close(code=CLOSE_GONE)
            return
        while True:
            # Spread out, so that sockets opened together are not checked together.
            await asyncio.sleep(RECHECK_SECONDS * random.uniform(0.8, 1.2))  # noqa: S311
            reason = await database_sync_to_async(self._why_not_here)()
            if reason:
                await self.send_frame({"type": "refused", "message": str(reason)})
                await self.close(code=CLOSE_REFUSED)
                return

    def _why_not_here(self):
        translation.activate(self.language)
        user = still_signed_in(self.scope["session"].session_key, self.user.pk)
        if user is None:
            return _("You were signed out. Sign in again to come back to the room.")
        try:
            # Read afresh: the meeting may have been cancelled or moved meanwhile.
            check_may_enter(user, Meeting.objects.select_related(
                "circle__organization").get(pk=self.meeting.pk))
        except ActionForbidden as refusal:
            return refusal.message
        return ""

    async def disconnect(self, code):
        self.closed = True
        if self.watch is not None:
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch
        if self.presence is None:
            return
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        left = await database_sync_to_async(actions.do_leave)(self.presence, actor=self.user)
        if left.status == Presence.Status.LEFT:
            await self._tell_staff({"type": "leave", "device": self.presence.device})
            await self._changed()

    # Frames from the browser --------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not self._take_token():
            await self.send_frame({"type": "error", "code": "flood",
                                   "message": _("Too many messages at once.")})
            await self.close(code=CLOSE_FLOOD)
            return
        translation.activate(self.language)
        try:
            frame = self._parse(text_data, bytes_data)
            await getattr(self, "on_" + frame["type"])(frame)
        except Refused as refusal:
            await self.send_frame({"type": "error", "code": refusal.code,
                                   "message": str(refusal.message)})
        except (DomainError, ActionForbidden) as error:
            await self.send_frame({"type": "error", "code": "refused",
                                   "message": str(error.message)})

    def _take_token(self):
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.refilled) * REFILL_PER_SECOND)
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _parse(self, text_data, bytes_data):
        if bytes_data is not None or text_data is None:
            raise Refused("bad-frame", _("Frames are JSON text."))
        if len(text_data) > MAX_FRAME:
            raise Refused("too-big", _("That message is too long."))
        try:
            frame = json.loads(text_data)
        except ValueError:
            raise Refused("bad-frame", _("Frames are JSON text.")) from None
        if not isinstance(frame, dict) or frame.get("type") not in TYPES:
            raise Refused("bad-frame", _("Unknown kind of message."))
        if frame["type"] != "hello" and self.presence is None:
            raise Refused("hello-first", _("Say hello first."))
        return frame

    async def on_hello(self, frame):
        self.said_hello = True
        if self.presence is not None:
            raise Refused("bad-frame", _("This device has already said hello."))
        def enter():
            entered, others = actions.do_enter_room(
                self.meeting, device=frame.get("device"), channel_name=self.channel_name,
                actor=self.user)
            return entered, others, self._welcome(entered)

        self.presence, others, welcome = await database_sync_to_async(enter)()
        self.device = self.presence.device
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.send_frame(welcome)
        if self.role == FACILITATOR:
            for entry in await database_sync_to_async(presence.admitted_devices)(
                    self.presence.room_id):
                await self.send_frame({"type": "join", **entry})
            # The other facilitators' devices may put this one in the roster they sign.
            await self.channel_layer.group_send(self._group("staff"), {
                "type": "room.frame", "skip": self.device, "frame": {
                    "type": "join", "label": self.user.display_name,
                    "device": {"id": self.device, "sign": self.presence.sign_key,
                               "dh": self.presence.dh_key}}})
            await self.send_frame({"type": "waiting-list", "waiting": await
                                   database_sync_to_async(presence.waiting_list)(
                                       self.presence.room_id)})
            await self._changed()
        if others:
            await self.send_frame({"type": "other-device"})
            await self._tell_staff({"type": "notice", "kind": "second-device",
                                    "label": self.user.display_name})

    def _welcome(self, entered):
        room = entered.room
        return {"type": "welcome",
                "you": {"device": entered.device, "role": self.role,
                        "label": self.user.display_name},
                "status": entered.status,
                "facilitator": presence.facilitator_device(room.pk),
                "locked": room.locked, "roster_version": room.roster_version}

    async def on_ask(self, frame):
        def ask():
            asked = actions.do_ask_to_enter(self.presence, actor=self.user)
            return asked, presence.waiting_list(asked.room_id)

        self.presence, waiting = await database_sync_to_async(ask)()
        await self.send_frame({"type": "waiting"})
        await self._waiting_changed(waiting)

    async def on_keep(self, frame):
        keep_this = frame.get("this")
        if not isinstance(keep_this, bool):
            raise Refused("bad-frame", _("Say which device stays."))
        leaving = await database_sync_to_async(actions.do_keep_device)(
            self.presence, keep_this=keep_this, actor=self.user)
        for gone in leaving:
            await self._close_other(gone, "replaced", _("You kept your other device in "
                                                        "this room."))
            if gone.was == Presence.Status.ADMITTED:
                await self._tell_staff({"type": "leave", "device": gone.device})
        await self._waiting_changed()
        await self._changed()

    async def on_admit(self, frame):
        self._check_facilitator_role()
        device = _device_id(frame.get("device"))

        def admit():
            # One trip to the database thread: at the evening's peak every trip waits
            # behind every other socket's.
            target = self._target_now(device)
            actions.do_admit(target, by=self.presence, actor=self.user)
            return (target, presence.room_views(self.presence.room_id),
                    presence.waiting_list(self.presence.room_id))

        target, views, waiting = await database_sync_to_async(admit)()
        # The newcomer is told who is here with its admission: it joins the room's group
        # only then, so it might miss the broadcast below.
        await self.channel_layer.send(target.channel_name, {"type": "room.admitted",
                                                             "views": views})
        await self._tell_staff({"type": "join", "label": target.user.display_name,
                                "device": {"id": target.device, "sign": target.sign_key,
                                           "dh": target.dh_key}})
        await self._waiting_changed(waiting)
        await self._changed(views)

    async def on_refuse(self, frame):
        target = await self._target(frame)
        await database_sync_to_async(actions.do_turn_away)(target, by=self.presence,
                                                           actor=self.user)
        await self._close_other(target, "refused",
                                _("The facilitator did not let you in this time."))
        await self._waiting_changed()

    async def on_remove(self, frame):
        target = await self._target(frame)
        await database_sync_to_async(actions.do_remove)(target, by=self.presence,
                                                        actor=self.user)
        await self._close_other(target, "removed",
                                _("The facilitator removed you from the room."))
        await self._tell_staff({"type": "leave", "device": target.device})
        await self._changed()

    async def on_mute(self, frame):
        muted = frame.get("muted")
        if not isinstance(muted, bool):
            raise Refused("bad-frame", _("Say whether to mute."))
        target = await self._target(frame)
        await database_sync_to_async(actions.do_mute)(target, muted=muted, by=self.presence,
                                                      actor=self.user)
        await self.channel_layer.send(target.channel_name, {"type": "room.muted",
                                                             "muted": muted})
        await self._changed()

    async def on_lock(self, frame):
        locked = frame.get("locked")
        if not isinstance(locked, bool):
            raise Refused("bad-frame", _("Say whether to lock the room."))
        await database_sync_to_async(actions.do_lock)(self.presence, locked=locked,
                                                      actor=self.user)
        await self.channel_layer.group_send(self._group("all"), {
            "type": "room.frame", "frame": {"type": "locked", "locked": locked}})

    async def on_end(self, frame):
        await database_sync_to_async(actions.do_end_room)(self.presence, actor=self.user)
        await self.channel_layer.group_send(self._group("all"), {
            "type": "room.close", "frame": {"type": "ended",
                                            "message": _("The facilitator ended the meeting.")}})

    async def on_whisper(self, frame):
        box = _b64(frame.get("box"), most=MAX_WHISPER_BOX, field=_("message"))
        target = await self._target(frame)
        check_may_whisper_to(target)
        await self.channel_layer.send(target.channel_name, {
            "type": "room.frame", "frame": {"type": "whisper", "from": self.device, "box": box}})

    async def on_roster(self, frame):
        roster = _b64(frame.get("roster"), most=MAX_FRAME, field=_("roster"))
        sig = _b64(frame.get("sig"), most=128, field=_("signature"))
        version, size = roster_summary(roster)
        await database_sync_to_async(actions.do_record_roster)(
            self.presence, version=version, devices=size, actor=self.user)
        await self.channel_layer.group_send(self._group("in"), {
            "type": "room.frame", "frame": {"type": "roster", "roster": roster, "sig": sig,
                                            "from": self.device}})

    async def on_keys(self, frame):
        self._check_admitted()
        epoch = _int(frame.get("epoch"), field=_("epoch"), least=1)
        boxes = frame.get("boxes")
        if not isinstance(boxes, list) or len(boxes) > MAX_BOXES:
            raise Refused("bad-frame", _("The keys are not in the expected form."))
        checked = []
        for entry in boxes:
            if not isinstance(entry, dict):
                raise Refused("bad-frame", _("The keys are not in the expected form."))
            checked.append((_device_id(entry.get("to")),
                            _b64(entry.get("box"), most=MAX_BOX, field=_("key"))))
        channels = await database_sync_to_async(self._admitted_channels)()
        for to, box in checked:
            if to in channels and to != self.device:
                await self.channel_layer.send(channels[to], {
                    "type": "room.frame",
                    "frame": {"type": "key", "from": self.device, "epoch": epoch, "box": box}})

    async def on_chat(self, frame):
        self._check_admitted()
        if self.presence.muted:
            raise Refused("muted", _("The facilitator has muted your chat for now."))
        relayed = {"type": "chat", "from": self.device,
                   "epoch": _int(frame.get("epoch"), field=_("epoch"), least=1),
                   "counter": _int(frame.get("counter"), field=_("counter"), least=1),
                   "nonce": _b64(frame.get("nonce"), most=16, field=_("nonce")),
                   "ct": _b64(frame.get("ct"), most=MAX_CIPHERTEXT, field=_("message")),
                   "sig": _b64(frame.get("sig"), most=128, field=_("signature"))}
        # Encoded once here, not once per receiver.
        await self.channel_layer.group_send(self._group("in"), {
            "type": "room.text", "text": json.dumps(relayed, separators=(",", ":")),
            "skip": self.device})

    # Events from the channel layer --------------------------------------------------------

    async def room_frame(self, event):
        if event.get("skip") and event["skip"] == getattr(self, "device", None):
            return
        await self.send_frame(event["frame"])

    async def room_text(self, event):
        """A frame already encoded by the sending socket."""
        if event["skip"] != getattr(self, "device", None) and not self.closed:
            await self.send(text_data=event["text"])

    async def room_admitted(self, event):
        """Sent by the facilitator's socket (on any node) once ``do_admit`` committed."""
        if self.presence is None or self.presence.status != Presence.Status.WAITING:
            return
        self.presence.status = Presence.Status.ADMITTED
        await self.channel_layer.group_add(self._group("in"), self.channel_name)
        await self.send_frame({"type": "admitted"})
        await self.room_changed(event)

    async def room_close(self, event):
        await self.send_frame(event["frame"])
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        self.presence = None
        await self.close(code=CLOSE_GONE)

    async def room_changed(self, event):
        """Who is here, as this device's person may see it: worked out once by whoever
        made the change, for facilitators and for members (``_changed``)."""
        if self.presence is None or self.presence.status != Presence.Status.ADMITTED:
            return
        views = event["views"]
        await self.send_frame({"type": "presence",
                               "people": views["staff" if self.role == FACILITATOR
                                               else "members"],
                               "facilitator": views["facilitator"]})

    async def room_waiting(self, event):
        await self.send_frame({"type": "waiting-list", "waiting": event["waiting"]})

    async def room_muted(self, event):
        if self.presence is not None:
            self.presence.muted = event["muted"]
        await self.send_frame({"type": "muted", "muted": event["muted"]})

    # Helpers ------------------------------------------------------------------------------

    async def send_frame(self, frame):
        if not self.closed:
            await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def close(self, code=None, reason=None):
        if not self.closed:
            self.closed = True
            await super().close(code=code, reason=reason)

    def _group(self, name):
        return f"room.{self.presence.room_id}.{name}"

    def _groups(self):
        groups = [self._group("all")]
        if self.presence.status == Presence.Status.ADMITTED:
            groups.append(self._group("in"))
        if self.role == FACILITATOR:
            groups.append(self._group("staff"))
        return groups

    async def _target(self, frame):
        """The device a facilitator acts on; anyone else is refused before anything about
        the device is said."""
        self._check_facilitator_role()
        device = _device_id(frame.get("device"))
        return await database_sync_to_async(self._target_now)(device)

    def _check_facilitator_role(self):
        if self.role != FACILITATOR:
            raise Refused("refused", _("Only the circle's facilitator can do this."))

    def _target_now(self, device):
        """(In the database thread.) The target, once this device's person is found to
        facilitate the circle still."""
        fresh = Presence.objects.select_related("room__meeting__circle", "user").get(
            pk=self.presence.pk)
        check_facilitator(fresh)
        return presence_in_room(self.presence.room, device)

    def _check_admitted(self):
        """From what this socket was told (admitted, muted, sent out: each arrives as an
        event, from any node), not a query per frame; the database stays the authority for
        every action, and the watch re-checks the person every RECHECK_SECONDS."""
        if self.presence is None or self.presence.status != Presence.Status.ADMITTED:
            raise Refused("refused", _("You are not in the room yet."))

    def _admitted_channels(self):
        return dict(Presence.objects.filter(room_id=self.presence.room_id,
                                            status=Presence.Status.ADMITTED)
                    .values_list("device", "channel_name"))

    async def _close_other(self, target, kind, message):
        await self.channel_layer.send(target.channel_name, {
            "type": "room.close", "frame": {"type": kind, "message": str(message)}})

    async def _tell_staff(self, frame):
        await self.channel_layer.group_send(self._group("staff"),
                                            {"type": "room.frame", "frame": frame})

    async def _views(self):
        return await database_sync_to_async(presence.room_views)(self.presence.room_id)

    async def _changed(self, views=None):
        views = views or await self._views()
        await self.channel_layer.group_send(self._group("in"),
                                            {"type": "room.changed", "views": views})

    async def _waiting_changed(self, waiting=None):
        if waiting is None:
            waiting = await database_sync_to_async(presence.waiting_list)(
                self.presence.room_id)
        await self.channel_layer.group_send(self._group("staff"),
                                            {"type": "room.waiting", "waiting": waiting})
