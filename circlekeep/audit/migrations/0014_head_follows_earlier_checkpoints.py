"""The first chained checkpoint follows the newest checkpoint made before checkpoints were
chained, so the head starts from it (and signs at the next append)."""

from django.db import migrations


def forwards(apps, schema_editor):
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    AuditHead = apps.get_model("audit", "AuditHead")
    newest = AuditCheckpoint.objects.order_by("-sequence").first()
    if newest is not None:
        AuditHead.objects.filter(pk=1).update(signed_sequence=newest.sequence,
                                              signed_digest="", sign_due_sequence=0,
                                              sign_due_us=0)


class Migration(migrations.Migration):
    dependencies = [("audit", "0013_chained_checkpoints")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
