"""A member follows the header's unread count to what is waiting, on a laptop and on a
phone, and turns one kind of e-mail off."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.notify.models import EmailPreference, Notification

from .conftest import DESKTOP, PHONE
from .test_foundation_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_member_opens_what_is_waiting_and_chooses_her_emails(live_cast, visit, width):
    cast = live_cast
    do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=2),
                         duration_minutes=60, recurrence="none", mode="online",
                         actor=cast.facilitator)
    mina = visit(width=width)
    sign_in(mina, "mina@example.test")
    mina.click("Notifications, 1 unread", role="link")
    assert "A meeting was added" in mina.text()
    mina.click("A meeting was added")
    assert mina.page.url.endswith(f"/meetings/circles/{cast.circle.public_id}/")
    assert Notification.objects.get(recipient=cast.member).read_at is not None
    mina.goto("/notifications/")
    assert mina.page.get_by_role("link", name="Notifications, 0 unread").count() == 1
    mina.click("Choose which notifications also come by e-mail", role="link")
    mina.page.get_by_label("A meeting was added", exact=True).uncheck()
    mina.click("Save")
    assert "Your choice of e-mails is saved." in mina.text()
    assert list(EmailPreference.objects.filter(user=cast.member).values_list(
        "kind", "email")) == [("meeting.added", False)]
