import json

import pytest
from django.test import Client

from circlekeep.orgs.models import Organization
from circlekeep.testing import make_api_token

pytestmark = pytest.mark.django_db


def put_org(cast, body):
    _token, headers = make_api_token(cast.admin)
    return Client().put(f"/api/v1/organizations/{cast.org.public_id}", data=json.dumps(body),
                        content_type="application/json", **headers)


def test_the_api_reads_and_sets_the_api_token_lifetime(cast):
    fields = {"name": cast.org.name, "country": "US", "region": "CA"}
    assert put_org(cast, fields).json()["api_token_max_days"] == 90  # left out: unchanged
    bad = put_org(cast, {**fields, "api_token_max_days": 0})
    assert bad.status_code == 400 and bad.json()["field"] == "api_token_max_days"
    assert "from 1 to 365" in bad.json()["detail"]
    good = put_org(cast, {**fields, "api_token_max_days": 14})
    assert good.status_code == 200 and good.json()["api_token_max_days"] == 14
    assert Organization.objects.get(pk=cast.org.pk).api_token_max_days == 14
