"""One cache per request, for answers a request asks for more than once (a person's
staff roles, the role they act in for a circle).

The cache lives for one request (RequestCacheMiddleware opens and closes it) and holds
nothing protected. Outside a request (commands, tests calling actions) there is none, and
every question is answered afresh. An action that changes an answer forgets it.
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


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
