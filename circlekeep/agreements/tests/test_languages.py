"""The agreement in the member's own language: the template ships in English and Spanish,
a Spanish reader is shown and signs the Spanish text, and the signature keeps which
text's hash was signed."""

import pytest
from django.test import Client
from django.urls import reverse

from circlekeep.accounts.actions import do_create_api_token, do_update_profile
from circlekeep.agreements import actions, defaults
from circlekeep.agreements.checking import check_pdf, check_text
from circlekeep.agreements.models import Agreement, LadderStep, Signature
from circlekeep.agreements.pdf import signature_pdf
from circlekeep.lib.canonical import sha256_of
from circlekeep.testing import just_signed_in, make_member, signed_in_client

pytestmark = pytest.mark.django_db


def current(circle):
    return Agreement.objects.get(circle=circle).current_version


def spanish_member(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    do_update_profile(nia.user, display_name="Nia", pronouns="", language="es",
                      time_zone="UTC", actor=nia.user)
    return nia


def test_the_template_and_ladder_ship_in_both_languages_clause_for_clause():
    for country, other in (("US", "es"), ("ES", "en")):
        clauses, ladder, translations = defaults.default_template(country)
        assert set(translations) == {other}
        assert len(translations[other]["clauses"]) == len(clauses)
        assert [e["step"] for e in translations[other]["ladder"]] == list(LadderStep.values)
        assert [e["step"] for e in ladder] == list(LadderStep.values)
    english, _ladder, spanish = defaults.default_template("US")
    assert english[-1]["title"] == "Limits of confidentiality"
    assert spanish["es"]["clauses"][-1]["title"] == "Límites de la confidencialidad"


def test_a_circle_version_carries_the_spanish_text_with_its_own_hash(cast):
    version = current(cast.circle)
    spanish = version.translations["es"]
    assert version.language == "en"
    assert spanish["text"].startswith("Acuerdo del círculo, versión 1")
    assert "Lo que se dice aquí, se queda aquí" in spanish["text"]
    assert "Baja definitiva del círculo." in spanish["text"]
    assert spanish["sha256"] == sha256_of(spanish["text"]) != version.sha256
    assert [c["key"] for c in spanish["clauses"]] == [c["key"] for c in version.clauses]


def test_a_spanish_member_is_shown_the_spanish_agreement(cast):
    nia = spanish_member(cast)
    html = signed_in_client(nia.user).get(
        reverse("agreements:circle", args=[cast.circle.public_id])).content.decode()
    assert "Lo que se dice aquí, se queda aquí" in html
    assert "What is said here stays here" not in html
    assert current(cast.circle).translations["es"]["sha256"] in html


def test_a_spanish_signature_records_the_spanish_hash_and_checks_out(cast):
    nia = spanish_member(cast)
    version = current(cast.circle)
    response = signed_in_client(nia.user).post(
        reverse("agreements:sign", args=[version.public_id]),
        {"typed_name": "Nia Tester", "language": "es"})
    assert response.status_code == 302
    signature = Signature.objects.get(membership=nia, version=version)
    assert (signature.language, signature.text_sha256) == (
        "es", version.translations["es"]["sha256"])
    assert check_pdf(cast.circle.agreement, signature_pdf(signature)).matches
    assert check_text(cast.circle.agreement, version.translations["es"]["text"]).matches


def test_an_english_member_signs_the_english_hash(cast):
    signature = Signature.objects.get(membership=cast.membership)
    assert (signature.language, signature.text_sha256) == ("en", signature.version.sha256)


def test_an_adopted_change_keeps_the_translation_of_untouched_clauses(cast):
    before = current(cast.circle)
    proposal = actions.do_propose_change(
        cast.circle.agreement, kind="change", clause_key="c3", title="Listening",
        text="We listen without interrupting.", reason="Shorter", actor=cast.member)
    version = actions.do_adopt_proposal(proposal, reason="Agreed", actor=cast.facilitator)
    spanish = version.translations["es"]["clauses"]
    assert spanish[0] == before.translations["es"]["clauses"][0]
    assert spanish[2] == {"key": "c3", "title": "Listening",
                          "text": "We listen without interrupting."}
    assert version.translations["es"]["sha256"] == sha256_of(version.translations["es"]["text"])


def test_editing_the_template_drops_the_translation_that_no_longer_matches(cast):
    template = actions.ensure_template(cast.org)
    assert "es" in template.translations
    clauses = [*template.clauses, {"title": "Phones", "text": "Phones stay off."}]
    template = actions.do_update_template(cast.org, clauses=clauses, ladder=template.ladder,
                                          actor=cast.admin)
    assert template.translations == {}


def test_through_the_api_a_member_signs_in_their_account_language_unless_they_say(cast):
    nia = spanish_member(cast)
    version = current(cast.circle)
    _token, secret = do_create_api_token(nia.user, name="t", days=1, actor=nia.user,
                                         proof=just_signed_in(nia.user))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(f"/api/v1/agreement-versions/{version.public_id}/signatures",
                           {"typed_name": "Nia Tester"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["language"], response.json()["text_sha256"]) == (
        "es", version.translations["es"]["sha256"])
