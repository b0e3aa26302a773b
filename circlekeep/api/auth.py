"""Bearer authentication with personal access tokens."""

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import HttpBearer

from circlekeep.accounts.models import ApiToken, hash_secret
from circlekeep.accounts.twofactor import two_factor_required


class TokenAuth(HttpBearer):
    """Accept ``Authorization: Bearer ck_…``; tokens are looked up by their hash.

    Tokens are created from a session that has passed two-step sign-in where it is
    required; a person who must use it but has not set it up (a member made staff since)
    cannot use their tokens until they do.
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
        user = record.user
        if two_factor_required(user) and not TOTPDevice.objects.filter(
                user=user, confirmed=True).exists():
            # A token made before the person's role or organization required two-step
            # sign-in must not stand in for it: it works again once they have set it up.
            return None
        request.user = user
        request.user.is_verified = lambda: True
        return user
