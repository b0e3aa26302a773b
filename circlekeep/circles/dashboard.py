"""What the dashboard shows, in a fixed number of queries however many circles there are."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from circlekeep.circles.models import Circle, Facilitation, Membership

NEXT_STEP = {
    Membership.Status.ONBOARDING: _("Finish onboarding with your facilitator before your first "
                                    "meeting."),
    Membership.Status.SUSPENDED: _("Your membership is paused. Your facilitator can tell you "
                                   "what happens next."),
}


def member_circles(user):
    """The user's live memberships with each circle and its facilitators: two queries."""
    memberships = list(
        Membership.objects.filter(user=user, status__in=Membership.LIVE_STATUSES)
        .exclude(status=Membership.Status.INVITED)
        .select_related("circle")
        .prefetch_related(Prefetch(
            "circle__facilitations",
            queryset=Facilitation.objects.select_related("user").only(
                "role", "circle_id", "user__display_name", "user__pronouns"),
        ))
        .order_by("circle__name")
    )
    for membership in memberships:
        membership.next_step = NEXT_STEP.get(membership.status)
    return memberships


def facilitated_circles(user):
    """Circles the user facilitates, each with its roster: two queries."""
    circles = list(
        Circle.objects.filter(facilitations__user=user)
        .prefetch_related(Prefetch(
            "memberships",
            queryset=Membership.objects.filter(status__in=Membership.LIVE_STATUSES)
            .select_related("user").only("status", "public_id", "circle_id",
                                         "user__display_name", "user__pronouns")
            .order_by("user__display_name"),
            to_attr="roster",
        ))
        .order_by("name")
    )
    for circle in circles:
        circle.counts = {status: 0 for status in Membership.LIVE_STATUSES}
        for membership in circle.roster:
            circle.counts[membership.status] += 1
    return circles


def wards_of(user):
    """Minors the user is guardian for, with their live circles: two queries."""
    from circlekeep.accounts.models import Guardianship

    links = list(
        Guardianship.objects.filter(guardian=user).select_related("ward")
        .prefetch_related(Prefetch(
            "ward__memberships",
            queryset=Membership.objects.filter(status__in=Membership.LIVE_STATUSES)
            .select_related("circle"),
            to_attr="live_memberships",
        ))
    )
    return links
