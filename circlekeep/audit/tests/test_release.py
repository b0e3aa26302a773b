"""The audit events of anonymous submissions: held with nothing but their day, and released
into the trail only a whole day at a time, in random order."""

import io
import random
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from circlekeep import audit
from circlekeep.audit.models import (
    AuditCheckpoint,
    AuditEvent,
    HeldAuditEvent,
    to_microseconds,
)
from circlekeep.audit.recording import release_held_events
from circlekeep.audit.tests.tampering import last
from circlekeep.audit.verify import verify
from circlekeep.circles.models import Membership
from circlekeep.incidents.actions import do_report_anonymous_concern
from circlekeep.testing import ConcernToken, enough_token_holders, make_member
from circlekeep.testing import report_anonymously as send_anonymous_concern

pytestmark = pytest.mark.django_db


def today():
    return timezone.now().astimezone(UTC).date()


def report_anonymously(cast):
    """An anonymous concern from a new member (each holds one token a day)."""
    count = Membership.objects.filter(circle=cast.circle).count()
    person = make_member(cast.circle, f"anon{count}@example.test", name=f"Anon {count}",
                         actor=cast.facilitator).user
    return send_anonymous_concern(person, cast.circle, body="Someone shared what was said.")


def hold(cast, n):
    """``n`` anonymous events in submission order, told apart by their data."""
    with transaction.atomic():
        for number in range(n):
            audit.record("concern.reported", actor=None, target=cast.circle,
                         circle=cast.circle, anonymous=True, data={"n": number})


def released_numbers(after):
    return [e.data["n"] for e in AuditEvent.objects.filter(sequence__gt=after,
                                                           event_type="concern.reported")]


def test_an_anonymous_event_is_held_instead_of_appended(cast):
    token = ConcernToken(cast.member, cast.circle)  # fetched on an earlier page view
    enough_token_holders(cast.circle)
    start = last()
    concern = do_report_anonymous_concern(token.key, prepared=token.prepared,
                                          signature=token.signature, kind="intentional",
                                          body="Someone shared what was said.")
    assert last() == start
    assert not AuditEvent.objects.filter(event_type="concern.reported").exists()
    [held] = HeldAuditEvent.objects.filter(event_type="concern.reported")
    assert (held.event_type, held.target_id, held.day) == ("concern.reported",
                                                          str(concern.public_id), today())


def test_a_held_event_holds_no_actor_no_request_and_no_time_of_day(cast):
    send_anonymous_concern(cast.member, cast.circle)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_heldauditevent")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert sorted(names) == ["circle_id", "data_json", "day", "event_type", "id",
                             "organization_id", "reason", "signature", "subject_id",
                             "target_id", "target_type"]
    # The concern's event, and those of the day's tokens handed out (which name nobody).
    assert [r["event_type"] for r in rows].count("concern.reported") == 1
    assert {r["event_type"] for r in rows} == {"concern.reported",
                                                "feedback.concern_token.issued"}
    for row in rows:
        assert (row["organization_id"], row["circle_id"], row["subject_id"], row["reason"]) \
            == (cast.org.pk, cast.circle.pk, None, "")
        others = [value for name, value in row.items()
                  if name not in {"organization_id", "circle_id", "signature"}]
        assert cast.member.pk not in others and str(cast.member.pk) not in others
        text = " ".join(map(str, row.values()))
        for identity in (cast.member.email, str(cast.member.public_id),
                         cast.member.display_name):
            assert identity not in text
        assert str(row["day"]) == today().isoformat()  # a day, not a moment


def test_released_events_join_the_trail_at_the_start_of_their_day_naming_nobody(cast):
    concern = report_anonymously(cast)
    held = HeldAuditEvent.objects.count()
    start = last()
    assert release_held_events(today=today() + timedelta(days=1)) == held
    [event] = AuditEvent.objects.filter(sequence__gt=start, event_type="concern.reported")
    assert (event.event_type, event.target_id) == ("concern.reported", str(concern.public_id))
    assert event.at_us == to_microseconds(datetime.combine(today(), time.min, tzinfo=UTC))
    assert (event.actor_id, event.actor_role, event.request_id, event.subject_id) == (
        None, "anonymous", "", None)
    assert not HeldAuditEvent.objects.exists()
    assert verify().ok


def test_events_of_today_are_not_released(cast):
    report_anonymously(cast)
    held = HeldAuditEvent.objects.count()
    start = last()
    assert release_held_events() == 0
    assert last() == start and HeldAuditEvent.objects.count() == held


def test_the_release_order_is_the_shuffles_not_the_submissions(cast):
    hold(cast, 20)
    given = []

    class Reverse:
        def shuffle(self, items):
            given.extend(e.data_json for e in items)
            items.reverse()

    start = last()
    release_held_events(rng=Reverse(), today=today() + timedelta(days=1))
    assert sorted(given) == sorted(f'{{"n":{n}}}' for n in range(20))
    assert [f'{{"n":{n}}}' for n in released_numbers(start)] == list(reversed(given))


def test_a_seeded_shuffle_releases_a_permutation_out_of_submission_order(cast):
    hold(cast, 20)
    start = last()
    release_held_events(rng=random.Random(20261201), today=today() + timedelta(days=1))
    numbers = released_numbers(start)
    assert sorted(numbers) == list(range(20)) and numbers != list(range(20))


def test_the_order_comes_from_the_operating_systems_randomness(cast, monkeypatch):
    from circlekeep.audit import recording

    shuffled = []

    class Spy(random.SystemRandom):
        def shuffle(self, items):
            shuffled.append(len(items))
            super().shuffle(items)

    monkeypatch.setattr(recording.secrets, "SystemRandom", Spy)
    hold(cast, 3)
    release_held_events(today=today() + timedelta(days=1))
    assert shuffled == [3]


@pytest.mark.parametrize("verb", ["release", "verify", "checkpoint"])
def test_the_audit_commands_release_the_days_before_today(cast, monkeypatch, verb):
    yesterday = timezone.now() - timedelta(days=1)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: yesterday)
        report_anonymously(cast)
    held = HeldAuditEvent.objects.count()
    out = io.StringIO()
    call_command("audit", verb, stdout=out)
    assert f"Released {held} held anonymous event(s) into the trail." in out.getvalue()
    assert not HeldAuditEvent.objects.exists()
    assert AuditEvent.objects.filter(event_type="concern.reported", actor=None).exists()
    if verb != "verify":  # released events do not wait for the next one to be signed
        assert AuditCheckpoint.objects.filter(sequence=last()).exists()


def test_several_days_are_released_a_day_after_another(cast, monkeypatch):
    start = last()
    for days_ago in (1, 3, 2, 3, 1):
        moment = timezone.now() - timedelta(days=days_ago)
        with monkeypatch.context() as clock:
            clock.setattr(timezone, "now", lambda moment=moment: moment)
            hold(cast, 1)
    assert release_held_events() == 5
    times = list(AuditEvent.objects.filter(sequence__gt=start, event_type="concern.reported")
                 .values_list("at_us", flat=True))
    assert times == sorted(times) and len(set(times)) == 3


def _raw(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def test_a_row_planted_in_the_held_table_is_refused_and_reported(cast):
    """Someone holding the database but not the signing key plants a "legal disclosure"
    about Mina among the held events: it never reaches the trail, and verify says so."""
    import uuid

    yesterday = today() - timedelta(days=1)
    _raw("INSERT INTO audit_heldauditevent (id, day, event_type, target_type, target_id, "
         "organization_id, circle_id, subject_id, reason, data_json, signature) "
         "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
         [uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()),
          yesterday, "disclosure.legal.recorded", "accounts.user", str(cast.member.public_id),
          cast.org.pk, cast.circle.pk, cast.member.pk, "Court order: full record sent", "{}",
          "forged"])
    result = verify()
    assert not result.ok and "carry no valid signature" in result.problem.message
    release_held_events()
    assert not AuditEvent.objects.filter(event_type="disclosure.legal.recorded").exists()
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert "refused as forged" in err.getvalue()


def test_a_held_event_removed_before_its_release_is_reported(cast, monkeypatch):
    moment = timezone.now() - timedelta(days=1)
    with monkeypatch.context() as clock:
        clock.setattr(timezone, "now", lambda: moment)
        report_anonymously(cast)
        report_anonymously(cast)
    held = HeldAuditEvent.objects.count()
    _raw("DELETE FROM audit_heldauditevent WHERE id IN (SELECT id FROM audit_heldauditevent "
         "LIMIT 1)")
    assert "1 held anonymous event(s) were removed" in verify().problem.message
    assert release_held_events() == held - 1
    [missing] = AuditEvent.objects.filter(event_type="audit.held.missing")
    assert missing.data == {"rows": 1}
    assert not verify().ok  # the loss stays on the record


def test_events_that_cannot_be_anonymous_are_not_held(cast):
    with pytest.raises(ValueError, match="cannot be anonymous"), transaction.atomic():
        audit.record("disclosure.legal.recorded", actor=None, target=cast.circle,
                     circle=cast.circle, anonymous=True)
