"""Where a facilitator stands in their organization's training: what is due (the full
certification or the shorter renewal), what is done, and whether a certificate is earned.

One function answers for the training page, the API, the homes and the action that issues
certificates, so that what a page says is missing is what the action checks.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from circlekeep.training.access import current_certificate
from circlekeep.training.models import Attempt, Certificate, Module, Practice, Programme

# A renewal may be earned from this long before the current certificate expires.
RENEW_FROM_DAYS = 90


@dataclass
class ModuleStep:
    module: Module
    passed: Attempt | None
    last: Attempt | None
    # When a failed quiz may be taken again (None: now).
    retake_at: datetime | None


@dataclass
class Progress:
    programme: Programme
    current: Certificate | None
    # "initial", "renewal", or "" when nothing is due (a certificate that is not expiring).
    due: str
    modules: list[ModuleStep] = field(default_factory=list)
    co_facilitations: int = 0
    signed_off: bool = False

    @property
    def co_facilitations_needed(self):
        return self.programme.co_facilitations if self.due == "initial" else 0

    @property
    def sign_off_needed(self):
        return self.programme.sign_off and self.due == "initial"

    @property
    def complete(self):
        return bool(self.due) and all(step.passed for step in self.modules) and (
            self.co_facilitations >= self.co_facilitations_needed) and (
            self.signed_off or not self.sign_off_needed)

    @property
    def hours(self):
        return sum((step.module.hours for step in self.modules if step.passed), start=0)


def progress_of(user, programme, *, now=None) -> Progress:
    """Where ``user`` stands. Steps count from the newest certificate's issue on, so that
    a renewal needs a fresh refresher and a lapsed facilitator trains again."""
    now = now or timezone.now()
    current = current_certificate(user, programme, now=now)
    newest = (Certificate.objects.filter(programme=programme, holder=user)
              .order_by("-issued_at").first())
    if current is None:
        due = "initial"
    elif current.expires_at - now <= timedelta(days=RENEW_FROM_DAYS):
        due = "renewal"
    else:
        due = ""
    result = Progress(programme=programme, current=current, due=due)
    if not due:
        return result
    since = newest.issued_at if newest is not None else None
    module_set = Module.Set.INITIAL if due == "initial" else Module.Set.REFRESHER
    modules = list(Module.objects.filter(programme=programme, set=module_set))
    attempts = Attempt.objects.filter(user=user, module__in=modules).order_by("-created_at")
    if since is not None:
        attempts = attempts.filter(created_at__gt=since)
    latest, passed = {}, {}
    for attempt in attempts:
        latest.setdefault(attempt.module_id, attempt)
        if attempt.passed:
            passed.setdefault(attempt.module_id, attempt)
    wait = timedelta(hours=programme.retake_after_hours)
    for module in modules:
        last = latest.get(module.pk)
        retake_at = None
        if last is not None and not last.passed and last.created_at + wait > now:
            retake_at = last.created_at + wait
        result.modules.append(ModuleStep(module, passed.get(module.pk), last, retake_at))
    practice = Practice.objects.filter(programme=programme, trainee=user)
    if since is not None:
        practice = practice.filter(created_at__gt=since)
    kinds = list(practice.values_list("kind", flat=True))
    result.co_facilitations = kinds.count(Practice.Kind.CO_FACILITATION)
    result.signed_off = Practice.Kind.SIGN_OFF in kinds
    return result
