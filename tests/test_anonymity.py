"""An anonymous concern cannot be joined to its author by anyone holding the database,
the logs and the audit trail.

Mina's browser holds a token for the circle's day (fetched on an ordinary page view, as
everyone's is); Pat's client fetched one through the API. Each sends an anonymous concern
to the cookie-less end. Then every row of every table is compared with a copy taken just
before: no new or changed row names them (by id, public id, address or session), none
carries a time finer than the day, and Mina's session row was not written. No log line
mentions the report, and the report's audit event joins the trail only when the day's
held events are released, with no actor, no request id and the start of its day as its
time. Runs on SQLite and on PostgreSQL.
"""

import base64
import datetime
import logging
import os
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
from circlekeep.feedback import blindrsa, client
from circlekeep.incidents.models import Concern
from circlekeep.testing import (
    enough_token_holders,
    make_api_token,
    make_member,
    signed_in_client,
)

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


def browser_token(page, circle):
    """What Mina's browser does on any signed-in page: ask for the keys it holds no token
    for, and fetch today's concern token for ``circle``, blinded (the site's script does
    this with @cloudflare/blindrsa-ts; the test with the Python client)."""
    waiting = page.get("/feedback/tokens/").json()
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    key = next(k for k in waiting["rounds"]
               if k.get("circle") == str(circle.public_id) and k["day"] == today)
    public = blindrsa.load_public_key(base64.b64decode(key["public_key"]))
    prepared = client.prepare(key["prefix"].encode() + base64.b64encode(os.urandom(32)))
    blinded, inverse = client.blind(public, prepared)
    form = page.get(f"/incidents/circles/{circle.public_id}/report/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    signed = page.post(key["token_url"], data={"blinded": base64.b64encode(blinded).decode()},
                       content_type="application/json", HTTP_X_CSRFTOKEN=csrf).json()
    signature = client.finalize(public, base64.b64decode(signed["blind_signature"]), inverse)
    return {"key_id": key["id"], "token": base64.b64encode(prepared).decode(),
            "signature": base64.b64encode(signature).decode()}


def api_token(auth, circle):
    """The same through the API, as another client would."""
    api = Client(**auth)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    key = next(k for k in api.get("/api/v1/concern-keys").json()
               if k["circle_id"] == str(circle.public_id) and k["day"] == today)
    public = blindrsa.load_public_key(base64.b64decode(key["public_key"]))
    prepared = client.prepare(f"circlekeep-concern:v1:{key['id']}:".encode()
                              + base64.b64encode(os.urandom(32)))
    blinded, inverse = client.blind(public, prepared)
    signed = api.post(f"/api/v1/concern-keys/{key['id']}/tokens",
                      data={"blinded": base64.b64encode(blinded).decode()},
                      content_type="application/json").json()
    signature = client.finalize(public, base64.b64decode(signed["blind_signature"]), inverse)
    return {"key_id": key["id"], "token": base64.b64encode(prepared).decode(),
            "signature": base64.b64encode(signature).decode()}


def test_an_anonymous_concern_leaves_nothing_that_leads_back_to_its_author(cast,
                                                                           captured_logs):
    mina, pat = cast.member, make_member(cast.circle, "pat@example.test", name="Pat",
                                         actor=cast.facilitator).user
    _token, auth = make_api_token(pat)
    page = signed_in_client(mina)
    session = page.session
    session[SEEN_KEY] = int(time.time()) - 120  # the idle clock would refresh now
    session.save()
    session_key = session.session_key
    # Tokens come on any page view, long before anyone means to report.
    minas, pats = browser_token(page, cast.circle), api_token(auth, cast.circle)
    enough_token_holders(cast.circle)
    session_row = Session.objects.get(session_key=session_key)
    report_url = f"/incidents/circles/{cast.circle.public_id}/report/"
    send_url = "/api/v1/anonymous-concerns"
    before = snapshot()

    # She opens the report page (it leaves no trace either) and her browser sends the
    # report without credentials; even a session cookie sent along is dropped unread.
    opened = page.get(report_url)
    assert opened["Referrer-Policy"] == "no-referrer"
    runserver_access_line(report_url, 200)
    response = page.post(send_url, content_type="application/json", data={
        **minas, "kind": "intentional", "body": "Someone repeated a story outside the group.",
        "raise_in_group": "no"})
    assert response.status_code == 201 and response.json() == {}
    assert not response.cookies
    runserver_access_line(send_url, 201)
    response = Client().post(send_url, content_type="application/json", data={
        **pats, "kind": "boundaries", "body": "A screenshot of our chat was shared."})
    assert response.status_code == 201
    runserver_access_line(send_url, 201)
    after = snapshot()

    assert Concern.objects.filter(visibility="anonymous", reporter=None).count() == 2
    traces = {session_key}
    for person in (mina, pat):
        traces |= {str(person.public_id), person.public_id.hex, person.email}
    for label, row in changed_rows(before, after):
        for column in user_columns(label):
            assert row[column] not in (mina.pk, pat.pk), f"{label}.{column} names a reporter"
        for column, value in row.items():
            assert not finer_than_a_day(value), f"{label}.{column} is timed to the second"
            if isinstance(value, str | bytes):
                text = value if isinstance(value, str) else value.hex()
                assert not any(t in text for t in traces), f"{label}.{column} names them"
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
    for trace in (*traces, report_url, send_url, "/report/", "anonymous-concerns",
                  "203.0.113.9"):
        assert trace not in logs


def test_a_signed_in_request_cannot_send_a_fully_anonymous_concern(cast):
    """Sent with an account, a report would be tied to it by the request itself: the page
    and the API refuse, say why, and store nothing."""
    page = signed_in_client(cast.member)
    url = f"/incidents/circles/{cast.circle.public_id}/report/"
    once = re.search(r'name="once" value="([^"]+)"', page.get(url).content.decode()).group(1)
    response = page.post(url, {"kind": "intentional", "body": "A story went round.",
                               "visibility": "anonymous", "raise_in_group": "no",
                               "once": once})
    assert response.status_code == 200
    assert "sent by your browser, without your account" in response.content.decode()
    _token, auth = make_api_token(cast.member)
    response = Client(**auth).post(f"/api/v1/circles/{cast.circle.public_id}/concerns",
                                   data={"kind": "intentional", "body": "A story went round.",
                                         "visibility": "anonymous"},
                                   content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "visibility"
    assert not Concern.objects.exists()


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
