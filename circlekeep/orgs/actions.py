"""State changes for organizations and staff roles."""

from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.orgs.access import is_org_admin
from circlekeep.orgs.models import API_TOKEN_DAYS_BOUNDS, Organization, StaffRole


def check_org_admin(actor, organization):
    """Raise 403 unless ``actor`` administers ``organization`` (None is the system)."""
    if actor is not None and not is_org_admin(actor, organization):
        raise ActionForbidden(_("Only an admin of this organization may do this."))


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


@action
def do_create_organization(*, name, country, region="", require_member_2fa=False, actor=None):
    """Create an organization. Only the system (a command) creates organizations."""
    if actor is not None:
        raise ActionForbidden(_("Organizations are created by the operator."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("An organization needs a name."), field="name")
    country, region = check_jurisdiction(country, region)
    organization = Organization.objects.create(
        name=name, country=country, region=region, require_member_2fa=require_member_2fa
    )
    audit.record("org.created", actor=actor, target=organization, organization=organization,
                 data={"country": country, "region": region})
    from circlekeep.agreements.actions import ensure_template
    from circlekeep.consent.actions import ensure_consent_document

    ensure_template(organization)
    ensure_consent_document(organization)
    organization.refresh_from_db()
    return organization


@action
def do_change_org_policies(organization, *, name, country, region, require_member_2fa, actor,
                           members_read_notes=None, api_token_max_days=None):
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
        from circlekeep.consent.actions import ensure_consent_document

        ensure_consent_document(organization, actor=actor)
        organization.refresh_from_db()
    return organization


@action
def do_grant_staff_role(organization, user, role, *, actor):
    """Give ``user`` a staff role (used when a staff invitation is accepted)."""
    check_org_admin(actor, organization)
    if role not in StaffRole.Role.values:
        raise DomainError(_("Choose a role: admin, facilitator or auditor."), field="role")
    if StaffRole.objects.filter(organization=organization, user=user).exists():
        raise DomainError(_("This person already has a staff role here."))
    staff_role = StaffRole.objects.create(organization=organization, user=user, role=role)
    user.__dict__.pop("_staff_roles_cache", None)
    audit.record("org.staff.role.granted", actor=actor, target=staff_role,
                 organization=organization, subject=user, data={"role": role})
    return staff_role


def _check_keeps_an_admin(staff_role):
    if staff_role.role == StaffRole.Role.ADMIN:
        others = StaffRole.objects.filter(organization=staff_role.organization,
                                          role=StaffRole.Role.ADMIN).exclude(pk=staff_role.pk)
        if not others.exists():
            raise DomainError(_("An organization must keep at least one admin."))


def _check_not_facilitating(staff_role):
    from circlekeep.circles.models import Facilitation

    if Facilitation.objects.filter(user=staff_role.user,
                                   circle__organization=staff_role.organization).exists():
        raise DomainError(_("This person facilitates circles. Hand their circles to another "
                            "facilitator first."))


@action
def do_change_staff_role(staff_role, role, *, actor):
    """Change a staff member's role; the organization always keeps an admin."""
    check_org_admin(actor, staff_role.organization)
    if role not in StaffRole.Role.values:
        raise DomainError(_("Choose a role: admin, facilitator or auditor."), field="role")
    old = staff_role.role
    if role == old:
        return staff_role
    _check_keeps_an_admin(staff_role)
    if role == StaffRole.Role.AUDITOR:
        _check_not_facilitating(staff_role)
    staff_role.role = role
    staff_role.save(update_fields=["role"])
    staff_role.user.__dict__.pop("_staff_roles_cache", None)
    audit.record("org.staff.role.changed", actor=actor, target=staff_role,
                 organization=staff_role.organization, subject=staff_role.user,
                 data={"role": {"old": old, "new": role}})
    return staff_role


@action
def do_remove_staff_role(staff_role, *, actor, reason=""):
    """End a person's staff role in an organization."""
    check_org_admin(actor, staff_role.organization)
    _check_keeps_an_admin(staff_role)
    _check_not_facilitating(staff_role)
    organization, user, role = staff_role.organization, staff_role.user, staff_role.role
    audit.record("org.staff.role.removed", actor=actor, target=staff_role,
                 organization=organization, subject=user, reason=reason, data={"role": role})
    staff_role.delete()
    user.__dict__.pop("_staff_roles_cache", None)
