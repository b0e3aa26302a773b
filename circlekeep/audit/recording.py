"""The one audit writer."""

from django.db import transaction
from django.utils import timezone

from circlekeep.audit.events import EVENT_TYPES
from circlekeep.lib.actions import current_action
from circlekeep.lib.middleware import current_request_id

PROTECTED_DATA_KEYS = {"text", "body", "note", "answer", "question", "password", "code", "token"}


def record(event_type, *, actor, target, organization=None, circle=None, subject=None,
           reason="", data=None, actor_role=None):
    """Append one audit event inside the caller's transaction.

    ``data`` holds ids and field names with old/new values, never protected text; keys
    that name protected content are refused so that a slip fails in tests, not in a clinic.
    """
    from circlekeep.audit.models import AuditEvent
    from circlekeep.orgs.access import role_label

    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown audit event type {event_type!r}; add it to audit/events.py")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    data = dict(data or {})
    leaked = PROTECTED_DATA_KEYS & set(data)
    if leaked:
        raise ValueError(f"Audit data may not carry protected fields: {sorted(leaked)}")
    if circle is not None and organization is None:
        organization = circle.organization
    if actor_role is None:
        actor_role = role_label(actor, organization=organization, circle=circle, subject=subject)
    event = AuditEvent.objects.create(
        created_at=timezone.now(),
        actor=actor,
        actor_role=actor_role,
        event_type=event_type,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", getattr(target, "pk", ""))) if target else "",
        organization=organization,
        circle=circle,
        subject=subject,
        reason=reason,
        data=data,
        request_id=current_request_id(),
    )
    context = current_action()
    if context is not None:
        context.events += 1
    return event
