"""Consent documents in the member's own language: every default ships in English and
Spanish, a Spanish reader is shown and consents to the Spanish text, and the record keeps
which text's hash was consented to."""

import pytest
from django.urls import reverse

from circlekeep.accounts.actions import do_update_profile
from circlekeep.consent import actions, defaults
from circlekeep.consent.models import ConsentRecord
from circlekeep.lib.canonical import sha256_of
from circlekeep.orgs.models import Organization
from circlekeep.testing import make_member, signed_in_client

pytestmark = pytest.mark.django_db


def in_force(org):
    return Organization.objects.get(pk=org.pk).consent_document


def speaks_spanish(user):
    return do_update_profile(user, display_name=user.display_name, pronouns=user.pronouns,
                             language="es", time_zone=user.time_zone, actor=user)


@pytest.mark.parametrize("jurisdiction", ["US-CA", "ES", "ES-MD", "MX"])
def test_every_default_ships_in_english_and_spanish(jurisdiction):
    documents = defaults.default_documents(jurisdiction)
    assert set(documents) == {"en", "es"}
    for language, document in documents.items():
        assert document["language"] == language
        assert set(document["sections"]) == set(defaults.SECTION_KEYS)
        assert len(document["reporting_categories"]) == 5
        assert document["guardian_sharing"]
    english, spanish = documents["en"], documents["es"]
    for key in defaults.SECTION_KEYS:
        assert english["sections"][key] != spanish["sections"][key]
    assert english["title"] != spanish["title"]


def test_a_california_organization_publishes_both_texts_each_with_its_hash(cast):
    document = in_force(cast.org)
    assert document.language == "en"
    spanish = document.translations["es"]
    assert spanish["title"].startswith("Consentimiento informado")
    assert "Los límites de la confidencialidad" in spanish["text"]
    assert "Peligro inminente" in spanish["text"]
    assert spanish["sha256"] == sha256_of(spanish["text"]) != document.sha256


def test_a_spanish_organization_edits_in_spanish_and_ships_english_too(cast):
    document = in_force(cast.other_org)
    assert document.language == "es"
    assert document.title.startswith("Consentimiento informado")
    assert document.translations["en"]["title"] == (
        "Informed consent to take part in a group (Spain)")


def test_a_spanish_member_is_shown_the_spanish_text(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    speaks_spanish(nia.user)
    document = in_force(cast.org)
    page = signed_in_client(nia.user).get(reverse("consent:document",
                                                  args=[document.public_id]))
    html = page.content.decode()
    assert "Consentimiento informado para participar en un grupo (California)" in html
    assert "Los límites de la confidencialidad" in html
    assert document.translations["es"]["sha256"] in html
    assert "The limits of confidentiality" not in html


def test_consent_given_in_spanish_records_the_spanish_hash(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    speaks_spanish(nia.user)
    document = in_force(cast.org)
    response = signed_in_client(nia.user).post(
        reverse("consent:document", args=[document.public_id]),
        {"typed_name": "Nia Tester", "language": "es"})
    assert response.status_code == 302
    record = ConsentRecord.objects.get(subject=nia.user, document=document)
    assert (record.language, record.text_sha256) == ("es", document.translations["es"]["sha256"])


def test_an_english_reader_consents_to_the_english_text(cast):
    record = ConsentRecord.objects.get(subject=cast.member, document=in_force(cast.org))
    assert (record.language, record.text_sha256) == ("en", in_force(cast.org).sha256)


def test_a_language_the_version_lacks_consents_to_the_organization_text(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    document = in_force(cast.org)
    record = actions.do_give_consent(document, typed_name="Nia Tester", actor=nia.user,
                                     language="fr")
    assert (record.language, record.text_sha256) == ("en", document.sha256)


def test_an_edited_version_is_in_the_organization_language_only(cast):
    document = in_force(cast.org)
    sections = {s["key"]: {"title": s["title"], "text": s["text"]} for s in document.sections}
    sections["retention"]["text"] = "Records are kept for ten years."
    edited = actions.do_publish_consent_document(
        cast.org, title=document.title, sections=sections,
        reporting_categories=document.reporting_categories,
        guardian_sharing=document.guardian_sharing, actor=cast.admin)
    assert edited.translations == {}
    assert edited.reading("es").sha256 == edited.sha256
