"""Who may see which agreement, version, proposal and signature.

An agreement belongs to its circle: whoever sees the circle (its facilitators, the
organization's admins, its live members) reads it. A signature is seen by its signer and
by the circle's facilitators and admins, never by other members.
"""

from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.agreements.models import Agreement, AgreementVersion, Proposal, Signature
from circlekeep.circles.access import (
    access_circle,
    circles_managed_by,
    circles_visible_to,
    circles_whose_members_are_visible_to,
    may_manage_circle,
    own_memberships,
)
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id


def access_agreement(user, circle_id) -> Agreement:
    """The agreement of a circle the user may see (its staff, its members); 404 otherwise."""
    circle = access_circle(user, circle_id)
    agreement = (Agreement.objects.select_related("circle", "circle__organization",
                                                  "current_version")
                 .filter(circle=circle).first())
    if agreement is None:
        raise Http404
    return agreement


def _get(queryset, public_id):
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except queryset.model.DoesNotExist:
        raise Http404 from None


def access_version(user, public_id) -> AgreementVersion:
    """A version of an agreement the user may read (whoever sees the circle); 404 otherwise."""
    return _get(AgreementVersion.objects.select_related(
        "agreement", "agreement__circle", "agreement__circle__organization",
        "agreement__current_version",
    ).filter(agreement__circle__in=circles_visible_to(user)), public_id)


def proposals_visible_to(user):
    """Proposals name their authors and carry members' comments: for the circle's staff
    and the members who have joined, not for someone still onboarding."""
    return Proposal.objects.filter(
        agreement__circle__in=circles_whose_members_are_visible_to(user))


def access_proposal(user, public_id) -> Proposal:
    """A proposal the user may read: the circle's staff and members who have joined
    (proposals_visible_to); 404 otherwise."""
    return _get(proposals_visible_to(user).select_related(
        "agreement", "agreement__circle", "agreement__circle__organization",
        "agreement__current_version", "against", "author", "decided_by", "result",
    ), public_id)


def signatures_visible_to(user):
    """A signature is seen by its signer and by the circle's facilitators and admins, never by
    other members."""
    if not user.is_authenticated:
        return Signature.objects.none()
    from django.db.models import Q

    return Signature.objects.filter(
        Q(membership__in=own_memberships(user))
        | Q(membership__circle__in=circles_managed_by(user)))


def access_signature(user, public_id) -> Signature:
    """A signature the user may see (signatures_visible_to); 404 otherwise."""
    return _get(signatures_visible_to(user).select_related(
        "version", "version__agreement", "version__agreement__circle", "membership",
        "membership__user"), public_id)


def may_discuss(user, agreement) -> bool:
    """Who writes the agreement together: the circle's facilitators and admins, and its
    active members (proposing, commenting). Someone still joining reads it and signs it."""
    if may_manage_circle(user, agreement.circle):
        return True
    return own_memberships(user).filter(circle=agreement.circle,
                                        status=Membership.Status.ACTIVE).exists()


def check_may_discuss(user, agreement):
    """403 unless the user may write the agreement together (may_discuss)."""
    if user is None or not may_discuss(user, agreement):
        raise ActionForbidden(_("Only active members of this circle and its facilitators can "
                                "propose changes to its agreement or comment on them."))
