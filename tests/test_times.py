"""Every time is shown in the viewer's zone with its abbreviation ("Wed 3 Dec, 18:00
PST"), in the viewer's language, and a weekly meeting keeps its local hour across a
daylight-saving change."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from circlekeep.accounts.actions import do_update_profile
from circlekeep.lib.times import when, zone_for
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Meeting
from circlekeep.testing import signed_in_client


def test_it_shows_the_time_in_the_given_zone_with_its_abbreviation():
    moment = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    with translation.override("en"):
        assert when(moment, "America/Los_Angeles") == "Wed 2 Dec, 18:00 PST"
        assert when(moment, "America/New_York") == "Wed 2 Dec, 21:00 EST"
        assert when(moment, "Europe/Madrid") == "Thu 3 Dec, 03:00 CET"


def test_it_follows_a_daylight_saving_change():
    with translation.override("en"):
        assert when(datetime(2026, 10, 29, 1, 0, tzinfo=UTC),
                    "America/Los_Angeles") == "Wed 28 Oct, 18:00 PDT"
        assert when(datetime(2026, 11, 5, 2, 0, tzinfo=UTC),
                    "America/Los_Angeles") == "Wed 4 Nov, 18:00 PST"


def test_it_speaks_the_viewer_language():
    with translation.override("es"):
        shown = when(datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "America/Los_Angeles")
    assert shown.lower() == "mié 2 dic, 18:00 pst"


def test_a_moment_worded_once_is_worded_again_for_another_language_or_zone():
    moment = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    shown = []
    for language, zone in (("en", "America/Los_Angeles"), ("es", "America/Los_Angeles"),
                           ("en", "Asia/Tokyo"), ("en", "America/Los_Angeles")):
        with translation.override(language):
            shown.append(when(moment, zone))
    assert shown[0] == shown[3] == "Wed 2 Dec, 18:00 PST"
    assert shown[1].lower() == "mié 2 dic, 18:00 pst"
    assert shown[2] == "Thu 3 Dec, 11:00 JST"


def test_it_names_the_year_only_when_it_is_not_this_one():
    next_year = timezone.now().year + 1
    with translation.override("en"):
        assert when(datetime(next_year, 7, 1, 12, 0, tzinfo=UTC), "UTC").endswith(
            f" {next_year}, 12:00 UTC")


def test_the_filter_uses_the_active_zone():
    moment = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    template = Template("{% load times %}{{ moment|when }}")
    with translation.override("en"), timezone.override("America/Los_Angeles"):
        assert template.render(Context({"moment": moment})) == "Wed 2 Dec, 18:00 PST"
    with translation.override("en"), timezone.override("Asia/Tokyo"):
        assert template.render(Context({"moment": moment})) == "Thu 3 Dec, 11:00 JST"


def test_a_day_is_shown_as_a_day_and_nothing_as_nothing():
    from datetime import date

    with translation.override("en"):
        assert when(date(2026, 12, 2)) == "Wed 2 Dec 2026"
    assert when(None) == ""


def test_zones_come_from_the_jurisdiction():
    assert zone_for("us", "ca") == "America/Los_Angeles"
    assert zone_for("ES") == "Europe/Madrid"
    assert zone_for("") == "UTC"


@pytest.mark.django_db
def test_a_meeting_page_shows_the_viewer_own_zone(cast):
    starts = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Wednesday 18:00 in Los Angeles
    do_schedule_meetings(cast.circle, starts_at=starts, duration_minutes=60,
                         recurrence="none", mode="online", actor=cast.facilitator)
    meeting = Meeting.objects.get(circle=cast.circle, starts_at=starts)
    url = f"/meetings/{meeting.public_id}/"
    page = signed_in_client(cast.member).get(url).content.decode()
    assert "Wed 2 Dec, 18:00 PST" in page
    assert "until 19:00 (PST)" in page
    do_update_profile(cast.member, display_name=cast.member.display_name, pronouns="",
                      language="en", time_zone="Europe/Madrid", actor=cast.member)
    assert "Thu 3 Dec, 03:00 CET" in signed_in_client(cast.member).get(url).content.decode()
