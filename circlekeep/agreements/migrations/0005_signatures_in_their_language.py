"""Versions adopted, and signatures made, before versions had languages were in the
organization's language: Spanish for organizations in Spain, English elsewhere."""

from django.db import migrations


def in_organization_language(apps, schema_editor):
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    Signature = apps.get_model("agreements", "Signature")
    AgreementVersion.objects.filter(
        agreement__circle__organization__country="ES").update(language="es")
    Signature.objects.filter(
        version__agreement__circle__organization__country="ES").update(language="es")


def back_to_default(apps, schema_editor):
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    Signature = apps.get_model("agreements", "Signature")
    AgreementVersion.objects.update(language="en")
    Signature.objects.update(language="en")


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0004_version_languages"),
        ("circles", "0002_initial"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(in_organization_language, back_to_default),
    ]
