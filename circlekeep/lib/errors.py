"""Error pages that say what happened without revealing what exists."""

from django.shortcuts import render


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    message = getattr(exception, "message", None)
    # A refusal that knows where the missing step is done (training/access.py) links to it.
    link = getattr(exception, "link", None)
    return render(request, "errors/403.html", {"message": message, "link": link}, status=403)


def forbidden(request, message):
    """A 403 page that says why (for refusals a view decides itself)."""
    return render(request, "errors/403.html", {"message": message}, status=403)


def server_error(request):
    return render(request, "errors/500.html", status=500)
