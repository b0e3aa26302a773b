"""Encrypt reasons that were stored before they became protected text."""

from django.db import connection, migrations

from circlekeep.vault import crypto


def forwards(apps, schema_editor):
    DataKey = apps.get_model("vault", "DataKey")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.public_id, m.user_id FROM circles_membershipchange c "
            "JOIN circles_membership m ON m.id = c.membership_id "
            "WHERE c.reason <> '' AND c.reason NOT LIKE 'v1:%%'")
        rows = cursor.fetchall()
    for change_id, public_id, user_id in rows:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reason FROM circles_membershipchange WHERE id = %s",
                           [change_id])
            plaintext = cursor.fetchone()[0]
        key = DataKey.objects.filter(scope="member", user_id=user_id, retired_at=None).first()
        if key is None:
            key = DataKey(scope="member", user_id=user_id)
            key.wrapped, key.kek_id = crypto.wrap(crypto.new_data_key(), key.key_id)
            key.save()
        dek = crypto.unwrap(key.wrapped, key.key_id, key.kek_id)
        aad = f"circles.MembershipChange.reason:{public_id}:{key.key_id}".encode()
        envelope = crypto.encrypt(dek, key.key_id, plaintext, aad)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE circles_membershipchange SET reason = %s WHERE id = %s",
                           [envelope, change_id])


class Migration(migrations.Migration):
    dependencies = [("circles", "0005_seal_membership_change_reason"),
                    ("vault", "0001_data_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
