"""Each organization has a default time zone: from its country or region when created,
changed on its settings page, and the zone its invitations start new accounts in."""

import pytest
from django.urls import reverse

from circlekeep.circles.actions import do_invite_member
from circlekeep.lib.actions import DomainError
from circlekeep.orgs.actions import do_change_org_policies, do_create_organization
from circlekeep.orgs.models import Organization
from circlekeep.testing import make_member, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("country", "region", "zone"), [
    ("US", "CA", "America/Los_Angeles"), ("US", "NY", "America/New_York"),
    ("US", "TX", "America/Chicago"), ("ES", "MD", "Europe/Madrid"),
    ("ES", "CN", "Atlantic/Canary"), ("MX", "", "America/Mexico_City"), ("ZZ", "", "UTC"),
])
def test_a_new_organization_starts_in_its_jurisdiction_zone(country, region, zone):
    org = do_create_organization(name="Northside", country=country, region=region)
    assert org.time_zone == zone


def test_the_cast_organizations_have_their_zones(cast):
    assert (cast.org.time_zone, cast.other_org.time_zone) == ("America/Los_Angeles",
                                                             "Europe/Madrid")


def test_the_settings_page_sets_the_time_zone(cast):
    url = f"/org/{cast.org.public_id}/settings/"
    ada = signed_in_client(cast.admin)
    assert '<option value="America/Los_Angeles" selected>' in ada.get(url).content.decode()
    fields = {"name": cast.org.name, "country": "US", "region": "CA",
              "api_token_max_days": "90"}
    response = ada.post(url, {**fields, "time_zone": "Mars/Olympus"})
    assert "Select a valid choice" in response.content.decode()
    assert Organization.objects.get(pk=cast.org.pk).time_zone == "America/Los_Angeles"
    assert ada.post(url, {**fields, "time_zone": "America/Denver"}).status_code == 302
    assert Organization.objects.get(pk=cast.org.pk).time_zone == "America/Denver"


def test_an_unknown_zone_changes_nothing(cast):
    with pytest.raises(DomainError, match="time zone from the list"):
        do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                               require_member_2fa=False, time_zone="Nowhere/At_All",
                               actor=cast.admin)
    assert Organization.objects.get(pk=cast.org.pk).time_zone == "America/Los_Angeles"


def test_invitations_start_the_account_in_the_organization_zone(cast):
    californian = make_member(cast.circle, "cal@example.test", name="Cal",
                              actor=cast.facilitator, status="onboarding")
    madrilena = make_member(cast.other_org_circle, "maria@example.test", name="María",
                            actor=cast.other_admin, status="onboarding")
    assert californian.user.time_zone == "America/Los_Angeles"
    assert madrilena.user.time_zone == "Europe/Madrid"


def test_the_invitation_page_offers_the_organization_zone(cast, client):
    from circlekeep.accounts.views import INVITATION_KEY

    _invitation, token = do_invite_member(cast.other_org_circle, email="ines@example.test",
                                          actor=cast.other_admin)
    session = client.session
    session[INVITATION_KEY] = token
    session.save()
    html = client.get(reverse("accounts:invitation-accept")).content.decode()
    assert '<option value="Europe/Madrid" selected>' in html
