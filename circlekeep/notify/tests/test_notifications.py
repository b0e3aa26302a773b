"""Who is told what, when the e-mail goes, and what it may say."""

from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change
from circlekeep.consent.actions import do_withdraw_consent
from circlekeep.consent.models import ConsentRecord
from circlekeep.incidents import actions as concerns
from circlekeep.meetings.actions import do_cancel_meeting, do_move_meeting, do_schedule_meetings
from circlekeep.notify.actions import (
    do_mark_all_notifications_read,
    do_mark_notification_read,
    do_set_email_preferences,
    email_preferences,
)
from circlekeep.notify.models import Notification
from circlekeep.onboarding.actions import do_answer_question, do_ask_question
from circlekeep.testing import (
    ConcernToken,
    assert_events,
    audit_mark,
    enough_token_holders,
    make_circle,
    make_member,
    report_anonymously,
)
from circlekeep.training.actions import (
    do_send_expiry_reminders,
    do_set_up_programme,
    do_submit_quiz,
)

pytestmark = pytest.mark.django_db

SUBJECT = "Something is waiting for you in Circlekeep"


def told(kind=None):
    """{recipient's display name: [kinds]} of every notification so far."""
    rows = Notification.objects.select_related("recipient").order_by("id")
    if kind:
        rows = rows.filter(kind=kind)
    result = {}
    for row in rows:
        result.setdefault(row.recipient.display_name, []).append(row.kind)
    return result


def report(cast, **changes):
    fields = {"kind": "intentional", "body": "Zanzibar-body: someone posted about us.",
              "visibility": "facilitators", "actor": cast.member}
    fields.update(changes)
    return concerns.do_report_concern(cast.circle, **fields)


def schedule(cast, circle=None, actor=None, days=3):
    return do_schedule_meetings(circle or cast.circle,
                                starts_at=timezone.now() + timedelta(days=days),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=actor or cast.facilitator).meetings.get()


# Who is told --------------------------------------------------------------------------------

def test_a_new_concern_tells_the_circles_facilitators_and_nobody_else(cast):
    concern = report(cast)
    assert told() == {"Fran": ["concern.new"]}
    row = Notification.objects.get()
    assert row.link == f"/incidents/concerns/{concern.public_id}/"
    assert row.organization_id == cast.org.pk


def test_a_concern_about_the_facilitator_tells_the_admins_and_never_the_facilitator(cast):
    report(cast, about_facilitator=True)
    assert told() == {"Ada": ["concern.new"]}


def test_an_anonymous_concern_is_told_only_once_its_day_is_over_and_only_by_the_day(
        cast, django_capture_on_commit_callbacks):
    token = ConcernToken(cast.member, cast.circle)  # fetched days ahead, like everyone's
    enough_token_holders(cast.circle)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        concern = token.send()
    # Nothing at the moment of the report: no row, no e-mail, no queued task.
    assert not Notification.objects.exists()
    assert mail.outbox == []

    today = timezone.now().date()
    # The same day, the daily run holds it back still.
    assert concerns.do_notify_held_concerns(today=today) == 0
    assert not Notification.objects.exists()

    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        assert concerns.do_notify_held_concerns(today=today + timedelta(days=1)) == 1
    assert_events(mark, [("notification.held.released", None, None)])
    assert told() == {"Fran": ["concern.new"]}
    row = Notification.objects.get()
    assert row.created_at == datetime.combine(today, time.min, tzinfo=UTC) == \
        concern.reported_at
    assert [m.to for m in mail.outbox] == [[cast.facilitator.email]]
    # Run again (a scheduler that retries): nobody is told twice.
    assert concerns.do_notify_held_concerns(today=today + timedelta(days=1)) == 0
    assert Notification.objects.count() == 1


def test_an_anonymous_concern_by_a_facilitator_tells_every_handler_alike(cast):
    """Leaving the reporter out would name them; everyone who handles it is told."""
    report_anonymously(cast.facilitator, cast.circle, body="Zanzibar-body")
    concerns.do_notify_held_concerns(today=timezone.now().date() + timedelta(days=1))
    assert told() == {"Fran": ["concern.new"]}


def test_a_person_in_two_organizations_is_told_by_each_only_of_its_own(cast):
    harbor = make_member(cast.other_org_circle, cast.member.email, name="Mina",
                         actor=cast.other_admin)
    assert harbor.user == cast.member
    schedule(cast, circle=cast.other_org_circle, actor=cast.other_admin)
    assert told() == {"Mina": ["meeting.added"]}
    assert Notification.objects.get().organization_id == cast.other_org.pk
    schedule(cast)
    # Otto (another circle), Felix, Ada and Oscar hear nothing of Fran's circle.
    assert told() == {"Mina": ["meeting.added", "meeting.added"]}


def test_meetings_added_moved_and_cancelled_tell_members_and_co_facilitators(cast):
    from circlekeep.circles.actions import do_add_facilitator
    from circlekeep.testing import make_staff

    cody = make_staff(cast.org, "cody@riverside.test", "facilitator", name="Cody",
                      actor=cast.admin)
    do_add_facilitator(cast.circle, cody, actor=cast.admin)
    meeting = schedule(cast)
    do_move_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=1),
                    actor=cast.facilitator)
    do_cancel_meeting(meeting, actor=cody)
    assert told() == {"Mina": ["meeting.added", "meeting.moved", "meeting.cancelled"],
                      "Cody": ["meeting.added", "meeting.moved"],
                      "Fran": ["meeting.cancelled"]}
    moved = Notification.objects.get(kind="meeting.moved", recipient=cast.member)
    assert moved.link == f"/meetings/{meeting.public_id}/"


def test_decisions_closed_concerns_answers_and_new_versions_tell_the_person(cast):
    concern = report(cast)
    concerns.do_acknowledge_concern(concern, actor=cast.facilitator)
    concerns.do_decide_concern(concern, membership=cast.membership, step="written_warning",
                               reasons="Zanzibar-reasons", actor=cast.facilitator)
    concerns.do_close_concern(concern, summary="Zanzibar-summary", actor=cast.facilitator)
    assert told("concern.decision") == {"Mina": ["concern.decision"]}
    assert told("concern.closed") == {"Mina": ["concern.closed"]}

    newcomer = make_member(cast.circle, "nia@example.test", name="Nia",
                           actor=cast.facilitator, status="onboarding")
    do_ask_question(newcomer, text="Zanzibar-question", actor=newcomer.user)
    do_answer_question(newcomer, text="Zanzibar-answer", actor=cast.facilitator)
    assert told("onboarding.answered") == {"Nia": ["onboarding.answered"]}
    assert Notification.objects.get(kind="onboarding.answered").link == \
        f"/circles/memberships/{newcomer.public_id}/onboarding/questions/"

    proposal = do_propose_change(cast.circle.agreement, kind="add", title="Zanzibar-title",
                                 text="Zanzibar-clause", reason="Zanzibar-why",
                                 actor=cast.member)
    version = do_adopt_proposal(proposal, reason="Zanzibar-reason", actor=cast.facilitator)
    assert told("agreement.sign") == {"Mina": ["agreement.sign"], "Nia": ["agreement.sign"]}
    assert Notification.objects.filter(kind="agreement.sign").first().link == \
        f"/agreements/versions/{version.public_id}/"


def test_a_guardian_withdrawing_consent_tells_the_facilitators(cast):
    circle = make_circle(cast.org, "Teen circle", lead=cast.facilitator, allows_minors=True)
    minor = make_member(circle, "teen@example.test", name="Tia", actor=cast.facilitator,
                        is_minor=True, guardian="gail@example.test")
    record = ConsentRecord.objects.get(subject=minor.user, role="guardian")
    do_withdraw_consent(record, actor=record.signer)
    assert told("consent.withdrawn") == {"Fran": ["consent.withdrawn"]}
    assert Notification.objects.get(kind="consent.withdrawn").link == \
        f"/circles/memberships/{minor.public_id}/"


def test_a_guardian_withdrawing_consent_tells_no_circle_the_minor_is_only_invited_to(cast):
    from circlekeep.circles.actions import do_invite_member

    circle = make_circle(cast.org, "Teen circle", lead=cast.facilitator, allows_minors=True)
    minor = make_member(circle, "teen@example.test", name="Tia", actor=cast.facilitator,
                        is_minor=True, guardian="gail@example.test")
    # Felix has only typed the address: he must learn nothing about whose it is.
    other = make_circle(cast.org, "Teen circle two", lead=cast.other_facilitator,
                        allows_minors=True)
    do_invite_member(other, email="teen@example.test", actor=cast.other_facilitator,
                     is_minor=True)
    record = ConsentRecord.objects.get(subject=minor.user, role="guardian")
    do_withdraw_consent(record, actor=record.signer)
    assert told("consent.withdrawn") == {"Fran": ["consent.withdrawn"]}


def test_withdrawing_ones_own_consent_tells_nobody(cast):
    record = ConsentRecord.objects.get(subject=cast.member, role="self")
    do_withdraw_consent(record, actor=cast.member)
    assert not Notification.objects.filter(kind="consent.withdrawn").exists()


# When the e-mail goes, and what it says ---------------------------------------------------

def test_the_email_is_handed_over_only_after_the_action_commits(
        cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule(cast)
        assert mail.outbox == []
    assert Notification.objects.filter(kind="meeting.added").exists()
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject) for m in mail.outbox] == [([cast.member.email], SUBJECT)]


def test_an_action_rolled_back_tells_nobody_and_sends_nothing(
        cast, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        schedule(cast)
        raise RuntimeError("the power went out")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_no_email_of_any_kind_carries_protected_text_a_circle_or_a_name(
        cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = report(cast)
        concerns.do_acknowledge_concern(concern, actor=cast.facilitator)
        concerns.do_decide_concern(concern, membership=cast.membership,
                                   step="written_warning", reasons="Zanzibar-reasons",
                                   actor=cast.facilitator)
        concerns.do_close_concern(concern, summary="Zanzibar-summary", actor=cast.facilitator)
        from circlekeep.feedback.actions import do_open_round

        do_open_round(cast.circle, actor=cast.facilitator, about="circle", title="Zanzibar-fb",
                      questions=[{"kind": "text", "prompt": "Zanzibar-q"}])
        newcomer = make_member(cast.circle, "nia@example.test", name="Nia",
                               actor=cast.facilitator, status="onboarding")
        do_ask_question(newcomer, text="Zanzibar-question", actor=newcomer.user)
        do_answer_question(newcomer, text="Zanzibar-answer", actor=cast.facilitator)
        proposal = do_propose_change(cast.circle.agreement, kind="add", title="Zanzibar-t",
                                     text="Zanzibar-clause", reason="Zanzibar-why",
                                     actor=cast.member)
        version = do_adopt_proposal(proposal, reason="Zanzibar-reason",
                                    actor=cast.facilitator)
        meeting = schedule(cast)
        do_move_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=1),
                        actor=cast.facilitator)
        do_cancel_meeting(meeting, actor=cast.facilitator)
        teens = make_circle(cast.org, "Teen circle", lead=cast.facilitator,
                            allows_minors=True)
        minor = make_member(teens, "teen@example.test", name="Tia", actor=cast.facilitator,
                            is_minor=True, guardian="gail@example.test")
        record = ConsentRecord.objects.get(subject=minor.user, role="guardian")
        do_withdraw_consent(record, actor=record.signer)
        programme = do_set_up_programme(cast.org, actor=cast.admin)
        for module in programme.modules.filter(set="initial"):
            do_submit_quiz(module, answers=[q["answer"] for q in module.questions],
                           actor=cast.facilitator)
        expires = cast.facilitator.training_certificates.get().expires_at
        with mock.patch("django.utils.timezone.now", return_value=expires - timedelta(days=59)):
            do_send_expiry_reminders()
    notified = Notification.objects.filter(
        kind__in=Notification.Kind.values).values_list("kind", flat=True)
    assert set(notified) == set(Notification.Kind.values)
    notification_mail = [m for m in mail.outbox if m.subject == SUBJECT]
    assert len(notification_mail) == Notification.objects.count()
    # Each notification leads its recipient straight to where the thing is (Mina signs the
    # new version first: until she does, her meetings tell her to).
    from circlekeep.agreements.actions import do_sign_agreement
    from circlekeep.testing import signed_in_client

    do_sign_agreement(version, typed_name=cast.member.full_name, actor=cast.member)

    clients = {}
    for row in Notification.objects.select_related("recipient"):
        client = clients.setdefault(row.recipient_id, signed_in_client(row.recipient))
        assert (row.kind, client.get(row.link).status_code) == (row.kind, 200)
    forbidden = ["Zanzibar", "circle", "Riverside", "Harbor", "Mina", "Fran", "Nia", "Tia",
                 "Gail", "Ada", "Tester", "concern", "meeting", "agreement", "consent"]
    for message in notification_mail:
        # The product's own name is the only "circle" allowed.
        text = f"{message.subject}\n{message.body}".replace("Circlekeep", "")
        assert [word for word in forbidden if word.lower() in text.lower()] == []
        assert "/notifications/" in message.body
        assert message.alternatives == []


def test_an_email_turned_off_still_shows_in_the_app(cast, django_capture_on_commit_callbacks):
    mark = audit_mark()
    chosen = do_set_email_preferences(cast.member, email={"meeting.added": False},
                                      actor=cast.member)
    assert_events(mark, [("notification.preferences.changed", cast.member, cast.member)])
    assert chosen["meeting.added"] is False and chosen["meeting.moved"] is True
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(cast)
    assert told() == {"Mina": ["meeting.added"]}
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        do_move_meeting(meeting, starts_at=meeting.starts_at + timedelta(hours=1),
                        actor=cast.facilitator)
    assert [m.to for m in mail.outbox] == [[cast.member.email]]


def test_choosing_an_unknown_kind_is_refused_and_changes_nothing(cast):
    from circlekeep.lib.actions import DomainError

    mark = audit_mark()
    with pytest.raises(DomainError, match="kinds of notification"):
        do_set_email_preferences(cast.member, email={"meeting.added": False, "spam": True},
                                 actor=cast.member)
    assert_events(mark, [])
    assert all(email_preferences(cast.member).values())


def test_a_notification_read_before_the_worker_runs_sends_nothing(
        cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule(cast)
    do_mark_notification_read(Notification.objects.get(), actor=cast.member)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


# Reading -------------------------------------------------------------------------------------

def test_marking_read_one_and_all(cast):
    first = schedule(cast)
    schedule(cast, days=4)
    do_move_meeting(first, starts_at=first.starts_at + timedelta(hours=1),
                    actor=cast.facilitator)
    mine = list(Notification.objects.filter(recipient=cast.member))
    assert len(mine) == 3
    mark = audit_mark()
    do_mark_notification_read(mine[0], actor=cast.member)
    assert_events(mark, [("notification.read", cast.member, cast.member)])
    mark = audit_mark()
    assert do_mark_all_notifications_read(cast.member, actor=cast.member) == 2
    assert_events(mark, [("notification.all_read", cast.member, cast.member)])
    assert not Notification.objects.filter(recipient=cast.member, read_at=None).exists()


def test_nobody_marks_anothers_notification_read(cast):
    from circlekeep.lib.actions import ActionForbidden

    schedule(cast)
    with pytest.raises(ActionForbidden):
        do_mark_notification_read(Notification.objects.get(), actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        do_mark_all_notifications_read(cast.member, actor=cast.admin)
    assert Notification.objects.get().read_at is None


def test_the_daily_command_sends_what_was_held_from_yesterday(cast):
    from io import StringIO

    from django.core.management import call_command

    from circlekeep.incidents.models import Concern

    concern = report_anonymously(cast.member, cast.circle)
    out = StringIO()
    call_command("notify", "daily", stdout=out)
    assert not Notification.objects.exists()
    # A day later (the report's day moved back rather than the clock forward).
    Concern.objects.filter(pk=concern.pk).update(
        reported_at=concern.reported_at - timedelta(days=1))
    call_command("notify", "daily", stdout=out)
    assert "Notified 1 held item(s)" in out.getvalue()
    assert told() == {"Fran": ["concern.new"]}
