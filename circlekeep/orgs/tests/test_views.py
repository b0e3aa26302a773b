import pytest

from circlekeep.orgs.models import Organization
from circlekeep.testing import signed_in_client

pytestmark = pytest.mark.django_db


def test_the_settings_page_edits_the_api_token_lifetime(cast):
    url = f"/org/{cast.org.public_id}/settings/"
    ada = signed_in_client(cast.admin)
    assert 'name="api_token_max_days" value="90"' in ada.get(url).content.decode()
    fields = {"name": cast.org.name, "country": "US", "region": "CA",
              "time_zone": "America/Los_Angeles"}
    response = ada.post(url, {**fields, "api_token_max_days": "366"})
    assert "less than or equal to 365" in response.content.decode()
    assert Organization.objects.get(pk=cast.org.pk).api_token_max_days == 90
    assert ada.post(url, {**fields, "api_token_max_days": "30"}).status_code == 302
    assert Organization.objects.get(pk=cast.org.pk).api_token_max_days == 30
