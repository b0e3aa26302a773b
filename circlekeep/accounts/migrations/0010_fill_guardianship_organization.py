"""Guardianships made before they belonged to an organization: the organization whose
accepted guardian invitation made them (else the ward's first organization)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Guardianship = apps.get_model("accounts", "Guardianship")
    Invitation = apps.get_model("accounts", "Invitation")
    Membership = apps.get_model("circles", "Membership")
    for link in Guardianship.objects.filter(organization=None):
        invitation = (Invitation.objects.filter(kind="guardian", user_id=link.guardian_id,
                                                ward_id=link.ward_id)
                      .exclude(accepted_at=None).order_by("accepted_at").first())
        if invitation is not None:
            organization_id = invitation.organization_id
        else:
            membership = (Membership.objects.filter(user_id=link.ward_id)
                          .order_by("created_at").first())
            organization_id = membership.circle.organization_id if membership else None
        if organization_id is not None:
            Guardianship.objects.filter(pk=link.pk).update(organization_id=organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_guardianship_per_organization"),
        ("circles", "0008_declarations_name_people_only_sealed"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
