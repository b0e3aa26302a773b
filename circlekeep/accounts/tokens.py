"""How long a person's API tokens may live, and whether a token may still be used."""

from datetime import timedelta

from django.utils import timezone

from circlekeep.accounts.hooks import TOKEN_DAY_LIMIT

# Organizations set their own limit (orgs.Organization.api_token_max_days, this by default).
DEFAULT_API_TOKEN_DAYS = 90


def api_token_days_limit(user) -> int:
    """The longest lifetime, in days, of ``user``'s tokens: the strictest of their
    organizations' settings (answered by the circles app, which knows both staff and
    members), or the default for someone in none."""
    limit = TOKEN_DAY_LIMIT.one(user) if TOKEN_DAY_LIMIT.handlers else None
    return limit or DEFAULT_API_TOKEN_DAYS


def token_outlives_limit(token, user, *, now=None) -> bool:
    """True when ``token`` is older than its owner's limit as it stands now: lowering an
    organization's limit ends older tokens at once, and raising it never extends one past
    its ``expires_at``."""
    now = now or timezone.now()
    return token.created_at + timedelta(days=api_token_days_limit(user)) <= now
