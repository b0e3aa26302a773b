import uuid

from django.db import migrations


def forwards(apps, schema_editor):
    MembershipChange = apps.get_model("circles", "MembershipChange")
    for change in MembershipChange.objects.filter(public_id=None).iterator():
        change.public_id = uuid.uuid4()
        change.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("circles", "0002_membershipchange_public_id")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
