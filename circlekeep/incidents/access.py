"""Who may see which concern and incident.

A concern is handled by the circle's facilitators, or only by the organization's admins
when it is about the facilitator. Its reporter (unless anonymous), the members a decision
concerns and the affected members see their own part; no other member sees it at all.
"""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.accounts.models import User
from circlekeep.circles.access import circles_managed_by, own_memberships
from circlekeep.circles.models import Facilitation
from circlekeep.incidents.models import Concern, Decision, IncidentNotification, PrivacyIncident
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import admin_organizations


def concerns_handled_by(user):
    """Concerns the user handles: their circles' (as facilitator or admin), and, for admins,
    those about a facilitator of their organization, except those about a circle they
    facilitate themselves: nobody handles, or even sees, a concern that may be about
    themself; the other admins do."""
    if not user.is_authenticated:
        return Concern.objects.none()
    return Concern.objects.filter(
        Q(about_facilitator=False, circle__in=circles_managed_by(user))
        | Q(about_facilitator=True, circle__organization__in=admin_organizations(user))
    ).exclude(about_facilitator=True,
              circle__in=Facilitation.objects.filter(user=user).values("circle"))


def may_be_about(user, concern) -> bool:
    """Whether ``concern`` may be about ``user``: one about the facilitator of a circle
    they facilitate."""
    return concern.about_facilitator and Facilitation.objects.filter(
        user=user, circle_id=concern.circle_id).exists()


def told_of_new_concern(concern):
    """Who is told that a concern arrived: the circle's facilitators or, for a concern
    about the facilitator, the organization's admins, never a facilitator of that circle
    (whom it may be about)."""
    facilitators = User.objects.filter(facilitations__circle_id=concern.circle_id)
    if not concern.about_facilitator:
        return facilitators
    return User.objects.filter(
        staff_roles__organization_id=concern.circle.organization_id,
        staff_roles__role="admin").exclude(pk__in=facilitators.values("pk"))


def concerns_waiting_for(user):
    """Open concerns the user handles (concerns_handled_by), from the moment they arrive.
    Never one about the facilitator of a circle the user facilitates: a person does not
    handle a concern about themself, even as an admin of the organization; the other
    admins do."""
    own_circles = Facilitation.objects.filter(user=user).values("circle")
    return concerns_handled_by(user).filter(closed_at__isnull=True).exclude(
        about_facilitator=True, circle__in=own_circles)


def concerns_visible_to(user):
    """Concerns the user may see: those they handle, those they reported, and those whose
    decisions or list of affected people name them."""
    if not user.is_authenticated:
        return Concern.objects.none()
    own = own_memberships(user)
    return Concern.objects.filter(
        Q(pk__in=concerns_handled_by(user).values("pk"))
        | Q(reporter=user, circle__in=own.values("circle"))
        | Q(decisions__membership__in=own)
        | Q(affected__in=own)).distinct()


def access_concern(user, public_id) -> Concern:
    """A concern the user may see (concerns_visible_to); 404 for missing and not-yours alike."""
    try:
        return concerns_visible_to(user).select_related(
            "circle", "circle__organization", "reporter", "acknowledged_by",
            "agenda_item__meeting").get(public_id=parse_public_id(public_id))
    except Concern.DoesNotExist:
        raise Http404 from None


def access_handled_concern(user, public_id) -> Concern:
    """A concern the user handles (its circle's facilitators, or the admins for one about
    the facilitator): 404 for those who may not see it, 403 for those who may see it but
    not handle it (its reporter, a member it concerns)."""
    concern = access_concern(user, public_id)
    if not concerns_handled_by(user).filter(pk=concern.pk).exists():
        raise ActionForbidden(_("Only the people who handle this concern can do this."))
    return concern


def access_decision(user, public_id) -> Decision:
    """A decision about the user, or one on a concern they handle; 404 otherwise."""
    try:
        return Decision.objects.filter(
            Q(membership__in=own_memberships(user)) | Q(concern__in=concerns_handled_by(user))
        ).select_related("concern", "concern__circle", "membership", "membership__user",
                         "membership__circle").get(public_id=parse_public_id(public_id))
    except Decision.DoesNotExist:
        raise Http404 from None


def privacy_incidents_visible_to(user):
    """Privacy incidents of the organizations the user administers. An incident's record
    names the people affected, so it is for the admins alone (auditors follow it in the
    audit trail)."""
    if not user.is_authenticated:
        return PrivacyIncident.objects.none()
    return PrivacyIncident.objects.filter(organization__in=admin_organizations(user))


def access_privacy_incident(user, public_id) -> PrivacyIncident:
    """A privacy incident of an organization the user administers; 404 otherwise."""
    try:
        return privacy_incidents_visible_to(user).select_related("organization").get(
            public_id=parse_public_id(public_id))
    except PrivacyIncident.DoesNotExist:
        raise Http404 from None


def access_incident_notification(incident, public_id) -> IncidentNotification:
    """A notification of ``incident`` (itself already accessed); one of another incident
    is a 404, like one that does not exist."""
    try:
        return incident.notifications.select_related("incident__organization").get(
            public_id=parse_public_id(public_id))
    except IncidentNotification.DoesNotExist:
        raise Http404 from None


def incident_readers(organization):
    """The people whose reads an incident can be traced to in the audit trail: the
    organization's staff, who are the ones that read other people's information."""
    return User.objects.filter(staff_roles__organization=organization).order_by("display_name")


def access_incident_reader(incident, public_id) -> User:
    """One of ``incident_readers`` by public id; anyone else is a 404."""
    try:
        return incident_readers(incident.organization).get(
            public_id=parse_public_id(public_id))
    except User.DoesNotExist:
        raise Http404 from None
