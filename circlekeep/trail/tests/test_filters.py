"""The audit trail's filters are checked once, the same way for the page and the API: a
known kind of event, a well-formed circle id, dates from 2000 to today, the start before
the end. Anything else is a clear message, never a server error."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_create_api_token, do_update_profile
from circlekeep.testing import just_signed_in, signed_in_client

pytestmark = pytest.mark.django_db

TOMORROW = "tomorrow"


def _dates(query):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    return {key: tomorrow if value == TOMORROW else value for key, value in query.items()}


@pytest.fixture
def admin_api(cast):
    _token, secret = do_create_api_token(cast.admin, name="t", days=1, actor=cast.admin,
        proof=just_signed_in(cast.admin))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


REFUSED = [
    ({"circle_id": "abc"}, "circle_id", "This is not the id of a circle."),
    ({"until": "9999-12-31"}, "until", "The end date is in the future."),
    ({"since": TOMORROW}, "since", "The start date is in the future."),
    ({"since": "0001-01-01"}, "since", "Choose a date in 2000 or later."),
    ({"since": "2024-03-02", "until": "2024-03-01"}, "until",
     "The end date is before the start date."),
    ({"event_type": "nothing.like.this"}, "event_type",
     "Choose a kind of event from the list."),
]


@pytest.mark.parametrize("query,field,message", REFUSED,
                         ids=[message for _q, _f, message in REFUSED])
def test_the_api_refuses_bad_filters_with_a_message(admin_api, query, field, message):
    response = admin_api.get("/api/v1/audit/events", _dates(query))
    assert response.status_code == 400
    assert response.json() == {"detail": message, "field": field}


# The page refused the others before (its choices and the order of the dates).
OUT_OF_RANGE = [refusal for refusal in REFUSED
                if refusal[1] in ("since", "until") and "before the start" not in refusal[2]]


@pytest.mark.parametrize("query,field,message", OUT_OF_RANGE,
                         ids=[message for _q, _f, message in OUT_OF_RANGE])
def test_the_page_refuses_the_same_dates_beside_the_field(cast, query, field, message):
    response = signed_in_client(cast.admin).get("/audit/", _dates(query))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]


def test_a_far_past_date_in_a_far_east_time_zone_is_refused_not_a_crash(cast):
    do_update_profile(cast.admin, display_name="Ada", pronouns="", language="en",
                      time_zone="Pacific/Kiritimati", actor=cast.admin)
    client = signed_in_client(cast.admin)
    response = client.get("/audit/", {"since": "0001-01-01"})
    assert "Choose a date in 2000 or later." in response.context["form"].errors["since"]
    response = client.get("/audit/security/", {"since": "0001-01-01"})
    assert "Choose a date in 2000 or later." in response.context["form"].errors["since"]


def test_the_export_survives_the_end_of_time(cast):
    response = signed_in_client(cast.auditor).get("/audit/export.csv",
                                                  {"until": "9999-12-31"})
    assert response.status_code == 200  # the export of the unfiltered trail, no crash


def test_the_security_report_refuses_dates_out_of_range(cast):
    _token, secret = do_create_api_token(cast.auditor, name="t", days=1, actor=cast.auditor,
        proof=just_signed_in(cast.auditor))
    response = Client().get("/api/v1/audit/security-report", {"since": "0001-01-01"},
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Choose a date in 2000 or later.", "field": "since"}
    page = signed_in_client(cast.auditor).get("/audit/security/", {"since": "9999-12-31"})
    assert "The start date is in the future." in page.context["form"].errors["since"]
