"""Who may see which circle and membership. Lists and detail pages share these."""

from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.accounts.models import Invitation
from circlekeep.circles.models import Circle, Facilitation, Membership
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.request_cache import recall, remember
from circlekeep.orgs.access import (
    is_org_admin,
    locked_organizations,
    staff_invitations_visible_to,
    staff_role,
    staff_roles_of,
)
from circlekeep.orgs.models import Organization, StaffRole
from circlekeep.training.access import check_may_co_lead


def _admin_of(org_ref, user):
    return Exists(StaffRole.objects.filter(organization=org_ref, user=user,
                                           role=StaffRole.Role.ADMIN))


def circles_managed_by(user):
    """Circles the user runs: as a facilitator, or as an admin of the organization."""
    if not user.is_authenticated:
        return Circle.objects.none()
    return Circle.objects.filter(
        Q(Exists(Facilitation.objects.filter(circle=OuterRef("pk"), user=user)))
        | Q(_admin_of(OuterRef("organization"), user))
    )


def own_memberships(user):
    """The user's memberships that this session may open: all of them, except those in
    organizations that require two-step sign-in of members when this session has not
    passed it (see ``orgs.access.locked_organizations``)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).exclude(
        circle__organization__in=locked_organizations(user))


def circles_visible_to(user):
    """Circles the user runs, and circles where the user has accepted a membership that
    is still live. A pending invitation shows nothing: the invitee reaches the circle
    through the invitation's own page.

    Auditors see no circles: they read the audit trail and nothing else.
    """
    if not user.is_authenticated:
        return Circle.objects.none()
    return Circle.objects.filter(
        Q(Exists(Facilitation.objects.filter(circle=OuterRef("pk"), user=user)))
        | Q(_admin_of(OuterRef("organization"), user))
        | Q(Exists(own_memberships(user).accepted().filter(circle=OuterRef("pk"))))
    )


def circles_whose_members_are_visible_to(user):
    """Circles whose members the user may see by name or by what they wrote: circles the
    user runs, and circles the user has joined (active or suspended). Being in a therapy
    group is itself health information, so someone who has only accepted an invitation,
    and has not yet consented and signed, sees no other member."""
    if not user.is_authenticated:
        return Circle.objects.none()
    joined = own_memberships(user).filter(status__in=(Membership.Status.ACTIVE,
                                                      Membership.Status.SUSPENDED))
    return Circle.objects.filter(Q(pk__in=circles_managed_by(user).values("pk"))
                                 | Q(pk__in=joined.values("circle")))


def may_see_meeting_details(user, circle) -> bool:
    """Where and when a circle meets: for its facilitators and admins, and for members
    cleared to take part now (active, consent live, the current agreement signed). The
    same answer on the circle's page, in the API and anywhere the details show."""
    if may_manage_circle(user, circle):
        return True
    return own_memberships(user).cleared().filter(circle=circle).exists()


def may_see_members(user, circle) -> bool:
    """Whether the user may see the circle's members (circles_whose_members_are_visible_to)."""
    return circles_whose_members_are_visible_to(user).filter(pk=circle.pk).exists()


def access_circle(user, public_id, *, for_update=False) -> Circle:
    """The circle if the user may see it; 404 for missing and not-yours alike."""
    queryset = circles_visible_to(user).select_related("organization")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Circle.DoesNotExist:
        raise Http404 from None


def may_manage_circle(user, circle) -> bool:
    """Whether the user facilitates the circle or administers its organization. The answer
    is kept for the rest of the request for the audit writer's role label."""
    if not user.is_authenticated:
        return False
    row = Facilitation.objects.filter(circle=circle, user=user).order_by().values_list(
        "pk").union(StaffRole.objects.filter(organization_id=circle.organization_id, user=user,
                                             role=StaffRole.Role.ADMIN).order_by()
                    .values_list(Value(0)))
    found = {pk for (pk,) in row}
    if not found:
        return False
    role = "facilitator" if found - {0} else "admin"
    remember(("circle_role", user.pk, circle.pk), role)
    return True


def check_may_manage_circle(user, circle):
    """Raise 403 unless the user facilitates the circle or administers its organization."""
    if not may_manage_circle(user, circle):
        raise ActionForbidden("Only the circle's facilitators and organization admins may do this.")


def check_may_change_membership_status(actor, membership, to_status):
    """Who moves a membership to ``to_status``: the member accepts (onboarding) and
    leaves; the circle's facilitators and admins activate, suspend, reinstate and revoke
    (Membership.TRANSITIONS). ``None`` is the system. Raises 403 otherwise, before anything
    about the membership's state is said."""
    if actor is None:
        return
    if Membership.CHANGED_BY.get(to_status) == "self":
        if actor.pk != membership.user_id:
            raise ActionForbidden(_("Only the member can do this."))
    else:
        check_may_manage_circle(actor, membership.circle)


def access_managed_circle(user, public_id, *, for_update=False) -> Circle:
    """A circle the user runs: 404 if invisible, 403 if visible but only as a member."""
    circle = access_circle(user, public_id, for_update=for_update)
    check_may_manage_circle(user, circle)
    return circle


def memberships_visible_to(user):
    """The user's own memberships, and every membership in circles the user runs."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(
        Q(pk__in=own_memberships(user).values("pk")) | Q(circle__in=circles_managed_by(user))
    )


def access_membership(user, public_id, *, for_update=False) -> Membership:
    """A membership the user may see: their own (in an organization this session may open) or
    any in a circle they run; 404 for missing and not-yours alike."""
    queryset = memberships_visible_to(user).select_related("circle", "circle__organization",
                                                           "user")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Membership.DoesNotExist:
        raise Http404 from None


def facilitations_visible_to(user):
    """The facilitations of circles the user may see: who leads is known to the circle."""
    return Facilitation.objects.filter(circle__in=circles_visible_to(user))


def access_facilitation(user, public_id, *, for_update=False) -> Facilitation:
    """A facilitation the user may see; 404 otherwise."""
    queryset = facilitations_visible_to(user).select_related("circle", "circle__organization",
                                                             "user")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Facilitation.DoesNotExist:
        raise Http404 from None


def role_label(actor, *, organization=None, circle=None, subject=None) -> str:
    """The capacity in which ``actor`` acted, for the audit trail."""
    if actor is None:
        return "system"
    if circle is not None:
        # The permission check that let the action run has usually answered this already.
        known = recall(("circle_role", actor.pk, circle.pk))
        if known is not None:
            return known
        if Facilitation.objects.filter(circle=circle, user=actor).exists():
            return "facilitator"
    if organization is not None:
        role = staff_role(actor, organization)
    else:
        # Account events name no organization: use the staff role the person holds.
        roles = set(staff_roles_of(actor).values())
        role = next((r for r in ("admin", "facilitator", "auditor") if r in roles), None)
    return role or "member"


def organizations_of(user):
    """Organizations that hold information about the person: where they are staff, or
    where they accepted a circle's invitation (ended memberships included). A pending
    invitation grants nothing, so an organization that has only invited someone is not
    among them."""
    if user is None or user.pk is None:
        return Organization.objects.none()
    return Organization.objects.filter(
        Q(staff__user=user)
        | Q(pk__in=Membership.objects.ever_accepted().filter(user=user)
            .values("circle__organization"))).distinct()


def may_erase_person(actor, user, organization) -> bool:
    """Whether ``actor`` may erase what ``organization`` holds about ``user``: an admin of
    that organization, while it holds information about them. No one erases another
    organization's share."""
    if actor is None or organization is None or not is_org_admin(actor, organization):
        return False
    return organizations_of(user).filter(pk=organization.pk).exists()


def invitations_visible_to(user):
    """Staff invitations in organizations the user administers, and member and guardian
    invitations for circles the user runs."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        Q(pk__in=staff_invitations_visible_to(user).values("pk"))
        | Q(kind__in=(Invitation.Kind.MEMBER, Invitation.Kind.GUARDIAN),
            circle__in=circles_managed_by(user))
    ).select_related("user", "organization", "circle", "invited_by")


def access_invitation(user, public_id, *, for_update=False) -> Invitation:
    """An invitation the user may manage (invitations_visible_to); 404 otherwise."""
    queryset = invitations_visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Invitation.DoesNotExist:
        raise Http404 from None


def lead_of(circle):
    """The circle's lead facilitator (a user), or None."""
    facilitation = (Facilitation.objects.filter(circle=circle, role=Facilitation.Role.LEAD)
                    .select_related("user").first())
    return facilitation.user if facilitation is not None else None


def check_trained_to_facilitate(user, circle):
    """The training gate for acting as the circle's facilitator (its online room, its
    opening ritual): leave to lead (training/access.py), or co-facilitating this circle
    with a lead who holds a current certificate. An admin who does not co-facilitate it
    needs leave to lead."""

    def lead_of_co_facilitated():
        if not Facilitation.objects.filter(circle=circle, user=user,
                                           role=Facilitation.Role.CO).exists():
            return None
        return lead_of(circle)

    check_may_co_lead(user, circle.organization, lead_of_co_facilitated)
