"""State changes for organizations and staff roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep import audit
from circlekeep.accounts.actions import ENDED_BY_TWO_FACTOR_RESET, end_api_tokens
from circlekeep.accounts.invitations import check_email, create_invitation, provision_user
from circlekeep.accounts.models import TIME_ZONES, Invitation
from circlekeep.audit import reasons as audit_reasons
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.lib.request_cache import forget
from circlekeep.lib.times import zone_for
from circlekeep.orgs.access import admin_organizations, check_org_admin, may_reset_two_factor
from circlekeep.orgs.hooks import (
    JURISDICTION_CHANGED,
    ORGANIZATION_CREATED,
    STAFF_STOPS_FACILITATING,
)
from circlekeep.orgs.models import API_TOKEN_DAYS_BOUNDS, Organization, StaffRole

if TYPE_CHECKING:
    from circlekeep.accounts.models import User


def check_api_token_days(days):
    low, high = API_TOKEN_DAYS_BOUNDS
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        raise DomainError(_("The longest API token lifetime must be a whole number of days "
                            "from %(low)d to %(high)d.") % {"low": low, "high": high},
                          field="api_token_max_days")
    return days


def check_jurisdiction(country, region):
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise DomainError(_("Country must be a two-letter code such as US or ES."),
                          field="country")
    return country, (region or "").strip().upper()


def check_time_zone(time_zone):
    if time_zone not in TIME_ZONES:
        raise DomainError(_("Choose a time zone from the list."), field="time_zone")
    return time_zone


@action
def do_create_organization(*, name: str, country: str, region: str = "",
                           require_member_2fa: bool = False, time_zone: str | None = None,
                           actor: User | None = None):
    """Create an organization. Only the system (a command) creates organizations. Its time
    zone starts as its country's (or region's) unless given."""
    if actor is not None:
        raise ActionForbidden(_("Organizations are created by the operator."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("An organization needs a name."), field="name")
    country, region = check_jurisdiction(country, region)
    time_zone = check_time_zone(time_zone or zone_for(country, region))
    organization = Organization.objects.create(
        name=name, country=country, region=region, require_member_2fa=require_member_2fa,
        time_zone=time_zone,
    )
    audit.record("org.created", actor=actor, target=organization, organization=organization,
                 data={"country": country, "region": region, "time_zone": time_zone})
    ORGANIZATION_CREATED(organization, actor=actor)
    organization.refresh_from_db()
    return organization


@action
def do_change_org_policies(organization: Organization, *, name: str, country: str, region: str,
                           require_member_2fa: bool, actor: User | None,
                           members_read_notes: bool | None = None,
                           api_token_max_days: int | None = None,
                           time_zone: str | None = None):
    """Change an organization's name, jurisdiction and policies (its admins only).

    Lowering ``api_token_max_days`` ends its people's older tokens at once (the limit is
    checked on every use); raising it extends no token.
    """
    check_org_admin(actor, organization)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("An organization needs a name."), field="name")
    country, region = check_jurisdiction(country, region)
    new = {"name": name, "country": country, "region": region,
           "require_member_2fa": require_member_2fa}
    if members_read_notes is not None:
        new["members_read_notes"] = bool(members_read_notes)
    if api_token_max_days is not None:
        new["api_token_max_days"] = check_api_token_days(api_token_max_days)
    if time_zone is not None:
        new["time_zone"] = check_time_zone(time_zone)
    changes = {key: {"old": getattr(organization, key), "new": value}
               for key, value in new.items() if getattr(organization, key) != value}
    if not changes:
        return organization
    for key, value in new.items():
        setattr(organization, key, value)
    organization.save(update_fields=list(new))
    audit.record("org.policies.changed", actor=actor, target=organization,
                 organization=organization, data={"changes": changes})
    if "country" in changes or "region" in changes:
        JURISDICTION_CHANGED(organization, actor=actor)
        organization.refresh_from_db()
    return organization


@action
def do_grant_staff_role(organization: Organization, user: User, role, *, actor: User | None):
    """Give ``user`` a staff role (used when a staff invitation is accepted)."""
    check_org_admin(actor, organization)
    if role not in StaffRole.Role.values:
        raise DomainError(_("Choose a role: admin, facilitator or auditor."), field="role")
    if StaffRole.objects.filter(organization=organization, user=user).exists():
        raise DomainError(_("This person already has a staff role here."))
    staff_role = StaffRole.objects.create(organization=organization, user=user, role=role)
    forget(("staff_roles", user.pk))
    audit.record("org.staff.role.granted", actor=actor, target=staff_role,
                 organization=organization, subject=user, data={"role": role})
    return staff_role


def _check_keeps_an_admin(staff_role):
    if staff_role.role == StaffRole.Role.ADMIN:
        others = StaffRole.objects.filter(organization=staff_role.organization,
                                          role=StaffRole.Role.ADMIN).exclude(pk=staff_role.pk)
        if not others.exists():
            raise DomainError(_("An organization must keep at least one admin."))


@action
def do_change_staff_role(staff_role: StaffRole, role, *, actor: User | None):
    """Change a staff member's role; the organization always keeps an admin."""
    check_org_admin(actor, staff_role.organization)
    if role not in StaffRole.Role.values:
        raise DomainError(_("Choose a role: admin, facilitator or auditor."), field="role")
    old = staff_role.role
    if role == old:
        return staff_role
    _check_keeps_an_admin(staff_role)
    if role == StaffRole.Role.AUDITOR:
        STAFF_STOPS_FACILITATING(staff_role)
    staff_role.role = role
    staff_role.save(update_fields=["role"])
    forget(("staff_roles", staff_role.user_id))
    audit.record("org.staff.role.changed", actor=actor, target=staff_role,
                 organization=staff_role.organization, subject=staff_role.user,
                 data={"role": {"old": old, "new": role}})
    return staff_role


def check_typed_reason(reason):
    """A reason an admin types is shown as typed: it may not read as one of the system's
    own (audit/reasons.py), which readers would see in its place."""
    if audit_reasons.typed_as_code(reason):
        raise DomainError(_("Write the reason in your own words."), field="reason")


@action
def do_remove_staff_role(staff_role: StaffRole, *, actor: User | None, reason: str = ""):
    """End a person's staff role in an organization."""
    check_org_admin(actor, staff_role.organization)
    check_typed_reason(reason)
    _check_keeps_an_admin(staff_role)
    STAFF_STOPS_FACILITATING(staff_role)
    organization, user, role = staff_role.organization, staff_role.user, staff_role.role
    audit.record("org.staff.role.removed", actor=actor, target=staff_role,
                 organization=organization, subject=user, reason=reason, data={"role": role})
    staff_role.delete()
    forget(("staff_roles", user.pk))


@action
def do_invite_staff(organization: Organization, *, email: str, role: str, actor: User | None):
    """Invite someone to an organization's staff; returns (invitation, token).

    The token appears only in the e-mail; only its hash is stored.
    """
    check_org_admin(actor, organization)
    email = check_email(email)
    if role not in StaffRole.Role.values:
        raise DomainError(_("Choose a role: admin, facilitator or auditor."), field="role")
    user = provision_user(email)
    if StaffRole.objects.filter(organization=organization, user=user).exists():
        raise DomainError(_("This person is already on the staff."), field="email")
    pending = Invitation.objects.filter(
        organization=organization, user=user, kind=Invitation.Kind.STAFF,
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise DomainError(_("This address already has a pending staff invitation."),
                          field="email")
    invitation, token = create_invitation(
        email=email, user=user, organization=organization, kind=Invitation.Kind.STAFF,
        role=role, actor=actor,
    )
    audit.record("account.invitation.sent", actor=actor, target=invitation,
                 organization=organization, subject=user, data={"kind": "staff", "role": role})
    return invitation, token


@action
def do_reset_two_factor(user: User, *, actor: User | None, reason: str):
    """An admin resets someone's two-step sign-in (a lost phone): their authenticator and
    backup codes are removed and every session and API token of theirs ends; staff must
    set it up again at their next sign-in. Returns the revoked tokens."""
    if actor is None or actor.pk == user.pk or not may_reset_two_factor(actor, user):
        raise ActionForbidden(_("An admin of the person's organization resets their two-step "
                                "sign-in; your own is under Security."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason, such as how the person confirmed who they are."),
                          field="reason")
    check_typed_reason(reason)
    if not (TOTPDevice.objects.filter(user=user).exists()
            or StaticDevice.objects.filter(user=user).exists()):
        raise DomainError(_("This person has no two-step sign-in to reset."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    # The reset belongs to the organization that made it: its admin's name and reason
    # stay in that organization's trail (and in the person's own).
    organization = admin_organizations(actor).filter(staff__user=user).first()
    audit.record("account.otp.reset", actor=actor, target=user, subject=user, reason=reason,
                 organization=organization)
    return end_api_tokens(user, actor=actor, because=ENDED_BY_TWO_FACTOR_RESET)
