"""Account pages: sign-in with a second step, invitations, profile, security, tokens."""

import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import (
    authenticate,
    get_user_model,
    login,
    logout,
    update_session_auth_hash,
)
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts import actions
from circlekeep.accounts.access import access_api_token, api_tokens_visible_to
from circlekeep.accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmCodeForm,
    FullProfileForm,
    ReauthenticateForm,
    RequestPasswordResetForm,
    ResetPasswordForm,
    SignInForm,
)
from circlekeep.accounts.middleware import keep_session_alive, start_idle_clock
from circlekeep.accounts.reauth import (
    note_recent_authentication,
    note_second_factor,
    recent_authentication_required,
)
from circlekeep.accounts.tokens import api_token_days_limit
from circlekeep.accounts.twofactor import two_factor_expected
from circlekeep.lib.actions import DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.views import confirm_or_run

PENDING_KEY = "ck_pending_user"
PENDING_AT_KEY = "ck_pending_at"
PENDING_TRIES_KEY = "ck_pending_tries"
PENDING_NEXT_KEY = "ck_pending_next"
INVITATION_KEY = "ck_invitation_token"
PENDING_LIFETIME = 300
PENDING_MAX_TRIES = 5


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(default)


def _complete_sign_in(request, user, device=None, next_url=None):
    login(request, user, backend="circlekeep.accounts.backends.EmailBackend")
    if device is not None:
        otp_login(request, device)
    start_idle_clock(request, user)
    note_recent_authentication(request, user, second_factor=device is not None)
    actions.do_record_sign_in(user)
    return redirect(next_url or reverse("home"))


@sensitive_post_parameters("password")
@never_cache
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            next_url = _safe_next(request)
            if user_has_device(user):
                # The password alone signs no one in: the second step completes it.
                request.session.cycle_key()
                request.session[PENDING_KEY] = str(user.public_id)
                request.session[PENDING_AT_KEY] = int(time.time())
                request.session[PENDING_TRIES_KEY] = 0
                request.session[PENDING_NEXT_KEY] = next_url
                return redirect("accounts:otp-verify")
            return _complete_sign_in(request, user, next_url=next_url)
        actions.do_record_failed_sign_in(request.POST.get("username", ""))
    return render(request, "accounts/sign_in.html",
                  {"form": form, "next": request.GET.get("next", "")})


def locked_out(request, credentials=None, *args, **kwargs):
    """Shown by django-axes after too many failed sign-ins."""
    from django.conf import settings

    actions.do_record_lockout(request.POST.get("username", ""))
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def _pending_user(request):
    public_id = request.session.get(PENDING_KEY)
    started = request.session.get(PENDING_AT_KEY, 0)
    if not public_id or time.time() - started > PENDING_LIFETIME:
        return None
    return get_user_model().objects.filter(public_id=public_id, is_active=True).first()


def _clear_pending(request):
    for key in (PENDING_KEY, PENDING_AT_KEY, PENDING_TRIES_KEY, PENDING_NEXT_KEY):
        request.session.pop(key, None)


@sensitive_post_parameters("code")
@never_cache
def otp_verify(request):
    """The second step of signing in, or of a session that must now verify."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else _pending_user(request)
    if user is None:
        if request.session.get(PENDING_KEY):
            _clear_pending(request)
            messages.error(request, _("Your sign-in took too long. Please start again."))
        return redirect("accounts:login")
    if signed_in and request.user.is_verified():
        return redirect("home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.do_verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            if signed_in:
                otp_login(request, device)
                note_second_factor(request)
                return redirect("home")
            next_url = request.session.get(PENDING_NEXT_KEY)
            _clear_pending(request)
            if isinstance(device, StaticDevice):
                remaining = StaticToken.objects.filter(device=device).count()
                messages.warning(request, ngettext("You used a backup code. %(count)d remains.",
                                                   "You used a backup code. %(count)d remain.",
                                                   remaining) % {"count": remaining})
            return _complete_sign_in(request, user, device, next_url=next_url)
        tries = request.session.get(PENDING_TRIES_KEY, 0) + 1
        request.session[PENDING_TRIES_KEY] = tries
        if not signed_in and tries >= PENDING_MAX_TRIES:
            _clear_pending(request)
            actions.do_record_second_step_lockout(user)
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("That code is not right, or it was already used. Enter the "
                                 "code your app shows now, or a backup code."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@sensitive_post_parameters("password", "code")
@login_required
@never_cache
def reauthenticate(request):
    """Confirm it's you: the password, and a code where the person has two-step sign-in,
    before a sensitive change; then back to where they were going."""
    user = request.user
    with_code = user_has_device(user)
    form = ReauthenticateForm(request.POST or None, with_code=with_code)
    next_url = _safe_next(request, default="accounts:security")
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so that wrong passwords count towards the lockout.
        checked = authenticate(request, username=user.email,
                               password=form.cleaned_data["password"])
        device = None
        if checked is None or checked.pk != user.pk:
            actions.do_record_failed_reauthentication(user)
            form.add_error("password", _("That password is not right."))
        elif with_code:
            device = actions.do_verify_second_factor(user, form.cleaned_data["code"])
            if device is None:
                form.add_error("code", _("That code is not right, or it was already used. "
                                         "Enter the code your app shows now, or a backup "
                                         "code."))
        if not form.errors:
            if device is not None:
                otp_login(request, device)
            note_recent_authentication(request, user, second_factor=device is not None)
            actions.do_record_reauthentication(user, second_factor=device is not None)
            return redirect(next_url)
    return render(request, "accounts/reauthenticate.html",
                  {"form": form, "next": next_url, "with_code": with_code})


def _totp_secret(device):
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
@recent_authentication_required
@never_cache
def otp_setup(request):
    """Set up an authenticator app: scan, confirm with a code, receive backup codes."""
    user = request.user
    proof = request.sign_in_proof
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if not user.is_verified():
            return redirect("accounts:otp-verify")
        messages.info(request, _("Two-step sign-in is already on."))
        return redirect("accounts:security")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("step") == "start":
            actions.do_start_totp_enrollment(user, actor=user, proof=proof)
            return redirect("accounts:otp-setup")
        if device is not None and form.is_valid():
            try:
                device, codes = actions.do_confirm_totp(user, form.cleaned_data["code"],
                                                        actor=user, proof=proof)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                otp_login(request, device)
                note_second_factor(request)
                return render(request, "accounts/backup_codes.html",
                              {"codes": codes, "just_enrolled": True})
    context = {"device": device, "form": form, "required": two_factor_expected(user)}
    if device is not None:
        secret = _totp_secret(device)
        context["secret_groups"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = qr_svg(device.config_url)
    return render(request, "accounts/otp_setup.html", context)


def qr_svg(uri):
    """The QR code as an SVG that scales: a viewBox and no fixed size, so CSS can fit it to
    a phone without clipping its edge (a clipped code does not scan). ``role="img"`` with
    a title names it for screen readers. Always a full QR code: segno would pick a Micro QR
    for short text, which authenticator apps do not read."""
    svg = segno.make_qr(uri, error="m").svg_inline(
        omitsize=True, title=_("QR code for your authenticator app"), dark="#111",
        light="#fff")
    return svg.replace("<svg ", '<svg role="img" ', 1)


@login_required
@require_POST
@recent_authentication_required(back_to="accounts:security")
def otp_backup_codes(request):
    try:
        codes = actions.do_regenerate_backup_codes(request.user, actor=request.user,
                                                   proof=request.sign_in_proof)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:security")
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@login_required
@require_POST
@recent_authentication_required(back_to="accounts:security")
def otp_disable(request):
    try:
        revoked = actions.do_disable_two_factor(request.user, actor=request.user,
                                                proof=request.sign_in_proof)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:security")
    logout(request)
    messages.success(request, _("Two-step sign-in is off. Sign in again with your password."))
    _tell_tokens_ended(request, revoked)
    return redirect("accounts:login")


def _tell_tokens_ended(request, tokens):
    """Name the API tokens an action just revoked, on the page that follows."""
    if tokens:
        names = ", ".join(f"“{token.name}”" for token in tokens)
        messages.warning(request, ngettext(
            "Your API token %(names)s was revoked and no longer works.",
            "Your API tokens %(names)s were revoked and no longer work.",
            len(tokens)) % {"names": names})


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        actions.do_record_sign_out(request.user)
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("accounts:login")


@login_required
@require_POST
def keep_session(request):
    """"Stay signed in": restart the idle clock. Answers nothing, so that a plain form
    submission leaves the page (and whatever is typed in it) as it is."""
    keep_session_alive(request)
    return HttpResponse(status=204)


@login_required
@require_POST
def sign_out_everywhere(request):
    revoked = actions.do_sign_out_everywhere(request.user, actor=request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    _tell_tokens_ended(request, revoked)
    return redirect("accounts:login")


@login_required
def profile(request):
    user = request.user
    initial = {"display_name": user.display_name, "full_name": user.full_name,
               "other_names": user.other_names, "phone": user.phone,
               "pronouns": user.pronouns,
               "language": user.language, "time_zone": user.time_zone}
    form = FullProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_profile(user, actor=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # Confirm in the language just chosen.
            translation.activate(user.language)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def security(request):
    user = request.user
    has_totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    backup_left = StaticToken.objects.filter(device__user=user).count()
    return render(request, "accounts/security.html", {
        "has_totp": has_totp, "backup_left": backup_left,
        "required": two_factor_expected(user),
    })


@sensitive_post_parameters()
@login_required
@recent_authentication_required
def change_password(request):
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoked = actions.do_change_password(
                request.user, actor=request.user, proof=request.sign_in_proof,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"])
        except DomainError as error:
            field = "new_password" if error.field == "password" else error.field
            form.add_error(field if field in form.fields else None, error.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed. Other devices are signed "
                                        "out."))
            _tell_tokens_ended(request, revoked)
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RequestPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password-reset-body.txt"
    subject_template_name = "emails/password-reset-subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-done")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        _tell_tokens_ended(self.request, form.revoked_tokens)
        return response


def invitation_link(request, token):
    """The link from the e-mail: keep the token in the session, out of the address bar,
    logs and Referer headers."""
    if actions.get_invitation_by_token(token) is None:
        raise Http404
    request.session[INVITATION_KEY] = token
    return redirect("accounts:invitation-accept")


@sensitive_post_parameters("password", "password_again")
@never_cache
def accept_invitation(request):
    token = request.session.get(INVITATION_KEY)
    invitation = actions.get_invitation_by_token(token) if token else None
    if invitation is None:
        raise Http404
    problem = None
    try:
        actions.check_invitation_usable(invitation)
    except DomainError as error:
        problem = error.message
    existing = invitation.user.is_active
    form = None if existing else AcceptInvitationForm(
        request.POST or None,
        initial={"language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "es")
                 else "en", "time_zone": actions.invitation_time_zone(invitation)},
    )
    if request.method == "POST" and problem is None:
        fields = {}
        if form is not None:
            if not form.is_valid():
                return render(request, "accounts/invitation_accept.html",
                              {"invitation": invitation, "form": form, "existing": existing})
            fields = {k: form.cleaned_data[k] for k in
                      ("display_name", "full_name", "pronouns", "language", "time_zone",
                       "password")}
        try:
            user = actions.do_accept_invitation(invitation, acting_user=request.user, **fields)
        except DomainError as error:
            if form is not None:
                add_domain_error(form, error)
            else:
                problem = error.message
        else:
            request.session.pop(INVITATION_KEY, None)
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization})
            if request.user.is_authenticated:
                return redirect("home")
            return _complete_sign_in(request, user)
    return render(request, "accounts/invitation_accept.html", {
        "invitation": invitation, "form": form, "existing": existing, "problem": problem,
    })


@login_required
@recent_authentication_required(methods=("POST",))
def api_tokens(request):
    limit = api_token_days_limit(request.user)
    form = ApiTokenForm(request.POST or None, limit=limit)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = actions.do_create_api_token(
                request.user, actor=request.user, proof=request.sign_in_proof,
                **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            form = ApiTokenForm(limit=limit)
    tokens = api_tokens_visible_to(request.user)
    return render(request, "accounts/api_tokens.html",
                  {"form": form, "tokens": tokens, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])  # GET asks first; POST does it
def api_token_revoke(request, token_id):
    token = access_api_token(request.user, token_id)
    return confirm_or_run(
        request, confirm_form(request),
        lambda data: actions.do_revoke_api_token(token, actor=request.user),
        success=_("The token “%(name)s” is revoked.") % {"name": token.name},
        to=reverse("accounts:api-tokens"),
        page={"title": _("Revoke the token “%(name)s”?") % {"name": token.name},
              "consequences": [
                  _("Programs using this token lose access at once; requests with it are "
                    "refused."),
                  _("This cannot be undone: to give a program access again, create a new "
                    "token.")],
              "confirm": _("Revoke the token"),
              "cancel_url": reverse("accounts:api-tokens")})
