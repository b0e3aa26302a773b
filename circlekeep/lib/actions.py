"""The action layer's contract.

An action is the only code that changes domain state. ``@action`` runs it in one
transaction and marks the context, so that the audit writer can refuse to run outside an
action and, under test, a domain write outside an action (or an action that writes
without an audit event) fails loudly instead of silently skipping the trail.
"""

import contextvars
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from circlekeep.lib import request_cache


class DomainError(Exception):
    """Bad input or a forbidden state change; the message is shown to the person."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def required_text(value, field, message, limit=4000):
    """Stripped text, or a DomainError: ``message`` when empty, a length limit when long."""
    from django.utils.translation import gettext as _

    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    if len(value) > limit:
        raise DomainError(_("Keep it under %(limit)d characters.") % {"limit": limit},
                          field=field)
    return value


class ActionForbidden(PermissionDenied):
    """The actor may see the object but may not do this to it (HTTP 403)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class ActionContext:
    name: str
    writes: list[str] = field(default_factory=list)
    events: int = 0


_current: contextvars.ContextVar[ActionContext | None] = contextvars.ContextVar(
    "circlekeep_action", default=None
)


def current_action() -> ActionContext | None:
    return _current.get()


def action(func):
    """Run ``func`` as an action: one transaction, audit required for any write."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = _current.get()
        if outer is not None:
            # A nested action belongs to the outer one's transaction and audit duty.
            with transaction.atomic():
                return func(*args, **kwargs)
        context = ActionContext(func.__qualname__)
        token = _current.set(context)
        try:
            with request_cache.scope(), transaction.atomic():
                result = func(*args, **kwargs)
                if settings.GUARD_ACTION_WRITES and context.writes and not context.events:
                    raise AssertionError(
                        f"{func.__qualname__} wrote {sorted(set(context.writes))} "
                        "without recording an audit event"
                    )
                return result
        finally:
            _current.reset(token)

    wrapper.is_action = True
    return wrapper


def note_domain_write(sender, instance=None, **kwargs):
    """Signal receiver: remember a domain write, or refuse one outside an action."""
    if not settings.GUARD_ACTION_WRITES:
        return
    context = _current.get()
    if context is None:
        raise AssertionError(
            f"{sender._meta.label} was written outside an action; "
            "state changes go through a do_* function in the app's actions.py"
        )
    context.writes.append(sender._meta.label)
