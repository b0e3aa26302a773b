"""What the dashboard shows, in a fixed number of queries however many circles there are."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from circlekeep.circles.models import Circle, Membership
from circlekeep.lib.addresses import address
from circlekeep.lib.prepared import PreparedQuery, to_datetime, to_uuid
from circlekeep.onboarding.progress import HOLD_AGREEMENT, HOLD_CONSENT

NEXT_STEP = {
    Membership.Status.SUSPENDED: _("Your membership is paused. Your facilitator can tell you "
                                   "what happens next."),
}


@dataclass
class MemberCircle:
    """One row of the member's dashboard."""

    membership_id: object
    status: str
    status_changed_at: object
    circle_id: object
    circle_name: str
    facilitators: list = field(default_factory=list)

    status_label: str = ""
    next_step: str = ""
    url: str = ""
    steps: list = field(default_factory=list)  # remaining onboarding steps, in order
    onboarding_url: str = ""
    review_due: bool = False
    # The organization requires two-step sign-in of members and this session has not
    # passed it: the circle stays closed until it does.
    locked: bool = False
    organization_name: str = ""
    # An active member who must consent again, or sign a new version, before taking part.
    needs_consent: bool = False
    needs_signature: bool = False


def _member_circles_query(user_id):
    """One row per membership and facilitator. Whether the member may take part comes
    along, as ``Membership.objects.with_clearance`` defines it (the one definition)."""
    return (
        Membership.objects.accepted().filter(user_id=user_id).with_clearance()
        .order_by("circle__name", "circle_id", "-circle__facilitations__role",
                  "circle__facilitations__user__display_name")
        .values_list("public_id", "status", "status_changed_at", "circle__public_id",
                     "circle__name", "circle__facilitations__user__display_name",
                     "signed_current", "consent_ok",
                     "circle__agreement__last_reviewed_at",
                     "circle__agreement__review_every_days",
                     "circle__organization__require_member_2fa", "circle__organization__name")
    )


MEMBER_CIRCLES = PreparedQuery(_member_circles_query)


@cache
def _status_labels(language):
    return {value: str(label) for value, label in Membership.Status.choices}


def member_circles(user):
    """The user's circles with their status and facilitators (lead first), in one query;
    a membership still onboarding adds its remaining steps (a fixed few queries more)."""
    from django.utils import timezone
    from django.utils.translation import get_language

    rows = MEMBER_CIRCLES.rows(user.pk)
    circles = {}
    labels = _status_labels(get_language())
    now = timezone.now()
    from circlekeep.orgs.access import session_verified

    verified = session_verified(user)
    for (membership_id, status, changed, circle_id, name, facilitator, signed, consent_ok,
         reviewed, every, needs_2fa, organization_name) in rows:
        entry = circles.get(membership_id)
        if entry is None:
            circle_id = to_uuid(circle_id)
            next_step = NEXT_STEP.get(status)
            if status == Membership.Status.ACTIVE:
                if not consent_ok:
                    next_step = HOLD_CONSENT
                elif not signed:
                    next_step = HOLD_AGREEMENT
            due = reviewed is not None and \
                to_datetime(reviewed) + timedelta(days=every) <= now
            entry = circles[membership_id] = MemberCircle(
                to_uuid(membership_id), status, to_datetime(changed),
                circle_id, name, status_label=labels[status],
                next_step=str(next_step) if next_step else "",
                url=address("circles:detail", circle_id), review_due=due,
                locked=bool(needs_2fa) and not verified, organization_name=organization_name,
                needs_consent=status == Membership.Status.ACTIVE and not consent_ok,
                needs_signature=status == Membership.Status.ACTIVE and not signed,
            )
        if facilitator:
            entry.facilitators.append(facilitator)
    result = list(circles.values())
    onboarding_ids = [c.membership_id for c in result
                      if c.status == Membership.Status.ONBOARDING and not c.locked]
    if onboarding_ids:
        from circlekeep.onboarding.progress import progress_for

        memberships = {m.public_id: m for m in Membership.objects.filter(
            public_id__in=onboarding_ids).select_related("circle", "circle__organization",
                                                         "user")}
        states = progress_for(memberships.values())
        for entry in result:
            membership = memberships.get(entry.membership_id)
            if membership is not None:
                entry.steps = states[membership.pk].remaining
                entry.onboarding_url = address("onboarding:checklist", membership.public_id)
    return result


def facilitated_circles(user):
    """Circles the user facilitates, each with its roster and its concerns waiting past
    the 48-hour acknowledgement target: two queries."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from circlekeep.incidents.models import ACKNOWLEDGE_WITHIN

    overdue = Q(concerns__acknowledged_at__isnull=True, concerns__closed_at__isnull=True,
                concerns__about_facilitator=False,
                concerns__reported_at__lt=timezone.now() - ACKNOWLEDGE_WITHIN)
    circles = list(
        Circle.objects.filter(facilitations__user=user)
        .annotate(overdue_concerns=Count("concerns", filter=overdue))
        .prefetch_related(Prefetch(
            "memberships",
            queryset=Membership.objects.filter(status__in=Membership.LIVE_STATUSES)
            .select_related("user").only("status", "public_id", "circle_id",
                                         "user__display_name", "user__pronouns",
                                         "user__email"),
            to_attr="roster",
        ))
        .order_by("name")
    )
    for circle in circles:
        # Sorted by what staff see: an invited account's own name must not show, even
        # through the order.
        circle.roster.sort(key=lambda m: m.staff_label.casefold())
        circle.counts = dict.fromkeys(Membership.LIVE_STATUSES, 0)
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
            queryset=Membership.objects.accepted().select_related("circle"),
            to_attr="live_memberships",
        ))
    )
    # A guardian sees their ward's circles in the organization that chose them only.
    for link in links:
        link.ward.live_memberships = [m for m in link.ward.live_memberships
                                      if m.circle.organization_id == link.organization_id]
    return links

