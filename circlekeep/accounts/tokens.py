"""How long a person's API tokens may live, and whether a token may still be used."""

from datetime import timedelta

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from circlekeep.orgs.models import DEFAULT_API_TOKEN_DAYS, Organization, StaffRole

# A member whose invitation is still pending has accepted nothing: that organization grants
# them nothing, so it sets none of their limits either.
ACCEPTED_MEMBERSHIP_STATUSES = ("onboarding", "active", "suspended")


def organizations_bounding_tokens(user):
    """The organizations whose token lifetime applies to ``user``: where they hold a staff
    role or an accepted membership."""
    from circlekeep.circles.models import Membership

    return Organization.objects.filter(
        Q(Exists(StaffRole.objects.filter(organization=OuterRef("pk"), user=user)))
        | Q(Exists(Membership.objects.filter(circle__organization=OuterRef("pk"), user=user,
                                             status__in=ACCEPTED_MEMBERSHIP_STATUSES)))
    )


def api_token_days_limit(user) -> int:
    """The longest lifetime, in days, of ``user``'s tokens: the strictest of their
    organizations' settings, or the default for someone in none."""
    limit = organizations_bounding_tokens(user).aggregate(days=Min("api_token_max_days"))
    return limit["days"] or DEFAULT_API_TOKEN_DAYS


def token_outlives_limit(token, user, *, now=None) -> bool:
    """True when ``token`` is older than its owner's limit as it stands now: lowering an
    organization's limit ends older tokens at once, and raising it never extends one past
    its ``expires_at``."""
    now = now or timezone.now()
    return token.created_at + timedelta(days=api_token_days_limit(user)) <= now
