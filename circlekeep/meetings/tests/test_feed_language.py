"""The calendar feed speaks its owner's language, though a calendar app fetches it without
a session or a language of its own."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_update_profile
from circlekeep.meetings import actions

pytestmark = pytest.mark.django_db


def test_the_feed_title_is_in_the_member_language(cast):
    actions.do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=1),
                                 duration_minutes=60, recurrence="none", mode="online",
                                 actor=cast.facilitator)
    _feed, secret = actions.do_create_calendar_feed(cast.member, actor=cast.member)
    english = Client().get(f"/calendar/{secret}.ics").content.decode()
    assert "X-WR-CALNAME:Circle meetings" in english
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                      time_zone="UTC", actor=cast.member)
    spanish = Client().get(f"/calendar/{secret}.ics").content.decode()
    assert "X-WR-CALNAME:Reuniones del círculo" in spanish
    assert "SUMMARY:Reunión del círculo" in spanish
