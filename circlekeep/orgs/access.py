"""Who holds which staff role where; every staff permission check starts here."""

from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.accounts.models import Invitation
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.request_cache import cached
from circlekeep.orgs.models import Organization, StaffRole


def staff_role(user, organization) -> str | None:
    """The user's role in ``organization``, or None (their roles are read once a request,
    lib/request_cache.py)."""
    if user is None or not user.is_authenticated:
        return None
    roles = staff_roles_of(user)
    return roles.get(organization.pk) if organization is not None else None


def staff_roles_of(user) -> dict:
    """{organization pk: role} for every staff role the user holds."""
    return cached(("staff_roles", user.pk), lambda: dict(
        StaffRole.objects.filter(user=user).values_list("organization_id", "role")))


def is_org_admin(user, organization) -> bool:
    """Whether the user is an admin of the organization."""
    return staff_role(user, organization) == StaffRole.Role.ADMIN


def is_auditor(user, organization) -> bool:
    """Whether the user is an auditor of the organization."""
    return staff_role(user, organization) == StaffRole.Role.AUDITOR


def check_org_admin(actor, organization):
    """Raise 403 unless ``actor`` administers ``organization`` (None is the system)."""
    if actor is not None and not is_org_admin(actor, organization):
        raise ActionForbidden(_("Only an admin of this organization may do this."))


def admin_organizations(user):
    """Organizations where the user is an admin."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(staff__user=user, staff__role=StaffRole.Role.ADMIN)


def staff_organizations(user):
    """Organizations where the user holds any staff role."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(staff__user=user)


def access_organization(user, public_id, *, for_update=False) -> Organization:
    """The organization, if the user is its admin; 404 otherwise."""
    queryset = admin_organizations(user)
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Organization.DoesNotExist:
        raise Http404 from None


def staff_invitations_visible_to(user):
    """Staff invitations of the organizations the user administers."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return Invitation.objects.filter(kind=Invitation.Kind.STAFF,
                                     organization__in=admin_organizations(user))


def staff_roles_visible_to(user):
    """Staff roles in the organizations the user administers."""
    return StaffRole.objects.filter(organization__in=admin_organizations(user)).select_related(
        "user", "organization"
    )


def access_staff_role(user, public_id, *, for_update=False) -> StaffRole:
    """A staff role in an organization the user administers; 404 otherwise."""
    queryset = staff_roles_visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except StaffRole.DoesNotExist:
        raise Http404 from None


def session_verified(user) -> bool:
    """Whether this request's session (or token) passed two-step sign-in. Code that runs
    outside a request (actions called by commands and tests) is not gated."""
    verified = getattr(user, "is_verified", None)
    return True if verified is None else bool(verified())


def locked_organizations(user):
    """Organizations whose members' circles stay closed in this session: they require
    two-step sign-in of members, and this session has not passed it. Each organization's
    rule applies to its own circles only; it never changes how the person reaches
    another organization's."""
    if not getattr(user, "is_authenticated", False) or session_verified(user):
        return Organization.objects.none()
    return Organization.objects.filter(require_member_2fa=True)


def may_reset_two_factor(actor, user) -> bool:
    """Whether ``actor`` may reset ``user``'s two-step sign-in (a lost phone): an admin of
    an organization where the person is staff. The reset reaches every organization the
    person belongs to, so an organization where they are only a member may not do it."""
    if actor is None or not actor.is_authenticated:
        return False
    return admin_organizations(actor).filter(staff__user=user).exists()
