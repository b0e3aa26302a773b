"""A double click sends the same form twice; it must create one record, not two."""

import re

import pytest

from circlekeep.agreements.models import Proposal
from circlekeep.circles.models import OnboardingMessage
from circlekeep.incidents.models import Concern
from circlekeep.testing import make_member, signed_in_client

pytestmark = pytest.mark.django_db


def token(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="once" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("visibility", ["named", "facilitators"])
def test_a_concern_sent_twice_is_one_concern(cast, visibility):
    mina = signed_in_client(cast.member)
    url = f"/incidents/circles/{cast.circle.public_id}/report/"
    data = {"kind": "accidental", "body": "Someone spoke about a member outside.",
            "visibility": visibility, "raise_in_group": "no", "once": token(mina, url)}
    first, second = mina.post(url, data), mina.post(url, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Concern.objects.count() == 1
    # A new page is a new form: a second, deliberate report goes through.
    mina.post(url, {**data, "once": token(mina, url)})
    assert Concern.objects.count() == 2


def test_an_anonymous_concern_sent_twice_is_one_concern(cast):
    """Sent anonymously, the day's token is what a double click spends twice."""
    from django.test import Client

    from circlekeep.testing import ConcernToken, enough_token_holders

    body = ConcernToken(cast.member, cast.circle).json(kind="accidental")
    enough_token_holders(cast.circle)
    first, second = (Client().post("/api/v1/anonymous-concerns", body,
                                   content_type="application/json") for _ in range(2))
    assert (first.status_code, second.status_code) == (201, 400)
    assert "already used" in second.json()["detail"]
    assert Concern.objects.count() == 1


def test_a_proposal_sent_twice_is_one_proposal(cast):
    mina = signed_in_client(cast.member)
    url = f"/agreements/circles/{cast.circle.public_id}/propose/"
    data = {"kind": "add", "title": "Phones", "text": "Phones stay off.", "reason": "Focus",
            "once": token(mina, url)}
    mina.post(url, data)
    mina.post(url, data)
    assert Proposal.objects.count() == 1


def test_a_question_sent_twice_is_one_question_and_a_refused_one_can_be_resent(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    client = signed_in_client(nia.user)
    url = f"/circles/memberships/{nia.public_id}/onboarding/questions/"
    once = token(client, url)
    refused = client.post(url, {"text": " ", "once": once})
    assert refused.status_code == 200  # the form's own error; nothing was claimed
    client.post(url, {"text": "Is the group recorded?", "once": once})
    client.post(url, {"text": "Is the group recorded?", "once": once})
    assert OnboardingMessage.objects.filter(membership=nia, kind="question").count() == 1


def test_a_series_scheduled_twice_is_one_series(cast):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.meetings.models import MeetingSeries

    fran = signed_in_client(cast.facilitator)
    url = f"/meetings/circles/{cast.circle.public_id}/"
    start = timezone.localtime(timezone.now() + timedelta(days=2))
    data = {"date": start.date().isoformat(), "time": "18:00", "duration_minutes": 90,
            "recurrence": "weekly", "until": (start + timedelta(days=30)).date().isoformat(),
            "mode": "online", "place": "", "once": token(fran, url)}
    first, second = fran.post(url, data), fran.post(url, data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert MeetingSeries.objects.filter(circle=cast.circle).count() == 1


def test_an_agenda_item_sent_twice_is_one_item(cast):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.meetings.actions import do_schedule_meetings
    from circlekeep.meetings.models import AgendaItem

    meeting = do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=1),
                                   duration_minutes=60, recurrence="none", mode="online",
                                   actor=cast.facilitator).meetings.get()
    fran = signed_in_client(cast.facilitator)
    data = {"title": "Check-in round", "once": token(fran, f"/meetings/{meeting.public_id}/")}
    fran.post(f"/meetings/{meeting.public_id}/agenda/", data)
    fran.post(f"/meetings/{meeting.public_id}/agenda/", data)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_a_comment_sent_twice_is_one_comment(cast):
    from circlekeep.agreements.actions import do_propose_change
    from circlekeep.agreements.models import Agreement, ProposalComment

    proposal = do_propose_change(Agreement.objects.get(circle=cast.circle), kind="add",
                                 title="Tea", text="We share tea.", reason="Warmth",
                                 actor=cast.member)
    fran = signed_in_client(cast.facilitator)
    url = f"/agreements/proposals/{proposal.public_id}/"
    data = {"text": "I like it.", "once": token(fran, url)}
    fran.post(url, data)
    fran.post(url, data)
    assert ProposalComment.objects.filter(proposal=proposal).count() == 1


def test_a_privacy_incident_recorded_twice_is_one_incident(cast):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.incidents.models import PrivacyIncident

    yesterday = timezone.localtime(timezone.now() - timedelta(days=1))
    ada = signed_in_client(cast.admin)
    url = f"/incidents/organizations/{cast.org.public_id}/privacy/"
    data = {"title": "Laptop left on a train",
            "discovered_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
            "exposed": "Names and meeting times", "once": token(ada, url)}
    first = ada.post(url, data)
    ada.post(url, data)
    assert first.status_code == 302
    assert PrivacyIncident.objects.count() == 1
