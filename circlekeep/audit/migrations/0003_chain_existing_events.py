"""Link any events written before the hash chain existed, and create the chain's head."""

import hashlib
import json
from datetime import UTC

from django.db import migrations

GENESIS = "0" * 64


# The first canonical form, frozen here: migration 0006 re-hashes under the current one.
def canonical(*, sequence, created_at, actor, actor_role, event_type, target_type, target_id,
              organization, circle, subject, reason, data, request_id) -> bytes:
    return json.dumps(
        [sequence, created_at.astimezone(UTC).isoformat(timespec="microseconds"), actor,
         actor_role, event_type, target_type, target_id, organization, circle, subject,
         reason, data, request_id],
        separators=(",", ":"), sort_keys=True, ensure_ascii=False,
    ).encode()


def chain_hash(prev_hash, canonical_bytes):
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_bytes).hexdigest()


def _public(obj):
    return str(obj.public_id) if obj is not None else None


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    previous, sequence = GENESIS, 0
    events = AuditEvent.objects.order_by("sequence").select_related(
        "actor", "organization", "circle", "subject")
    for event in events.iterator(chunk_size=1000):
        sequence = event.sequence
        event.prev_hash = previous
        event.hash = chain_hash(previous, canonical(
            sequence=event.sequence, created_at=event.created_at, actor=_public(event.actor),
            actor_role=event.actor_role, event_type=event.event_type,
            target_type=event.target_type, target_id=event.target_id,
            organization=_public(event.organization), circle=_public(event.circle),
            subject=_public(event.subject), reason=event.reason, data=event.data,
            request_id=event.request_id,
        ))
        event.save(update_fields=["prev_hash", "hash"])
        previous = event.hash
    AuditHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "hash": previous})


def backwards(apps, schema_editor):
    apps.get_model("audit", "AuditHead").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
        ("accounts", "0002_initial"),
        ("orgs", "0001_initial"),
        ("circles", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
