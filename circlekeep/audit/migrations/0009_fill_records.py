"""Write each existing event's record: the canonical text its hash already covers."""

from django.db import migrations

from circlekeep.audit.chain import canonical_sql

TABLES = ("audit_auditevent",)


def forwards(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", params=None)
    schema_editor.execute(f"UPDATE audit_auditevent SET record = {canonical_sql()}", params=None)
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_record_column")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
