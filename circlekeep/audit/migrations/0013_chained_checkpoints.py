from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0012_audit_keys_without_constraints'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditcheckpoint',
            name='due_sequence',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='due_us',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='previous',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='previous_digest',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='audithead',
            name='sign_due_sequence',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='audithead',
            name='sign_due_us',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='audithead',
            name='signed_digest',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='audithead',
            name='signed_sequence',
            field=models.BigIntegerField(default=0),
        ),
    ]
