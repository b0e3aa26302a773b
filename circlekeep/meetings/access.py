"""Who may see which meeting.

A circle's facilitators and admins see its meetings. A member sees them only while cleared
to take part (active, consent live, the agreement's current version signed): otherwise
the meeting's details stay hidden, with the reason.
"""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.accounts.models import User
from circlekeep.circles.access import (
    access_membership,
    circles_managed_by,
    may_manage_circle,
    own_memberships,
)
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.ids import parse_public_id
from circlekeep.meetings.models import CalendarFeed, Meeting
from circlekeep.onboarding.progress import check_cleared


def meetings_visible_to(user):
    """Meetings of circles the user runs or holds a live membership in (details are then
    gated by ``check_may_see``)."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    live = own_memberships(user).accepted()
    return Meeting.objects.filter(Q(circle__in=circles_managed_by(user))
                                  | Q(circle__in=live.values("circle")))


def told_of_meeting_changes(circle, actor):
    """Who is told that a meeting was added, moved or cancelled: the circle's active
    members and its other facilitators (not whoever made the change)."""
    return User.objects.filter(
        Q(memberships__circle=circle, memberships__status=Membership.Status.ACTIVE)
        | Q(facilitations__circle=circle)).exclude(pk=getattr(actor, "pk", None)).distinct()


def meetings_on_calendar_of(user):
    """The meetings a person's calendar shows: every meeting of the circles they run (as a
    facilitator, or all of their organisation's as an admin) and of the circles where they
    are cleared to take part now; when a circle meets is one of its details
    (``may_see_meeting_details``), so a member still onboarding sees none."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    cleared = own_memberships(user).cleared()
    return Meeting.objects.filter(Q(circle__in=circles_managed_by(user))
                                  | Q(circle__in=cleared.values("circle")))


def access_meeting(user, public_id) -> Meeting:
    """A meeting the user may see (meetings_visible_to); its details then depend on
    viewer_role."""
    try:
        return (meetings_visible_to(user)
                .select_related("circle", "circle__organization", "series")
                .get(public_id=parse_public_id(public_id)))
    except Meeting.DoesNotExist:
        raise Http404 from None


def cleared_membership(user, circle):
    """The user's membership of the circle if they may take part now; otherwise 403 with
    the reason (not joined, paused, consent or signature missing). The same refusal on the
    pages and in the API."""
    membership = (Membership.objects.accepted().filter(circle=circle, user=user)
                  .select_related("circle", "circle__organization", "user").first())
    if membership is None:
        raise ActionForbidden(_("Only the circle's members and facilitators can do this."))
    try:
        check_cleared(membership)
    except DomainError as error:
        raise ActionForbidden(error.message) from None
    return membership


def viewer_role(user, meeting):
    """("staff", None) or ("member", membership); 403 with the reason when a member may not
    see the meeting's details now."""
    if may_manage_circle(user, meeting.circle):
        return "staff", None
    return "member", cleared_membership(user, meeting.circle)


def ritual_viewer_role(user, meeting):
    """Who may open a meeting's opening page: as ``viewer_role``, and also an active
    member held back only by a new version of the agreement ("signer"), so that they can
    sign it there and take part. Anyone else is refused with the reason."""
    from circlekeep.onboarding.progress import progress

    if may_manage_circle(user, meeting.circle):
        return "staff", None
    membership = (Membership.objects.accepted().filter(circle=meeting.circle, user=user)
                  .select_related("circle", "circle__organization", "user").first())
    if membership is not None and membership.status == "active":
        state = progress(membership)
        if state.consent_ok and not state.signed_current:
            return "signer", membership
    return "member", cleared_membership(user, meeting.circle)


def access_meeting_membership(user, meeting, public_id):
    """A membership of the meeting's own circle that the user may see. One of another
    circle is a 404, like one that does not exist: a meeting never acts on outsiders."""
    membership = access_membership(user, public_id)
    if membership.circle_id != meeting.circle_id:
        raise Http404
    return membership


def live_calendar_feed_of(user):
    """The user's own calendar feed that still works, or None. A feed is personal:
    nobody else, not even an admin, sees or manages it."""
    if not user.is_authenticated:
        return None
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
