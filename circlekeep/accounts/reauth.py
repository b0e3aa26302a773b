"""Re-authentication ("Confirm it's you") before sensitive account changes.

Changing the password, turning two-step sign-in on or off, making backup codes and creating
an API token each hand out a lasting credential or remove a protection, so they need a
recent interactive proof of identity (OWASP ASVS 5.0, V7.5): the password, and the second
step where the person has one. A stolen session that has sat idle, or an API token, is not
such a proof. The session records when the person last gave it, at sign-in and on the
confirm page; ``check_recent_authentication`` is the one rule pages and the API both use.

Actions take the resulting ``RecentSignIn`` as an argument and check it again, so a call
that did not come through that rule (an API token, a forgotten check) cannot reach them.
"""

import functools
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from circlekeep.lib.actions import ActionForbidden

SESSION_KEY = "ck_reauth"

WEB_ONLY_MESSAGE = _("Do this on the web, signed in: an API token cannot create tokens, "
                     "change two-step sign-in, make backup codes or change the password.")
STALE_MESSAGE = _("Confirm it's you first: enter your password (and a code, if you use "
                  "two-step sign-in) on the confirm page.")


@dataclass(frozen=True)
class RecentSignIn:
    """When ``user_id`` last proved themselves interactively, and whether that included
    the second step. Only ``check_recent_authentication`` makes one from a request."""

    user_id: int
    at: float
    second_factor: bool


class ReauthenticationRequired(ActionForbidden):
    """The request carries no recent enough proof of identity (HTTP 403 in the API; pages
    send the person to confirm it's them)."""


def _has_second_step(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user)


def _is_sufficient(proof, user) -> bool:
    return (isinstance(proof, RecentSignIn) and proof.user_id == user.pk
            and time.time() - proof.at <= settings.REAUTHENTICATION_WINDOW.total_seconds()
            and (proof.second_factor or not _has_second_step(user)))


def note_recent_authentication(request, user, *, second_factor):
    """Record in the session that ``user`` has just proved themselves (at sign-in, or on
    the confirm page)."""
    request.session[SESSION_KEY] = {"user": user.pk, "at": time.time(),
                                    "second_factor": bool(second_factor)}


def note_second_factor(request):
    """The person has just passed the second step within a session whose password proof
    still stands (setting up or verifying an authenticator): the proof now includes it,
    and is as old as the password part."""
    recorded = request.session.get(SESSION_KEY)
    if recorded:
        request.session[SESSION_KEY] = {**recorded, "second_factor": True}


def check_recent_authentication(request) -> RecentSignIn:
    """The proof that the signed-in person confirmed who they are within
    ``REAUTHENTICATION_WINDOW``, or ``ReauthenticationRequired``.

    A request authenticated by an API token never qualifies: a token is exactly the
    kind of credential these changes must not be made with.
    """
    if getattr(request, "api_token", None) is not None or not hasattr(request, "session"):
        raise ReauthenticationRequired(WEB_ONLY_MESSAGE)
    user = request.user
    recorded = request.session.get(SESSION_KEY) or {}
    try:
        proof = RecentSignIn(user_id=int(recorded["user"]), at=float(recorded["at"]),
                             second_factor=bool(recorded["second_factor"]))
    except (KeyError, TypeError, ValueError):
        raise ReauthenticationRequired(STALE_MESSAGE) from None
    if not user.is_authenticated or not _is_sufficient(proof, user):
        raise ReauthenticationRequired(STALE_MESSAGE)
    return proof


def check_sign_in_proof(proof, user):
    """For actions: raise unless ``proof`` is a recent sign-in of ``user`` (with the second
    step where they have one). ``None`` is what an API call or a forgotten check passes."""
    if not isinstance(proof, RecentSignIn):
        raise ActionForbidden(WEB_ONLY_MESSAGE)
    if not _is_sufficient(proof, user):
        raise ActionForbidden(STALE_MESSAGE)


def reauthenticate_url(next_url):
    return f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_url})}"


def recent_authentication_required(view=None, *, methods=None, back_to=None):
    """Page decorator: without a recent proof, send the person to confirm it's them and
    back; with one, the view finds it as ``request.sign_in_proof``.

    ``methods`` limits the check (e.g. only the POST that creates a token); a POST cannot
    be replayed after the detour, so the person returns to ``back_to`` (a URL name) or to
    the same address by GET.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if methods is None or request.method in methods:
                try:
                    request.sign_in_proof = check_recent_authentication(request)
                except ReauthenticationRequired:
                    if request.method in ("GET", "HEAD"):
                        target = request.get_full_path()
                    else:
                        target = reverse(back_to) if back_to else request.path
                    return redirect(reauthenticate_url(target))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
