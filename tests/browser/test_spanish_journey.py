"""A member whose language is Spanish signs in, sees the home in Spanish, reads and
consents to the Spanish consent document and signs the Spanish agreement; the records
keep the Spanish texts' hashes. At desktop width and on a phone, with axe-core on every
page."""

import pytest

from circlekeep.accounts.actions import do_update_profile
from circlekeep.agreements.models import Agreement, Signature
from circlekeep.consent.models import ConsentRecord
from circlekeep.orgs.models import Organization
from circlekeep.testing import PASSWORD, make_member

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_spanish_member_consents_and_signs_in_spanish(live_cast, visit, width):
    cast = live_cast
    membership = make_member(cast.circle, "nia@example.test", name="Nia",
                             full_name="Nia Morales", actor=cast.facilitator,
                             status="onboarding")
    do_update_profile(membership.user, display_name="Nia", pronouns="", language="es",
                      time_zone="America/Los_Angeles", actor=membership.user)
    nia = visit(width=width, locale="es-ES")
    nia.goto("/accounts/sign-in/")
    assert "Iniciar sesión" in nia.page.inner_text("body")
    nia.fill("Correo electrónico", "nia@example.test")
    nia.fill("Contraseña", PASSWORD)
    nia.click("Iniciar sesión")
    assert "Hola, Nia" in nia.text()

    nia.goto(f"/circles/memberships/{membership.public_id}/onboarding/")
    nia.click("Da tu consentimiento", role="link")
    nia.click("Leer y consentir", role="link")
    page = nia.text()
    assert "Consentimiento informado para participar en un grupo (California)" in page
    assert "Los límites de la confidencialidad" in page
    assert "The limits of confidentiality" not in page
    nia.fill("Escribe tu nombre completo para dar tu consentimiento", "Nia Morales")
    nia.click("Doy mi consentimiento")
    assert "tu consentimiento está registrado" in nia.text()

    nia.goto(f"/circles/memberships/{membership.public_id}/onboarding/")
    nia.click("Firma el acuerdo del círculo", role="link")
    assert "Lo que se dice aquí, se queda aquí" in nia.text()
    nia.fill("Escribe tu nombre completo para firmar", "Nia Morales")
    nia.click("Firmar")
    assert "Firmaste la versión 1 del acuerdo." in nia.text()

    document = Organization.objects.get(pk=cast.org.pk).consent_document
    consent = ConsentRecord.objects.get(subject=membership.user, document=document)
    assert (consent.language, consent.text_sha256) == ("es",
                                                       document.translations["es"]["sha256"])
    version = Agreement.objects.get(circle=cast.circle).current_version
    signature = Signature.objects.get(membership=membership, version=version)
    assert (signature.language, signature.text_sha256) == (
        "es", version.translations["es"]["sha256"])
