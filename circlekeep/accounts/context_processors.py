"""What every signed-in page needs to keep the person's work: when the idle warning is due,
and a form's fields kept over a sign-in (``middleware.restore_form_draft``). Read from the
session the middleware already loaded: no query."""

from django.conf import settings


def session_keeper(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from circlekeep.accounts.middleware import idle_limit, idle_seconds_left

    return {
        "session_keeper": {
            "seconds_left": idle_seconds_left(request),
            "limit_seconds": idle_limit(request),
            "warn_seconds": int(settings.IDLE_WARNING.total_seconds()),
            "warn_minutes": max(int(settings.IDLE_WARNING.total_seconds()) // 60, 1),
        },
        "restored_form": getattr(request, "restored_form", None),
    }
