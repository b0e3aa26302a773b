"""Who may see and run which feedback round.

A round about the circle is run, and its results read, by the circle's facilitators and
the organization's admins; a round about the facilitator only by the organization's
admins, never by an admin who facilitates that circle (it may be about them). Cleared
members of the circle receive its token and answer it. Spending a token needs no
account at all: ``round_for_spend`` answers anyone holding a round's id.

Anonymous concerns travel the same way: each circle has a key per day, and whoever may
report in the circle (its cleared members and its facilitators) holds a token for each
coming day; ``concern_key_for_spend`` answers anyone holding a key's id.
"""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.circles.access import circles_managed_by, may_manage_circle, own_memberships
from circlekeep.circles.models import Facilitation
from circlekeep.feedback.models import ConcernKey, Round
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import admin_organizations, is_org_admin


def _cleared_circles(user):
    return own_memberships(user).cleared().values("circle")


def rounds_run_by(user):
    """Rounds whose results the user reads and whose round they run."""
    if not user.is_authenticated:
        return Round.objects.none()
    return Round.objects.filter(
        Q(about=Round.About.CIRCLE, circle__in=circles_managed_by(user))
        | Q(about=Round.About.FACILITATOR,
            circle__organization__in=admin_organizations(user))
    ).exclude(about=Round.About.FACILITATOR,
              circle__in=Facilitation.objects.filter(user=user).values("circle")
              ).exclude(about=Round.About.FACILITATOR, excluded=user)


def rounds_answered_by(user):
    """Rounds the user may answer: those of circles where they are a cleared member."""
    if not user.is_authenticated:
        return Round.objects.none()
    return Round.objects.filter(circle__in=_cleared_circles(user))


def rounds_visible_to(user):
    if not user.is_authenticated:
        return Round.objects.none()
    return Round.objects.filter(Q(pk__in=rounds_run_by(user).values("pk"))
                                | Q(pk__in=rounds_answered_by(user).values("pk")))


def access_round(user, public_id, *, for_update=False) -> Round:
    """The round if the user may see it; 404 for missing and not-yours alike."""
    queryset = rounds_visible_to(user).select_related("circle", "circle__organization")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Round.DoesNotExist:
        raise Http404 from None


def may_run_round(user, round_) -> bool:
    return rounds_run_by(user).filter(pk=round_.pk).exists()


def check_may_run_round(user, round_):
    if not may_run_round(user, round_):
        raise ActionForbidden(_("Only the people who run this feedback round may do this."))


def may_answer(user, round_) -> bool:
    return rounds_answered_by(user).filter(pk=round_.pk).exists()


def may_ask_about_facilitator(user, circle) -> bool:
    """The organization's admins who do not facilitate the circle."""
    return is_org_admin(user, circle.organization) and \
        not Facilitation.objects.filter(user=user, circle=circle).exists()


def check_may_open_round(user, circle, about):
    """A round about the circle: its facilitators and admins. About the facilitator: the
    organization's admins who do not facilitate this circle."""
    if about == Round.About.FACILITATOR:
        if not may_ask_about_facilitator(user, circle):
            raise ActionForbidden(_("Feedback about a circle's facilitator is asked for by "
                                    "the organization's admins who do not facilitate it."))
    elif not may_manage_circle(user, circle):
        raise ActionForbidden(_("Only the circle's facilitators and organization admins "
                                "may ask for feedback."))


def rounds_waiting_for_token(user):
    """Open rounds the user may answer and has no token for yet."""
    now = timezone.now()
    return (rounds_answered_by(user)
            .filter(closed_at__isnull=True, opens_at__lte=now, closes_at__gt=now)
            .exclude(issuances__member=user))


def round_for_spend(public_id) -> Round:
    """The round a token names, for a request that carries no account: 404 when missing.
    Whether it still takes entries is the action's to say."""
    try:
        return Round.objects.select_related("circle").get(public_id=parse_public_id(public_id))
    except Round.DoesNotExist:
        raise Http404 from None


def concern_token_circles(user):
    """Circles whose anonymous-concern tokens the user holds: those where they are a
    cleared member, and those they facilitate."""
    from circlekeep.circles.models import Circle

    if not user.is_authenticated:
        return Circle.objects.none()
    return Circle.objects.filter(Q(pk__in=_cleared_circles(user))
                                 | Q(pk__in=Facilitation.objects.filter(user=user)
                                     .values("circle")))


def may_hold_concern_token(user, circle) -> bool:
    return concern_token_circles(user).filter(pk=circle.pk).exists()


def access_concern_key(user, public_id) -> ConcernKey:
    """A concern key of a circle the user holds tokens for; 404 for any other."""
    try:
        return ConcernKey.objects.select_related("circle").get(
            public_id=parse_public_id(public_id), circle__in=concern_token_circles(user))
    except ConcernKey.DoesNotExist:
        raise Http404 from None


def concern_key_for_spend(public_id) -> ConcernKey:
    """The concern key a token names, for a request that carries no account."""
    try:
        return ConcernKey.objects.select_related("circle", "circle__organization").get(
            public_id=parse_public_id(public_id))
    except ConcernKey.DoesNotExist:
        raise Http404 from None


def concern_key_for_circle_day(circle_public_id, day) -> ConcernKey | None:
    """A circle's concern key for ``day``, for a request that carries no account."""
    return ConcernKey.objects.select_related("circle").filter(
        circle__public_id=parse_public_id(circle_public_id), day=day).first()
