"""Bearer authentication with personal access tokens."""

from django.utils import timezone
from ninja.security import HttpBearer

from circlekeep.accounts.models import ApiToken, hash_secret
from circlekeep.accounts.tokens import token_outlives_limit
from circlekeep.accounts.twofactor import two_factor_required


class TokenAuth(HttpBearer):
    """Accept ``Authorization: Bearer ck_…``; tokens are looked up by their hash.

    A token works while it is unrevoked, unexpired, and younger than its owner's lifetime
    limit as it stands now. Where two-step sign-in is required, only a token made in a
    session that passed the second step works: a token made before the person's role or
    organization required it never works again, even once they set it up, because
    whoever made it may not have had the second factor.

    The request carries the token as ``request.api_token``, so that the changes that need
    a fresh interactive sign-in can refuse it.
    """

    def authenticate(self, request, token):
        if not token or not token.startswith("ck_"):
            return None
        now = timezone.now()
        record = (ApiToken.objects.select_related("user")
                  .filter(token_hash=hash_secret(token), revoked_at=None,
                          expires_at__gt=now, user__is_active=True)
                  .first())
        if record is None:
            return None
        user = record.user
        if not record.second_factor and two_factor_required(user):
            return None
        if token_outlives_limit(record, user, now=now):
            return None
        request.api_token = record
        request.user = user
        second_factor = record.second_factor
        request.user.is_verified = lambda: second_factor
        return user
