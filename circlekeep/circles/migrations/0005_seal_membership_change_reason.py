import circlekeep.vault.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("circles", "0004_membershipchange_public_id_unique")]
    operations = [
        migrations.AlterField(
            model_name="membershipchange", name="reason",
            field=circlekeep.vault.fields.SealedTextField(blank=True, default="",
                                                          owner="membership__user",
                                                          scope="member"),
        ),
    ]
