"""A guardian chosen by one organization sees and does nothing in another."""

import pytest

from circlekeep.consent.actions import do_give_consent
from circlekeep.lib.actions import DomainError
from circlekeep.orgs.models import Organization
from circlekeep.testing import link_guardian, make_circle, make_member, signed_in_client

pytestmark = pytest.mark.django_db


def test_harbors_chosen_guardian_neither_sees_nor_consents_in_riverside(cast):
    teen = make_circle(cast.org, "Riverside teen circle", lead=cast.facilitator,
                       allows_minors=True)
    tia = make_member(teen, "tia@example.test", name="Tia", actor=cast.facilitator,
                      is_minor=True, status="onboarding")
    harbor_youth = make_circle(cast.other_org, "Harbor youth", lead=cast.other_admin,
                               allows_minors=True)
    harbor = make_member(harbor_youth, "tia@example.test", name="Tia", actor=cast.other_admin,
                         is_minor=True, status="onboarding")
    ozzy = link_guardian(harbor, "oscar.private@harbor.test", actor=cast.other_admin,
                         name="Ozzy", full_name="Ozzy Guardian")
    page = signed_in_client(ozzy).get("/").content.decode()
    assert "Harbor youth" in page and "Riverside teen circle" not in page
    riverside_document = Organization.objects.get(pk=cast.org.pk).consent_document
    assert signed_in_client(ozzy).get(
        f"/consent/documents/{riverside_document.public_id}/").status_code == 404
    with pytest.raises(DomainError, match="whose guardian you are"):
        do_give_consent(riverside_document, typed_name="Ozzy Guardian", actor=ozzy,
                        ward=tia.user)
    # Riverside invites its own guardian for Tia; the same person may be chosen twice.
    link_guardian(tia, "oscar.private@harbor.test", actor=cast.facilitator)
    do_give_consent(riverside_document, typed_name="Ozzy Guardian", actor=ozzy, ward=tia.user)
