"""State changes of a room. Each one is an action with its audit event (metadata only:
who, which device's role, which roster version; never anything said in the room)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.meetings.actions import do_acknowledge_ritual, do_record_attendance
from circlekeep.meetings.models import Acknowledgement, Attendance
from circlekeep.rooms.access import (
    FACILITATOR,
    MEMBER,
    check_facilitator,
    check_may_enter,
    roster_signer,
)
from circlekeep.rooms.models import Presence, Room

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.meetings.models import Meeting

# A device id is 16 random bytes, a public key 32, both base64url without padding.
DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{22}")
PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]{43}")
# A person may have this many devices in a room at once (a phone and a laptop, and one
# more while they choose which stays).
DEVICES_AT_MOST = 3
# And at most this many new devices an hour: opening and closing the room again and again
# must not grow its tables (and the audit trail) without bound.
NEW_DEVICES_PER_HOUR = 20
# Admitted this long after the start counts as late.
LATE_AFTER = timezone.timedelta(minutes=10)


def _room_of(meeting):
    room, _created = Room.objects.get_or_create(meeting=meeting,
                                                defaults={"created_at": timezone.now()})
    return Room.objects.select_for_update().get(pk=room.pk)


def check_device(device):
    if not isinstance(device, dict):
        raise DomainError(_("This device did not say who it is."))
    ident, sign, dh = device.get("id"), device.get("sign"), device.get("dh")
    if not all(isinstance(v, str) for v in (ident, sign, dh)) or not DEVICE_ID.fullmatch(ident) \
            or not PUBLIC_KEY.fullmatch(sign) or not PUBLIC_KEY.fullmatch(dh):
        raise DomainError(_("This device's keys are not in the expected form."))
    return ident, sign, dh


@action
def do_enter_room(meeting: Meeting, *, device: dict, channel_name: str, actor: User):
    """A device opens the room: a facilitator is in at once; a member's device reads the
    opening first. Returns (presence, other live presences of the same person)."""
    role, membership_id = check_may_enter(actor, meeting)
    ident, sign, dh = check_device(device)
    room = _room_of(meeting)
    if room.ended_at:
        raise ActionForbidden(_("The facilitator ended this meeting's room."))
    if Presence.objects.filter(room=room, user=actor,
                               status__in=Presence.LIVE).count() >= DEVICES_AT_MOST:
        raise DomainError(_("You are already in this room on %(count)d devices. Close one "
                            "of them first.") % {"count": DEVICES_AT_MOST})
    now = timezone.now()
    recent = Presence.objects.filter(room=room, user=actor,
                                     connected_at__gte=now - timezone.timedelta(hours=1))
    if recent.count() >= NEW_DEVICES_PER_HOUR:
        raise DomainError(_("This room was opened too many times from your account in the "
                            "last hour. Use a device that is already in it, or try again "
                            "later."))
    status = Presence.Status.ADMITTED if role == FACILITATOR else Presence.Status.OPENING
    try:
        with transaction.atomic():
            presence = Presence.objects.create(
                room=room, user=actor, membership_id=membership_id, role=role, device=ident,
                sign_key=sign, dh_key=dh, channel_name=channel_name, status=status,
                connected_at=now, admitted_at=now if role == FACILITATOR else None)
    except IntegrityError:
        raise DomainError(_("This device is already in the room.")) from None
    others = list(Presence.objects.filter(room=room, user=actor, status__in=Presence.LIVE)
                  .exclude(pk=presence.pk))
    audit.record("room.entered", actor=actor, target=room, circle=meeting.circle,
                 subject=actor if role == MEMBER else None,
                 data={"role": role, "other_devices": len(others)})
    return presence, others


@action
def do_ask_to_enter(presence: Presence, *, actor: User):
    """The member read the opening on this device and asks to enter: their acknowledgement
    is recorded (once per meeting) and they wait for the facilitator."""
    presence = _live(presence, actor)
    if presence.role != MEMBER or presence.status != Presence.Status.OPENING:
        raise DomainError(_("This device has already asked to enter."))
    meeting = presence.room.meeting
    check_may_enter(actor, meeting)
    if presence.room.locked:
        raise DomainError(_("The facilitator has locked the room. Wait for them to open it."))
    if not Acknowledgement.objects.filter(meeting=meeting,
                                          membership=presence.membership).exists():
        do_acknowledge_ritual(meeting, presence.membership, actor=actor)
    presence.status, presence.asked_at = Presence.Status.WAITING, timezone.now()
    presence.save(update_fields=["status", "asked_at"])
    audit.record("room.asked", actor=actor, target=presence.room, circle=meeting.circle,
                 subject=actor)
    return presence


@action
def do_keep_device(presence: Presence, *, keep_this: bool, actor: User):
    """A person with two devices in the room chose which stays. Returns the presences
    sent away."""
    presence = _live(presence, actor)
    others = list(Presence.objects.select_for_update(of=("self",)).filter(
        room=presence.room, user=actor, status__in=Presence.LIVE).exclude(pk=presence.pk))
    if not others:
        raise DomainError(_("This is your only device in the room."))
    leaving = others if keep_this else [presence]
    for gone in leaving:
        gone.was = gone.status
        _close(gone, Presence.Status.REPLACED)
    audit.record("room.device.replaced", actor=actor, target=presence.room,
                 circle=presence.room.meeting.circle,
                 subject=actor if presence.role == MEMBER else None,
                 data={"replaced": len(leaving), "kept": "this" if keep_this else "other"})
    return leaving


@action
def do_admit(target: Presence, *, by: Presence, actor: User):
    """The facilitator lets a waiting person in; their attendance is recorded (present,
    or late when admitted more than ten minutes after the start)."""
    by = _live(by, actor)
    check_facilitator(by)
    target = _in_same_room(target, by)
    if target.status != Presence.Status.WAITING:
        raise DomainError(_("This person is not waiting."))
    meeting = by.room.meeting
    try:
        check_may_enter(target.user, meeting)  # the room's opening hours too
    except ActionForbidden as refusal:
        raise DomainError(_("%(name)s cannot be let in now: %(reason)s")
                          % {"name": target.user.display_name, "reason": refusal.message}
                          ) from None
    now = timezone.now()
    target.status, target.admitted_at = Presence.Status.ADMITTED, now
    target.save(update_fields=["status", "admitted_at"])
    status = (Attendance.Status.LATE if now > meeting.starts_at + LATE_AFTER
              else Attendance.Status.PRESENT)
    already = Attendance.objects.filter(meeting=meeting, membership=target.membership,
                                        status__in=Attendance.ATTENDED).exists()
    if not already:
        do_record_attendance(meeting, target.membership, status=status, actor=actor)
    audit.record("room.admitted", actor=actor, target=by.room, circle=meeting.circle,
                 subject=target.user)
    return target


@action
def do_turn_away(target: Presence, *, by: Presence, actor: User):
    by = _live(by, actor)
    check_facilitator(by)
    target = _in_same_room(target, by)
    if target.status not in (Presence.Status.WAITING, Presence.Status.OPENING):
        raise DomainError(_("This person is not waiting."))
    return _end_presence(target, Presence.Status.REFUSED, "room.refused", actor)


@action
def do_remove(target: Presence, *, by: Presence, actor: User):
    """The facilitator removes a person from the room; the next roster leaves their
    device out, so it receives no key for anything said after."""
    by = _live(by, actor)
    check_facilitator(by)
    target = _in_same_room(target, by)
    if target.role == FACILITATOR:
        raise DomainError(_("A facilitator cannot be removed from the room."))
    if target.status != Presence.Status.ADMITTED:
        raise DomainError(_("This person is not in the room."))
    return _end_presence(target, Presence.Status.REMOVED, "room.removed", actor)


@action
def do_mute(target: Presence, *, muted: bool, by: Presence, actor: User):
    by = _live(by, actor)
    check_facilitator(by)
    target = _in_same_room(target, by)
    if target.role == FACILITATOR:
        raise DomainError(_("A facilitator's chat cannot be muted."))
    target.muted = bool(muted)
    target.save(update_fields=["muted"])
    audit.record("room.muted", actor=actor, target=by.room, circle=by.room.meeting.circle,
                 subject=target.user, data={"muted": bool(muted)})
    return target


@action
def do_lock(by: Presence, *, locked: bool, actor: User):
    by = _live(by, actor)
    check_facilitator(by)
    room = Room.objects.select_for_update().get(pk=by.room_id)
    room.locked = bool(locked)
    room.save(update_fields=["locked"])
    audit.record("room.locked", actor=actor, target=room, circle=by.room.meeting.circle,
                 data={"locked": room.locked})
    return room


@action
def do_record_roster(by: Presence, *, version: int, devices: int, actor: User):
    """The facilitator's device signed a new roster version: kept as a number only, and a
    version that is not newer than the last is refused."""
    by = _live(by, actor)
    check_facilitator(by)
    room = Room.objects.select_for_update().get(pk=by.room_id)
    signer = roster_signer(room.pk)
    if signer is None or signer.pk != by.pk:
        raise DomainError(_("Another facilitator's device signs this room's roster."))
    if not isinstance(version, int) or isinstance(version, bool) or version <= room.roster_version:
        raise DomainError(_("A roster must be newer than the last one."))
    room.roster_version = version
    room.save(update_fields=["roster_version"])
    audit.record("room.roster.signed", actor=actor, target=room,
                 circle=by.room.meeting.circle, data={"version": version, "devices": devices})
    return room


@action
def do_end_room(by: Presence, *, actor: User):
    """The facilitator ends the meeting's room: everyone is sent out and it cannot be
    entered again. Returns the presences that were live."""
    by = _live(by, actor)
    check_facilitator(by)
    room = Room.objects.select_for_update().get(pk=by.room_id)
    if room.ended_at:
        raise DomainError(_("This room has already ended."))
    now = timezone.now()
    room.ended_at, room.ended_by = now, actor
    room.save(update_fields=["ended_at", "ended_by"])
    live = list(Presence.objects.filter(room=room, status__in=Presence.LIVE))
    Presence.objects.filter(pk__in=[p.pk for p in live]).update(
        status=Presence.Status.ENDED, left_at=now, **FORGET_KEYS)
    audit.record("room.ended", actor=actor, target=room, circle=room.meeting.circle,
                 data={"present": len(live)})
    return live


@action
def do_leave(presence: Presence, *, actor: User):
    """A device closed its connection. Nothing happens if it had already been sent out."""
    presence = (Presence.objects.select_for_update(of=("self",))
                .select_related("room__meeting__circle").get(pk=presence.pk))
    if not presence.is_live:
        return presence
    was = presence.status
    _close(presence, Presence.Status.LEFT)
    audit.record("room.left", actor=actor, target=presence.room,
                 circle=presence.room.meeting.circle,
                 subject=actor if presence.role == MEMBER else None, data={"was": was})
    return presence


def _live(presence, actor):
    fresh = Presence.objects.select_for_update(of=("self",)).select_related(
        "room__meeting__circle__organization", "membership").get(pk=presence.pk)
    if fresh.user_id != actor.pk or not fresh.is_live:
        raise ActionForbidden(_("This device is no longer in the room."))
    fresh.user = actor  # the device's own person, checked above
    return fresh


def _in_same_room(target, by):
    fresh = (Presence.objects.select_for_update(of=("self",))
             .select_related("user", "membership").get(pk=target.pk))
    if fresh.room_id != by.room_id or not fresh.is_live:
        raise ActionForbidden(_("That person is not in the room any more."))
    return fresh


# A device's public keys and its connection are kept only while it is in the room.
FORGET_KEYS = {"sign_key": "", "dh_key": "", "channel_name": ""}


def _close(presence, status):
    """The device is out of the room: its keys and connection are forgotten (the object in
    hand keeps its channel, so that it can still be told)."""
    presence.status, presence.left_at = status, timezone.now()
    Presence.objects.filter(pk=presence.pk).update(status=status, left_at=presence.left_at,
                                                   **FORGET_KEYS)


def _end_presence(target, status, event, actor):
    _close(target, status)
    room = Room.objects.select_related("meeting__circle").get(pk=target.room_id)
    audit.record(event, actor=actor, target=room, circle=room.meeting.circle,
                 subject=target.user)
    return target
