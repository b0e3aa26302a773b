import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("circles", "0003_fill_membershipchange_public_id")]
    operations = [
        migrations.AlterField(model_name="membershipchange", name="public_id",
                              field=models.UUIDField(default=uuid.uuid4, editable=False,
                                                     unique=True)),
    ]
