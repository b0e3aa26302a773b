"""The meeting operations of the API: moving and cancelling, pledges, the agenda and the
calendar feed, each through the page's own action and refusing whoever the page refuses."""

import json
import zoneinfo
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.meetings import actions
from circlekeep.meetings.models import AgendaItem, Meeting, Pledge
from circlekeep.testing import assert_events, audit_mark, just_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast):
    """``api(user, method, path, body)``: a request with a token of the user's, made for
    every principal before the test begins (so that its audit events come first)."""
    secrets = {user.pk: do_create_api_token(user, name="t", days=1, actor=user,
                                            proof=just_signed_in(user))[1]
               for user in cast.principals().values() if user is not None}

    def call(user, method, path, body=None):
        return Client().generic(method, f"/api/v1{path}", data=json.dumps(body or {}),
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {secrets[user.pk]}")

    return call


@pytest.fixture
def meeting(cast):
    """A meeting of Mina's circle starting in half an hour: the opening ritual is open."""
    return actions.do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(minutes=30), duration_minutes=90,
        recurrence="none", mode="online", actor=cast.facilitator).meetings.get()


@pytest.fixture
def weekly(cast):
    """Four weekly meetings at 18:00 in Madrid, starting next week."""
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    first = (timezone.now() + timedelta(days=7)).astimezone(madrid).replace(
        hour=18, minute=0, second=0, microsecond=0)
    cast.facilitator.time_zone = "Europe/Madrid"
    series = actions.do_schedule_meetings(
        cast.circle, starts_at=first, duration_minutes=90, recurrence="weekly",
        until=(first + timedelta(weeks=3)).date(), mode="in_person", actor=cast.facilitator)
    return list(series.meetings.order_by("starts_at"))


def starts(meetings):
    return [Meeting.objects.get(pk=m.pk).starts_at for m in meetings]


def test_a_facilitator_moves_one_meeting_or_it_and_the_rest_of_its_series(api, cast, weekly):
    before = starts(weekly)
    later = (before[1] + timedelta(days=1, hours=1)).isoformat()
    mark = audit_mark()
    one = api(cast.facilitator, "POST", f"/meetings/{weekly[1].public_id}/move",
              {"starts_at": later})
    assert one.status_code == 200 and one.json()["moved"] is True
    assert starts(weekly) == [before[0], before[1] + timedelta(days=1, hours=1), *before[2:]]
    rest = api(cast.facilitator, "POST", f"/meetings/{weekly[2].public_id}/move",
               {"starts_at": (before[2] - timedelta(hours=2)).isoformat(),
                "whole_series": True})
    assert rest.status_code == 200
    assert starts(weekly)[2:] == [before[2] - timedelta(hours=2),
                                  before[3] - timedelta(hours=2)]
    assert_events(mark, [("meeting.moved", cast.facilitator, None),
                         ("meeting.moved", cast.facilitator, None)])


def test_a_move_without_a_time_zone_or_into_the_past_changes_nothing(api, cast, weekly):
    before = starts(weekly)
    naive = api(cast.facilitator, "POST", f"/meetings/{weekly[0].public_id}/move",
                {"starts_at": "2031-01-01T18:00:00"})
    assert naive.status_code == 400 and naive.json()["field"] == "starts_at"
    past = api(cast.facilitator, "POST", f"/meetings/{weekly[0].public_id}/move",
               {"starts_at": "2020-01-01T18:00:00Z"})
    assert past.status_code == 400 and "in the past" in past.json()["detail"]
    # The calendar's last day, which a time zone would push past its end.
    for edge in ("9999-12-31T23:59:59-12:00", "2099-01-01T18:00:00Z"):
        far = api(cast.facilitator, "POST", f"/meetings/{weekly[0].public_id}/move",
                  {"starts_at": edge})
        assert far.status_code == 400 and "two years ahead" in far.json()["detail"]
    assert starts(weekly) == before


def test_a_facilitator_cancels_the_rest_of_a_series_after_moving_it(api, cast, weekly):
    api(cast.facilitator, "POST", f"/meetings/{weekly[1].public_id}/move",
        {"starts_at": (weekly[1].starts_at + timedelta(hours=1)).isoformat(),
         "whole_series": True})
    cancelled = api(cast.facilitator, "POST", f"/meetings/{weekly[2].public_id}/cancel",
                    {"whole_series": True})
    assert cancelled.status_code == 200 and cancelled.json() == {"cancelled": 2}
    statuses = [Meeting.objects.get(pk=m.pk).status for m in weekly]
    assert statuses == ["scheduled", "scheduled", "cancelled", "cancelled"]
    moved = api(cast.facilitator, "POST", f"/meetings/{weekly[3].public_id}/move",
                {"starts_at": (weekly[3].starts_at + timedelta(hours=3)).isoformat()})
    assert moved.status_code == 400 and "cancelled meeting" in moved.json()["detail"]


def test_members_and_other_facilitators_cannot_move_meetings(api, cast, weekly):
    before = starts(weekly)
    body = {"starts_at": (before[0] + timedelta(hours=1)).isoformat()}
    assert api(cast.member, "POST", f"/meetings/{weekly[0].public_id}/move",
               body).status_code == 403
    assert api(cast.other_facilitator, "POST", f"/meetings/{weekly[0].public_id}/move",
               body).status_code == 404
    assert api(cast.other_admin, "POST", f"/meetings/{weekly[0].public_id}/move",
               body).status_code == 404
    assert starts(weekly) == before


def test_a_pledge_is_recorded_once_after_the_member_acknowledges(api, cast, meeting):
    path = f"/meetings/{meeting.public_id}/pledges"
    body = {"membership_id": str(cast.membership.public_id), "reason": "first_meeting"}
    early = api(cast.facilitator, "POST", path, body)
    assert early.status_code == 400 and "after acknowledging" in early.json()["detail"]
    actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.member)
    mark = audit_mark()
    made = api(cast.facilitator, "POST", path, body)
    assert made.status_code == 201
    assert made.json()["membership_id"] == str(cast.membership.public_id)
    assert made.json()["reason"] == "first_meeting"
    assert made.json()["agreement_version"] == cast.circle.agreement.current_version.number
    assert_events(mark, [("meeting.pledge.recorded", cast.facilitator, cast.member)])
    again = api(cast.facilitator, "POST", path, body)
    assert again.status_code == 400 and "already recorded" in again.json()["detail"]
    assert Pledge.objects.count() == 1


def test_only_the_circles_staff_record_pledges_and_only_for_its_members(api, cast, meeting):
    actions.do_acknowledge_ritual(meeting, cast.membership, actor=cast.member)
    path = f"/meetings/{meeting.public_id}/pledges"
    body = {"membership_id": str(cast.membership.public_id), "reason": "first_meeting"}
    assert api(cast.member, "POST", path, body).status_code == 403
    assert api(cast.other_facilitator, "POST", path, body).status_code == 404
    # Otto belongs to another circle: the meeting never acts on him.
    otto = {"membership_id": str(cast.other_membership.public_id), "reason": "first_meeting"}
    assert api(cast.admin, "POST", path, otto).status_code == 404
    assert not Pledge.objects.exists()


def test_facilitators_add_items_and_members_propose_topics(api, cast, meeting):
    path = f"/meetings/{meeting.public_id}/agenda"
    mark = audit_mark()
    item = api(cast.facilitator, "POST", path, {"title": "  Check-in   round "})
    assert item.status_code == 201
    assert (item.json()["kind"], item.json()["title"], item.json()["proposed_by"]) == \
        ("facilitator", "Check-in round", None)
    topic = api(cast.member, "POST", path, {"title": "Phones in the room"})
    assert topic.status_code == 201 and topic.json()["proposed_by"] == "Mina"
    assert_events(mark, [("meeting.agenda.added", cast.facilitator, None),
                         ("meeting.agenda.added", cast.member, None)])
    listed = api(cast.member, "GET", path)
    assert [(i["kind"], i["title"]) for i in listed.json()] == [
        ("facilitator", "Check-in round"), ("topic", "Phones in the room")]
    empty = api(cast.member, "POST", path, {"title": "   "})
    assert empty.status_code == 400 and empty.json()["field"] == "title"
    assert api(cast.other_member, "GET", path).status_code == 404
    assert api(cast.other_member, "POST", path, {"title": "x"}).status_code == 404
    assert AgendaItem.objects.count() == 2


def test_the_agenda_shows_the_agreements_items_while_the_meeting_is_ahead(api, cast, meeting):
    from circlekeep.agreements.models import Agreement

    Agreement.objects.filter(circle=cast.circle).update(
        last_reviewed_at=timezone.now() - timedelta(days=400))
    path = f"/meetings/{meeting.public_id}/agenda"
    assert [(i["id"], i["kind"]) for i in api(cast.member, "GET", path).json()] == [
        (None, "agreement_review")]
    Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
    assert api(cast.member, "GET", path).json() == []


def test_a_member_makes_renames_renews_and_revokes_their_calendar_feed(api, cast, meeting):
    assert api(cast.member, "GET", "/me/calendar-feed").json() == {
        "active": False, "title": "", "created_at": None}
    mark = audit_mark()
    made = api(cast.member, "POST", "/me/calendar-feed")
    assert made.status_code == 201 and made.json()["active"] is True
    address = urlparse(made.json()["url"]).path
    assert Client().get(address).status_code == 200
    titled = api(cast.member, "PUT", "/me/calendar-feed", {"title": "Book club"})
    assert titled.status_code == 200 and titled.json()["title"] == "Book club"
    assert b"SUMMARY:Book club" in Client().get(address).content
    renewed = api(cast.member, "POST", "/me/calendar-feed")
    assert Client().get(address).status_code == 404
    new_address = urlparse(renewed.json()["url"]).path
    assert renewed.json()["title"] == "Book club"
    revoked = api(cast.member, "POST", "/me/calendar-feed/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert Client().get(new_address).status_code == 404
    assert_events(mark, [("meeting.calendar_feed.created", cast.member, cast.member),
                         ("meeting.calendar_feed.titled", cast.member, cast.member),
                         ("meeting.calendar_feed.created", cast.member, cast.member),
                         ("meeting.calendar_feed.revoked", cast.member, cast.member)])


def test_a_calendar_feed_is_only_its_owners(api, cast):
    actions.do_create_calendar_feed(cast.member, actor=cast.member)
    # Without a feed of their own, others have nothing to rename or turn off; Mina's
    # stays as it is.
    assert api(cast.other_member, "GET", "/me/calendar-feed").json()["active"] is False
    assert api(cast.other_member, "PUT", "/me/calendar-feed",
               {"title": "Mine now"}).status_code == 404
    assert api(cast.admin, "POST", "/me/calendar-feed/revoke").status_code == 404
    assert api(cast.member, "GET", "/me/calendar-feed").json()["active"] is True
    long = api(cast.member, "PUT", "/me/calendar-feed", {"title": "x" * 81})
    assert long.status_code == 400 and long.json()["field"] == "title"
    assert api(cast.member, "GET", "/me/calendar-feed").json()["title"] == ""


def test_the_agenda_costs_the_same_queries_for_1_and_10_items(api, cast, meeting):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(cast.member, "GET", f"/meetings/{meeting.public_id}/agenda"
                       ).status_code == 200
        return len(captured)

    actions.do_add_agenda_item(meeting, title="First", actor=cast.member)
    one = queries()
    for n in range(9):
        actions.do_add_agenda_item(meeting, title=f"Topic {n}", actor=cast.member)
    assert queries() == one
