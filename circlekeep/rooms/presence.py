"""What each person in a room is shown of the others: read from the database, so that
every app node gives the same answer."""

from circlekeep.rooms.access import FACILITATOR, MEMBER, label_for, roster_signer
from circlekeep.rooms.models import Presence


def _live(room_id, status):
    return list(Presence.objects.filter(room_id=room_id, status=status)
                .select_related("user").order_by("admitted_at", "asked_at", "pk"))


def people_seen_by(room_id, viewer_role, policy):
    """Who is in the room, named for the viewer under the circle's name policy."""
    people, number = [], 0
    for presence in _live(room_id, Presence.Status.ADMITTED):
        if presence.role != FACILITATOR:
            number += 1
        people.append({"device": presence.device, "role": presence.role,
                       "label": str(label_for(viewer_role, presence, policy, number)),
                       "muted": presence.muted})
    return people


def room_views(room_id, policy):
    """Who is here as facilitators see it and as members see it, and the roster's signer:
    one read for everyone in the room."""
    return {"staff": people_seen_by(room_id, FACILITATOR, policy),
            "members": people_seen_by(room_id, MEMBER, policy),
            "facilitator": facilitator_device(room_id)}


def facilitator_device(room_id):
    """The facilitator device whose signing key members pin (the roster's signer,
    ``actions.roster_signer``), and its key-agreement key, which a waiting member needs to
    open a private message."""
    found = roster_signer(room_id)
    return ({"device": found.device, "sign": found.sign_key, "dh": found.dh_key}
            if found else None)


def waiting_list(room_id):
    """For the facilitator only: who is waiting, with the keys a roster needs."""
    waiting = _live(room_id, Presence.Status.WAITING)
    users_in = set(Presence.objects.filter(room_id=room_id, status__in=Presence.LIVE)
                   .values_list("user_id", "device"))
    devices_of = {}
    for user_id, _device in users_in:
        devices_of[user_id] = devices_of.get(user_id, 0) + 1
    return [{"device": p.device, "label": p.user.display_name, "sign": p.sign_key,
             "dh": p.dh_key, "second_device": devices_of.get(p.user_id, 0) > 1}
            for p in waiting]


def admitted_devices(room_id):
    """Every admitted device with its public keys, for the facilitator's roster."""
    return [{"device": {"id": p.device, "sign": p.sign_key, "dh": p.dh_key},
             "label": p.user.display_name}
            for p in _live(room_id, Presence.Status.ADMITTED)]
