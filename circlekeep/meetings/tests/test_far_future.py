"""Meetings at the end of time are refused with a message, not a server error."""

import pytest
from django.test import Client

from circlekeep.testing import make_api_token, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [
    {"starts_at": "9999-12-31T23:00:00Z", "duration_minutes": 480, "mode": "online"},
    {"starts_at": "9999-12-20T10:00:00Z", "recurrence": "weekly", "open_ended": True,
     "mode": "online"},
    {"starts_at": "9999-12-20T10:00:00Z", "recurrence": "weekly", "until": "9999-12-31",
     "mode": "online"},
])
def test_a_meeting_at_the_end_of_time_is_refused_with_a_message(cast, body):
    _t, auth = make_api_token(cast.facilitator)
    client = Client(raise_request_exception=False)
    response = client.post(f"/api/v1/circles/{cast.circle.public_id}/meetings", data=body,
                           content_type="application/json", **auth)
    assert response.status_code == 400, response.content
    assert "two years ahead" in response.json()["detail"]


def test_the_schedule_page_refuses_the_last_day_of_year_9999(cast):
    client = signed_in_client(cast.facilitator)
    client.raise_request_exception = False
    response = client.post(f"/meetings/circles/{cast.circle.public_id}/", {
        "date": "9999-12-31", "time": "23:00", "duration_minutes": "480",
        "recurrence": "none", "mode": "online"})
    assert response.status_code == 200 and "two years ahead" in response.content.decode()
