"""Invitations as other apps make them: an address, an account to hold it, a single-use
link by e-mail. Whether an account already exists behind the address is never told to the
inviter; see the apps that invite (orgs for staff, circles for members and guardians)."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.accounts.models import Invitation, User, hash_secret
from circlekeep.lib.actions import DomainError
from circlekeep.lib.emails import send_templated_email


def check_email(email):
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    return email


def provision_user(email, language="en"):
    """The account for ``email``: existing, or a new inactive one the invitee activates
    (whether they are a minor is settled when they accept, from that invitation)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, display_name="", language=language, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _send_invitation(invitation, token, inviter):
    send_templated_email(
        "invitation", to=invitation.email, language=invitation.user.language,
        context={
            "organization_name": invitation.organization.name,
            "inviter_name": inviter.display_name if inviter else "",
            "accept_path": f"/accounts/invitations/{token}/",
            "expires_at": invitation.expires_at,
            "is_staff": invitation.kind == Invitation.Kind.STAFF,
        },
    )


def create_invitation(*, email, user, organization, kind, role="", circle=None, ward=None,
                      actor, minor=False):
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=hash_secret(token), email=email, user=user, organization=organization,
        kind=kind, role=role, circle=circle, ward=ward, invited_by=actor, minor=bool(minor),
        expires_at=timezone.now() + settings.INVITATION_LIFETIME,
    )
    _send_invitation(invitation, token, actor)
    return invitation, token
