"""Bearer authentication with personal access tokens."""

from django.utils import timezone
from ninja.security import HttpBearer

from circlekeep.accounts.models import ApiToken, hash_secret


class TokenAuth(HttpBearer):
    """Accept ``Authorization: Bearer ck_…``; tokens are looked up by their hash.

    Tokens can be created only from a session that has passed two-step sign-in where it
    is required, so a token carries that assurance with it.
    """

    def authenticate(self, request, token):
        if not token or not token.startswith("ck_"):
            return None
        record = (ApiToken.objects.select_related("user")
                  .filter(token_hash=hash_secret(token), revoked_at=None,
                          expires_at__gt=timezone.now(), user__is_active=True)
                  .first())
        if record is None:
            return None
        request.user = record.user
        request.user.is_verified = lambda: True
        return record.user
