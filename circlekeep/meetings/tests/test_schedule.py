"""The week and month views of a person's meetings."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.accounts.actions import do_update_profile
from circlekeep.meetings import actions
from circlekeep.meetings.schedule import build_grid
from circlekeep.testing import make_api_token, make_circle, make_member, signed_in_client

pytestmark = pytest.mark.django_db


def schedule(circle, actor, *, days=2, hour=18, count=1):
    """``count`` weekly meetings, the first ``days`` from now at ``hour`` UTC."""
    first = (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                            microsecond=0)
    recurrence = "weekly" if count > 1 else "none"
    until = (first + timedelta(weeks=count - 1)).date() if count > 1 else None
    return actions.do_schedule_meetings(circle, starts_at=first, duration_minutes=90,
                                        recurrence=recurrence, until=until, mode="online",
                                        actor=actor)


def shown(user, view="month", when=None):
    client = signed_in_client(user)
    when = when or (timezone.now() + timedelta(days=2)).date()
    response = client.get(f"/meetings/schedule/?view={view}&date={when:%Y-%m-%d}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_person_sees_the_meetings_of_their_own_circles(cast):
    schedule(cast.circle, cast.facilitator)
    schedule(cast.other_circle, cast.other_facilitator)
    for user in (cast.member, cast.facilitator):
        page = shown(user)
        assert "Tuesday circle" in page and "Thursday circle" not in page
    page = shown(cast.admin)  # the admin sees all of the organisation's
    assert "Tuesday circle" in page and "Thursday circle" in page
    assert "Tuesday circle" not in shown(cast.other_member)
    assert "Tuesday circle" not in shown(cast.other_admin)


def test_each_meeting_links_to_its_page(cast):
    meeting = schedule(cast.circle, cast.facilitator).meetings.get()
    assert f'href="/meetings/{meeting.public_id}/"' in shown(cast.member)


def test_a_member_still_onboarding_sees_no_times(cast):
    schedule(cast.circle, cast.facilitator)
    newcomer = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                           status="onboarding")
    assert "Tuesday circle" not in shown(newcomer.user)


def test_times_are_in_the_viewers_time_zone(cast):
    meeting = schedule(cast.circle, cast.facilitator, hour=18).meetings.get()
    do_update_profile(cast.member, actor=cast.member, display_name="Mina", pronouns="",
                      language="en", time_zone="America/Los_Angeles")
    cast.member.refresh_from_db()
    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    page = shown(cast.member, when=local.date())
    assert f'datetime="{local.isoformat()}"' in page
    assert local.strftime("%Z") in page  # PST or PDT, the abbreviation


def test_today_is_marked_and_previous_and_next_move_by_a_week(cast):
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("UTC")).date()
    page = shown(cast.member, view="week", when=today)
    assert page.count('class="calendar-day today') == 1
    assert f"date={today - timedelta(days=7):%Y-%m-%d}" in page
    assert f"date={today + timedelta(days=7):%Y-%m-%d}" in page


def test_a_month_grid_covers_whole_weeks_of_the_month(cast):
    grid = build_grid(cast.member, "month", datetime(2031, 2, 14).date())
    assert grid.days[0].date.isoformat() == "2031-01-27"  # the Monday before 1 February
    assert len(grid.days) % 7 == 0 and grid.days[-1].date.isoformat() == "2031-03-02"
    assert [d.outside for d in grid.days].count(False) == 28
    assert grid.previous.isoformat() == "2031-01-01" and grid.next.isoformat() == "2031-03-01"


def test_bad_dates_and_views_show_this_week(cast):
    client = signed_in_client(cast.member)
    response = client.get("/meetings/schedule/?view=year&date=not-a-date")
    assert response.status_code == 200
    assert response.context["grid"].view == "week"


def test_the_query_count_does_not_grow_with_meetings(cast):
    schedule(cast.circle, cast.facilitator, count=1)
    client = signed_in_client(cast.facilitator)
    url = f"/meetings/schedule/?view=month&date={timezone.now().date():%Y-%m-%d}"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    other = make_circle(cast.org, "Monday circle", lead=cast.facilitator)
    schedule(other, cast.facilitator, days=1, count=4)
    schedule(cast.circle, cast.facilitator, days=3, count=4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("/meetings/") - page.count("/meetings/calendar") >= 5
    assert len(many) == len(few)


def test_the_api_lists_the_same_meetings_as_the_page(cast):
    meeting = schedule(cast.circle, cast.facilitator).meetings.get()
    schedule(cast.other_circle, cast.other_facilitator)
    _token, auth = make_api_token(cast.member)
    start = timezone.now().date()
    url = f"/api/v1/me/meetings?start={start}&end={start + timedelta(days=7)}"
    response = Client().get(url, **auth)
    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == [str(meeting.public_id)]


def test_the_api_refuses_a_backwards_or_too_long_range(cast):
    _token, auth = make_api_token(cast.member)
    for start, end, message in [("2030-02-01", "2030-01-01", "after the start"),
                                ("2030-01-01", "2030-06-01", "at most 62 days")]:
        response = Client().get(f"/api/v1/me/meetings?start={start}&end={end}", **auth)
        assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31", "0002-01-01", "9998-12-31"])
@pytest.mark.parametrize("view", ["week", "month"])
def test_a_date_at_the_calendars_edge_shows_this_week_not_an_error(cast, view, when):
    client = signed_in_client(cast.member)
    client.raise_request_exception = False
    response = client.get(f"/meetings/schedule/?view={view}&date={when}")
    assert response.status_code == 200
    assert response.context["grid"].anchor == response.context["today"]


def test_the_api_refuses_days_at_the_calendars_edge_with_a_message(cast):
    tokyo = cast.member
    type(tokyo).objects.filter(pk=tokyo.pk).update(time_zone="Asia/Tokyo")
    _token, auth = make_api_token(tokyo)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/me/meetings?start=0001-01-01&end=0001-01-05", **auth)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "start"
