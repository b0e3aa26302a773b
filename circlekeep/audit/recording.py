"""The one audit writer."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from circlekeep.audit.chain import canonical, chain_hash, public_key_text, sign
from circlekeep.audit.events import EVENT_TYPES
from circlekeep.lib.actions import current_action
from circlekeep.lib.middleware import current_request_id

PROTECTED_DATA_KEYS = {"text", "body", "note", "answer", "question", "password", "code", "token"}


def _public(obj):
    return str(obj.public_id) if obj is not None else None


def record(event_type, *, actor, target, organization=None, circle=None, subject=None,
           reason="", data=None, actor_role=None):
    """Append one audit event inside the caller's transaction.

    The head row is locked first, so concurrent appends queue up and each event links to
    the one before it. ``data`` holds ids and field names with old/new values, never
    protected text; keys that name protected content are refused so that a slip fails in
    tests, not in a clinic.
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
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(getattr(target, "public_id", getattr(target, "pk", ""))) if target else ""

    head = _locked_head()
    sequence = head.sequence + 1
    created_at = timezone.now()
    request_id = current_request_id()
    event_hash = chain_hash(head.hash, canonical(
        sequence=sequence, created_at=created_at, actor=_public(actor), actor_role=actor_role,
        event_type=event_type, target_type=target_type, target_id=target_id,
        organization=_public(organization), circle=_public(circle), subject=_public(subject),
        reason=reason, data=data, request_id=request_id,
    ))
    event = AuditEvent(
        sequence=sequence, created_at=created_at, actor=actor, actor_role=actor_role,
        event_type=event_type, target_type=target_type, target_id=target_id,
        organization=organization, circle=circle, subject=subject, reason=reason, data=data,
        request_id=request_id, prev_hash=head.hash, hash=event_hash,
    )
    event.save(force_insert=True)
    head.sequence, head.hash = sequence, event_hash
    head.save(update_fields=["sequence", "hash"])
    if sequence % settings.AUDIT_CHECKPOINT_EVERY == 0:
        write_checkpoint(sequence, event_hash)
    context = current_action()
    if context is not None:
        context.events += 1
    return event


def _locked_head():
    """The chain's head, locked. An empty trail starts from the genesis head; a trail with
    events but no head was tampered with, and nothing more is appended to it."""
    from circlekeep.audit.models import AuditEvent, AuditHead

    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        if AuditEvent.objects.exists():
            raise RuntimeError("The audit trail has lost its head; run `manage.py audit "
                               "verify` before anything else is recorded.")
        AuditHead.objects.create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def write_checkpoint(sequence, event_hash):
    from circlekeep.audit.models import AuditCheckpoint

    return AuditCheckpoint.objects.create(
        sequence=sequence, hash=event_hash, signature=sign(sequence, event_hash),
        public_key=public_key_text(), created_at=timezone.now(),
    )


def checkpoint_now():
    """Sign the current head (``manage.py audit checkpoint``); None if already signed."""
    from circlekeep.audit.models import AuditCheckpoint

    with transaction.atomic():
        head = _locked_head()
        if head.sequence == 0 or AuditCheckpoint.objects.filter(sequence=head.sequence).exists():
            return None
        return write_checkpoint(head.sequence, head.hash)
