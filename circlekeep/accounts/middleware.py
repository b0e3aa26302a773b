"""Per-request account state: two-step verification, preferences, idle timeout."""

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from circlekeep.accounts.twofactor import two_factor_required

SEEN_KEY = "ck_seen"
IDLE_KEY = "ck_idle"
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
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(lambda: self._load(request))
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
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class IdleTimeoutMiddleware:
    """End a session after a period without requests (shorter for staff).

    The last-seen time is refreshed at most once a minute so that ordinary requests do
    not write the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY, now)
            limit = request.session.get(IDLE_KEY, int(settings.IDLE_TIMEOUT_MEMBER.total_seconds()))
            if now - seen > limit:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(settings.LOGIN_URL)
            if now - seen >= 60 or SEEN_KEY not in request.session:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


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
