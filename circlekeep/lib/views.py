"""Small helpers the apps' views share."""

from django.contrib import messages
from django.shortcuts import redirect

from circlekeep.lib.actions import DomainError


def run_then_redirect(request, do, success, to, **kwargs):
    """Run one action (``do``): show its DomainError, or ``success``; then redirect."""
    try:
        do()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(to, **kwargs)


def confirm_or_run(request, form, do, *, success, to, page):
    """A destructive action's page: on GET (or a form with errors) the confirmation page
    that says what will happen; on POST, run ``do`` once (a double click runs it once, the
    second click only redirects), show its DomainError or ``success``, then go to ``to``.

    ``success`` is the message, or a function of the action's result that makes it.
    ``page`` is the confirmation page's context: ``title``, ``consequences`` (sentences
    saying what will happen), ``confirm`` (the button) and ``cancel_url``.
    """
    from django.shortcuts import render

    from circlekeep.lib.once import AlreadySubmitted, submitted_once

    if request.method == "POST" and form.is_valid():
        try:
            with submitted_once(form):
                result = do(form.cleaned_data)
        except AlreadySubmitted:
            pass
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success(result) if callable(success) else success)
        return redirect(to)
    return render(request, "confirm.html", {"form": form, **page})
