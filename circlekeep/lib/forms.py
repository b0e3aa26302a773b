"""Bridging domain errors to Django forms."""

from circlekeep.lib.actions import DomainError


def add_domain_error(form, error: DomainError):
    """Show an action's error beside the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
