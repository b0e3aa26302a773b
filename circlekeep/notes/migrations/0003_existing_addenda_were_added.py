"""Addenda written before review existed were added when they were written."""

from django.db import migrations
from django.db.models import F


def mark_added(apps, schema_editor):
    Addendum = apps.get_model("notes", "Addendum")
    Addendum.objects.filter(added_at__isnull=True).update(added_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [("notes", "0002_redaction_flags_and_addendum_review")]

    operations = [migrations.RunPython(mark_added, migrations.RunPython.noop)]
