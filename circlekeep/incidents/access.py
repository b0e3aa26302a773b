"""Who may see which concern and incident.

A concern is handled by the circle's facilitators, or only by the organization's admins
when it is about the facilitator. Its reporter (unless anonymous), the members a decision
concerns and the affected members see their own part; no other member sees it at all.
"""

from django.db.models import Q
from django.http import Http404

from circlekeep.circles.access import circles_managed_by, own_memberships
from circlekeep.incidents.models import Concern, Decision, PrivacyIncident
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import admin_organizations


def concerns_handled_by(user):
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(about_facilitator=False, circle__in=circles_managed_by(user))
        | Q(about_facilitator=True, circle__organization__in=admin_organizations(user)))


def concerns_visible_to(user):
    if not user.is_authenticated:
        return Concern.objects.none()
    own = own_memberships(user)
    return Concern.objects.filter(
        Q(pk__in=concerns_handled_by(user).values("pk"))
        | Q(reporter=user, circle__in=own.values("circle"))
        | Q(decisions__membership__in=own)
        | Q(affected__in=own)).distinct()


def access_concern(user, public_id) -> Concern:
    try:
        return concerns_visible_to(user).select_related(
            "circle", "circle__organization", "reporter", "acknowledged_by",
            "agenda_item__meeting").get(public_id=parse_public_id(public_id))
    except Concern.DoesNotExist:
        raise Http404 from None


def access_decision(user, public_id) -> Decision:
    try:
        return Decision.objects.filter(
            Q(membership__in=own_memberships(user)) | Q(concern__in=concerns_handled_by(user))
        ).select_related("concern", "concern__circle", "membership", "membership__user",
                         "membership__circle").get(public_id=parse_public_id(public_id))
    except Decision.DoesNotExist:
        raise Http404 from None


def access_privacy_incident(user, public_id) -> PrivacyIncident:
    try:
        return PrivacyIncident.objects.filter(
            organization__in=admin_organizations(user)).select_related("organization").get(
            public_id=parse_public_id(public_id))
    except PrivacyIncident.DoesNotExist:
        raise Http404 from None
