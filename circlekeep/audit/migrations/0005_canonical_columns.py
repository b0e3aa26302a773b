from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_append_only_triggers")]
    operations = [
        migrations.AddField(model_name="auditevent", name="at_us",
                            field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="auditevent", name="data_json",
                            field=models.TextField(blank=True, default="{}")),
    ]
