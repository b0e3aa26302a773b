"""Per-request account state: two-step verification, preferences, idle timeout."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from circlekeep.accounts.twofactor import two_factor_required
from circlekeep.lib.notrace import is_no_trace_path
from circlekeep.lib.zones import viewer_zone

SEEN_KEY = "ck_seen"
IDLE_KEY = "ck_idle"
# A kept form waiting for its author to sign in again: {"id": draft, "path": page}.
DRAFT_KEY = "ck_form_draft"
# Pages a kept form never returns to: the API answers machines, and the sign-in pages
# would only ask again.
DRAFTLESS_PREFIXES = ("/api/", "/accounts/sign-in", "/accounts/sign-out", "/accounts/two-step/",
                      "/static/", "/healthz", "/i18n/")
# Paths a signed-in person may reach before finishing two-step sign-in.
TWO_FACTOR_EXEMPT_PREFIXES = (
    "/accounts/two-step/", "/accounts/sign-out", "/static/", "/healthz", "/i18n/", "/api/",
)


class AuthenticationMiddleware:
    """Django's AuthenticationMiddleware and django-otp's OTPMiddleware as one lazy user.

    Two-step verification is read from the session without a database query: the session
    holds the verified device's id, and every action that removes or replaces a device
    also raises the user's session epoch, which ends those sessions, so a verification
    can never outlive its device.

    The user is loaded at once, not lazily as Django does: the next middleware
    (``UserPreferencesMiddleware``) needs it on every request, and a lazy proxy would cost
    every later use of ``request.user`` (a home page makes a few hundred) a detour.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = self._load(request)
        return self.get_response(request)

    @staticmethod
    def _load(request):
        from django.contrib import auth

        user = auth.get_user(request)
        device_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        verified = bool(device_id)
        user.is_verified = lambda: verified

        def load_device():
            from django_otp.models import Device

            return Device.from_persistent_id(device_id) if device_id else None

        user.otp_device = SimpleLazyObject(load_device) if verified else None
        return user


class UserPreferencesMiddleware:
    """Speak the person's chosen language and show times in their time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            timezone.activate(viewer_zone(user))
        response = self.get_response(request)
        timezone.deactivate()
        return response


class IdleTimeoutMiddleware:
    """End a session after a period without requests (shorter for staff), without losing
    what the person was typing.

    The last-seen time is refreshed at most once a minute so that ordinary requests do
    not write the session. A form that arrives after the session ended is kept, sealed,
    for its author (``do_keep_form_draft``); after signing in again they land on the same
    page with what they typed filled back in (``restore_form_draft``). Never a form whose
    sending must leave no trace (an anonymous concern): keeping it would tie it to the
    account.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY, now)
            if now - seen > idle_limit(request):
                if is_no_trace_path(request.path_info):
                    # An anonymous report page: no sign-out event and no sign-in address
                    # naming the page (and its circle) at this moment; the next ordinary
                    # request ends the session.
                    return redirect("accounts:login")
                return self._sign_out_idle(request)
            if now - seen >= 60 or SEEN_KEY not in request.session:
                request.session[SEEN_KEY] = now
            if DRAFT_KEY in request.session and request.method == "GET":
                restore_form_draft(request)
        return self.get_response(request)

    @staticmethod
    def _sign_out_idle(request):
        from django.urls import reverse
        from django.utils.http import urlencode

        user = request.user
        page = return_page(request)
        draft = None
        if (request.method == "POST" and page and not is_no_trace_path(request.path_info)
                and not is_no_trace_path(page)
                and _csrf_passes(request)):
            from circlekeep.accounts.actions import do_keep_form_draft, typed_fields

            draft = do_keep_form_draft(user, path=page, fields=typed_fields(request.POST))
        logout(request)
        if draft is not None:
            request.session[DRAFT_KEY] = {"id": str(draft.public_id), "path": page}
            messages.info(request, _("You were signed out after a period of inactivity. "
                                     "What you typed is kept: sign in to continue."))
        else:
            messages.info(request, _("You were signed out after a period of inactivity."))
        login_url = reverse("accounts:login")
        return redirect(f"{login_url}?{urlencode({'next': page})}" if page else login_url)


def idle_limit(request) -> int:
    """Seconds without a request before this session ends: the limit set at sign-in, and
    the staff's shorter one as soon as the person holds a staff role (someone made staff
    while signed in does not keep a member's half hour)."""
    limit = request.session.get(IDLE_KEY, int(settings.IDLE_TIMEOUT_MEMBER.total_seconds()))
    if getattr(request.user, "flag_staff", False) is True:
        limit = min(limit, int(settings.IDLE_TIMEOUT_STAFF.total_seconds()))
    return limit


def idle_seconds_left(request) -> int:
    """Seconds until this session ends unless the person does something."""
    seen = request.session.get(SEEN_KEY, int(time.time()))
    return max(idle_limit(request) - (int(time.time()) - seen), 0)


def keep_session_alive(request):
    """Restart the idle clock now ("Stay signed in")."""
    request.session[SEEN_KEY] = int(time.time())


def return_page(request) -> str:
    """The page to come back to after signing in again: the page a form was sent from
    (forms may post elsewhere), or the requested page itself. Only this site's pages, and
    never an API or sign-in address."""
    from urllib.parse import urlsplit

    page = request.path
    if request.method == "POST":
        referer = urlsplit(request.headers.get("Referer", ""))
        if referer.netloc == request.get_host() and referer.path:
            page = referer.path
    if page == "/" or page.startswith(DRAFTLESS_PREFIXES):
        return ""  # the home page is where signing in leads anyway
    return page


def _csrf_passes(request) -> bool:
    """Whether this POST carries a valid CSRF token: a form forged by another site must
    not be kept and offered back to the person as their own."""
    from django.middleware.csrf import CsrfViewMiddleware

    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is None


def restore_form_draft(request):
    """On the page a kept form came from, put what was typed back: the fields reach the
    page (``request.restored_form``) and the sealed draft is deleted. Only the account that
    typed it can open it."""
    pending = request.session.get(DRAFT_KEY) or {}
    if pending.get("path") != request.path:
        return
    del request.session[DRAFT_KEY]
    from circlekeep.accounts.actions import do_restore_form_draft

    fields = do_restore_form_draft(request.user, draft_id=pending.get("id"),
                                   path=request.path)
    if fields:
        request.restored_form = fields
        messages.info(request, _("What you typed before signing in again is back in the "
                                 "form. Check it and send it again."))


def start_idle_clock(request, user):
    """Called at sign-in: staff sessions time out sooner than members'."""
    staff = two_factor_required(user)  # the staff flag: staff must use two-step sign-in
    limit = settings.IDLE_TIMEOUT_STAFF if staff else settings.IDLE_TIMEOUT_MEMBER
    request.session[IDLE_KEY] = int(limit.total_seconds())
    request.session[SEEN_KEY] = int(time.time())


class RequireTwoFactorMiddleware:
    """Staff see nothing else until they have set up and passed two-step sign-in. (A
    member whose organization requires it finds that organization's circles closed until
    they do: orgs.access.locked_organizations.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not user.is_verified()
                and not request.path_info.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
                and two_factor_required(user)):
            from django_otp import user_has_device

            if user_has_device(user):
                return redirect("accounts:otp-verify")
            return redirect("accounts:otp-setup")
        return self.get_response(request)
