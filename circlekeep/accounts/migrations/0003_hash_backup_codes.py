"""Store backup codes issued before hashing as keyed hashes too."""

from django.db import migrations


def forwards(apps, schema_editor):
    from circlekeep.accounts.actions import backup_code_token

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all():
        hashed = backup_code_token(token.token)
        if token.token != hashed:
            token.token = hashed
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("otp_static", "0003_add_timestamps"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
