"""Bridging domain errors to Django forms, and forms that are sent once."""

from contextlib import contextmanager

from circlekeep.lib.actions import DomainError


def add_domain_error(form, error: DomainError):
    """Show an action's error beside the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


ONCE_SECONDS = 600


class AlreadySubmitted(Exception):
    """This very form was sent a moment ago (a double click); nothing more was done."""


class SubmitOnceMixin:
    """A form carrying a random token, so that sending the same page twice (a double
    click, a resend after a slow answer) creates one record, not two."""

    def __init__(self, *args, **kwargs):
        import secrets

        from django import forms

        super().__init__(*args, **kwargs)
        self.fields["once"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                              max_length=64,
                                              initial=secrets.token_urlsafe(16))


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
