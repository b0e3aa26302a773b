"""State changes for people: invitations, profiles, passwords, two-step sign-in, tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep import audit
from circlekeep.accounts.hooks import INVITATION_KINDS
from circlekeep.accounts.models import (
    TIME_ZONES,
    ApiToken,
    Invitation,
    User,
    hash_secret,
)
from circlekeep.accounts.reauth import check_sign_in_proof
from circlekeep.accounts.tokens import api_token_days_limit
from circlekeep.accounts.twofactor import two_factor_expected
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.lib.emails import send_templated_email
from circlekeep.lib.text import check_name_characters

if TYPE_CHECKING:
    from circlekeep.accounts.reauth import RecentSignIn


def check_full_name(full_name):
    full_name = " ".join((full_name or "").split())
    if len(full_name) > 120:
        raise DomainError(_("A full name can have at most 120 characters."), field="full_name")
    return check_name_characters(full_name, field="full_name")


def check_profile(display_name, pronouns, language, time_zone):
    display_name = (display_name or "").strip()
    if not display_name:
        raise DomainError(_("Choose how you want to be shown: a first name, a chosen name or "
                            "initials."), field="display_name")
    if len(display_name) > 60:
        raise DomainError(_("A display name can have at most 60 characters."),
                          field="display_name")
    check_name_characters(display_name, field="display_name")
    pronouns = (pronouns or "").strip()
    if len(pronouns) > 30:
        raise DomainError(_("Pronouns can have at most 30 characters."), field="pronouns")
    check_name_characters(pronouns, field="pronouns")
    if language not in User.Language.values:
        raise DomainError(_("Choose English or Spanish."), field="language")
    if time_zone not in TIME_ZONES:
        raise DomainError(_("Choose a time zone from the list."), field="time_zone")
    return display_name, pronouns


def check_password(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from None


def check_invitation_usable(invitation):
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been used. Sign in instead."))
    if invitation.revoked_at is not None:
        raise DomainError(_("This invitation was withdrawn. Ask for a new one."))
    if invitation.expires_at <= timezone.now():
        raise DomainError(_("This invitation has expired. Ask for a new one."))


def get_invitation_by_token(token):
    """The invitation for a raw token, or None (no permission check: the token is it)."""
    return (Invitation.objects.select_related("user", "organization", "circle")
            .filter(token_hash=hash_secret(token or "")).first())


def invitation_time_zone(invitation):
    """The zone an invited person starts in: the inviting organization's."""
    organization = invitation.organization
    return organization.time_zone if organization is not None else "UTC"


@action
def do_accept_invitation(invitation: Invitation, *, acting_user: User | None,
                         display_name: str = "", pronouns: str = "", language: str = "en",
                         time_zone: str | None = None, password: str = "",
                         full_name: str | None = ""):
    """Accept an invitation; returns the now-active user.

    A new invitee sets up their account here, in the inviting organization's time zone
    unless they choose another. An invitee who already has an account must
    be signed in as the invited address: the link works for that address only.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_usable(invitation)
    user = invitation.user
    if user.is_active:
        if acting_user is None or not acting_user.is_authenticated or acting_user.pk != user.pk:
            raise DomainError(_("This invitation is for a different account. Sign in with the "
                                "invited e-mail address to accept it."))
    else:
        if acting_user is not None and acting_user.is_authenticated:
            raise DomainError(_("This invitation is for a different account. Sign out first to "
                                "accept it."))
        time_zone = time_zone or invitation_time_zone(invitation)
        display_name, pronouns = check_profile(display_name, pronouns, language, time_zone)
        user.display_name, user.pronouns = display_name, pronouns
        user.full_name = check_full_name(full_name)
        user.language, user.time_zone = language, time_zone
        user.is_minor = invitation.minor
        check_password(password, user)
        user.set_password(password)
        user.is_active = True
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record("account.invitation.accepted", actor=user, target=invitation,
                 organization=invitation.organization, circle=invitation.circle, subject=user,
                 data={"kind": invitation.kind})
    # What accepting gives (a staff role, a place in a circle, a ward) is up to the app
    # that made the invitation (accounts/hooks.py).
    INVITATION_KINDS.get(invitation.kind).accept(invitation, user)
    return user


@action
def do_revoke_invitation(invitation: Invitation, *, actor: User | None):
    """Withdraw a pending invitation (and the invited membership it holds a place for)."""
    kind = INVITATION_KINDS.get(invitation.kind)
    kind.check_may_revoke(actor, invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been accepted."))
    if invitation.revoked_at is not None:
        raise DomainError(_("This invitation was already withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record("account.invitation.revoked", actor=actor, target=invitation,
                 organization=invitation.organization, circle=invitation.circle,
                 subject=invitation.user)
    kind.revoked(invitation, actor=actor)
    return invitation


@action
def do_update_profile(user: User, *, display_name: str, pronouns: str, language: str,
                      time_zone: str, actor: User | None, full_name: str | None = None,
                      other_names: str | None = None, phone: str | None = None):
    """Change how a person is shown and which language and time zone they see."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("You can only change your own profile."))
    display_name, pronouns = check_profile(display_name, pronouns, language, time_zone)
    new = {"display_name": display_name, "pronouns": pronouns, "language": language,
           "time_zone": time_zone}
    if full_name is not None:
        new["full_name"] = check_full_name(full_name)
    if other_names is not None:
        other_names = ", ".join(n.strip() for n in other_names.split(",") if n.strip())
        if len(other_names) > 200:
            raise DomainError(_("Other names can have at most 200 characters."),
                              field="other_names")
        new["other_names"] = check_name_characters(other_names, field="other_names")
    if phone is not None:
        phone = phone.strip()
        if phone and (len(phone) > 40 or sum(ch.isdigit() for ch in phone) < 7):
            raise DomainError(_("Enter a phone number with at least 7 digits."),
                              field="phone")
        new["phone"] = phone
    changed = [key for key, value in new.items() if getattr(user, key) != value]
    if not changed:
        return user
    for key in changed:
        setattr(user, key, new[key])
    user.save(update_fields=changed)
    audit.record("account.profile.changed", actor=actor, target=user, subject=user,
                 data={"fields": changed})
    return user


# Password, sessions, two-step sign-in --------------------------------------------------------
#
# The changes below that hand out or remove a credential take ``proof``: the RecentSignIn
# that ``reauth.check_recent_authentication`` gives a page whose person confirmed who they
# are a moment ago. An API call has none to pass, so it cannot reach them.


@action
def do_change_password(user: User, *, old_password: str, new_password: str, actor: User | None,
                       proof: RecentSignIn | None):
    """Change a password; every other session of the person ends with the old hash, and
    every API token of theirs is revoked. Returns the revoked tokens."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("You can only change your own password."))
    check_sign_in_proof(proof, user)
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not right."), field="old_password")
    check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("account.password.changed", actor=actor, target=user, subject=user)
    return end_api_tokens(user, actor=actor, because=ENDED_BY_PASSWORD_CHANGE)


@action
def do_reset_password(user: User, *, new_password: str):
    """Set a new password from a valid reset link (the link is the proof). Every API token
    of the person is revoked: whoever knew the old password may have made them. Returns
    the revoked tokens."""
    check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("account.password.reset", actor=user, target=user, subject=user)
    return end_api_tokens(user, actor=user, because=ENDED_BY_PASSWORD_RESET)


@action
def do_record_sign_in(user: User):
    """Note a completed sign-in (password and, where set up, the second step)."""
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    audit.record("account.signed_in", actor=user, target=user, subject=user)


@action
def do_record_reauthentication(user: User, *, second_factor: bool):
    """Note that a signed-in person confirmed who they are before a sensitive change."""
    audit.record("account.reauthenticated", actor=user, target=user, subject=user,
                 data={"second_factor": bool(second_factor)})


@action
def do_record_failed_reauthentication(user: User):
    """Note a wrong password on the confirm page (a wrong code is noted as such)."""
    audit.record("account.reauthentication.failed", actor=user, target=user, subject=user)


def _record_against_account(event_type, email):
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    audit.record(event_type, actor=None, actor_role="anonymous", target=user, subject=user)


@action
def do_record_failed_sign_in(email: str):
    """Note a failed sign-in against the account it named, if any (no password kept)."""
    _record_against_account("account.sign_in.failed", email)


@action
def do_record_lockout(email: str):
    """Note that sign-in was paused for an account or address after repeated failures."""
    _record_against_account("account.locked_out", email)


@action
def do_record_second_step_lockout(user: User):
    """Note that a sign-in was ended after repeated wrong two-step codes (the password was
    right: someone may hold it)."""
    audit.record("account.otp.locked_out", actor=user, target=user, subject=user)


@action
def do_record_sign_out(user: User):
    audit.record("account.signed_out", actor=user, target=user, subject=user)


@action
def do_sign_out_everywhere(user: User, *, actor: User | None):
    """End every session of ``user`` on every device, including the current one, and every
    API token of theirs. Returns the revoked tokens."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("You can only sign yourself out everywhere."))
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record("account.signed_out_everywhere", actor=actor, target=user, subject=user)
    return end_api_tokens(user, actor=actor, because=ENDED_BY_SIGN_OUT_EVERYWHERE)


# Two-step sign-in -------------------------------------------------------------------------


def _check_self(user, actor):
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("Only the account's owner can change its two-step sign-in."))


@action
def do_start_totp_enrollment(user: User, *, actor: User | None, proof: RecentSignIn | None):
    """Create an unconfirmed authenticator for the person to scan; replaces any earlier
    unconfirmed one."""
    _check_self(user, actor)
    check_sign_in_proof(proof, user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise DomainError(_("Two-step sign-in is already on for this account."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    audit.record("account.otp.enrollment.started", actor=actor, target=user, subject=user)
    return device


def backup_code_token(code: str) -> str:
    """What is stored for a backup code: a keyed hash, so that a copy of the database does
    not hand out second factors. The key (SECRET_KEY) lives outside the database; 16 hex
    characters (64 bits) fit django-otp's token column."""
    normalized = (code or "").strip().replace(" ", "").lower()
    return salted_hmac("circlekeep.backup-code", normalized,
                       algorithm="sha256").hexdigest()[:16]


def _new_backup_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=backup_code_token(code))
                                     for code in codes])
    return codes


@action
def do_confirm_totp(user: User, code: str, *, actor: User | None, proof: RecentSignIn | None):
    """Turn on two-step sign-in once the person proves their app shows the right code.

    Returns (device, backup codes); the codes are shown once and stored only as tokens
    that are deleted when used.
    """
    _check_self(user, actor)
    check_sign_in_proof(proof, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError(_("Start the setup again: no authenticator is waiting to be "
                            "confirmed."))
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not device.verify_token(code):
        raise DomainError(_("That code is not right. Enter the six digits your app shows "
                          "now."), field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(user)
    audit.record("account.otp.enrolled", actor=actor, target=user, subject=user)
    return device, codes


@action
def do_verify_second_factor(user: User, code: str):
    """Check a sign-in code from the app or a backup code; returns the device or None.

    A failure is recorded, not raised, so that the record of it survives. TOTP codes
    cannot be reused (django-otp keeps the last accepted time step) and backup codes are
    deleted when used; repeated failures slow down through django-otp's throttling.
    """
    code = (code or "").strip().replace(" ", "").lower()
    device = None
    if code:
        for candidate in list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
                StaticDevice.objects.filter(user=user, confirmed=True)):
            token = backup_code_token(code) if isinstance(candidate, StaticDevice) else code
            if candidate.verify_is_allowed()[0] and candidate.verify_token(token):
                device = candidate
                break
    if device is None:
        audit.record("account.otp.failed", actor=user, target=user, subject=user)
        return None
    kind = "backup_code" if isinstance(device, StaticDevice) else "totp"
    audit.record("account.otp.verified", actor=user, target=user, subject=user,
                 data={"method": kind})
    return device


@action
def do_regenerate_backup_codes(user: User, *, actor: User | None, proof: RecentSignIn | None):
    """Replace all backup codes; the old ones stop working."""
    _check_self(user, actor)
    check_sign_in_proof(proof, user)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise DomainError(_("Turn on two-step sign-in first."))
    codes = _new_backup_codes(user)
    audit.record("account.otp.backup_codes.generated", actor=actor, target=user, subject=user)
    return codes


@action
def do_disable_two_factor(user: User, *, actor: User | None, proof: RecentSignIn | None):
    """Turn off two-step sign-in where it is optional; ends every session and every API
    token of the person. Returns the revoked tokens."""
    _check_self(user, actor)
    check_sign_in_proof(proof, user)
    for flag in ("flag_staff", "flag_member_2fa"):
        user.__dict__.pop(flag, None)
    if two_factor_expected(user):
        raise DomainError(_("Your role or your organization requires two-step sign-in, so it "
                            "cannot be turned off."))
    if not TOTPDevice.objects.filter(user=user).exists():
        raise DomainError(_("Two-step sign-in is not on."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record("account.otp.disabled", actor=actor, target=user, subject=user)
    return end_api_tokens(user, actor=actor, because=ENDED_BY_TWO_FACTOR_OFF)


# API tokens --------------------------------------------------------------------------------


@action
def do_create_api_token(user: User, *, name: str, days: int | None = None, actor: User | None,
                        proof: RecentSignIn | None):
    """Create a personal access token; returns (token record, the secret shown once).

    Only from a recent interactive sign-in (``proof``), so a token cannot mint another or
    outlive itself through a successor. The token remembers whether that sign-in passed
    the second step. ``days`` is at most the strictest limit among the person's
    organizations; ``None`` takes that limit.
    """
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("You can only create tokens for yourself."))
    check_sign_in_proof(proof, user)
    # One line: the name is repeated in e-mails when the token is revoked.
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the token a name so you can recognise it later."),
                          field="name")
    if len(name) > 60:
        raise DomainError(_("A token name can have at most 60 characters."), field="name")
    limit = api_token_days_limit(user)
    if days is None:
        days = limit
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= limit:
        raise DomainError(_("A token must expire within 1 to %(max)d days: the longest your "
                            "organization allows.") % {"max": limit}, field="days")
    secret = "ck_" + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=hash_secret(secret), prefix=secret[:10],
        created_at=now, expires_at=now + timedelta(days=days),
        second_factor=proof.second_factor,
    )
    audit.record("account.api_token.created", actor=actor, target=token, subject=user,
                 data={"expires_at": token.expires_at.isoformat(),
                       "second_factor": token.second_factor})
    return token, secret


@action
def do_revoke_api_token(token: ApiToken, *, actor: User | None):
    if actor is None or actor.pk != token.user_id:
        raise ActionForbidden(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        raise DomainError(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("account.api_token.revoked", actor=actor, target=token, subject=token.user)
    return token


# Ending a person's API tokens ---------------------------------------------------------------

# Why a person's tokens were ended; the e-mail and the audit event say which.
ENDED_BY_SIGN_OUT_EVERYWHERE = "signed_out_everywhere"
ENDED_BY_PASSWORD_CHANGE = "password_changed"
ENDED_BY_PASSWORD_RESET = "password_reset"
ENDED_BY_TWO_FACTOR_OFF = "two_factor_disabled"
ENDED_BY_TWO_FACTOR_RESET = "two_factor_reset"


def end_api_tokens(user, *, actor, because):
    """Revoke every live token of ``user`` inside the calling action, one audit event per
    token, and tell the person by e-mail which ones ended (by name, nothing else).

    A token is a credential like a session: whatever ends the sessions because the
    account may be in other hands ends the tokens too. Returns the revoked tokens.
    """
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update()
                  .filter(user=user, revoked_at=None, expires_at__gt=now)
                  .order_by("created_at"))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record("account.api_token.revoked", actor=actor, target=token, subject=user,
                     data={"because": because})
    if tokens:
        send_templated_email(
            "api-tokens-revoked", to=user.email, language=user.language,
            context={"token_names": [t.name for t in tokens], "because": because},
        )
    return tokens


# A kept form holds what a person typed; it must not outlive the short break that ended
# their session, nor carry anything that signs someone in.
FORM_DRAFT_SKIPPED_FIELDS = ("csrfmiddlewaretoken", "once", "next")
FORM_DRAFT_SECRET_WORDS = ("password", "token", "secret", "otp", "code")
FORM_DRAFT_MAX_CHARACTERS = 100_000


def typed_fields(post) -> dict:
    """The fields of a sent form worth keeping (name -> values): never the CSRF token, the
    send-once token, passwords, codes or tokens, and nothing when nothing was typed."""
    fields = {}
    for name in post:
        lowered = name.lower()
        if name in FORM_DRAFT_SKIPPED_FIELDS or any(w in lowered for w in FORM_DRAFT_SECRET_WORDS):
            continue
        values = [v for v in post.getlist(name) if isinstance(v, str)]
        if values:
            fields[name] = values
    if not any(v.strip() for values in fields.values() for v in values):
        return {}
    if sum(len(v) for values in fields.values() for v in values) > FORM_DRAFT_MAX_CHARACTERS:
        return {}
    return fields


@action
def do_keep_form_draft(user: User, *, path: str, fields: dict):
    """Keep, sealed by the vault, what ``user`` typed into the form on ``path`` that arrived
    after their session ended; returns the draft, or None when nothing was worth keeping.
    Only the newest draft of a page is kept, and only for FORM_DRAFT_MINUTES."""
    from circlekeep.accounts.models import FormDraft
    from circlekeep.vault.drafts import seal_draft

    if not fields:
        return None
    now = timezone.now()
    FormDraft.objects.filter(expires_at__lte=now).delete()
    FormDraft.objects.filter(user=user, path=path).delete()
    draft = FormDraft(user=user, path=path[:500],
                      expires_at=now + timedelta(minutes=settings.FORM_DRAFT_MINUTES))
    draft.sealed_fields = seal_draft(draft.public_id, user.pk, fields)
    draft.save()
    audit.record("account.form_draft.kept", actor=user, target=user, subject=user,
                 data={"fields": sorted(fields)})
    return draft


@action
def do_restore_form_draft(user: User, *, path: str, draft_id=None) -> dict | None:
    """The fields ``user`` typed on ``path`` (before signing in again, or kept as they
    typed), once: the draft is deleted as it is opened. ``draft_id`` names one draft;
    without it, the page's newest. None when there is none for this account and page (or
    it expired)."""
    from circlekeep.accounts.models import FormDraft
    from circlekeep.vault.drafts import open_draft

    drafts = FormDraft.objects.select_for_update().filter(
        user=user, path=path, expires_at__gt=timezone.now())
    if draft_id is not None:
        drafts = drafts.filter(public_id=draft_id)
    draft = drafts.order_by("-expires_at").first()
    if draft is None:
        return None
    fields = open_draft(draft.public_id, user.pk, draft.sealed_fields)
    draft.delete()
    audit.record("account.form_draft.restored", actor=user, target=user, subject=user,
                 data={"fields": sorted(fields)})
    return fields


@action
def do_discard_form_drafts(user: User, *, path: str) -> int:
    """Forget what ``user`` kept of the form on ``path``: it was just sent for real."""
    from circlekeep.accounts.models import FormDraft

    count, _deleted = FormDraft.objects.filter(user=user, path=path).delete()
    if count:
        audit.record("account.form_draft.discarded", actor=user, target=user, subject=user,
                     data={"drafts": count})
    return count
