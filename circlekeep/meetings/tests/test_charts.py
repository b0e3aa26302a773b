"""A member's attendance over time, for the circle's staff."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.http import Http404
from django.utils import timezone

from circlekeep.meetings import actions
from circlekeep.meetings.charts import attendance_chart
from circlekeep.testing import make_member, signed_in_client

pytestmark = pytest.mark.django_db


def meetings(cast, count):
    first = timezone.now() + timedelta(minutes=30)
    series = actions.do_schedule_meetings(
        cast.circle, starts_at=first, duration_minutes=60, recurrence="weekly",
        until=(first + timedelta(weeks=count - 1)).date(), mode="online",
        actor=cast.facilitator)
    return list(series.meetings.order_by("starts_at"))


def record(meeting, membership, status, actor):
    """Record attendance as it would be, once the meeting has begun."""
    with mock.patch("django.utils.timezone.now",
                    return_value=meeting.starts_at + timedelta(minutes=5)):
        actions.do_record_attendance(meeting, membership, status=status, actor=actor)


def test_it_counts_each_months_meetings_by_what_was_recorded(cast):
    first, second, third = meetings(cast, 3)
    actions.do_acknowledge_ritual(first, cast.membership, actor=cast.member)
    record(first, cast.membership, "present", cast.facilitator)
    record(second, cast.membership, "absent", cast.facilitator)
    record(third, cast.membership, "excused", cast.facilitator)
    chart = attendance_chart(cast.facilitator, cast.membership.public_id)
    totals = {s.label: sum(s.data) for s in chart.series}
    assert totals == {"Present": 1, "Late": 0, "Excused": 1, "Absent": 1}
    assert sum(len(s.data) for s in chart.series) == 4 * len(chart.labels)
    # The admin sees the same; the table beside the drawing holds the same figures.
    assert attendance_chart(cast.admin, cast.membership.public_id).rows == chart.rows


def test_only_the_circles_staff_see_it(cast):
    other = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    for outsider in (cast.member, other.user, cast.other_facilitator, cast.other_admin,
                     cast.auditor):
        with pytest.raises(Http404):
            attendance_chart(outsider, cast.membership.public_id)


def test_the_staff_page_draws_it_and_the_members_own_page_does_not(cast):
    first = meetings(cast, 1)[0]
    actions.do_record_attendance(first, cast.membership, status="absent",
                                 actor=cast.facilitator)
    url = f"/meetings/memberships/{cast.membership.public_id}/attendance/"
    page = signed_in_client(cast.facilitator).get(url).content.decode()
    assert "data-chart=" in page and "/static/dist/charts.js" in page
    spec = page.split('data-chart="', 1)[1].split('"', 1)[0].replace("&quot;", '"')
    assert json.loads(spec)["datasets"][3] == {"label": "Absent", "data": [1]}
    own = signed_in_client(cast.member).get(url)
    assert own.status_code == 200 and b"data-chart=" not in own.content
