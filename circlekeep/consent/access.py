"""Who may read which consent document and record.

A document is read by the organization's staff, by people with a live membership in one of
its circles, and by guardians of such members. A consent record is seen by the person who
gave it and the person it concerns, nobody else (facilitators see only whether the
onboarding step is done).
"""

from django.db.models import F, Q
from django.http import Http404

from circlekeep.circles.access import own_memberships
from circlekeep.circles.models import Membership
from circlekeep.consent.models import ConsentDocument, ConsentRecord
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import locked_organizations
from circlekeep.orgs.models import Organization


def organizations_for_consent(user):
    """Organizations where the user, or a minor they are guardian for, holds a live
    membership they accepted (an invitation alone asks for nothing)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    live = Membership.objects.accepted()
    return Organization.objects.filter(
        Q(pk__in=live.filter(pk__in=own_memberships(user).values("pk"))
          .values("circle__organization"))
        | Q(pk__in=live.filter(user__guardian_links__guardian=user,
                               user__guardian_links__organization=F("circle__organization"))
            .values("circle__organization"))
    )


def consent_documents_visible_to(user):
    """Consent documents of organizations the user belongs to (or whose ward does), and of
    those where they are staff."""
    if not user.is_authenticated:
        return ConsentDocument.objects.none()
    return ConsentDocument.objects.filter(
        Q(organization__in=organizations_for_consent(user))
        | Q(organization__staff__user=user)
    ).distinct()


def access_consent_document(user, public_id) -> ConsentDocument:
    """A consent document the user may read (consent_documents_visible_to); 404 otherwise."""
    try:
        return (consent_documents_visible_to(user).select_related("organization")
                .get(public_id=parse_public_id(public_id)))
    except ConsentDocument.DoesNotExist:
        raise Http404 from None


def consent_records_visible_to(user):
    """A consent record is seen by the person who gave it and the person it concerns, in
    organizations this session may open; nobody else."""
    if not user.is_authenticated:
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(Q(signer=user) | Q(subject=user)).exclude(
        organization__in=locked_organizations(user))


def access_consent_record(user, public_id) -> ConsentRecord:
    """A consent record the user may see (consent_records_visible_to); 404 otherwise."""
    try:
        return (consent_records_visible_to(user)
                .select_related("document", "organization", "subject", "signer")
                .get(public_id=parse_public_id(public_id)))
    except ConsentRecord.DoesNotExist:
        raise Http404 from None
