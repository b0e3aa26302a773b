"""API endpoints for training: the programme and one's progress, modules and quiz
attempts, confirming practice, certificates, and the public verification of a code."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from ninja import Field, Router, Schema, Status

from circlekeep.lib.ids import parse_public_id
from circlekeep.training import actions
from circlekeep.training.access import (
    access_module,
    access_programme,
    access_training_organization,
    certificate_status,
    check_may_run_programme,
    trainees_visible_to,
    verify_certificate,
)
from circlekeep.training.models import Certificate, Programme
from circlekeep.training.progress import progress_of

router = Router(tags=["training"])


class ProgrammeRulesIO(Schema):
    required: bool
    transition_until: date | None = None
    pass_mark: int
    retake_after_hours: int
    valid_months: int
    grace_days: int
    co_facilitations: int
    sign_off: bool


class ModuleStepOut(Schema):
    id: UUID
    key: str
    title: str
    hours: Decimal
    passed: bool
    best_score: int | None
    retake_at: datetime | None


class CertificateOut(Schema):
    id: UUID
    kind: str
    code: str
    issued_at: datetime
    expires_at: datetime
    status: str
    hours: Decimal


class TrainingOut(Schema):
    organization_id: UUID
    rules: ProgrammeRulesIO
    due: str = Field(description='"initial", "renewal", or "" when nothing is due')
    modules: list[ModuleStepOut]
    co_facilitations: int
    co_facilitations_needed: int
    signed_off: bool
    sign_off_needed: bool
    certificates: list[CertificateOut]


class QuestionOut(Schema):
    kind: str
    prompt: str
    choices: list[str]


class ModuleOut(Schema):
    id: UUID
    key: str
    set: str
    title: str
    reading: str = Field(description="Markdown")
    hours: Decimal
    pass_mark: int
    questions: list[QuestionOut]


class AttemptIn(Schema):
    answers: list[int] = Field(description="The index of the chosen choice, per question",
                               max_length=50)


class ReviewedQuestionOut(Schema):
    given: int
    right: bool
    answer: int | None = Field(None, description="Given once the quiz is passed")
    explanation: str | None = Field(None, description="Given once the quiz is passed")


class AttemptOut(Schema):
    id: UUID
    score: int
    passed: bool
    created_at: datetime
    questions: list[ReviewedQuestionOut]
    certificate: CertificateOut | None


class PracticeIn(Schema):
    trainee_id: UUID
    kind: str = Field(description='"co-facilitation" or "sign-off"')
    on: date
    note: str = Field("", max_length=2000)


class PracticeOut(Schema):
    id: UUID
    kind: str
    on: date


class VerifiedOut(Schema):
    found: bool
    name: str | None = None
    issued: date | None = None
    expires: date | None = None
    status: str | None = None


def rules_to_dict(programme: Programme) -> dict:
    return {key: getattr(programme, key) for key in ProgrammeRulesIO.model_fields}


def certificate_to_dict(certificate: Certificate) -> dict:
    return {"id": certificate.public_id, "kind": certificate.kind, "code": certificate.code,
            "issued_at": certificate.issued_at, "expires_at": certificate.expires_at,
            "status": certificate_status(certificate), "hours": certificate.hours}


def training_to_dict(user, programme) -> dict:
    progress = progress_of(user, programme)
    return {
        "organization_id": programme.organization.public_id,
        "rules": rules_to_dict(programme), "due": progress.due,
        "modules": [{"id": s.module.public_id, "key": s.module.key, "title": s.module.title,
                     "hours": s.module.hours, "passed": s.passed is not None,
                     "best_score": s.passed.score if s.passed else (
                         s.last.score if s.last else None),
                     "retake_at": s.retake_at} for s in progress.modules],
        "co_facilitations": progress.co_facilitations,
        "co_facilitations_needed": progress.co_facilitations_needed,
        "signed_off": progress.signed_off, "sign_off_needed": progress.sign_off_needed,
        "certificates": [certificate_to_dict(c)
                         for c in programme.certificates.filter(holder=user)]}


def _programme(request, org_id):
    organization = access_training_organization(request.user, org_id)
    return access_programme(request.user, organization)


@router.get("/organizations/{org_id}/training", response=TrainingOut)
def get_training(request, org_id: UUID):
    """The programme's rules and where you stand: what is due, each step, your
    certificates."""
    return training_to_dict(request.user, _programme(request, org_id))


@router.post("/organizations/{org_id}/training", response={201: TrainingOut})
def set_up_training(request, org_id: UUID):
    """Set the organization's programme up with the modules that ship (admins)."""
    organization = access_training_organization(request.user, org_id)
    programme = actions.do_set_up_programme(organization, actor=request.user)
    return Status(201, training_to_dict(request.user, programme))


@router.put("/organizations/{org_id}/training", response=ProgrammeRulesIO)
def update_training(request, org_id: UUID, body: ProgrammeRulesIO):
    """Change the programme's rules (admins); certificates keep their expiry."""
    programme = _programme(request, org_id)
    check_may_run_programme(request.user, programme.organization)
    programme = actions.do_update_programme(programme, actor=request.user, **body.dict())
    return rules_to_dict(programme)


@router.get("/training/modules/{module_id}", response=ModuleOut)
def get_module(request, module_id: UUID):
    """A module's reading and quiz, in your language (the right answers come only with an
    attempt)."""
    module = access_module(request.user, module_id)
    return {"id": module.public_id, "key": module.key, "set": module.set,
            "title": module.title, "reading": module.text()["reading"],
            "hours": module.hours, "pass_mark": module.passing_mark,
            "questions": [{"kind": q["kind"], "prompt": q["prompt"], "choices": q["choices"]}
                          for q in module.question_texts()]}


class ModuleTextIn(Schema):
    language: str = Field(description='"en" or "es"', max_length=5)
    title: str = Field(max_length=200)
    reading: str = Field(description="Markdown", max_length=20_000)
    pass_mark: int | None = Field(None, description="This quiz's own; null: the programme's")


@router.put("/training/modules/{module_id}", response=ModuleOut)
def edit_module(request, module_id: UUID, body: ModuleTextIn):
    """Change a module's title and reading in one language (admins)."""
    module = access_module(request.user, module_id)
    module = actions.do_edit_module(module, actor=request.user, **body.dict())
    return get_module(request, module_id)


@router.post("/training/modules/{module_id}/attempts", response={201: AttemptOut})
def submit_attempt(request, module_id: UUID, body: AttemptIn):
    """Answer the module's quiz: the score, why each answer is right, and the certificate
    when this was the last step."""
    module = access_module(request.user, module_id)
    attempt = actions.do_submit_quiz(module, answers=body.answers, actor=request.user)
    issued = (Certificate.objects.filter(holder=request.user, programme=module.programme,
                                         issued_at__gte=attempt.created_at)
              .order_by("-issued_at").first())
    return Status(201, {
        "id": attempt.public_id, "score": attempt.score, "passed": attempt.passed,
        "created_at": attempt.created_at,
        "questions": [{"given": given, "right": given == q["answer"],
                       **({"answer": q["answer"], "explanation": q["explanation"]}
                          if attempt.passed else {})}
                      for given, q in zip(attempt.answers, module.question_texts(),
                                          strict=True)],
        "certificate": certificate_to_dict(issued) if issued else None})


@router.post("/organizations/{org_id}/training/practice", response={201: PracticeOut})
def confirm_practice(request, org_id: UUID, body: PracticeIn):
    """Confirm a facilitator's co-facilitated meeting or sign them off (admins and
    certified facilitators)."""
    programme = _programme(request, org_id)
    trainee = (trainees_visible_to(request.user, programme.organization)
               .filter(public_id=parse_public_id(body.trainee_id)).first())
    if trainee is None:
        raise Http404
    practice = actions.do_confirm_practice(programme, trainee, kind=body.kind, on=body.on,
                                           note=body.note, actor=request.user)
    return Status(201, {"id": practice.public_id, "kind": practice.kind, "on": practice.on})


class VerifyIn(Schema):
    code: str = Field(max_length=40)


@router.post("/training/certificates/verify", response=VerifiedOut, auth=None)
def verify(request, body: VerifyIn):
    """Public: whether a certificate code is genuine, with only the holder's display name,
    the dates (UTC) and the status. The code goes in the body, so that it stays out of
    access logs."""
    found = verify_certificate(body.code)
    if found is None:
        return {"found": False}
    return {"found": True, "name": found["name"],
            "issued": found["issued"], "expires": found["expires"],
            "status": found["status"]}
