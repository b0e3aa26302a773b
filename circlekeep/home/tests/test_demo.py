"""The demo organization: in Los Angeles time, its Wednesday evening group meeting on
Wednesdays at 18:00 there, and its Spanish speakers consenting and signing in Spanish."""

import io
import zoneinfo

import pytest
from django.core.management import call_command

from circlekeep.agreements.models import Signature
from circlekeep.consent.models import ConsentRecord
from circlekeep.meetings.models import MeetingSeries
from circlekeep.orgs.models import Organization

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


@pytest.fixture
def demo():
    call_command("demo", stdout=io.StringIO())
    return Organization.objects.get(name="Riverside Wellness Collective")


def test_the_wednesday_evening_group_meets_on_wednesdays_at_18_los_angeles_time(demo):
    assert demo.time_zone == "America/Los_Angeles"
    weekly = MeetingSeries.objects.get(circle__name="Wednesday evening group",
                                       recurrence="weekly")
    starts = [m.starts_at.astimezone(LOS_ANGELES) for m in weekly.meetings.all()]
    assert len(starts) >= 10
    assert {(s.strftime("%A"), s.hour, s.minute) for s in starts} == {("Wednesday", 18, 0)}


def test_spanish_speakers_consent_and_sign_in_spanish(demo):
    consent = ConsentRecord.objects.filter(subject__email__startswith="rosa@").first()
    assert (consent.language, consent.text_sha256) == (
        "es", consent.document.translations["es"]["sha256"])
    signature = Signature.objects.filter(membership__user__email__startswith="rosa@").first()
    assert signature.language == "es"
    dana = Signature.objects.filter(membership__user__email__startswith="dana@").first()
    assert dana.language == "en"


def test_the_grief_circles_online_room_is_open_to_try_at_once(demo):
    from circlekeep.accounts.models import User
    from circlekeep.meetings.models import Meeting
    from circlekeep.rooms.access import check_may_enter

    meeting = Meeting.objects.get(circle__name="Grief and loss peer circle", mode="online",
                                  series__recurrence="none")
    for email, role in (("miguel@demo.circlekeep.test", "facilitator"),
                        ("siobhan@demo.circlekeep.test", "member")):
        user = User.objects.get(email=email)
        user.is_verified = lambda: True
        assert check_may_enter(user, meeting)[0] == role
