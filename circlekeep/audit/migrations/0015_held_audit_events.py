import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0014_head_follows_earlier_checkpoints'),
        ('circles', '0007_circle_meeting_details_onboardingmessage_and_more'),
        ('orgs', '0003_organization_members_read_notes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HeldAuditEvent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('day', models.DateField()),
                ('event_type', models.CharField(max_length=80)),
                ('target_type', models.CharField(max_length=60)),
                ('target_id', models.CharField(max_length=64)),
                ('reason', models.TextField(blank=True)),
                ('data_json', models.TextField(blank=True, default='{}')),
                ('circle', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='circles.circle')),
                ('organization', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization')),
                ('subject', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
