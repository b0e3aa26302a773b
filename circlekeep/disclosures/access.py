"""Who may see which authorization and disclosure: the member, and the circle's staff."""

from django.db.models import Q
from django.http import Http404

from circlekeep.circles.access import circles_managed_by, may_manage_circle, own_memberships
from circlekeep.disclosures.models import Authorization, Disclosure
from circlekeep.lib.ids import parse_public_id


def _visible(model, user):
    if not user.is_authenticated:
        return model.objects.none()
    return model.objects.filter(Q(membership__in=own_memberships(user))
                                | Q(membership__circle__in=circles_managed_by(user)))


def access_authorization(user, public_id) -> Authorization:
    """An authorization the member made, or one in a circle the user runs; 404 otherwise."""
    try:
        return _visible(Authorization, user).select_related(
            "membership", "membership__user", "membership__circle",
            "membership__circle__organization").get(public_id=parse_public_id(public_id))
    except Authorization.DoesNotExist:
        raise Http404 from None


def access_disclosure(user, public_id) -> Disclosure:
    """A disclosure about the member, or about a member of a circle the user runs; 404
    otherwise."""
    try:
        return _visible(Disclosure, user).select_related(
            "membership", "membership__user", "membership__circle",
            "membership__circle__organization").get(public_id=parse_public_id(public_id))
    except Disclosure.DoesNotExist:
        raise Http404 from None


def authorizations_signed_by(user):
    """The user's own authorizations, in the circles this session may open."""
    if not user.is_authenticated:
        return Authorization.objects.none()
    return Authorization.objects.filter(membership__in=own_memberships(user))


def disclosures_about_visible_to(user, membership):
    """Every disclosure recorded about ``membership``, suspended ones included, for the
    circle's facilitators and the organization's admins; nothing for anyone else. The
    member reads theirs in the accounting (``actions.accounting_for``), which withholds a
    disclosure while a legal suspension runs."""
    if not may_manage_circle(user, membership.circle):
        return Disclosure.objects.none()
    return membership.disclosures.select_related("authorization", "membership__user",
                                                 "membership__circle")
