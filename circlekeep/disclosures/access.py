"""Who may see which authorization and disclosure: the member, and the circle's staff."""

from django.db.models import Q
from django.http import Http404

from circlekeep.circles.access import circles_managed_by, own_memberships
from circlekeep.disclosures.models import Authorization, Disclosure
from circlekeep.lib.ids import parse_public_id


def _visible(model, user):
    if not user.is_authenticated:
        return model.objects.none()
    return model.objects.filter(Q(membership__in=own_memberships(user))
                                | Q(membership__circle__in=circles_managed_by(user)))


def access_authorization(user, public_id) -> Authorization:
    try:
        return _visible(Authorization, user).select_related(
            "membership", "membership__user", "membership__circle",
            "membership__circle__organization").get(public_id=parse_public_id(public_id))
    except Authorization.DoesNotExist:
        raise Http404 from None


def access_disclosure(user, public_id) -> Disclosure:
    try:
        return _visible(Disclosure, user).select_related(
            "membership", "membership__user", "membership__circle",
            "membership__circle__organization").get(public_id=parse_public_id(public_id))
    except Disclosure.DoesNotExist:
        raise Http404 from None
