"""Who may read which audit events.

Members see the events whose subject is them. Facilitators see their circles' events;
admins and auditors their organization's. Events carry metadata only, never protected text.
"""

from django.db.models import Q

from circlekeep.audit.models import AuditEvent
from circlekeep.orgs.models import StaffRole


def organization_people(organization):
    from circlekeep.accounts.models import User

    return User.objects.filter(
        Q(staff_roles__organization=organization)
        | Q(memberships__circle__organization=organization)
    ).values("pk")


def organization_events(organization):
    return AuditEvent.objects.filter(
        Q(organization=organization) | Q(subject__in=organization_people(organization))
    )


def my_events(user):
    """Every event whose subject is the user: who has seen or changed their information."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(subject=user)


def audit_organizations(user):
    """Organizations whose whole trail the user may read (admins and auditors)."""
    from circlekeep.orgs.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        staff__user=user, staff__role__in=(StaffRole.Role.ADMIN, StaffRole.Role.AUDITOR))


def events_visible_to(user):
    """The staff audit view: organizations for admins and auditors, circles for
    facilitators. Members see only ``my_events``."""
    from circlekeep.circles.models import Facilitation

    if not user.is_authenticated:
        return AuditEvent.objects.none()
    query = Q(pk__in=[])
    for organization in audit_organizations(user):
        query |= Q(organization=organization) | Q(
            subject__in=organization_people(organization))
    circles = Facilitation.objects.filter(user=user).values("circle")
    query |= Q(circle__in=circles)
    return AuditEvent.objects.filter(query)


def may_read_trail(user) -> bool:
    from circlekeep.circles.models import Facilitation

    return audit_organizations(user).exists() or Facilitation.objects.filter(user=user).exists()
