"""State changes for circles, their facilitators and their memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.accounts.invitations import check_email, create_invitation, provision_user
from circlekeep.accounts.models import Guardianship, Invitation
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import (
    check_may_change_membership_status,
    check_may_manage_circle,
)
from circlekeep.circles.hooks import CHECK_READY_TO_ACTIVATE, CIRCLE_CREATED
from circlekeep.circles.models import (
    Circle,
    Facilitation,
    Membership,
    MembershipChange,
)
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.orgs.access import staff_role
from circlekeep.orgs.models import StaffRole
from circlekeep.training.access import TrainingRequired, check_may_lead

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.orgs.models import Organization

FACILITATING_ROLES = (StaffRole.Role.ADMIN, StaffRole.Role.FACILITATOR)


def check_circle_fields(*, name, kind, mode, capacity):
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A circle needs a name."), field="name")
    if len(name) > 120:
        raise DomainError(_("A circle name can have at most 120 characters."), field="name")
    if kind not in Circle.Kind.values:
        raise DomainError(_("Choose a therapy group or a peer-support group."), field="kind")
    if mode not in Circle.Mode.values:
        raise DomainError(_("Choose in person, online or hybrid."), field="mode")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        capacity = 0
    if not 2 <= capacity <= 100:
        raise DomainError(_("Capacity must be between 2 and 100 members."), field="capacity")
    return name, capacity


def check_may_facilitate(user, organization):
    if staff_role(user, organization) not in FACILITATING_ROLES:
        raise DomainError(_("Only the organization's facilitators and admins can lead or "
                            "co-lead a circle."), field="user")


def check_not_facilitating(staff_role):
    """Someone who leads or co-leads a circle keeps the right to: hand the circles over
    first (orgs/hooks.py STAFF_STOPS_FACILITATING)."""
    if Facilitation.objects.filter(user=staff_role.user,
                                   circle__organization=staff_role.organization).exists():
        raise DomainError(_("This person facilitates circles. Hand their circles to another "
                            "facilitator first."))


def live_member_count(circle):
    return Membership.objects.filter(circle=circle, status__in=Membership.LIVE_STATUSES).count()


def check_room_names(value):
    if value not in Circle.RoomNames.values:
        raise DomainError(_("Choose how people are named in the online room: display names, "
                            "first names only, or no names."), field="room_names")
    return value


@action
def do_create_circle(organization: Organization, *, name: str, kind: str, mode: str, capacity: int,
                     allows_minors: bool = False, lead: User | None = None, actor: User | None,
                     meeting_details: str | None = "", room_names: str | None = None):
    """Create a circle. A facilitator creates it with themself as lead; an admin may name
    any facilitator of the organization as lead."""
    role = staff_role(actor, organization) if actor is not None else StaffRole.Role.ADMIN
    if role not in FACILITATING_ROLES:
        raise ActionForbidden(_("Only facilitators and admins may create circles."))
    lead = lead or actor
    if lead is None:
        raise DomainError(_("Choose the lead facilitator."), field="lead")
    if role == StaffRole.Role.FACILITATOR and lead.pk != actor.pk:
        raise ActionForbidden(_("Facilitators create circles that they lead themselves."))
    check_may_facilitate(lead, organization)
    try:
        check_may_lead(lead, organization)
    except TrainingRequired as refusal:
        raise DomainError(refusal.message, field="lead") from None
    name, capacity = check_circle_fields(name=name, kind=kind, mode=mode, capacity=capacity)
    meeting_details = (meeting_details or "").strip()
    if len(meeting_details) > 1000:
        raise DomainError(_("Keep where and when under 1000 characters."),
                          field="meeting_details")
    room_names = check_room_names(room_names or Circle.RoomNames.DISPLAY)
    circle = Circle.objects.create(organization=organization, name=name, kind=kind, mode=mode,
                                   capacity=capacity, allows_minors=bool(allows_minors),
                                   meeting_details=meeting_details, room_names=room_names)
    facilitation = Facilitation.objects.create(circle=circle, user=lead,
                                               role=Facilitation.Role.LEAD)
    audit.record("circle.created", actor=actor, target=circle, circle=circle,
                 data={"kind": kind, "mode": mode, "capacity": capacity,
                       "allows_minors": bool(allows_minors)})
    audit.record("circle.facilitator.added", actor=actor, target=facilitation, circle=circle,
                 subject=lead, data={"role": "lead"})
    CIRCLE_CREATED(circle, actor=actor)
    return circle


@action
def do_update_circle(circle: Circle, *, name: str, kind: str, mode: str, capacity: int,
                     allows_minors: bool, actor: User | None, meeting_details: str | None = None,
                     room_names: str | None = None):
    """Change a circle's details; capacity never drops below its current members."""
    check_may_manage_circle(actor, circle)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    name, capacity = check_circle_fields(name=name, kind=kind, mode=mode, capacity=capacity)
    if capacity < live_member_count(circle):
        raise DomainError(_("The circle already has more members than that."), field="capacity")
    allows_minors = bool(allows_minors)
    new = {"name": name, "kind": kind, "mode": mode, "capacity": capacity,
           "allows_minors": allows_minors}
    if meeting_details is not None:
        meeting_details = meeting_details.strip()
        if len(meeting_details) > 1000:
            raise DomainError(_("Keep where and when under 1000 characters."),
                              field="meeting_details")
        new["meeting_details"] = meeting_details
    if room_names:
        new["room_names"] = check_room_names(room_names)
    changes = {key: {"old": getattr(circle, key), "new": value}
               for key, value in new.items() if getattr(circle, key) != value}
    if not changes:
        return circle
    for key, value in new.items():
        setattr(circle, key, value)
    circle.save(update_fields=list(new))
    audit.record("circle.changed", actor=actor, target=circle, circle=circle,
                 data={"changes": {k: v for k, v in changes.items()
                                   if k not in ("name", "meeting_details")},
                       "fields": sorted(changes)})
    return circle


@action
def do_add_facilitator(circle: Circle, user: User, *, actor: User | None):
    """Add a co-facilitator from the organization's facilitators and admins."""
    check_may_manage_circle(actor, circle)
    check_may_facilitate(user, circle.organization)
    if Facilitation.objects.filter(circle=circle, user=user).exists():
        raise DomainError(_("This person already facilitates this circle."), field="user")
    if Membership.objects.filter(circle=circle, user=user,
                                 status__in=Membership.LIVE_STATUSES).exists():
        raise DomainError(_("A member of the circle cannot also facilitate it."), field="user")
    facilitation = Facilitation.objects.create(circle=circle, user=user,
                                               role=Facilitation.Role.CO)
    audit.record("circle.facilitator.added", actor=actor, target=facilitation, circle=circle,
                 subject=user, data={"role": "co"})
    return facilitation


@action
def do_remove_facilitator(facilitation: Facilitation, *, actor: User | None):
    """Remove a co-facilitator. The lead stays until another lead is named."""
    check_may_manage_circle(actor, facilitation.circle)
    if facilitation.role == Facilitation.Role.LEAD:
        raise DomainError(_("The lead facilitator cannot be removed."))
    circle, user = facilitation.circle, facilitation.user
    audit.record("circle.facilitator.removed", actor=actor, target=facilitation, circle=circle,
                 subject=user)
    facilitation.delete()


@action
def do_invite_member(circle: Circle, *, email: str, actor: User | None, is_minor: bool = False):
    """Invite someone to a circle; returns (invitation, token).

    Their place counts against capacity from now on, so a circle cannot be over-invited.
    """
    check_may_manage_circle(actor, circle)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    email = check_email(email)
    if is_minor and not circle.allows_minors:
        raise DomainError(_("This circle does not accept minors."), field="is_minor")
    # Whether the address has an account, and anything about that account (its name, its
    # age), stays unknown here: the invitation reads the same either way, and an account
    # that cannot join this circle is told so when it accepts.
    user = provision_user(email)
    if Facilitation.objects.filter(circle=circle, user=user).exists():
        raise DomainError(_("This person facilitates the circle and cannot also be a member."),
                          field="email")
    if Membership.objects.filter(circle=circle, user=user,
                                 status__in=Membership.LIVE_STATUSES).exists():
        raise DomainError(_("This person is already a member of the circle or has a pending "
                            "invitation."), field="email")
    if live_member_count(circle) >= circle.capacity:
        raise DomainError(_("The circle is full (%(capacity)d members). Raise its capacity or "
                            "wait for a place.") % {"capacity": circle.capacity}, field="email")
    now = timezone.now()
    membership = Membership.objects.create(circle=circle, user=user,
                                           status=Membership.Status.INVITED,
                                           status_changed_at=now)
    MembershipChange.objects.create(membership=membership, to_status=Membership.Status.INVITED,
                                    changed_at=now, actor=actor)
    invitation, token = create_invitation(
        email=email, user=user, organization=circle.organization, kind=Invitation.Kind.MEMBER,
        role="member", circle=circle, actor=actor, minor=is_minor,
    )
    audit.record("circle.member.invited", actor=actor, target=membership, circle=circle,
                 subject=user, data={"minor": bool(is_minor)})
    audit.record("account.invitation.sent", actor=actor, target=invitation, circle=circle,
                 subject=user, data={"kind": "member"})
    return invitation, token


@action
def do_invite_guardian(membership: Membership, *, email: str, actor: User | None):
    """Invite a minor member's guardian; returns (invitation, token).

    The guardian consents for the minor (see the consent app); the e-mail names only the
    organization.
    """
    check_may_manage_circle(actor, membership.circle)
    ward = membership.user
    if not membership.accepted:
        # Before the person accepts, nothing about their account (its age included) may
        # show through the circle.
        raise DomainError(_("Invite the guardian once the member has accepted their "
                            "invitation."), field="email")
    if not ward.is_minor:
        raise DomainError(_("Only a minor member has a guardian here."), field="email")
    if not membership.is_live:
        raise DomainError(_("This membership has ended."))
    email = check_email(email)
    if email.lower() == ward.email.lower():
        raise DomainError(_("A member cannot be their own guardian."), field="email")
    guardian = provision_user(email)
    if Guardianship.objects.filter(guardian=guardian, ward=ward,
                                   organization=membership.circle.organization).exists():
        raise DomainError(_("This person is already the member's guardian."), field="email")
    pending = Invitation.objects.filter(
        kind=Invitation.Kind.GUARDIAN, user=guardian, ward=ward, accepted_at=None,
        revoked_at=None, expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise DomainError(_("This address already has a pending guardian invitation."),
                          field="email")
    invitation, token = create_invitation(
        email=email, user=guardian, organization=membership.circle.organization,
        kind=Invitation.Kind.GUARDIAN, role="guardian", circle=membership.circle, ward=ward,
        actor=actor,
    )
    audit.record("account.invitation.sent", actor=actor, target=invitation,
                 circle=membership.circle, subject=ward, data={"kind": "guardian"})
    return invitation, token


@action
def do_change_membership_status(membership: Membership, to_status: str, *, actor: User | None,
                                reason: str = ""):
    """Move a membership along its life cycle.

    Members accept and leave; facilitators and admins activate, suspend, reinstate and
    revoke. Suspension and revocation need a reason, which the member sees. Activation
    needs every onboarding step done.
    """
    membership = Membership.objects.select_for_update().select_related(
        "circle", "circle__organization", "user").get(pk=membership.pk)
    from_status = membership.status
    check_may_change_membership_status(actor, membership, to_status)
    if to_status not in Membership.Status.values:
        raise DomainError(_("Unknown membership status."), field="status")
    if Membership.TRANSITIONS.get((from_status, to_status)) is None:
        raise DomainError(
            _("A membership that is %(old)s cannot become %(new)s.")
            % {"old": Membership.Status(from_status).label,
               "new": Membership.Status(to_status).label},
            field="status",
        )
    if audit_reasons.typed_as_code(reason):
        # The member reads it as the system's own words ("Revoked after a concern.").
        raise DomainError(_("Write the reason in your own words."), field="reason")
    if (from_status, to_status) == ("onboarding", "active"):
        CHECK_READY_TO_ACTIVATE.one(membership)
    return move_membership(membership, to_status, actor=actor, reason=reason)


def move_membership(membership, to_status, *, actor, reason=""):
    from_status = membership.status
    reason = (reason or "").strip()
    if to_status in Membership.REASON_REQUIRED and not reason:
        raise DomainError(_("Give a reason; the member will see it."), field="reason")
    now = timezone.now()
    membership.status = to_status
    membership.status_changed_at = now
    membership.save(update_fields=["status", "status_changed_at"])
    change = MembershipChange(membership=membership, from_status=from_status,
                              to_status=to_status, changed_at=now, actor=actor)
    vault.seal(change, "reason", reason)
    change.save()
    # The reason is protected text about the member: sealed above, never in the trail.
    audit.record("circle.member.status.changed", actor=actor, target=membership,
                 circle=membership.circle, subject=membership.user,
                 data={"status": {"old": from_status, "new": to_status},
                       "reason_given": bool(reason)})
    return membership
