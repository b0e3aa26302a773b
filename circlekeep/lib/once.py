"""Sending a form once: a double click creates one record, not two."""

from contextlib import contextmanager


def _until_the_day_ends():
    """Seconds to midnight UTC: a token's expiry must not tell when the form was sent
    (the concern form may be anonymous)."""
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(int((midnight - now).total_seconds()), 1)


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
    if key is not None and not cache.add(key, 1, _until_the_day_ends()):
        raise AlreadySubmitted
    try:
        yield
    except BaseException:
        if key is not None:
            cache.delete(key)
        raise
