"""One cache per request, for answers a request asks for more than once (a person's
staff roles, the role they act in for a circle).

The cache lives for one request (RequestCacheMiddleware opens and closes it), or for one
action run outside a request (a command, a test), and holds nothing protected. Outside
both, every question is answered afresh. An action that changes an answer forgets it.
"""

import contextvars

_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "circlekeep_request_cache", default=None)


def cached(key, compute):
    """``compute()``, remembered under ``key`` for the rest of the request."""
    store = _cache.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def remember(key, value):
    store = _cache.get()
    if store is not None:
        store[key] = value


def recall(key, default=None):
    store = _cache.get()
    return default if store is None else store.get(key, default)


def forget(key):
    store = _cache.get()
    if store is not None:
        store.pop(key, None)


class scope:
    """Open a cache for the block unless one is open already (the action wrapper uses it,
    so that an action run by a command asks each question once too)."""

    def __enter__(self):
        self._token = _cache.set({}) if _cache.get() is None else None
        return self

    def __exit__(self, *exc):
        if self._token is not None:
            _cache.reset(self._token)
        return False


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
