"""API endpoints for the signed-in person, their tokens, and invitations."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.accounts import actions
from circlekeep.accounts.access import access_api_token, api_tokens_visible_to
from circlekeep.accounts.reauth import check_recent_authentication

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: UUID
    email: str
    display_name: str
    full_name: str
    pronouns: str
    language: str
    time_zone: str


class ProfileIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"display_name": "Rosa", "full_name": "Rosa Delgado", "pronouns": "she/her",
         "language": "es", "time_zone": "America/Los_Angeles"}]})

    display_name: str
    full_name: str | None = None
    other_names: str | None = None
    phone: str | None = None
    pronouns: str = ""
    language: str = "en"
    time_zone: str = "UTC"


class TokenIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Reporting script", "days": 30}]})

    name: str
    days: int | None = None  # the longest the person's organizations allow


class TokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked: bool


class TokenCreatedOut(TokenOut):
    token: str


class EndedTokenOut(Schema):
    id: UUID
    name: str


class SignedOutOut(Schema):
    revoked_tokens: list[EndedTokenOut]


class AcceptIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"token": "the token from the invitation link", "display_name": "Rosa",
         "full_name": "Rosa Delgado", "language": "es", "time_zone": "America/Los_Angeles",
         "password": "a long passphrase of your own"}]})

    token: str
    display_name: str = ""
    full_name: str = ""
    pronouns: str = ""
    language: str = "en"
    time_zone: str | None = None  # the inviting organization's when left out
    password: str = ""


class InvitationOut(Schema):
    id: UUID
    email: str
    kind: str
    role: str
    circle_id: UUID | None
    state: str
    expires_at: datetime


def user_to_dict(user):
    return {"id": user.public_id, "email": user.email, "display_name": user.display_name,
            "full_name": user.full_name, "pronouns": user.pronouns,
            "language": user.language, "time_zone": user.time_zone}


def token_to_dict(token, secret=None):
    data = {"id": token.public_id, "name": token.name, "prefix": token.prefix,
            "created_at": token.created_at, "expires_at": token.expires_at,
            "revoked": token.revoked_at is not None}
    if secret:
        data["token"] = secret
    return data


def invitation_to_dict(invitation):
    return {"id": invitation.public_id, "email": invitation.email, "kind": invitation.kind,
            "role": invitation.role,
            "circle_id": invitation.circle.public_id if invitation.circle else None,
            "state": str(invitation.state), "expires_at": invitation.expires_at}


@router.get("/me", response=MeOut)
def me(request):
    return user_to_dict(request.user)


@router.put("/me", response=MeOut)
def update_me(request, payload: ProfileIn):
    user = actions.do_update_profile(request.user, actor=request.user, **payload.dict())
    return user_to_dict(user)


@router.post("/me/sign-out-everywhere", response=SignedOutOut)
def sign_out_everywhere(request):
    """End every session and every API token, this one included; lists the tokens ended."""
    revoked = actions.do_sign_out_everywhere(request.user, actor=request.user)
    return {"revoked_tokens": [{"id": t.public_id, "name": t.name} for t in revoked]}


class TwoStepSetupOut(Schema):
    otpauth_uri: str
    secret: str


class CodeIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "492039"}]})

    code: str


class BackupCodesOut(Schema):
    backup_codes: list[str]


# Two-step settings, backup codes and new tokens need a fresh interactive sign-in: with a
# token, each of these answers 403 "do this on the web, signed in".


@router.post("/me/two-step/setup", response={201: TwoStepSetupOut})
def start_two_step(request):
    """Begin two-step setup (on the web only: an API token is refused)."""
    import base64

    proof = check_recent_authentication(request)
    device = actions.do_start_totp_enrollment(request.user, actor=request.user, proof=proof)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return Status(201, {"otpauth_uri": device.config_url, "secret": secret})


@router.post("/me/two-step/confirm", response=BackupCodesOut)
def confirm_two_step(request, payload: CodeIn):
    """Turn two-step sign-in on (on the web only: an API token is refused)."""
    proof = check_recent_authentication(request)
    _device, codes = actions.do_confirm_totp(request.user, payload.code, actor=request.user,
                                             proof=proof)
    return {"backup_codes": codes}


@router.post("/me/two-step/backup-codes", response=BackupCodesOut)
def regenerate_backup_codes(request):
    """Make new backup codes (on the web only: an API token is refused)."""
    proof = check_recent_authentication(request)
    return {"backup_codes": actions.do_regenerate_backup_codes(request.user,
                                                               actor=request.user,
                                                               proof=proof)}


@router.post("/me/two-step/turn-off", response={204: None})
def turn_off_two_step(request):
    """Turn two-step sign-in off (on the web only: an API token is refused)."""
    proof = check_recent_authentication(request)
    actions.do_disable_two_factor(request.user, actor=request.user, proof=proof)
    return Status(204, None)


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    return [token_to_dict(t) for t in api_tokens_visible_to(request.user)]


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request, payload: TokenIn):
    """Create a token (on the web only: a token cannot make another, so none can extend
    itself through a successor)."""
    proof = check_recent_authentication(request)
    token, secret = actions.do_create_api_token(request.user, actor=request.user,
                                                name=payload.name, days=payload.days,
                                                proof=proof)
    return Status(201, token_to_dict(token, secret))


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: str):
    token = actions.do_revoke_api_token(access_api_token(request.user, token_id),
                                        actor=request.user)
    return token_to_dict(token)


@router.post("/invitations/accept", response=MeOut, auth=None)
def accept_invitation(request, payload: AcceptIn):
    """Accept an invitation with the token from its e-mail and set up the account.

    Accounts that already exist accept through the web page while signed in.
    """
    invitation = actions.get_invitation_by_token(payload.token)
    if invitation is None:
        raise Http404
    user = actions.do_accept_invitation(
        invitation, acting_user=None, display_name=payload.display_name,
        full_name=payload.full_name, pronouns=payload.pronouns, language=payload.language,
        time_zone=payload.time_zone, password=payload.password,
    )
    return user_to_dict(user)
