"""An anonymous concern cannot be joined to its author by anyone holding the database,
the logs and the audit trail.

Mina sends one anonymous concern through the page and one through the API. Then every
row of every table is compared with a copy taken just before: no new or changed row names
her (by id, public id, address or session), none carries a time finer than the day, and
her session row was not written. No log line mentions the report, and the report's audit
event joins the trail only when the day's held events are released, with no actor, no
request id and the start of its day as its time. Runs on SQLite and on PostgreSQL.
"""

import datetime
import logging
import re
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from circlekeep.accounts.middleware import SEEN_KEY
from circlekeep.audit.models import AuditEvent
from circlekeep.audit.recording import release_held_events
from circlekeep.incidents.models import Concern
from circlekeep.testing import make_api_token, signed_in_client

pytestmark = pytest.mark.django_db


def snapshot():
    """Every row of every table, by model and primary key, as the ORM reads it."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label] = {row[model._meta.pk.attname]: row
                                   for row in model.objects.all().values(*fields)}
    return rows


def changed_rows(before, after):
    for label, rows in after.items():
        for pk, row in rows.items():
            if before.get(label, {}).get(pk) != row:
                yield label, row


def user_columns(label):
    """Columns of ``label`` that point at a person."""
    model = apps.get_model(label)
    return [f.attname for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is apps.get_model(settings.AUTH_USER_MODEL)]


def finer_than_a_day(value):
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.UTC) if value.tzinfo else value
        return (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0)
    return False


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record) + " " + repr(record.__dict__))


@pytest.fixture
def captured_logs():
    """Every log record, through the project's own logging filters, as a log file would
    hold it."""
    from circlekeep.lib.notrace import NoTraceFilter

    handler = Collect()
    handler.addFilter(NoTraceFilter())
    names = ["", "django", "django.server", "django.request", "gunicorn.access"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def runserver_access_line(path, status):
    """What `manage.py runserver` logs for each request (django.core.servers.basehttp)."""
    logging.getLogger("django.server").info('"%s" %s %s', f"POST {path} HTTP/1.1", status, 0,
                                            extra={"server_time": "now"})


def test_an_anonymous_concern_leaves_nothing_that_leads_back_to_its_author(cast,
                                                                           captured_logs):
    mina = cast.member
    _token, auth = make_api_token(mina)
    page = signed_in_client(mina)
    session = page.session
    session[SEEN_KEY] = int(time.time()) - 120  # the idle clock would refresh now
    session.save()
    session_key = session.session_key
    report_url = f"/incidents/circles/{cast.circle.public_id}/report/"
    form = page.get(report_url).content.decode()
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)
    session_row = Session.objects.get(session_key=session_key)
    before = snapshot()

    response = page.post(report_url, {
        "kind": "intentional", "body": "Someone repeated a story outside the group.",
        "visibility": "anonymous", "raise_in_group": "no", "once": once})
    # A page, not a redirect that the browser would follow at once with an ordinary,
    # logged request; and the next page opened does not name this one as its referrer.
    assert response.status_code == 200 and response["Referrer-Policy"] == "no-referrer"
    runserver_access_line(report_url, 200)
    api_url = f"/api/v1/circles/{cast.circle.public_id}/concerns"
    response = Client().post(api_url, data={
        "kind": "boundaries", "body": "A screenshot of our chat was shared.",
        "visibility": "anonymous"}, content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["id"] is None
    runserver_access_line(api_url, 201)
    after = snapshot()

    assert Concern.objects.filter(visibility="anonymous").count() == 2
    traces = {str(mina.public_id), mina.public_id.hex, mina.email, session_key}
    for label, row in changed_rows(before, after):
        for column in user_columns(label):
            assert row[column] != mina.pk, f"{label}.{column} names the reporter"
        for column, value in row.items():
            assert not finer_than_a_day(value), f"{label}.{column} is timed to the second"
            if isinstance(value, str | bytes):
                text = value if isinstance(value, str) else value.hex()
                assert not any(t in text for t in traces), f"{label}.{column} names her"
    assert Session.objects.get(session_key=session_key).expire_date == \
        session_row.expire_date
    assert not AuditEvent.objects.filter(event_type="concern.reported").exists()

    # The day ends; its held events join the trail.
    release_held_events(today=datetime.datetime.now(datetime.UTC).date()
                        + datetime.timedelta(days=1))
    released = list(AuditEvent.objects.filter(event_type="concern.reported"))
    assert len(released) == 2
    for event in released:
        assert (event.actor_id, event.request_id, event.actor_role) == (None, "", "anonymous")
        assert event.at_us % (86_400 * 1_000_000) == 0  # the start of the day, UTC

    # A later request whose log line names the report page as its referrer is dropped too.
    logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s "%(f)s"', {"h": "203.0.113.9", "r": "GET / HTTP/1.1", "s": 200,
                                         "f": f"https://circles.example{report_url}",
                                         "U": "/"})
    logs = "\n".join(captured_logs)
    for trace in (*traces, report_url, api_url, "/report/", "/concerns", "203.0.113.9"):
        assert trace not in logs


def test_a_form_token_expires_at_midnight_so_its_expiry_tells_no_time(monkeypatch):
    from django.core.cache import cache

    from circlekeep.lib.once import submitted_once

    seen = {}
    monkeypatch.setattr(cache, "add", lambda key, value, timeout: seen.update(t=timeout) or True)

    class Sent:
        cleaned_data = {"once": "a-random-token"}

    with submitted_once(Sent()):
        pass
    now = datetime.datetime.now(datetime.UTC)
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
    assert abs((now + datetime.timedelta(seconds=seen["t"]) - midnight).total_seconds()) <= 2
