"""Which invitations and API tokens a person may see."""

from django.db.models import Q
from django.http import Http404

from circlekeep.accounts.models import ApiToken, Invitation
from circlekeep.lib.ids import parse_public_id


def invitations_visible_to(user):
    """Staff invitations in organizations the user administers, and member and guardian
    invitations for circles the user runs."""
    from circlekeep.circles.access import circles_managed_by
    from circlekeep.orgs.access import admin_organizations

    if not user.is_authenticated:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        Q(kind=Invitation.Kind.STAFF, organization__in=admin_organizations(user))
        | Q(kind__in=(Invitation.Kind.MEMBER, Invitation.Kind.GUARDIAN),
            circle__in=circles_managed_by(user))
    ).select_related("user", "organization", "circle", "invited_by")


def access_invitation(user, public_id, *, for_update=False) -> Invitation:
    queryset = invitations_visible_to(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(public_id=parse_public_id(public_id))
    except Invitation.DoesNotExist:
        raise Http404 from None


def api_tokens_visible_to(user):
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def access_api_token(user, public_id) -> ApiToken:
    try:
        return api_tokens_visible_to(user).get(public_id=parse_public_id(public_id))
    except ApiToken.DoesNotExist:
        raise Http404 from None
