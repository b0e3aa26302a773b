"""No protected text is ever stored in clear.

Unique secrets are planted through every protected field that exists; then the whole
database is dumped (the SQLite file's bytes, or pg_dump on PostgreSQL) and searched. A
new SealedTextField without a planter here fails the test, so every later field joins it.
"""

import shutil
import sqlite3
import subprocess
import uuid

import pytest
from django.db import connection

from circlekeep.circles.actions import do_change_membership_status
from circlekeep.circles.models import Membership
from circlekeep.onboarding.actions import (
    do_ask_question,
    do_decide_screening,
    do_declare_relationships,
)
from circlekeep.testing import make_member
from circlekeep.vault.fields import SEALED_FIELDS


def plant_membership_change_reason(cast, secret):
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason=f"Suspended because {secret}")


def _joining_member(cast):
    return make_member(cast.circle, f"new-{uuid.uuid4().hex[:8]}@example.test", name="Nia",
                       actor=cast.facilitator, status="onboarding")


def plant_onboarding_question(cast, secret):
    membership = _joining_member(cast)
    do_ask_question(membership, text=f"Will anyone know that {secret}?",
                    actor=membership.user)


def plant_relationship_declaration(cast, secret):
    membership = _joining_member(cast)
    do_declare_relationships(membership, actor=membership.user, declarations=[
        ("Mina", "coworker", f"We share an office and {secret}")])


def plant_screening_plan(cast, secret):
    membership = _joining_member(cast)
    do_declare_relationships(membership, actor=membership.user,
                             declarations=[("Mina", "friend", "")])
    do_decide_screening(membership, decision="proceed", plan=f"Seat apart; {secret}",
                        actor=cast.facilitator)


def _held_meeting(cast, group=""):
    """A meeting that has begun with Mina present, and its group note."""
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.meetings.actions import (
        do_acknowledge_ritual,
        do_record_attendance,
        do_schedule_meetings,
    )
    from circlekeep.meetings.models import Meeting
    from circlekeep.notes.actions import do_write_group_note
    from circlekeep.notes.models import ProgressNote

    meeting = do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60,
        recurrence="none", mode="online", actor=cast.facilitator).meetings.get()
    membership = Membership.objects.get(pk=cast.membership.pk)
    do_acknowledge_ritual(meeting, membership, actor=cast.facilitator)
    do_record_attendance(meeting, membership, status="present", actor=cast.facilitator)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1))
    meeting.refresh_from_db()
    do_write_group_note(meeting, body=group or "The circle met.", actor=cast.facilitator,
                        sections={membership: group or "Mina spoke."})
    return ProgressNote.objects.select_related(
        "group_note", "membership__user", "membership__circle",
        "membership__circle__organization").get(group_note__meeting=meeting)


def plant_group_note(cast, secret):
    _held_meeting(cast, group=f"Themes of the week: {secret}")


def plant_progress_note(cast, secret):
    from circlekeep.notes.actions import do_sign_progress_note

    note = _held_meeting(cast, group=f"Mina said {secret}")
    do_sign_progress_note(note, actor=cast.facilitator)


def plant_addendum(cast, secret):
    from circlekeep.notes.actions import (
        do_add_addendum,
        do_draft_addendum,
        do_sign_progress_note,
    )

    note = _held_meeting(cast)
    do_sign_progress_note(note, actor=cast.facilitator)
    addendum = do_draft_addendum(note, body=f"Later: {secret}", actor=cast.facilitator)
    do_add_addendum(addendum, actor=cast.facilitator)


def _authorization(cast, purpose="Care"):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.disclosures.actions import do_sign_authorization

    return do_sign_authorization(
        Membership.objects.get(pk=cast.membership.pk), recipient="Dr. Lee",
        information=["attendance"], purpose=purpose, typed_name="Mina Tester",
        expires_on=timezone.localdate() + timedelta(days=30), actor=cast.member)


def plant_authorization_purpose(cast, secret):
    _authorization(cast, purpose=f"For {secret}")


def plant_disclosure_summary(cast, secret):
    from circlekeep.disclosures.actions import do_record_disclosure

    do_record_disclosure(_authorization(cast), information=["attendance"],
                         summary=f"Released {secret}", actor=cast.facilitator)


def plant_legal_reason(cast, secret):
    from circlekeep.disclosures.actions import do_record_legal_disclosure

    do_record_legal_disclosure(Membership.objects.get(pk=cast.membership.pk),
                               basis="court_order", recipient="County court",
                               information=["attendance"], summary="Attendance dates",
                               reason=f"Subpoena {secret}", confirmed=True,
                               actor=cast.facilitator)


def _concern(cast, body="Something happened"):
    from circlekeep.incidents.actions import do_acknowledge_concern, do_report_concern

    concern = do_report_concern(cast.circle, kind="accidental", body=body,
                                visibility="facilitators", actor=cast.member)
    do_acknowledge_concern(concern, actor=cast.facilitator)
    return concern


def plant_concern_body(cast, secret):
    _concern(cast, body=f"What happened: {secret}")


def plant_concern_assessment(cast, secret):
    from circlekeep.incidents.actions import do_assess_concern

    do_assess_concern(_concern(cast), assessment=f"Assessed {secret}", actor=cast.facilitator)


def plant_concern_summary(cast, secret):
    from circlekeep.incidents.actions import do_close_concern

    do_close_concern(_concern(cast), summary=f"Closed {secret}", actor=cast.facilitator)


def _decision(cast, reasons="Reasons"):
    from circlekeep.incidents.actions import do_decide_concern

    return do_decide_concern(_concern(cast), membership=Membership.objects.get(
        pk=cast.membership.pk), step="reminder", reasons=reasons, actor=cast.facilitator)


def plant_decision_reasons(cast, secret):
    _decision(cast, reasons=f"Because {secret}")


def plant_decision_response(cast, secret):
    from circlekeep.incidents.actions import do_respond_to_decision

    do_respond_to_decision(_decision(cast), response=f"I reply {secret}", actor=cast.member)


def plant_feedback_answers(cast, secret):
    from circlekeep.feedback.tests.helpers import Browser, open_round

    round_ = open_round(cast.circle, cast.facilitator)
    Browser(round_).receive(cast.member).send({"q1": 3, "q2": f"I wish {secret}"})


def plant_feedback_summary(cast, secret):
    from circlekeep.feedback.actions import do_close_round, do_share_summary
    from circlekeep.feedback.tests.helpers import open_round

    round_ = do_close_round(open_round(cast.circle, cast.facilitator), actor=cast.facilitator)
    do_share_summary(round_, actor=cast.facilitator, summary=f"Themes: {secret}")


PLANTERS = {
    "feedback.Entry.answers": plant_feedback_answers,
    "feedback.Round.summary": plant_feedback_summary,
    "incidents.Concern.body": plant_concern_body,
    "incidents.Concern.assessment": plant_concern_assessment,
    "incidents.Concern.summary": plant_concern_summary,
    "incidents.Decision.reasons": plant_decision_reasons,
    "incidents.Decision.response": plant_decision_response,
    "disclosures.Authorization.purpose": plant_authorization_purpose,
    "disclosures.Disclosure.summary": plant_disclosure_summary,
    "disclosures.Disclosure.reason": plant_legal_reason,
    "notes.GroupNote.body": plant_group_note,
    "notes.ProgressNote.section": plant_group_note,
    "notes.ProgressNote.body": plant_progress_note,
    "notes.Addendum.body": plant_addendum,
    "notes.Addendum.redacted": plant_addendum,
    "circles.MembershipChange.reason": plant_membership_change_reason,
    "circles.OnboardingMessage.body": plant_onboarding_question,
    "circles.RelationshipDeclaration.details": plant_relationship_declaration,
    "circles.RelationshipScreening.plan": plant_screening_plan,
}


def dump_database(tmp_path) -> bytes:
    if connection.vendor == "sqlite":
        target = tmp_path / "dump.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return target.read_bytes()
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.fail("pg_dump is needed to check the PostgreSQL database for plaintext")
        settings = connection.settings_dict
        result = subprocess.run(
            ["pg_dump", "--data-only", "-h", settings["HOST"] or "127.0.0.1",
             "-p", str(settings["PORT"] or 5432), "-U", settings["USER"] or "postgres",
             settings["NAME"]],
            capture_output=True, check=True, timeout=120,
        )
        return result.stdout
    pytest.fail(f"no dump for {connection.vendor}")


def test_every_protected_field_has_a_planter():
    registered = {f"{model._meta.label}.{name}" for model, name in SEALED_FIELDS}
    assert registered == set(PLANTERS)


@pytest.mark.django_db(transaction=True)
def test_planted_secrets_never_reach_the_database_in_clear(live_cast, tmp_path):
    secrets = {}
    for name, plant in PLANTERS.items():
        secret = f"planted-{uuid.uuid4().hex}"
        plant(live_cast, secret)
        secrets[name] = secret
    control = live_cast.circle.name  # not protected: must show up, proving the dump works
    dump = dump_database(tmp_path)
    assert control.encode() in dump
    found = [name for name, secret in secrets.items() if secret.encode() in dump]
    assert found == []
