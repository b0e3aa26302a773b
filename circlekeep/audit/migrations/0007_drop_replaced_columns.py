from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_rechain_canonical_columns")]
    operations = [
        migrations.RemoveField(model_name="auditevent", name="created_at"),
        migrations.RemoveField(model_name="auditevent", name="data"),
        migrations.AlterField(model_name="auditevent", name="at_us",
                              field=models.BigIntegerField(db_index=True)),
    ]
