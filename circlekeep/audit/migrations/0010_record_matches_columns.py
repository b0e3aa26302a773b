import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_fill_records")]
    operations = [
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.CheckConstraint(condition=models.Q(('record', django.db.models.expressions.RawSQL("CASE WHEN sequence IS NULL THEN '~' ELSE CAST(LENGTH(CAST(sequence AS TEXT)) AS TEXT) || ':' || CAST(sequence AS TEXT) END || '|' || CASE WHEN at_us IS NULL THEN '~' ELSE CAST(LENGTH(CAST(at_us AS TEXT)) AS TEXT) || ':' || CAST(at_us AS TEXT) END || '|' || CASE WHEN actor_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(actor_id AS TEXT)) AS TEXT) || ':' || CAST(actor_id AS TEXT) END || '|' || CASE WHEN actor_role IS NULL THEN '~' ELSE CAST(LENGTH(CAST(actor_role AS TEXT)) AS TEXT) || ':' || CAST(actor_role AS TEXT) END || '|' || CASE WHEN event_type IS NULL THEN '~' ELSE CAST(LENGTH(CAST(event_type AS TEXT)) AS TEXT) || ':' || CAST(event_type AS TEXT) END || '|' || CASE WHEN target_type IS NULL THEN '~' ELSE CAST(LENGTH(CAST(target_type AS TEXT)) AS TEXT) || ':' || CAST(target_type AS TEXT) END || '|' || CASE WHEN target_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(target_id AS TEXT)) AS TEXT) || ':' || CAST(target_id AS TEXT) END || '|' || CASE WHEN organization_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(organization_id AS TEXT)) AS TEXT) || ':' || CAST(organization_id AS TEXT) END || '|' || CASE WHEN circle_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(circle_id AS TEXT)) AS TEXT) || ':' || CAST(circle_id AS TEXT) END || '|' || CASE WHEN subject_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(subject_id AS TEXT)) AS TEXT) || ':' || CAST(subject_id AS TEXT) END || '|' || CASE WHEN reason IS NULL THEN '~' ELSE CAST(LENGTH(CAST(reason AS TEXT)) AS TEXT) || ':' || CAST(reason AS TEXT) END || '|' || CASE WHEN data_json IS NULL THEN '~' ELSE CAST(LENGTH(CAST(data_json AS TEXT)) AS TEXT) || ':' || CAST(data_json AS TEXT) END || '|' || CASE WHEN request_id IS NULL THEN '~' ELSE CAST(LENGTH(CAST(request_id AS TEXT)) AS TEXT) || ':' || CAST(request_id AS TEXT) END", []))), name='audit_record_matches_columns'),
        ),
    ]
