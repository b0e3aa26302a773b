"""Concerns and their resolution times, for an organisation's admins."""

from datetime import timedelta
from unittest import mock

import pytest
from django.http import Http404
from django.utils import timezone

from circlekeep.incidents import actions
from circlekeep.incidents.charts import concern_resolution_chart
from circlekeep.testing import signed_in_client

pytestmark = pytest.mark.django_db
BODY = "Someone posted about our circle online."


def concern(cast, *, closed_after=None, about_facilitator=False):
    reported = timezone.now() - timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=reported):
        item = actions.do_report_concern(cast.circle, kind="intentional", body=BODY,
                                         visibility="facilitators", actor=cast.member,
                                         about_facilitator=about_facilitator)
        handler = cast.admin if about_facilitator else cast.facilitator
        actions.do_acknowledge_concern(item, actor=handler)
    if closed_after is not None:
        with mock.patch("django.utils.timezone.now", return_value=reported + closed_after):
            actions.do_close_concern(item, summary="Talked it through.", actor=handler)
    return item


def totals(chart):
    return {s.label: sum(s.data) for s in chart.series}


def test_it_sorts_each_concern_by_how_soon_it_was_closed(cast):
    concern(cast, closed_after=timedelta(hours=5))
    concern(cast, closed_after=timedelta(days=3))
    concern(cast, closed_after=timedelta(days=9))
    concern(cast)
    concern(cast, about_facilitator=True)  # the admins handle this one themselves
    chart = concern_resolution_chart(cast.admin, cast.org.public_id)
    assert totals(chart) == {"Closed within 48 hours": 1, "Closed within a week": 1,
                             "Closed after a week": 1, "Still open": 2}
    assert len(chart.labels) == 12
    assert BODY not in chart.spec_json and "Mina" not in chart.spec_json


def test_only_the_organisations_admins_see_it(cast):
    for other in (cast.facilitator, cast.auditor, cast.member, cast.other_admin):
        with pytest.raises(Http404):
            concern_resolution_chart(other, cast.org.public_id)


def test_the_security_report_draws_it_for_admins_only(cast):
    concern(cast)
    page = signed_in_client(cast.admin).get("/audit/security/").content.decode()
    assert "Concerns and their resolution" in page and "data-chart=" in page
    page = signed_in_client(cast.auditor).get("/audit/security/").content.decode()
    assert "Concerns and their resolution" not in page
