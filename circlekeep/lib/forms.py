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


def confirm_form(request, **fields):
    """The form of a confirmation page: the send-once token (a double click does the thing
    once) and any ``fields`` the action takes (a reason). Bound on POST, even an empty one:
    a POST is the confirmation."""
    from django import forms

    form_class = type("ConfirmForm", (SubmitOnceMixin, forms.Form), dict(fields))
    return form_class(request.POST if request.method == "POST" else None)
