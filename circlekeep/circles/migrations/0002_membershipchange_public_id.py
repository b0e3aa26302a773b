from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("circles", "0001_initial")]
    operations = [
        migrations.AddField(model_name="membershipchange", name="public_id",
                            field=models.UUIDField(null=True, editable=False)),
    ]
