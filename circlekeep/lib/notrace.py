"""Requests that must leave nothing behind that could be joined to the person making them.

Anonymous reports are sent on ordinary, signed-in requests (the person must be a member
of the circle), so the ordinary traces of a request would name them: the session row
that the idle-timeout refresh writes (its expiry gives the time to the millisecond) and
the access log line with the address, the browser and the time. For the paths listed in
``settings.NO_TRACE_PATHS`` (the concern report form and its API twin), the session is
never written and no per-request log line is kept. The form's page is covered too:
visiting it says that someone means to report.
"""

import logging
import re
from functools import cache

from django.conf import settings


@cache
def _patterns():
    return [re.compile(pattern) for pattern in settings.NO_TRACE_PATHS]


def is_no_trace_path(path: str) -> bool:
    return any(pattern.match(path or "") for pattern in _patterns())


@cache
def _cookieless_patterns():
    return [re.compile(pattern) for pattern in settings.COOKIELESS_PATHS]


class CookielessMiddleware:
    """First in the chain: for ``settings.COOKIELESS_PATHS`` (sending anonymous feedback)
    the request's cookies are dropped before any other code can read them, so no session,
    account or CSRF cookie can be tied to it even when a browser sends one; the response
    sets none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not any(pattern.match(path) for pattern in _cookieless_patterns()):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        for name in list(response.cookies):
            del response.cookies[name]
        return response


class NoTraceMiddleware:
    """Placed right after SessionMiddleware, so that on the way out it runs after every
    other middleware that might touch the session (messages, the idle clock)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_no_trace_path(request.path_info):
            session = getattr(request, "session", None)
            if session is not None:
                session.modified = False
            # The next page the browser opens must not name this one as where it came from.
            response["Referrer-Policy"] = "no-referrer"
        return response


def _path_of(record):
    request = getattr(record, "request", None)
    path = getattr(request, "path_info", None) or getattr(request, "path", None)
    if isinstance(path, str):
        return path
    # django.server and gunicorn.access put the request line in the arguments.
    args = record.args if isinstance(record.args, tuple) else ()
    for arg in args:
        if isinstance(arg, str) and " " in arg:
            parts = arg.split(" ")
            if len(parts) >= 2:
                return parts[1].split("?", 1)[0]
    if isinstance(record.args, dict):
        return record.args.get("U")
    return None


def _referrer_of(record):
    """A referrer in an access log line (gunicorn's ``f`` field, or a request's header)."""
    request = getattr(record, "request", None)
    meta = getattr(request, "META", None)
    if isinstance(meta, dict):
        return meta.get("HTTP_REFERER", "")
    if isinstance(record.args, dict):
        return record.args.get("f", "")
    return ""


class NoTraceFilter(logging.Filter):
    """Drop per-request log lines (access logs, 4xx warnings) about no-trace paths, and
    lines of requests that name one as their referrer."""

    def filter(self, record):
        if is_no_trace_path(_path_of(record) or ""):
            return False
        referrer = _referrer_of(record) or ""
        return not any(pattern.search(referrer.split("?", 1)[0])
                       for pattern in _referrer_patterns())


@cache
def _referrer_patterns():
    return [re.compile(pattern.lstrip("^")) for pattern in settings.NO_TRACE_PATHS]
