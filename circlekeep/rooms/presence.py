"""What each person in a room is shown of the others: read from the database, so that
every app node gives the same answer. Read as plain rows (no model instances): the
evening's peak asks these after every admission."""

from circlekeep.rooms.access import FACILITATOR, MEMBER, label_for, roster_signer
from circlekeep.rooms.models import Presence, Room

FIELDS = ("device", "role", "muted", "sign_key", "dh_key", "user_id", "user__display_name")


def _live(room_id, status):
    return list(Presence.objects.filter(room_id=room_id, status=status)
                .order_by("admitted_at", "asked_at", "pk").values(*FIELDS))


def _seen_by(admitted, viewer_role, policy):
    """Who is in the room, named for the viewer under the circle's name policy."""
    people, number = [], 0
    for row in admitted:
        if row["role"] != FACILITATOR:
            number += 1
        people.append({"device": row["device"], "role": row["role"],
                       "label": str(label_for(viewer_role, row["user__display_name"],
                                              row["role"], policy, number)),
                       "muted": row["muted"]})
    return people


def room_views(room_id):
    """Who is here as facilitators see it and as members see it, and the roster's signer:
    one read for everyone in the room, under the circle's name policy as it is now (an
    admin may change it during the meeting)."""
    policy = (Room.objects.filter(pk=room_id)
              .values_list("meeting__circle__room_names", flat=True).first())
    admitted = _live(room_id, Presence.Status.ADMITTED)
    return {"staff": _seen_by(admitted, FACILITATOR, policy),
            "members": _seen_by(admitted, MEMBER, policy),
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
    live = list(Presence.objects.filter(room_id=room_id, status__in=Presence.LIVE)
                .order_by("asked_at", "pk").values("status", *FIELDS))
    devices_of = {}
    for row in live:
        devices_of[row["user_id"]] = devices_of.get(row["user_id"], 0) + 1
    return [{"device": row["device"], "label": row["user__display_name"],
             "sign": row["sign_key"], "dh": row["dh_key"],
             "second_device": devices_of[row["user_id"]] > 1}
            for row in live if row["status"] == Presence.Status.WAITING]


def admitted_devices(room_id):
    """Every admitted device with its public keys, for the facilitator's roster."""
    return [{"device": {"id": row["device"], "sign": row["sign_key"], "dh": row["dh_key"]},
             "label": row["user__display_name"]}
            for row in _live(room_id, Presence.Status.ADMITTED)]
