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
