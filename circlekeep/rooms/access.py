"""Who may enter a meeting's room, and what each person in it is shown of the others.

One rule for the page and the websocket alike: the circle's facilitators, and its members
who are cleared to take part now (``meetings.access.cleared_membership``), during the
room's window; organisation admins and auditors are not in the room (they run the
organisation, not the circle). A meeting the person may not see at all is a 404, like one
that does not exist.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.circles.models import Facilitation, Membership
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.prepared import PreparedQuery
from circlekeep.meetings.access import access_meeting, cleared_membership
from circlekeep.meetings.models import Meeting
from circlekeep.orgs.access import session_verified
from circlekeep.rooms.models import Presence, Room

# Whether a person is cleared in a circle: compiled once (lib/prepared.py), since every
# device entering, asking and being admitted asks it at the evening's peak.
CLEARED = PreparedQuery(lambda user_id, circle_id: Membership.objects.cleared().filter(
    user_id=user_id, circle_id=circle_id).values_list("pk"), arity=2)
# The room opens this long before the meeting starts.
ROOM_OPENS = timedelta(minutes=15)
ONLINE_MODES = ("online", "hybrid")
FACILITATOR, MEMBER = Presence.Role.FACILITATOR, Presence.Role.MEMBER


def facilitates(user, circle) -> bool:
    return Facilitation.objects.filter(circle=circle, user=user).exists()


def room_entry(user, meeting_id):
    """(meeting, role, membership) for a person who may enter the meeting's room now;
    404 when they may not see the meeting, 403 with the reason otherwise."""
    meeting = access_meeting(user, meeting_id)
    return meeting, *check_may_enter(user, meeting)


def check_may_enter(user, meeting):
    """(role, membership), or 403 with the reason: not this circle's facilitator or a
    cleared member, the second step missing where the organisation requires it, not an
    online meeting, not open yet, over or ended."""
    if facilitates(user, meeting.circle):
        role, membership = FACILITATOR, None
    else:
        # One query for the usual answer (the one definition of cleared); the reason is
        # worked out only for a refusal.
        found = CLEARED.rows(user.pk, meeting.circle_id)
        membership = (Membership.objects.select_related("circle", "circle__organization", "user")
                      .get(pk=found[0][0]) if found else None)
        if membership is None:
            if not meeting.circle.memberships.filter(user=user).exists():
                raise ActionForbidden(_("Only the circle's members and facilitators enter "
                                        "its room."))
            membership = cleared_membership(user, meeting.circle)
        if meeting.circle.organization.require_member_2fa and not session_verified(user):
            raise ActionForbidden(_("%(organization)s asks everyone in its circles to use "
                                    "two-step sign-in. Sign in with it to enter the room.")
                                  % {"organization": meeting.circle.organization.name})
        role = MEMBER
    check_room_open(meeting)
    return role, membership


def check_room_open(meeting):
    now = timezone.now()
    if meeting.mode not in ONLINE_MODES:
        raise ActionForbidden(_("This meeting is in person; it has no online room."))
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ActionForbidden(_("This meeting is cancelled."))
    if now < meeting.starts_at - ROOM_OPENS:
        raise ActionForbidden(_("The room opens 15 minutes before the meeting starts."))
    if now > meeting.ends_at:
        raise ActionForbidden(_("This meeting has ended."))
    ended = Room.objects.filter(meeting=meeting, ended_at__isnull=False).exists()
    if ended:
        raise ActionForbidden(_("The facilitator ended this meeting's room."))


def check_facilitator(presence):
    """The device is a facilitator's in the room, and its person still facilitates the
    circle (a facilitation ended during the meeting ends its powers at once)."""
    if presence.role != FACILITATOR or presence.status != Presence.Status.ADMITTED \
            or not facilitates(presence.user, presence.room.meeting.circle):
        raise ActionForbidden(_("Only the circle's facilitator can do this."))


def presence_in_room(room, device):
    """A live presence of this room by its device id, or a refusal (never another room's)."""
    found = Presence.objects.filter(room=room, device=device, status__in=Presence.LIVE) \
        .select_related("user", "membership").first()
    if found is None:
        raise ActionForbidden(_("That person is not in the room any more."))
    return found


def roster_signer(room_id):
    """The facilitator device that signs the room's roster: the first admitted of those
    still here, so that it stays the same while it stays (docs/rooms.md)."""
    return (Presence.objects.filter(room_id=room_id, status=Presence.Status.ADMITTED,
                                    role=FACILITATOR).order_by("admitted_at", "pk").first())


def label_for(viewer_role, presence, policy, number):
    """How a person in the room is named to the viewer, under the circle's policy:
    display names, first names only, or nothing to members (facilitators always see who
    is who, and everyone sees who the facilitator is)."""
    name = presence.user.display_name
    if viewer_role == FACILITATOR or presence.role == FACILITATOR:
        return name if presence.role == MEMBER else _("%(name)s (facilitator)") % {"name": name}
    if policy == "first":
        return name.split()[0] if name.split() else name
    if policy == "hidden":
        return _("Member %(number)d") % {"number": number}
    return name
