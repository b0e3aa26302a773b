"""On PostgreSQL, the audit tables refuse UPDATE, DELETE and TRUNCATE.

The checks fire for the application's own role; only a database superuser (who could drop
the triggers anyway) can set session_replication_role to bypass them.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditcheckpoint")

FORWARD = """
CREATE OR REPLACE FUNCTION circlekeep_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {t}_no_update_delete BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION circlekeep_audit_append_only();
CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION circlekeep_audit_append_only();
""" for t in TABLES)

BACKWARD = "".join(f"""
DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t};
DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};
""" for t in TABLES) + "DROP FUNCTION IF EXISTS circlekeep_audit_append_only();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
