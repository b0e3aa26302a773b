"""Sending a form once: a double click creates one record, not two."""

from contextlib import contextmanager

ONCE_SECONDS = 600


class AlreadySubmitted(Exception):
    """This very form was sent a moment ago (a double click); nothing more was done."""


@contextmanager
def submitted_once(form):
    """Run the block only for the first submission of ``form``'s token; a repeat raises
    AlreadySubmitted. If the block fails, the token is released so that the corrected
    form can be sent. The token is random and stored hashed, briefly, in the cache: it
    links nothing to anyone (anonymous reports use it too)."""
    import hashlib

    from django.core.cache import cache

    token = form.cleaned_data.get("once") or ""
    key = "once:" + hashlib.sha256(token.encode()).hexdigest() if token else None
    if key is not None and not cache.add(key, 1, ONCE_SECONDS):
        raise AlreadySubmitted
    try:
        yield
    except BaseException:
        if key is not None:
            cache.delete(key)
        raise
