"""Existing organizations get the time zone of their country or region (a copy of the
main zones of circlekeep/lib/times.py, frozen here as migrations do not import app code);
admins change it on the organization's settings page."""

from django.db import migrations

COUNTRY_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
    "CO": "America/Bogota", "ES": "Europe/Madrid", "GB": "Europe/London",
    "MX": "America/Mexico_City", "PE": "America/Lima", "PR": "America/Puerto_Rico",
    "US": "America/New_York",
}
REGION_ZONES = {
    ("ES", "CN"): "Atlantic/Canary", ("US", "AZ"): "America/Phoenix",
    **{("US", state): "America/Los_Angeles" for state in ("CA", "NV", "OR", "WA")},
    **{("US", state): "America/Denver" for state in ("CO", "ID", "MT", "NM", "UT", "WY")},
    **{("US", state): "America/Chicago" for state in ("IL", "MN", "TX", "WI")},
}


def from_jurisdiction(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    for organization in Organization.objects.all():
        zone = (REGION_ZONES.get((organization.country, organization.region))
                or COUNTRY_ZONES.get(organization.country) or "UTC")
        Organization.objects.filter(pk=organization.pk).update(time_zone=zone)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_organization_time_zone"),
    ]

    operations = [
        migrations.RunPython(from_jurisdiction, migrations.RunPython.noop),
    ]
