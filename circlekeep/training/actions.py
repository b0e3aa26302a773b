"""State changes for training: setting a programme up and its rules, quiz attempts, the
practical parts others confirm, and the certificates these earn.

A certificate is issued by the action that completes the last step (a passing attempt or a
confirmation), in the same transaction, so nobody waits for a batch and nobody holds a
certificate whose steps were rolled back.
"""

import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.accounts.models import User
from circlekeep.lib.actions import ActionForbidden, DomainError, action, required_text
from circlekeep.lib.request_cache import forget
from circlekeep.notify.actions import notify
from circlekeep.orgs.access import staff_role
from circlekeep.orgs.models import Organization, StaffRole
from circlekeep.training.access import (
    TRAINING_ROLES,
    check_may_run_programme,
    current_certificate,
    may_confirm_practice,
)
from circlekeep.training.content import default_modules
from circlekeep.training.models import (
    CO_FACILITATIONS_BOUNDS,
    GRACE_DAYS_BOUNDS,
    PASS_MARK_BOUNDS,
    REMINDER_DAYS,
    RETAKE_HOURS_BOUNDS,
    VALID_MONTHS_BOUNDS,
    Attempt,
    Certificate,
    Module,
    Practice,
    Programme,
)
from circlekeep.training.progress import progress_of

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_NOTE = 2000


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole months, on the same day (the month's last when shorter)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


@action
def do_set_up_programme(organization: Organization, *, actor: User | None) -> Programme:
    """Give the organization a programme with the modules that ship with Circlekeep, not
    yet required (an admin turns the gate on when ready)."""
    check_may_run_programme(actor, organization)
    if Programme.objects.filter(organization=organization).exists():
        raise DomainError(_("This organization already has a training programme."))
    try:
        with transaction.atomic():
            programme = Programme.objects.create(organization=organization)
    except IntegrityError:  # set up a moment ago by another request
        raise DomainError(_("This organization already has a training programme.")) from None
    Module.objects.bulk_create(
        Module(programme=programme, key=m["key"], set=m["set"], position=m["position"],
               hours=m["hours"], texts=m["texts"], questions=m["questions"])
        for m in default_modules())
    forget(("training_programme", organization.pk))
    audit.record("training.programme.created", actor=actor, target=programme,
                 organization=organization,
                 data={"modules": programme.modules.count()})
    return programme


def _bounded(value, bounds, field, label):
    if not isinstance(value, int) or isinstance(value, bool) or not (
            bounds[0] <= value <= bounds[1]):
        raise DomainError(_("%(label)s must be between %(low)d and %(high)d.")
                          % {"label": label, "low": bounds[0], "high": bounds[1]}, field=field)
    return value


@action
def do_update_programme(programme: Programme, *, required: bool, transition_until: date | None,
                        pass_mark: int, retake_after_hours: int, valid_months: int,
                        grace_days: int, co_facilitations: int, sign_off: bool,
                        actor: User | None) -> Programme:
    """Change the programme's rules. Turning the gate on starts the transition period for
    everyone who facilitates at that moment; certificates already issued keep their
    expiry."""
    check_may_run_programme(actor, programme.organization)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    new = {
        "required": bool(required),
        "transition_until": transition_until,
        "pass_mark": _bounded(pass_mark, PASS_MARK_BOUNDS, "pass_mark", _("The pass mark")),
        "retake_after_hours": _bounded(retake_after_hours, RETAKE_HOURS_BOUNDS,
                                       "retake_after_hours", _("The wait before a retake")),
        "valid_months": _bounded(valid_months, VALID_MONTHS_BOUNDS, "valid_months",
                                 _("A certificate's months")),
        "grace_days": _bounded(grace_days, GRACE_DAYS_BOUNDS, "grace_days",
                               _("The grace period")),
        "co_facilitations": _bounded(co_facilitations, CO_FACILITATIONS_BOUNDS,
                                     "co_facilitations", _("The meetings to co-facilitate")),
        "sign_off": bool(sign_off),
    }
    today = timezone.localdate()
    if transition_until is not None and transition_until != programme.transition_until and (
            transition_until < today or transition_until > today + timedelta(days=366)):
        raise DomainError(_("The transition period ends between today and a year from "
                            "now."), field="transition_until")
    changes = {key: {"old": str(getattr(programme, key)), "new": str(value)}
               for key, value in new.items() if getattr(programme, key) != value}
    if not changes:
        return programme
    for key, value in new.items():
        setattr(programme, key, value)
    fields = list(new)
    if programme.required and programme.required_since is None:
        # Only the first time: turning the gate off and on again must not make everyone
        # hired meanwhile an "existing" facilitator.
        programme.required_since = timezone.now()
        programme.transition_people = sorted(StaffRole.objects.filter(
            organization=programme.organization, role__in=TRAINING_ROLES)
            .values_list("user_id", flat=True))
        fields += ["required_since", "transition_people"]
    programme.save(update_fields=fields)
    forget(("training_programme", programme.organization_id))
    audit.record("training.programme.changed", actor=actor, target=programme,
                 organization=programme.organization, data={"changes": changes})
    return programme


def _check_trainee(user, programme):
    if staff_role(user, programme.organization) not in TRAINING_ROLES:
        raise ActionForbidden(_("This training is for the organization's facilitators and "
                                "admins."))


@action
def do_submit_quiz(module: Module, *, answers: list, actor: User) -> Attempt:
    """Score one attempt at a module's quiz, record it, and issue the certificate when it
    was the last step. A failed quiz may be retaken after the programme's wait."""
    programme = Programme.objects.select_for_update().get(pk=module.programme_id)
    _check_trainee(actor, programme)
    questions = module.questions
    if (not isinstance(answers, list) or len(answers) != len(questions)
            or any(answer is None for answer in answers)):
        raise DomainError(_("Answer every question."), field="answers")
    for answer, question in zip(answers, questions, strict=True):
        if (not isinstance(answer, int) or isinstance(answer, bool)
                or not 0 <= answer < len(question["texts"]["en"]["choices"])):
            raise DomainError(_("An answer is not one of the choices."), field="answers")
    progress = progress_of(actor, programme)
    step = next((s for s in progress.modules if s.module.pk == module.pk), None)
    if step is None:
        raise DomainError(_("This module is not part of what you need to do now."))
    if step.retake_at is not None:
        raise DomainError(_("You can take this quiz again from %(when)s.")
                          % {"when": timezone.localtime(step.retake_at).strftime(
                              "%Y-%m-%d %H:%M %Z")})
    right = sum(answer == question["answer"]
                for answer, question in zip(answers, questions, strict=True))
    score = round(100 * right / len(questions))
    attempt = Attempt.objects.create(module=module, user=actor, answers=answers, score=score,
                                     passed=score >= (module.pass_mark or programme.pass_mark))
    audit.record("training.quiz.attempted", actor=actor, target=attempt,
                 organization=programme.organization, subject=actor,
                 data={"module": module.key, "score": score, "passed": attempt.passed})
    _certify_when_complete(programme, actor, actor=actor)
    return attempt


@action
def do_confirm_practice(programme: Programme, trainee: User, *, kind: str, on: date,
                        note: str = "", actor: User | None) -> Practice:
    """Record a practical part someone else vouches for: a meeting the trainee
    co-facilitated with the confirming lead, or a trainer's sign-off with a note."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_trainee(trainee, programme)
    if kind not in Practice.Kind.values:
        raise DomainError(_("Choose what is confirmed."), field="kind")
    if not may_confirm_practice(actor, programme, trainee, kind):
        raise ActionForbidden(_("A meeting co-facilitated is confirmed by a certified "
                                "facilitator it was led with, and a sign-off by an admin "
                                "or a certified facilitator; never by the trainee."))
    progress = progress_of(trainee, programme)
    if progress.due != "initial":
        raise DomainError(_("Practice counts toward a first certificate (or a new one after "
                            "a lapse); %(name)s does not need it now.")
                          % {"name": trainee.display_name}, field="trainee")
    if kind == Practice.Kind.SIGN_OFF and progress.signed_off:
        raise DomainError(_("%(name)s is already signed off.") % {"name": trainee.display_name},
                          field="kind")
    if not isinstance(on, date) or on > timezone.localdate() or (
            on < timezone.localdate() - timedelta(days=366)):
        raise DomainError(_("Give a day within the last year, and not later than today."),
                          field="on")
    if kind == Practice.Kind.SIGN_OFF:
        note = required_text(note, "note", _("Write a note on the sign-off."), MAX_NOTE)
    else:
        note = (note or "").strip()
        if len(note) > MAX_NOTE:
            raise DomainError(_("Keep it under %(limit)d characters.") % {"limit": MAX_NOTE},
                              field="note")
    if kind == Practice.Kind.CO_FACILITATION and Practice.objects.filter(
            programme=programme, trainee=trainee, kind=kind, on=on).exists():
        raise DomainError(_("A meeting co-facilitated that day is already confirmed."),
                          field="on")
    practice = Practice.objects.create(programme=programme, trainee=trainee,
                                       confirmed_by=actor or trainee, kind=kind, on=on,
                                       note=note)
    audit.record("training.practice.confirmed", actor=actor, target=practice,
                 organization=programme.organization, subject=trainee, data={"kind": kind})
    _certify_when_complete(programme, trainee, actor=actor)
    return practice


def _certify_when_complete(programme, holder, *, actor):
    progress = progress_of(holder, programme)
    if not progress.complete:
        return None
    now = timezone.now()
    renewal = progress.due == "renewal"
    start = max(now, progress.current.expires_at) if renewal else now
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    programme=programme, holder=holder, code=new_code(),
                    kind=Certificate.Kind.RENEWAL if renewal else Certificate.Kind.INITIAL,
                    issued_at=now, expires_at=add_months(start, programme.valid_months),
                    hours=progress.hours)
            break
        except IntegrityError:  # the same code twice: vanishingly rare, try another
            continue
    else:
        raise RuntimeError("could not find a free certificate code")
    audit.record("training.certificate.issued", actor=actor, target=certificate,
                 organization=programme.organization, subject=holder,
                 data={"kind": certificate.kind,
                       "expires": certificate.expires_at.date().isoformat()})
    notify("training.certified", [holder], organization=programme.organization,
           link=f"/training/{programme.organization.public_id}/")
    return certificate


@action
def do_send_expiry_reminders(*, today: date | None = None) -> int:
    """Remind each holder 60 and 30 days before their certificate expires (once each),
    unless they already renewed. Run by the scheduler (``manage.py training remind``)."""
    now = timezone.now()
    sent = 0
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    for certificate in (Certificate.objects.select_for_update()
                        .select_related("programme__organization", "holder")
                        .filter(expires_at__gt=now, expires_at__lte=horizon)):
        newest = current_certificate(certificate.holder, certificate.programme, now=now)
        if newest is not None and newest.pk != certificate.pk:
            continue
        left = (certificate.expires_at - now).days
        due = [days for days in REMINDER_DAYS if left < days and days not in certificate.reminded]
        if not due:
            continue
        certificate.reminded = sorted({*certificate.reminded, *due})
        certificate.save(update_fields=["reminded"])
        organization = certificate.programme.organization
        audit.record("training.certificate.reminded", actor=None, target=certificate,
                     organization=organization, subject=certificate.holder,
                     data={"days": min(due)})
        notify("training.expiring", [certificate.holder], organization=organization,
               link=f"/training/{organization.public_id}/")
        sent += 1
    return sent


MAX_TITLE, MAX_READING = 200, 20_000


@action
def do_edit_module(module: Module, *, language: str, title: str, reading: str,
                   pass_mark: int | None = None, actor: User | None) -> Module:
    """Change a module's title and reading in one language, and its quiz's own pass mark
    (empty: the programme's), as an admin. The questions stay as they are, so attempts
    already made keep their meaning."""
    from django.conf import settings

    check_may_run_programme(actor, module.programme.organization)
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the site's languages."), field="language")
    title = required_text(title, "title", _("Give the module a title."), MAX_TITLE)
    reading = required_text(reading, "reading", _("Write the reading."), MAX_READING)
    if pass_mark is not None:
        pass_mark = _bounded(pass_mark, PASS_MARK_BOUNDS, "pass_mark", _("The pass mark"))
    module = Module.objects.select_for_update().get(pk=module.pk)
    old, new = module.texts.get(language, {}), {"title": title, "reading": reading}
    fields = sorted(k for k in new if old.get(k) != new[k])
    if module.pass_mark != pass_mark:
        fields.append("pass_mark")
    if not fields:
        return module
    module.texts = {**module.texts, language: new}
    module.pass_mark = pass_mark
    module.save(update_fields=["texts", "pass_mark"])
    audit.record("training.module.edited", actor=actor, target=module,
                 organization=module.programme.organization,
                 data={"module": module.key, "language": language, "fields": fields})
    return module
