"""What every signed-in page needs to keep the person's work: when the idle warning is due,
and a form's fields kept over a sign-in (``middleware.restore_form_draft``). Read from the
session the middleware already loaded: no query."""

from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


@cache
def _dialog_parts(language, warn_minutes):
    """The warning's words and buttons are the same on every page in a language: rendered
    once per process (every signed-in page carries the dialog)."""
    context = {"minutes": warn_minutes}
    return (mark_safe(render_to_string("_partials/session_keeper_words.html", context)),  # noqa: S308
            mark_safe(render_to_string("_partials/session_keeper_buttons.html", context)))  # noqa: S308


def session_keeper(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from circlekeep.accounts.middleware import idle_limit, idle_seconds_left

    warn_minutes = max(int(settings.IDLE_WARNING.total_seconds()) // 60, 1)
    words, buttons = _dialog_parts(get_language(), warn_minutes)
    return {
        "session_keeper": {
            "words": words, "buttons": buttons,
            "seconds_left": idle_seconds_left(request),
            "limit_seconds": idle_limit(request),
            "warn_seconds": int(settings.IDLE_WARNING.total_seconds()),
            "warn_minutes": warn_minutes,
        },
        "restored_form": getattr(request, "restored_form", None),
    }
