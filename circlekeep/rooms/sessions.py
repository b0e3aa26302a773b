"""The signed-in person behind a websocket, from the page's own session cookie.

The same rules as a page request (accounts/middleware.py): the session must be live and
not idle past its limit, and a person who must use two-step sign-in must have passed it
in this session. Opening the room counts as activity, like a page view.
"""

import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django_otp import DEVICE_ID_SESSION_KEY

from circlekeep.accounts.middleware import IDLE_KEY, SEEN_KEY
from circlekeep.accounts.twofactor import two_factor_required

# A session in use is written at most this often (as page requests do, accounts/middleware.py).
TOUCH_EVERY_SECONDS = 60


class _SessionOnly:
    """What ``auth.get_user`` reads of a request: its session."""

    def __init__(self, session):
        self.session = session


def session_user(session, *, idle_counts=True):
    """The person signed in by ``session``, or None: signed out, its account's sessions
    ended, idle past its limit (when ``idle_counts``), or short of a second step it must
    have passed."""
    if session is None or session.session_key is None:
        return None
    user = auth.get_user(_SessionOnly(session))
    if not user.is_authenticated:
        return None
    verified = bool(session.get(DEVICE_ID_SESSION_KEY))
    user.is_verified = lambda: verified
    limit = session.get(IDLE_KEY, int(settings.IDLE_TIMEOUT_MEMBER.total_seconds()))
    if getattr(user, "flag_staff", False) is True:
        limit = min(limit, int(settings.IDLE_TIMEOUT_STAFF.total_seconds()))
    now = int(time.time())
    if idle_counts and now - session.get(SEEN_KEY, now) > limit:
        return None
    if two_factor_required(user) and not verified:
        return None
    return user


def _touch(session):
    """Mark the session as in use, at most once every TOUCH_EVERY_SECONDS."""
    now = int(time.time())
    if now - session.get(SEEN_KEY, 0) >= TOUCH_EVERY_SECONDS:
        session[SEEN_KEY] = now
        session.save()


def _user_of(session):
    user = session_user(session)
    if user is not None:
        _touch(session)
    return user


def still_signed_in(session_key, user_id):
    """Whether the session a websocket opened with still signs in the same person (read
    afresh: signing out, or out everywhere, ends it). Time in the room is not idleness: the
    idle limit is not applied again while the socket stays open, and the session is marked
    as in use, so that the page's idle warning (kept in step by static/js/room.js) and the
    next page after the meeting agree."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    user = session_user(store, idle_counts=False)
    if user is None or user.pk != user_id:
        return None
    _touch(store)
    return user


async def user_of_scope(scope):
    """(user or None, language to speak)."""
    user = await database_sync_to_async(_user_of)(scope.get("session"))
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    return user, language
