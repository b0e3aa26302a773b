"""The notification pages, the header's unread count, the API, and the database queue."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.notify.models import EmailPreference, Notification
from circlekeep.testing import make_api_token, signed_in_client

pytestmark = pytest.mark.django_db


def schedule(cast, days=3):
    return do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(days=days),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=cast.facilitator).meetings.get()


def notification_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured if "notify_notification" in q["sql"]]


def test_the_header_shows_the_unread_count_from_one_query(cast):
    schedule(cast)
    schedule(cast, days=4)
    client = signed_in_client(cast.member)
    response, queries = notification_queries(client, "/accounts/profile/")
    page = response.content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page and 'class="count">(2)<' in page
    assert 'aria-label="Notifications, 2 unread"' in page
    assert len(queries) == 1
    _response, none_for_staff = notification_queries(signed_in_client(cast.admin),
                                                     "/accounts/profile/")
    assert 'aria-label="Notifications, 0 unread"' in _response.content.decode()
    assert len(none_for_staff) == 1


def test_a_signed_out_visitor_costs_no_notification_query(cast):
    response, queries = notification_queries(signed_in_client(None), "/accounts/sign-in/")
    assert queries == [] and "notifications-link" not in response.content.decode()


def test_the_list_shows_only_ones_own_and_opening_marks_read_and_goes_there(cast):
    meeting = schedule(cast)
    client = signed_in_client(cast.member)
    page = client.get("/notifications/").content.decode()
    assert "A meeting was added" in page and "Riverside Collective" in page
    notification = Notification.objects.get()
    assert "A meeting was added" not in signed_in_client(cast.other_member).get(
        "/notifications/").content.decode()
    response = client.post(f"/notifications/{notification.public_id}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/circles/{meeting.circle.public_id}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'aria-label="Notifications, 0 unread"' in client.get("/notifications/").content.decode()


def test_mark_all_read_on_the_page(cast):
    schedule(cast)
    schedule(cast, days=4)
    response = signed_in_client(cast.member).post("/notifications/read-all/", follow=True)
    assert "Every notification is marked read." in response.content.decode()
    assert not Notification.objects.filter(read_at=None).exists()


def test_the_settings_page_turns_an_email_off(cast):
    client = signed_in_client(cast.member)
    page = client.get("/notifications/settings/").content.decode()
    assert page.count('type="checkbox"') == len(Notification.Kind.values)
    assert page.count("checked") == len(Notification.Kind.values)
    keep = [k for k in Notification.Kind.values if k != "meeting.added"]
    response = client.post("/notifications/settings/", {"email_kinds": keep})
    assert response.status_code == 302
    assert list(EmailPreference.objects.filter(user=cast.member).values_list(
        "kind", "email")) == [("meeting.added", False)]
    bad = client.post("/notifications/settings/", {"email_kinds": ["no-such-kind"]})
    assert bad.status_code == 200 and "no-such-kind" in bad.content.decode()
    assert EmailPreference.objects.filter(user=cast.member).count() == 1


def test_the_api_lists_marks_and_chooses(cast):
    schedule(cast)
    _token, headers = make_api_token(cast.member)
    client = signed_in_client(None)
    listed = client.get("/api/v1/me/notifications", **headers).json()
    assert listed["unread"] == 1
    [item] = listed["notifications"]
    assert item["kind"] == "meeting.added" and item["read_at"] is None
    assert item["organization_id"] == str(cast.org.public_id)
    read = client.post(f"/api/v1/me/notifications/{item['id']}/read", **headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.post("/api/v1/me/notifications/read-all", **headers).json() == {"marked": 0}
    changed = client.put("/api/v1/me/notification-settings",
                         data={"email": {"meeting.moved": False}},
                         content_type="application/json", **headers)
    assert changed.status_code == 200
    assert changed.json()["email"]["meeting.moved"] is False
    assert changed.json()["email"]["meeting.added"] is True
    refused = client.put("/api/v1/me/notification-settings",
                         data={"email": {"no-such-kind": False}},
                         content_type="application/json", **headers)
    assert refused.status_code == 400 and refused.json()["field"] == "email"


def test_a_request_only_queues_the_email_and_the_worker_sends_it(live_cast, settings):
    """With the database queue, the request that schedules a meeting commits, leaves a
    task behind and sends nothing; ``manage.py db_worker`` sends it."""
    from django_tasks_db.models import DBTaskResult

    cast = live_cast
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    client = signed_in_client(cast.facilitator)
    mail.outbox.clear()  # the cast's invitations
    response = client.post(f"/meetings/circles/{cast.circle.public_id}/", {
        "date": (timezone.now() + timedelta(days=3)).date().isoformat(),
        "time": "18:00", "duration_minutes": 60, "recurrence": "none", "mode": "online"})
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=cast.member)
    assert mail.outbox == []
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [[str(notification.public_id)]]
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert [m.to for m in mail.outbox] == [[cast.member.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
