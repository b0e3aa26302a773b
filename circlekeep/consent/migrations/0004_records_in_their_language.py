"""Documents published, and consent given, before documents had languages were in the
organization's language: Spanish for organizations in Spain, English elsewhere."""

from django.db import migrations


def in_organization_language(apps, schema_editor):
    ConsentDocument = apps.get_model("consent", "ConsentDocument")
    ConsentRecord = apps.get_model("consent", "ConsentRecord")
    ConsentDocument.objects.filter(organization__country="ES").update(language="es")
    ConsentRecord.objects.filter(document__organization__country="ES").update(language="es")


def back_to_default(apps, schema_editor):
    ConsentDocument = apps.get_model("consent", "ConsentDocument")
    ConsentRecord = apps.get_model("consent", "ConsentRecord")
    ConsentDocument.objects.update(language="en")
    ConsentRecord.objects.update(language="en")


class Migration(migrations.Migration):

    dependencies = [
        ("consent", "0003_document_languages"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(in_organization_language, back_to_default),
    ]
