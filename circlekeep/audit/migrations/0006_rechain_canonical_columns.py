"""Re-hash the trail under the canonical form that databases can rebuild in SQL.

A one-time, legitimate rewrite: the owner of the audit tables lifts its own triggers for
it, and the existing checkpoints are signed again over the new hashes.
"""

import json

from django.db import migrations

from circlekeep.audit.chain import GENESIS, canonical, canonical_data, chain_hash, sign

TABLES = ("audit_auditevent", "audit_auditcheckpoint")


def _toggle_triggers(schema_editor, enable):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER USER",
                params=None)


def forwards(apps, schema_editor):
    from circlekeep.audit.models import to_microseconds

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    _toggle_triggers(schema_editor, enable=False)
    previous, sequence, hashes = GENESIS, 0, {}
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=1000):
        data = event.data if isinstance(event.data, dict) else json.loads(event.data or "{}")
        event.at_us = to_microseconds(event.created_at)
        event.data_json = canonical_data(data)
        event.prev_hash = previous
        event.hash = chain_hash(previous, canonical([
            event.sequence, event.at_us, event.actor_id, event.actor_role, event.event_type,
            event.target_type, event.target_id, event.organization_id, event.circle_id,
            event.subject_id, event.reason, event.data_json, event.request_id]))
        event.save(update_fields=["at_us", "data_json", "prev_hash", "hash"])
        previous, sequence = event.hash, event.sequence
        hashes[sequence] = event.hash
    AuditHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "hash": previous})
    for checkpoint in AuditCheckpoint.objects.all():
        if checkpoint.sequence in hashes:
            checkpoint.hash = hashes[checkpoint.sequence]
            checkpoint.signature = sign(checkpoint.sequence, checkpoint.hash)
            checkpoint.save(update_fields=["hash", "signature"])
    _toggle_triggers(schema_editor, enable=True)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("audit", "0005_canonical_columns")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
