"""Who may enter a meeting's room, and what each person in it is shown of the others.

One rule for the page and the websocket alike: the circle's facilitators, and its members
who are cleared to take part now (``meetings.access.cleared_membership``), during the
room's window; organisation admins and auditors are not in the room (they run the
organisation, not the circle). A meeting the person may not see at all is a 404, like one
that does not exist.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.circles.access import check_trained_to_facilitate
from circlekeep.circles.models import Circle, Facilitation, Membership
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.prepared import PreparedQuery
from circlekeep.lib.request_cache import remember
from circlekeep.meetings.access import access_meeting, cleared_membership
from circlekeep.meetings.models import Meeting
from circlekeep.orgs.access import session_verified
from circlekeep.orgs.models import StaffRole
from circlekeep.rooms.models import Presence, Room


# Everything entering a room depends on, for one person, circle and meeting, in one query
# compiled once (lib/prepared.py): every device entering, asking and being admitted asks
# it at the evening's peak, and every open socket again every RECHECK_SECONDS. The
# reason for a refusal is worked out only when there is one.
def _entry(user_id, circle_id, meeting_id):
    return Circle.objects.filter(pk=circle_id).values_list(
        Exists(Facilitation.objects.filter(circle_id=OuterRef("pk"), user_id=user_id)),
        Subquery(Membership.objects.cleared().filter(circle_id=OuterRef("pk"), user_id=user_id)
                 .values("pk")[:1]),
        Exists(Room.objects.filter(meeting_id=meeting_id, ended_at__isnull=False)),
        "organization__require_member_2fa",
        Subquery(StaffRole.objects.filter(organization_id=OuterRef("organization_id"),
                                          user_id=user_id).values("role")[:1]))


ENTRY = PreparedQuery(_entry, arity=3)
# The room opens this long before the meeting starts.
ROOM_OPENS = timedelta(minutes=15)
ONLINE_MODES = ("online", "hybrid")
FACILITATOR, MEMBER = Presence.Role.FACILITATOR, Presence.Role.MEMBER


def facilitates(user, circle) -> bool:
    if not Facilitation.objects.filter(circle=circle, user=user).exists():
        return False
    remember(("circle_role", user.pk, circle.pk), "facilitator")  # for the audit writer
    return True


class SecondStepMissing(ActionForbidden):
    """A cleared member whose organisation requires two-step sign-in, in a session that
    has not passed it."""


def room_entry(user, meeting_id):
    """(meeting, role, membership id) for a person who may enter the meeting's room now;
    404 when they may not see the meeting, 403 with the reason otherwise.

    Whoever may enter (the circle's facilitators and cleared members) may see the
    meeting, so the one query of ``check_may_enter`` answers them; who may see the
    meeting is worked out only for a refusal, which must not say more than a 404 would."""
    try:
        meeting = (Meeting.objects.select_related("circle", "circle__organization", "series")
                   .get(public_id=parse_public_id(meeting_id)))
    except Meeting.DoesNotExist:
        raise Http404 from None
    try:
        return meeting, *check_may_enter(user, meeting)
    except SecondStepMissing:
        raise  # their own circle, closed to this session until it passes the second step
    except ActionForbidden:
        meeting = access_meeting(user, meeting_id)
        raise


def check_may_enter(user, meeting):
    """(role, membership id), or 403 with the reason: not this circle's facilitator or a
    cleared member, the second step missing where the organisation requires it, not an
    online meeting, not open yet, over or ended."""
    facilitator, membership_id, ended, needs_two_steps, staff = ENTRY.rows(
        user.pk, meeting.circle_id, meeting.pk)[0]
    # The capacity the audit writer names for what this person does in the circle next
    # (circles.access.role_label: facilitator, else their staff role, else member).
    remember(("circle_role", user.pk, meeting.circle_id),
             "facilitator" if facilitator else staff or "member")
    if facilitator:
        check_trained_to_facilitate(user, meeting.circle)
        role, membership_id = FACILITATOR, None
    else:
        if membership_id is None:
            if not meeting.circle.memberships.filter(user=user).exists():
                raise ActionForbidden(_("Only the circle's members and facilitators enter "
                                        "its room."))
            membership_id = cleared_membership(user, meeting.circle).pk
        if needs_two_steps and not session_verified(user):
            raise SecondStepMissing(_("%(organization)s asks everyone in its circles to use "
                                    "two-step sign-in. Sign in with it to enter the room.")
                                  % {"organization": meeting.circle.organization.name})
        role = MEMBER
    check_room_open(meeting, ended=ended)
    return role, membership_id


def check_room_open(meeting, *, ended=None):
    """403 with the reason when the meeting's room is not open now. ``ended``: whether the
    room was ended, when the caller already read it."""
    now = timezone.now()
    if meeting.mode not in ONLINE_MODES:
        raise ActionForbidden(_("This meeting is in person; it has no online room."))
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ActionForbidden(_("This meeting is cancelled."))
    if now < meeting.starts_at - ROOM_OPENS:
        raise ActionForbidden(_("The room opens 15 minutes before the meeting starts."))
    if now > meeting.ends_at:
        raise ActionForbidden(_("This meeting has ended."))
    if ended is None:
        ended = Room.objects.filter(meeting=meeting, ended_at__isnull=False).exists()
    if ended:
        raise ActionForbidden(_("The facilitator ended this meeting's room."))


def check_facilitator(presence):
    """The device is a facilitator's in the room, and its person still facilitates the
    circle (a facilitation ended during the meeting ends its powers at once)."""
    if presence.role != FACILITATOR or presence.status != Presence.Status.ADMITTED \
            or not facilitates(presence.user, presence.room.meeting.circle):
        raise ActionForbidden(_("Only the circle's facilitator can do this."))


def check_may_whisper_to(target):
    """A facilitator's private message goes only to a person who is waiting (or reading
    the opening): in the room, everything is said to everyone."""
    if target.status not in (Presence.Status.WAITING, Presence.Status.OPENING):
        raise ActionForbidden(_("Private messages go to people who are waiting."))


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


def label_for(viewer_role, name, role, policy, number):
    """How a person in the room (``name``, in ``role``) is named to the viewer, under the
    circle's policy: display names, first names only, or nothing to members (facilitators
    always see who is who, and everyone sees who the facilitator is). ``number``: the
    member's place among the members present."""
    if viewer_role == FACILITATOR or role == FACILITATOR:
        return name if role == MEMBER else _("%(name)s (facilitator)") % {"name": name}
    if policy == "first":
        return name.split()[0] if name.split() else name
    if policy == "hidden":
        return _("Member %(number)d") % {"number": number}
    return name
