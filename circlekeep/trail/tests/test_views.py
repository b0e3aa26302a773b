import csv
import io
import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from circlekeep import vault
from circlekeep.accounts.actions import (
    do_create_api_token,
    do_record_failed_sign_in,
    do_record_lockout,
)
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.actions import do_change_membership_status
from circlekeep.circles.models import MembershipChange
from circlekeep.orgs.actions import do_change_org_policies
from circlekeep.testing import just_signed_in, signed_in_client
from circlekeep.trail.reports import security_report

pytestmark = pytest.mark.django_db


def read_mina(cast, who, why):
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="A private reason")
    change = MembershipChange.objects.filter(membership=cast.membership).latest("pk")
    vault.reveal(change, "reason", actor=who, reason=why)


def test_a_member_sees_who_read_their_information_and_why(cast):
    read_mina(cast, cast.admin, "Reviewing the suspension")
    page = signed_in_client(cast.member).get("/audit/mine/").content.decode()
    assert "Who has seen my information" in page
    assert "Ada" in page and "Protected information read" in page
    assert "Reviewing the suspension" in page
    assert "A private reason" not in page  # the trail holds metadata, never the text


def test_the_newest_events_come_first_and_pages_hold_50(cast):
    from circlekeep.accounts.actions import do_record_sign_in

    for _ in range(60):
        do_record_sign_in(cast.member)
    client = signed_in_client(cast.member)
    first = client.get("/audit/mine/").context["page"]
    assert len(first.object_list) == 50
    sequences = [e.sequence for e in first.object_list]
    assert sequences == sorted(sequences, reverse=True)
    second = client.get("/audit/mine/?page=2").context["page"]
    assert max(e.sequence for e in second.object_list) < min(sequences)


def test_a_member_never_sees_events_about_someone_else(cast):
    do_change_membership_status(cast.other_membership, "suspended",
                                actor=cast.other_facilitator, reason="x")
    page = signed_in_client(cast.member).get("/audit/mine/")
    assert all(e.subject_id == cast.member.pk for e in page.context["page"].object_list)
    assert "Otto" not in page.content.decode()


def test_the_access_log_is_in_the_api_too(cast):
    read_mina(cast, cast.facilitator, "Preparing for the session")
    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
                                         proof=just_signed_in(cast.member))
    data = Client().get("/api/v1/me/access-log",
                        HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    newest = data["events"][0]
    assert newest["event_type"] == "account.api_token.created"
    read = next(e for e in data["events"] if e["event_type"] == "vault.revealed")
    assert (read["actor"], read["reason"]) == ("Fran", "Preparing for the session")


def test_facilitators_see_their_circles_events_only(cast):
    do_change_membership_status(cast.other_membership, "suspended",
                                actor=cast.other_facilitator, reason="x")
    events = signed_in_client(cast.facilitator).get("/audit/").context["page"].object_list
    circles = {e.circle_id for e in events}
    assert circles == {cast.circle.pk}


def test_admins_and_auditors_see_their_organization_and_not_another(cast):
    for user in (cast.admin, cast.auditor):
        events = signed_in_client(user).get("/audit/").context["page"].object_list
        assert events and all(e.organization_id in (cast.org.pk, None) for e in events)
        assert not any(e.circle_id == cast.other_org_circle.pk for e in events)


def test_the_trail_filters_by_type_circle_and_date(cast):
    client = signed_in_client(cast.admin)
    page = client.get("/audit/", {"event_type": "circle.created"}).context["page"]
    assert {e.event_type for e in page.object_list} == {"circle.created"}
    page = client.get("/audit/", {"circle": str(cast.other_circle.public_id)}).context["page"]
    assert {e.circle_id for e in page.object_list} == {cast.other_circle.pk}
    # "Today" as the admin reads dates, in her own time zone (the UTC date is tomorrow
    # there for part of every day).
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(cast.admin.time_zone)).isoformat()
    assert client.get("/audit/", {"since": today, "until": today}).context["page"].object_list
    past = client.get("/audit/", {"since": "2020-01-01", "until": "2020-01-31"})
    assert not past.context["page"].object_list
    response = client.get("/audit/", {"since": today, "until": "2020-01-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_auditors_export_the_trail_as_csv_and_facilitators_cannot(cast):
    response = signed_in_client(cast.auditor).get("/audit/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["sequence", "time_utc", "actor"]
    assert len(rows) > 10 and all(len(r) == 13 for r in rows)
    assert signed_in_client(cast.facilitator).get("/audit/export.csv").status_code == 403


def test_the_security_report_counts_what_matters(cast, settings):
    do_record_failed_sign_in("mina@example.test")
    do_record_failed_sign_in("mina@example.test")
    do_record_lockout("mina@example.test")
    settings.USUAL_HOURS = (0, 0)  # every read is outside usual hours
    read_mina(cast, cast.facilitator, "Session prep")
    report = security_report(cast.org, since=timezone.now() - timedelta(hours=1),
                             until=timezone.now() + timedelta(seconds=1))
    assert (report.failed_sign_ins, report.lockouts) == (2, 1)
    assert report.reads_by_role == [("facilitator", 1)]
    assert report.top_readers == [("Fran", "facilitator", 1)]
    assert len(report.outside_hours) == 1
    assert report.failed_by_account == [("Mina", 2)]
    other = security_report(cast.other_org, since=timezone.now() - timedelta(hours=1),
                            until=timezone.now() + timedelta(seconds=1))
    assert (other.failed_sign_ins, other.reads_by_role) == (0, [])


def test_the_security_report_page_api_and_command(cast):
    read_mina(cast, cast.facilitator, "Session prep")
    page = signed_in_client(cast.auditor).get("/audit/security/").content.decode()
    assert "Riverside Collective" in page and "Fran (facilitator): 1" in page
    _token, secret = do_create_api_token(cast.auditor, name="t", days=1, actor=cast.auditor,
                                         proof=just_signed_in(cast.auditor))
    data = Client().get("/api/v1/audit/security-report",
                        {"since": timezone.localdate().isoformat()},
                        HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert data[0]["reads_by_role"] == {"facilitator": 1}
    future = Client().get("/api/v1/audit/security-report",
                          {"since": (timezone.localdate() + timedelta(days=2)).isoformat()},
                          HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert future.status_code == 400
    out = io.StringIO()
    call_command("audit", "report", "--since", timezone.localdate().isoformat(), stdout=out)
    assert "Reads of protected information" in out.getvalue()
    assert "Fran (facilitator)" in out.getvalue()


def test_auditors_read_the_trail_and_reports_but_no_circle(cast):
    client = signed_in_client(cast.auditor)
    assert client.get("/audit/").status_code == 200
    assert client.get(f"/circles/{cast.circle.public_id}/").status_code == 404
    assert client.get(f"/circles/memberships/{cast.membership.public_id}/").status_code == 404


def test_a_failed_sign_in_on_the_page_reaches_the_report(cast):
    Client().post("/accounts/sign-in/", {"username": "mina@example.test", "password": "no"})
    assert AuditEvent.objects.filter(event_type="account.sign_in.failed",
                                     subject=cast.member).count() == 1


def test_account_events_carry_the_persons_staff_role(cast):
    from circlekeep.accounts.actions import do_record_sign_in

    do_record_sign_in(cast.admin)
    do_record_sign_in(cast.member)
    roles = list(AuditEvent.objects.order_by("-sequence").values_list("actor_role", flat=True)[:2])
    assert roles == ["member", "admin"]


def test_the_csv_export_does_not_hand_spreadsheets_a_formula(cast):
    from circlekeep.orgs.actions import do_reset_two_factor

    do_reset_two_factor(cast.facilitator, actor=cast.admin, reason='=HYPERLINK("x","y")')
    response = signed_in_client(cast.auditor).get("/audit/export.csv",
                                                  {"event_type": "account.otp.reset"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][10] == "'=HYPERLINK(\"x\",\"y\")"


def signed_now():
    """Sign the head unless it already is; the newest checkpoint."""
    from circlekeep.audit.models import AuditCheckpoint
    from circlekeep.audit.recording import checkpoint_now

    checkpoint_now()
    return AuditCheckpoint.objects.latest("sequence")


def test_a_member_sees_the_latest_signed_head_and_that_its_signature_holds(cast):
    checkpoint = signed_now()
    response = signed_in_client(cast.member).get("/audit/mine/")
    page = response.content.decode()
    assert f'data-sequence="{checkpoint.sequence}"' in page
    assert f'data-hash="{checkpoint.hash}"' in page and 'data-url="/audit/head.json"' in page
    assert f"#{checkpoint.sequence}" in page and f"{checkpoint.hash[:16]}…" in page
    assert response.context["head"]["signature_valid"] is True
    assert "not valid" not in page
    assert 'src="/static/js/audit-head.js" integrity="sha384-' in page


def test_a_forged_head_is_shown_as_not_validly_signed(cast):
    from circlekeep.audit.tests.tampering import sql, tampering

    checkpoint = signed_now()
    with tampering():
        sql("UPDATE audit_auditcheckpoint SET hash = %s WHERE sequence = %s",
            ["f" * 64, checkpoint.sequence])
    page = signed_in_client(cast.member).get("/audit/mine/").content.decode()
    assert "not valid: please tell your organization" in page


def test_the_signed_head_is_available_to_the_browser_with_the_hash_at_an_older_one(cast):
    older = signed_now()
    do_record_failed_sign_in("nobody@example.test")
    newest = signed_now()
    client = signed_in_client(cast.member)
    answer = client.get("/audit/head.json").json()
    assert answer["head"]["sequence"] == newest.sequence
    assert (answer["head"]["hash"], answer["head"]["signature_valid"]) == (newest.hash, True)
    answer = client.get(f"/audit/head.json?at={older.sequence}").json()
    assert answer["at"] == {"sequence": older.sequence, "hash": older.hash}
    answer = client.get(f"/audit/head.json?at={newest.sequence + 1000}").json()
    assert answer["at"] == {"sequence": newest.sequence + 1000, "hash": None}


@pytest.mark.parametrize("at", ["abc", "0", "-3", "1.5", "²", "9" * 19, "9" * 5000, ""])
def test_a_bad_sequence_for_the_signed_head_is_refused_with_a_clear_message(cast, at):
    response = signed_in_client(cast.member).get("/audit/head.json", {"at": at})
    assert response.status_code == 400
    assert response.json() == {"error": "“at” must be the number of an event in the audit "
                                        "trail (a whole number from 1)."}


def test_reads_around_the_readers_meetings_are_usual_and_an_evening_without_one_is_not(
        cast, settings):
    """A facilitator writing notes after an evening meeting is doing their job."""
    from circlekeep.meetings.actions import do_schedule_meetings

    settings.USUAL_HOURS = (0, 0)  # no office hours: only meetings make a time usual
    settings.USUAL_HOURS_AROUND_MEETINGS = 3
    do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=30),
                         duration_minutes=60, recurrence="none", mode="online",
                         actor=cast.facilitator)
    read_mina(cast, cast.facilitator, "Session prep")
    window = {"since": timezone.now() - timedelta(hours=1),
              "until": timezone.now() + timedelta(seconds=1)}
    assert security_report(cast.org, **window).outside_hours == []
    # Half an hour before the meeting, with no time allowed around meetings: flagged.
    settings.USUAL_HOURS_AROUND_MEETINGS = 0
    assert len(security_report(cast.org, **window).outside_hours) == 1


def test_the_security_report_counts_wrong_two_step_codes_and_their_lockouts(cast):
    from circlekeep.accounts.actions import (
        do_record_second_step_lockout,
        do_verify_second_factor,
    )
    from circlekeep.testing import assert_events, audit_mark

    mark = audit_mark()
    assert do_verify_second_factor(cast.facilitator, "000000") is None
    do_record_second_step_lockout(cast.facilitator)
    assert_events(mark, [("account.otp.failed", cast.facilitator, cast.facilitator),
                         ("account.otp.locked_out", cast.facilitator, cast.facilitator)])
    report = security_report(cast.org, since=timezone.now() - timedelta(hours=1),
                             until=timezone.now() + timedelta(seconds=1))
    assert (report.failed_second_steps, report.second_step_lockouts) == (1, 1)


def test_the_security_report_shows_times_to_the_second_and_the_legal_clocks(cast, settings):
    settings.USUAL_HOURS = (0, 0)
    read_mina(cast, cast.facilitator, "Session prep")
    page = signed_in_client(cast.admin).get("/audit/security/").content.decode()
    assert re.search(r"<time [^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", page)
    # Riverside Collective is in the United States.
    assert "HIPAA (US" in page and "within 60 days" in page and "GDPR" not in page
    do_change_org_policies(cast.org, name=cast.org.name, country="ES", region="",
                           require_member_2fa=False, actor=cast.admin)
    page = signed_in_client(cast.admin).get("/audit/security/").content.decode()
    assert "GDPR (ES)" in page and "within 72 hours" in page
