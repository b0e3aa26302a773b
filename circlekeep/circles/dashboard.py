"""What the dashboard shows, in a fixed number of queries however many circles there are."""

import uuid
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from circlekeep.circles.models import Circle, Membership
from circlekeep.lib.prepared import PreparedQuery

NEXT_STEP = {
    Membership.Status.ONBOARDING: _("Finish onboarding with your facilitator before your first "
                                    "meeting."),
    Membership.Status.SUSPENDED: _("Your membership is paused. Your facilitator can tell you "
                                   "what happens next."),
}


def _converters(connection):
    """Raw rows come back as the database stores them; turn them into Python values the
    way the ORM would."""
    from django.utils.dateparse import parse_datetime

    def to_uuid(value):
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def to_datetime(value):
        if isinstance(value, str):
            from datetime import UTC

            parsed = parse_datetime(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
        return value

    return {"uuid": to_uuid, "datetime": to_datetime}


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


@cache
def _circle_url_pattern():
    """The circle page's address with a slot for the id, reversed once per process."""
    placeholder = uuid.UUID(int=0)
    return reverse("circles:detail", args=[placeholder]).replace(str(placeholder), "{}")


MEMBER_CIRCLES = PreparedQuery(lambda user_id: (
    Membership.objects.filter(user_id=user_id, status__in=Membership.LIVE_STATUSES)
    .exclude(status=Membership.Status.INVITED)
    .order_by("circle__name", "circle_id", "-circle__facilitations__role",
              "circle__facilitations__user__display_name")
    .values_list("public_id", "status", "status_changed_at", "circle__public_id",
                 "circle__name", "circle__facilitations__user__display_name")
))


def member_circles(user):
    """The user's circles with their status and facilitators (lead first), in one query."""
    from django.db import connection

    rows = MEMBER_CIRCLES.rows(user.pk)
    convert = _converters(connection)
    circles = {}
    labels = {value: str(label) for value, label in Membership.Status.choices}
    url_pattern = _circle_url_pattern()
    for membership_id, status, changed, circle_id, name, facilitator in rows:
        entry = circles.get(membership_id)
        if entry is None:
            circle_id = convert["uuid"](circle_id)
            next_step = NEXT_STEP.get(status)
            entry = circles[membership_id] = MemberCircle(
                convert["uuid"](membership_id), status, convert["datetime"](changed),
                circle_id, name, status_label=labels[status],
                next_step=str(next_step) if next_step else "",
                url=url_pattern.format(circle_id),
            )
        if facilitator:
            entry.facilitators.append(facilitator)
    return list(circles.values())


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
            queryset=Membership.objects.filter(status__in=Membership.LIVE_STATUSES)
            .select_related("circle"),
            to_attr="live_memberships",
        ))
    )
    return links
