"""Invitations made before they carried the inviter's word about age: an account not yet
activated that was created as a minor keeps that word on its pending invitations."""

from django.db import migrations


def forwards(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    Invitation.objects.filter(user__is_active=False, user__is_minor=True,
                              accepted_at=None).update(minor=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_invitation_says_minor")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
