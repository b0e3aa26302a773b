"""Which API tokens a person may see. (Invitations: circles/access.py.)"""

from django.http import Http404

from circlekeep.accounts.models import ApiToken
from circlekeep.lib.ids import parse_public_id


def api_tokens_visible_to(user):
    """A person's own API tokens; nobody else's, staff included."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def access_api_token(user, public_id) -> ApiToken:
    """One of the user's own tokens; 404 for any other."""
    try:
        return api_tokens_visible_to(user).get(public_id=parse_public_id(public_id))
    except ApiToken.DoesNotExist:
        raise Http404 from None
