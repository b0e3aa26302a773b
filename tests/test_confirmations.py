"""Destructive actions ask first, on a page that says what will happen, and a double
click on the confirmation does the thing once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep.accounts.models import ApiToken
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.models import Membership
from circlekeep.consent.models import ConsentRecord
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Meeting
from circlekeep.orgs.models import StaffRole
from circlekeep.testing import (
    make_api_token,
    make_circle,
    make_member,
    make_staff,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def confirmation(client, url):
    """The confirmation page's text and its send-once token."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "What will happen" in page
    return page, re.search(r'name="once" value="([^"]+)"', page).group(1)


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type).count()


def test_revoking_a_token_asks_first_and_a_double_click_revokes_once(cast):
    token, _secret = make_api_token(cast.member, name="calendar sync")
    client = signed_in_client(cast.member)
    url = f"/accounts/tokens/{token.public_id}/revoke/"
    page, once = confirmation(client, url)
    assert "Programs using this token lose access at once" in page
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None  # asking changed nothing
    first, second = client.post(url, {"once": once}), client.post(url, {"once": once})
    assert first["Location"] == second["Location"] == "/accounts/tokens/"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert events("account.api_token.revoked") == 1
    # The second click says nothing alarming ("already revoked"): it was the same click.
    shown = client.get("/accounts/tokens/").content.decode()
    assert "already" not in shown


def test_leaving_a_circle_asks_first_with_an_optional_reason(cast):
    client = signed_in_client(cast.member)
    url = f"/circles/memberships/{cast.membership.public_id}/leave/"
    page, once = confirmation(client, url)
    assert "Leave Tuesday circle?" in page and "ask the facilitator for a new invitation" in page
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"
    before = events("circle.member.status.changed")
    client.post(url, {"once": once, "reason": "Moving away"})
    client.post(url, {"once": once, "reason": "Moving away"})
    assert Membership.objects.get(pk=cast.membership.pk).status == "left"
    assert events("circle.member.status.changed") == before + 1


def test_cancelling_a_series_says_how_many_meetings_and_cancels_once(cast):
    start = timezone.now() + timedelta(days=1)
    series = do_schedule_meetings(cast.circle, starts_at=start, duration_minutes=60,
                                  recurrence="weekly", mode="online", actor=cast.facilitator,
                                  until=(start + timedelta(days=22)).date())
    first = series.meetings.order_by("starts_at").first()
    client = signed_in_client(cast.facilitator)
    url = f"/meetings/{first.public_id}/cancel/?series=1"
    page, once = confirmation(client, url)
    assert "4 meetings are cancelled" in page and "the series ends" in page
    assert Meeting.objects.filter(status="cancelled").count() == 0
    client.post(url, {"once": once})
    client.post(url, {"once": once})
    assert Meeting.objects.filter(status="cancelled").count() == 4
    assert events("meeting.cancelled") == 1
    single, _ = confirmation(client, f"/meetings/{first.public_id}/cancel/")
    assert "later meetings stay as they are" in single


def test_removing_staff_asks_first_and_removes_once(cast):
    make_staff(cast.org, "tess@riverside.test", "auditor", name="Tess", actor=cast.admin)
    role = StaffRole.objects.get(user__email="tess@riverside.test")
    client = signed_in_client(cast.admin)
    url = f"/org/staff/{role.public_id}/remove/"
    page, once = confirmation(client, url)
    assert "Tess loses access to Riverside Collective at once" in page
    client.post(url, {"once": once})
    client.post(url, {"once": once})
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    assert events("org.staff.role.removed") == 1


def test_a_guardian_withdrawing_consent_is_told_the_minor_stops_taking_part(cast):
    circle = make_circle(cast.org, "Teen circle", lead=cast.facilitator, allows_minors=True)
    teen = make_member(circle, "teo@example.test", name="Teo", actor=cast.facilitator,
                       is_minor=True, guardian="gail@example.test")
    record = ConsentRecord.objects.get(subject=teen.user, role="guardian", withdrawn_at=None)
    client = signed_in_client(record.signer)
    url = f"/consent/records/{record.public_id}/withdraw/"
    page, once = confirmation(client, url)
    assert "Teo stops taking part in their circles at once." in page
    client.post(url, {"once": once})
    client.post(url, {"once": once})
    assert ConsentRecord.objects.get(pk=record.pk).withdrawn_at is not None
    assert events("consent.withdrawn") == 1
