"""Training: the programme, quizzes, practice, certificates, reminders, and the gate on
leading in every action it covers."""

import io
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from circlekeep.circles.actions import do_add_facilitator
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings.actions import do_acknowledge_ritual, do_schedule_meetings
from circlekeep.notify.models import Notification
from circlekeep.rooms.access import check_may_enter
from circlekeep.testing import (
    assert_events,
    audit_mark,
    make_circle,
    make_staff,
)
from circlekeep.training import actions
from circlekeep.training.access import (
    TrainingRequired,
    check_may_lead,
    may_lead,
    verify_certificate,
)
from circlekeep.training.content import default_modules, render_reading
from circlekeep.training.models import Certificate, Module, Practice
from circlekeep.training.progress import progress_of

pytestmark = pytest.mark.django_db


def rules(programme, **changes):
    current = {key: getattr(programme, key) for key in (
        "required", "transition_until", "pass_mark", "retake_after_hours", "valid_months",
        "grace_days", "co_facilitations", "sign_off")}
    return {**current, **changes}


def set_up(cast, **changes):
    programme = actions.do_set_up_programme(cast.org, actor=cast.admin)
    if changes:
        programme = actions.do_update_programme(programme, actor=cast.admin,
                                                **rules(programme, **changes))
    return programme


def right_answers(module):
    return [q["answer"] for q in module.questions]


def wrong_answers(module):
    return [(q["answer"] + 1) % len(q["texts"]["en"]["choices"]) for q in module.questions]


def pass_set(programme, user, module_set="initial"):
    for module in programme.modules.filter(set=module_set):
        actions.do_submit_quiz(module, answers=right_answers(module), actor=user)


@contextmanager
def at(moment):
    """Run as if it were ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


# The shipped content ----------------------------------------------------------------------

def test_the_shipped_modules_agree_in_every_language():
    modules = default_modules()
    keys = [m["key"] for m in modules]
    assert keys[:7] == ["agreement", "consent", "reporting", "minors", "documentation",
                        "breach", "online"]
    assert {m["set"] for m in modules} == {"initial", "refresher"}
    for module in modules:
        assert set(module["texts"]) == {"en", "es"}
        assert module["texts"]["es"]["title"] != module["texts"]["en"]["title"]
        assert len(module["questions"]) >= 4
        for question in module["questions"]:
            assert (len(question["texts"]["es"]["choices"])
                    == len(question["texts"]["en"]["choices"]))


def test_a_reading_cannot_carry_markup_links_or_images():
    html = render_reading("## Hi\n\n<script>alert(1)</script> [x](https://evil.test) "
                          "![p](https://evil.test/p.png) **bold**")
    assert "<script" not in html and "href" not in html and "<img" not in html
    assert "<h2>Hi</h2>" in html and "<strong>bold</strong>" in html


# Setting up ----------------------------------------------------------------------------

def test_an_admin_sets_up_the_programme_with_the_shipped_modules(cast):
    mark = audit_mark()
    programme = actions.do_set_up_programme(cast.org, actor=cast.admin)
    assert_events(mark, [("training.programme.created", cast.admin, None)])
    assert programme.modules.filter(set="initial").count() == 7
    assert programme.modules.filter(set="refresher").count() == 3
    assert not programme.required and programme.pass_mark == 80
    with pytest.raises(DomainError):
        actions.do_set_up_programme(cast.org, actor=cast.admin)


def test_only_an_admin_sets_up_or_changes_the_programme(cast):
    with pytest.raises(ActionForbidden):
        actions.do_set_up_programme(cast.org, actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_set_up_programme(cast.org, actor=cast.other_admin)
    programme = set_up(cast)
    with pytest.raises(ActionForbidden):
        actions.do_update_programme(programme, actor=cast.facilitator,
                                    **rules(programme, required=True))
    programme.refresh_from_db()
    assert not programme.required


@pytest.mark.parametrize(("field", "value"), [
    ("pass_mark", 49), ("pass_mark", 101), ("valid_months", 0), ("grace_days", -1),
    ("co_facilitations", 21), ("retake_after_hours", 10_000), ("pass_mark", True),
])
def test_rules_out_of_bounds_are_refused_and_change_nothing(cast, field, value):
    programme = set_up(cast)
    mark = audit_mark()
    with pytest.raises(DomainError) as refusal:
        actions.do_update_programme(programme, actor=cast.admin,
                                    **rules(programme, **{field: value}))
    assert refusal.value.field == field
    assert_events(mark, [])


def test_turning_the_gate_on_is_recorded_with_the_changes(cast):
    programme = set_up(cast)
    mark = audit_mark()
    programme = actions.do_update_programme(programme, actor=cast.admin,
                                            **rules(programme, required=True))
    assert programme.required_since is not None
    assert_events(mark, [("training.programme.changed", cast.admin, None)])


# Quizzes --------------------------------------------------------------------------------

def test_a_failed_quiz_waits_before_a_retake_and_a_pass_is_recorded(cast):
    programme = set_up(cast)
    module = programme.modules.get(key="agreement")
    mark = audit_mark()
    failed = actions.do_submit_quiz(module, answers=wrong_answers(module),
                                    actor=cast.facilitator)
    assert (failed.score, failed.passed) == (0, False)
    assert_events(mark, [("training.quiz.attempted", cast.facilitator, cast.facilitator)])
    with pytest.raises(DomainError, match="again from"):
        actions.do_submit_quiz(module, answers=right_answers(module), actor=cast.facilitator)
    with at(timezone.now() + timedelta(hours=programme.retake_after_hours, minutes=1)):
        passed = actions.do_submit_quiz(module, answers=right_answers(module),
                                        actor=cast.facilitator)
    assert (passed.score, passed.passed) == (100, True)


def test_a_quiz_with_its_own_pass_mark_uses_it(cast):
    programme = set_up(cast, pass_mark=60)
    module = programme.modules.get(key="consent")
    actions.do_edit_module(module, language="en", title=module.text("en")["title"],
                           reading=module.text("en")["reading"], pass_mark=100,
                           actor=cast.admin)
    module.refresh_from_db()
    answers = right_answers(module)
    answers[0] = wrong_answers(module)[0]
    assert not actions.do_submit_quiz(module, answers=answers, actor=cast.facilitator).passed
    other = programme.modules.get(key="minors")
    answers = right_answers(other)
    answers[0] = wrong_answers(other)[0]
    assert actions.do_submit_quiz(other, answers=answers, actor=cast.facilitator).passed
    with pytest.raises(DomainError):
        actions.do_edit_module(module, language="en", title="T", reading="R", pass_mark=40,
                               actor=cast.admin)


def test_the_pass_mark_decides(cast):
    programme = set_up(cast, pass_mark=80)
    module = programme.modules.get(key="consent")
    answers = right_answers(module)
    answers[0] = wrong_answers(module)[0]
    attempt = actions.do_submit_quiz(module, answers=answers, actor=cast.facilitator)
    count = len(module.questions)
    assert attempt.score == round(100 * (count - 1) / count)
    assert attempt.passed == (attempt.score >= 80)


@pytest.mark.parametrize("answers", [[], [0], "0,1", [0, 1, 2, 3, 99], [True] * 5,
                                     [None] * 5, ["1"] * 5])
def test_malformed_answers_are_refused_and_change_nothing(cast, answers):
    programme = set_up(cast)
    module = programme.modules.get(key="agreement")
    mark = audit_mark()
    with pytest.raises(DomainError):
        actions.do_submit_quiz(module, answers=answers, actor=cast.facilitator)
    assert_events(mark, [])
    assert not module.attempts.exists()


def test_members_auditors_and_other_organizations_cannot_take_the_training(cast):
    programme = set_up(cast)
    module = programme.modules.get(key="agreement")
    for outsider in (cast.member, cast.auditor, cast.other_admin):
        with pytest.raises(ActionForbidden):
            actions.do_submit_quiz(module, answers=right_answers(module), actor=outsider)


# Certificates ---------------------------------------------------------------------------

def test_passing_every_module_issues_a_certificate_that_keeps_its_expiry(cast):
    programme = set_up(cast)
    modules = list(programme.modules.filter(set="initial"))
    for module in modules[:-1]:
        actions.do_submit_quiz(module, answers=right_answers(module), actor=cast.facilitator)
    assert not Certificate.objects.exists()
    mark = audit_mark()
    actions.do_submit_quiz(modules[-1], answers=right_answers(modules[-1]),
                           actor=cast.facilitator)
    certificate = Certificate.objects.get(holder=cast.facilitator)
    assert_events(mark, [("training.quiz.attempted", cast.facilitator, cast.facilitator),
                         ("training.certificate.issued", cast.facilitator, cast.facilitator)])
    assert certificate.kind == "initial" and certificate.hours == 7
    assert 729 <= (certificate.expires_at - certificate.issued_at).days <= 731
    assert Notification.objects.filter(recipient=cast.facilitator,
                                       kind="training.certified").count() == 1
    expires = certificate.expires_at
    actions.do_update_programme(programme, actor=cast.admin, **rules(programme, valid_months=6))
    certificate.refresh_from_db()
    assert certificate.expires_at == expires


def test_practice_confirmed_by_a_certified_lead_and_a_trainer_is_needed_when_set(cast):
    programme = set_up(cast, co_facilitations=2, sign_off=True, required=True,
                       transition_until=timezone.localdate() + timedelta(days=60))
    # Hired after the gate went on: not one of the facilitators in transition.
    trainee = make_staff(cast.org, "tia@riverside.test", "facilitator", name="Tia",
                         actor=cast.admin)
    day = timezone.localdate() - timedelta(days=3)
    pass_set(programme, trainee)
    assert not Certificate.objects.filter(holder=trainee).exists()
    # Nobody vouches for themself, and a meeting is confirmed by someone who may vouch
    # (a certificate, or the transition): an admin without either only signs off.
    new_admin = make_staff(cast.org, "abe@riverside.test", "admin", name="Abe",
                           actor=cast.admin)
    newcomer = make_staff(cast.org, "nia@riverside.test", "facilitator", name="Nia",
                          actor=cast.admin)
    refusals = [(trainee, "co-facilitation", ""), (new_admin, "co-facilitation", ""),
                (trainee, "sign-off", "Fine."), (newcomer, "co-facilitation", "")]
    for actor, kind, note in refusals:
        with pytest.raises(ActionForbidden):
            actions.do_confirm_practice(programme, trainee, kind=kind, on=day, note=note,
                                        actor=actor)
    with pytest.raises(DomainError):
        actions.do_confirm_practice(programme, trainee, kind="sign-off", on=day, note=" ",
                                    actor=new_admin)
    with pytest.raises(DomainError):
        actions.do_confirm_practice(programme, trainee, kind="co-facilitation",
                                    on=timezone.localdate() + timedelta(days=1),
                                    actor=cast.facilitator)
    mark = audit_mark()
    actions.do_confirm_practice(programme, trainee, kind="co-facilitation", on=day,
                                actor=cast.facilitator)
    # The same day twice is one meeting, not two.
    with pytest.raises(DomainError):
        actions.do_confirm_practice(programme, trainee, kind="co-facilitation", on=day,
                                    actor=cast.other_facilitator)
    actions.do_confirm_practice(programme, trainee, kind="co-facilitation",
                                on=day - timedelta(days=7), actor=cast.other_facilitator)
    assert not Certificate.objects.filter(holder=trainee).exists()
    actions.do_confirm_practice(programme, trainee, kind="sign-off", on=day,
                                note="Watched a full meeting.", actor=new_admin)
    assert_events(mark, [("training.practice.confirmed", cast.facilitator, trainee),
                         ("training.practice.confirmed", cast.other_facilitator, trainee),
                         ("training.practice.confirmed", new_admin, trainee),
                         ("training.certificate.issued", new_admin, trainee)])
    assert Practice.objects.filter(trainee=trainee).count() == 3
    # Certified now: nothing more to confirm, so nothing banks toward a later lapse.
    with pytest.raises(DomainError, match="does not need it now"):
        actions.do_confirm_practice(programme, trainee, kind="co-facilitation",
                                    on=day - timedelta(days=14), actor=cast.facilitator)
    # Tia may vouch for others now.
    pass_set(programme, newcomer)
    actions.do_confirm_practice(programme, newcomer, kind="co-facilitation", on=day,
                                actor=trainee)


def test_a_certificate_renews_through_the_refresher_set_from_its_expiry(cast):
    programme = set_up(cast)
    pass_set(programme, cast.facilitator)
    first = Certificate.objects.get(holder=cast.facilitator)
    assert progress_of(cast.facilitator, programme).due == ""
    later = first.expires_at - timedelta(days=45)
    with at(later):
        progress = progress_of(cast.facilitator, programme)
        assert progress.due == "renewal"
        assert [s.module.set for s in progress.modules] == ["refresher"] * 3
        pass_set(programme, cast.facilitator, "refresher")
    renewal = Certificate.objects.filter(holder=cast.facilitator).exclude(pk=first.pk).get()
    assert renewal.kind == "renewal"
    assert renewal.expires_at.date() == actions.add_months(first.expires_at, 24).date()


def test_reminders_go_at_sixty_and_thirty_days_once_each(cast):
    programme = set_up(cast)
    pass_set(programme, cast.facilitator)
    certificate = Certificate.objects.get(holder=cast.facilitator)
    with at(certificate.expires_at - timedelta(days=90)):
        assert actions.do_send_expiry_reminders() == 0
    mark = audit_mark()
    with at(certificate.expires_at - timedelta(days=59)):
        assert actions.do_send_expiry_reminders() == 1
        assert actions.do_send_expiry_reminders() == 0
    assert_events(mark, [("training.certificate.reminded", None, cast.facilitator)])
    with at(certificate.expires_at - timedelta(days=29)):
        assert actions.do_send_expiry_reminders() == 1
    certificate.refresh_from_db()
    assert certificate.reminded == [30, 60]
    out = io.StringIO()
    with at(certificate.expires_at - timedelta(days=10)):
        call_command("training", "remind", stdout=out)
    assert out.getvalue() == "0 certificate reminders sent.\n"
    assert Notification.objects.filter(recipient=cast.facilitator,
                                       kind="training.expiring").count() == 2


def test_a_code_verifies_with_only_name_dates_and_status(cast):
    programme = set_up(cast)
    pass_set(programme, cast.facilitator)
    certificate = Certificate.objects.get(holder=cast.facilitator)
    typed = certificate.code.lower().replace("-", " ").replace("0", "o")
    found = verify_certificate(typed)
    assert set(found) == {"name", "issued", "expires", "status"}
    assert found["expires"] == certificate.expires_at.date()
    assert (found["name"], found["status"]) == ("Fran", "valid")
    assert verify_certificate("AAAA-BBBB-CCCC-DDDD") is None
    assert verify_certificate("") is None


# The gate ---------------------------------------------------------------------------------

def test_without_a_required_programme_nobody_is_gated(cast):
    set_up(cast)
    assert may_lead(cast.facilitator, cast.org)
    make_circle(cast.org, "Open circle", lead=cast.facilitator)


def test_the_gate_refuses_leading_a_new_circle_and_says_what_is_missing(cast):
    programme = set_up(cast, required=True)
    with pytest.raises(DomainError) as refusal:
        make_circle(cast.org, "Friday circle", lead=cast.facilitator)
    assert refusal.value.field == "lead"
    assert "certificate" in str(refusal.value.message)
    pass_set(programme, cast.facilitator)
    make_circle(cast.org, "Friday circle", lead=cast.facilitator)


def test_the_transition_lets_existing_facilitators_lead_until_its_day(cast):
    programme = set_up(cast)
    until = timezone.localdate() + timedelta(days=30)
    actions.do_update_programme(programme, actor=cast.admin,
                                **rules(programme, required=True, transition_until=until))
    newcomer = make_staff(cast.org, "nia@riverside.test", "facilitator", name="Nia",
                          actor=cast.admin)
    assert may_lead(cast.facilitator, cast.org)
    assert not may_lead(newcomer, cast.org)
    after = timezone.now() + timedelta(days=31)
    assert not may_lead(cast.facilitator, cast.org, now=after)


def test_the_transition_is_for_who_facilitated_when_the_gate_first_went_on(cast):
    from circlekeep.orgs.actions import do_change_staff_role
    from circlekeep.orgs.models import StaffRole

    programme = set_up(cast)
    until = timezone.localdate() + timedelta(days=30)
    programme = actions.do_update_programme(
        programme, actor=cast.admin, **rules(programme, required=True, transition_until=until))
    first = programme.required_since
    # An auditor made a facilitator afterwards did not facilitate then.
    do_change_staff_role(StaffRole.objects.get(user=cast.auditor), role="facilitator",
                         actor=cast.admin)
    assert not may_lead(cast.auditor, cast.org)
    # Turning the gate off and on again does not widen the transition.
    newcomer = make_staff(cast.org, "nia@riverside.test", "facilitator", name="Nia",
                          actor=cast.admin)
    programme = actions.do_update_programme(programme, actor=cast.admin,
                                            **rules(programme, required=False))
    programme = actions.do_update_programme(programme, actor=cast.admin,
                                            **rules(programme, required=True))
    assert programme.required_since == first
    assert not may_lead(newcomer, cast.org)
    assert may_lead(cast.other_facilitator, cast.org)


def test_a_lapsed_certificate_closes_the_gate_after_the_grace_period(cast):
    programme = set_up(cast, required=True, grace_days=10)
    pass_set(programme, cast.facilitator)
    expires = Certificate.objects.get(holder=cast.facilitator).expires_at
    assert may_lead(cast.facilitator, cast.org, now=expires + timedelta(days=9))
    with pytest.raises(TrainingRequired) as refusal:
        check_may_lead(cast.facilitator, cast.org, now=expires + timedelta(days=10, seconds=1))
    assert refusal.value.link == "/training/"


def _online_meeting(cast, circle):
    return do_schedule_meetings(circle, starts_at=timezone.now() + timedelta(minutes=5),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=cast.admin).meetings.get()


def test_the_gate_covers_the_room_and_the_opening_ritual(cast):
    meeting = _online_meeting(cast, cast.circle)
    programme = set_up(cast, required=True)
    with pytest.raises(TrainingRequired):
        check_may_enter(cast.facilitator, meeting)
    with pytest.raises(TrainingRequired):
        do_acknowledge_ritual(meeting, cast.membership, actor=cast.facilitator)
    # Members are not gated: the training is for those who lead.
    assert check_may_enter(cast.member, meeting)[0] == "member"
    pass_set(programme, cast.facilitator)
    assert check_may_enter(cast.facilitator, meeting)[0] == "facilitator"
    do_acknowledge_ritual(meeting, cast.membership, actor=cast.facilitator)


def test_a_co_facilitator_in_training_acts_beside_a_certified_lead_only(cast):
    meeting = _online_meeting(cast, cast.circle)
    programme = set_up(cast, required=True,
                       transition_until=timezone.localdate() + timedelta(days=30))
    trainee = make_staff(cast.org, "tia@riverside.test", "facilitator", name="Tia",
                         actor=cast.admin)
    do_add_facilitator(cast.circle, trainee, actor=cast.admin)
    # Fran may lead in the transition, but a lead without a certificate trains nobody.
    assert check_may_enter(cast.facilitator, meeting)[0] == "facilitator"
    with pytest.raises(PermissionDenied):
        check_may_enter(trainee, meeting)
    pass_set(programme, cast.facilitator)
    assert check_may_enter(trainee, meeting)[0] == "facilitator"
    # Felix's circle is not one Tia co-facilitates.
    other = _online_meeting(cast, cast.other_circle)
    with pytest.raises(PermissionDenied):
        check_may_enter(trainee, other)


def test_an_admin_who_does_not_co_facilitate_needs_a_certificate_for_the_ritual(cast):
    meeting = _online_meeting(cast, cast.circle)
    programme = set_up(cast, required=True)
    pass_set(programme, cast.facilitator)
    with pytest.raises(TrainingRequired):
        do_acknowledge_ritual(meeting, cast.membership, actor=cast.admin)


def test_modules_are_ordered_and_counted_per_set(cast):
    programme = set_up(cast)
    initial = list(Module.objects.filter(programme=programme, set="initial")
                   .values_list("position", flat=True))
    assert initial == list(range(1, 8))


def test_an_admin_edits_a_reading_in_one_language_and_the_quiz_stays(cast):
    programme = set_up(cast)
    module = programme.modules.get(key="online")
    questions = module.questions
    spanish = module.texts["es"]
    mark = audit_mark()
    module = actions.do_edit_module(module, language="en", title="Online rooms, our way",
                                    reading="## Before\n\nUse headphones.", actor=cast.admin)
    assert_events(mark, [("training.module.edited", cast.admin, None)])
    module.refresh_from_db()
    assert module.text("en")["title"] == "Online rooms, our way"
    assert module.texts["es"] == spanish and module.questions == questions
    for bad in ({"language": "fr"}, {"title": " "}, {"reading": ""}):
        with pytest.raises(DomainError):
            actions.do_edit_module(module, actor=cast.admin, **{
                "language": "en", "title": "T", "reading": "R", **bad})
    with pytest.raises(ActionForbidden):
        actions.do_edit_module(module, language="en", title="T", reading="R",
                               actor=cast.facilitator)
