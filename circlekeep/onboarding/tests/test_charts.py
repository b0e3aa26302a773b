"""The onboarding funnel of a circle, on its staff page."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from circlekeep.onboarding.charts import onboarding_funnel
from circlekeep.testing import make_member, signed_in_client

pytestmark = pytest.mark.django_db


def stages(chart):
    return dict(zip(chart.labels, chart.series[0].data, strict=True))


def test_it_counts_how_far_each_live_membership_has_come(cast):
    make_member(cast.circle, "ivy@example.test", name="Ivy", actor=cast.facilitator,
                status="invited")
    make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                status="onboarding")
    counts = stages(onboarding_funnel(cast.facilitator, cast.circle.public_id))
    assert counts["Invited"] == 3  # Mina (active), Nia (onboarding), Ivy (invited)
    assert counts["Accepted the invitation"] == 2
    assert counts["Signed the agreement"] == 1
    assert counts["Cleared to take part"] == 1
    # Staff wording, not the member's checklist wording.
    assert "Give your consent" not in counts and counts["Consented"] == 1


def test_only_the_circles_staff_see_it(cast):
    for outsider in (cast.member, cast.other_member, cast.other_facilitator,
                     cast.other_admin, cast.auditor):
        with pytest.raises(Http404):
            onboarding_funnel(outsider, cast.circle.public_id)
    assert stages(onboarding_funnel(cast.admin, cast.circle.public_id))["Invited"] == 1


def test_its_cost_does_not_grow_with_the_members(cast):
    with CaptureQueriesContext(connection) as few:
        onboarding_funnel(cast.facilitator, cast.circle.public_id)
    for name in ("Ivy", "Nia", "Oli"):
        make_member(cast.circle, f"{name.lower()}@example.test", name=name,
                    actor=cast.facilitator)
    with CaptureQueriesContext(connection) as many:
        counts = stages(onboarding_funnel(cast.facilitator, cast.circle.public_id))
    assert counts["Cleared to take part"] == 4
    assert len(many) == len(few)


def test_the_circle_page_draws_it_for_staff(cast):
    page = signed_in_client(cast.facilitator).get(f"/circles/{cast.circle.public_id}/")
    assert b"data-chart=" in page.content and b"Onboarding: how far" in page.content
    member_view = signed_in_client(cast.member).get(f"/circles/{cast.circle.public_id}/")
    assert b"data-chart=" not in member_view.content
