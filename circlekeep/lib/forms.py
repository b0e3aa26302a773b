"""Bridging domain errors to Django forms."""

from circlekeep.lib.actions import DomainError


def add_domain_error(form, error: DomainError):
    """Show an action's error beside the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


class SubmitOnceMixin:
    """A form carrying a random token, so that sending the same page twice (a double
    click, a resend after a slow answer) creates one record, not two. Views send it
    through ``circlekeep.lib.once.submitted_once``."""

    def __init__(self, *args, **kwargs):
        import secrets

        from django import forms

        super().__init__(*args, **kwargs)
        self.fields["once"] = forms.CharField(widget=forms.HiddenInput, required=False,
                                              max_length=64,
                                              initial=secrets.token_urlsafe(16))
