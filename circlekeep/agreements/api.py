"""API endpoints for agreements: read, diff, sign, check, propose, decide, review."""

from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.agreements import actions
from circlekeep.agreements.access import (
    access_agreement,
    access_proposal,
    access_signature,
    access_version,
)
from circlekeep.agreements.agenda import agenda_items, review_due
from circlekeep.agreements.checking import check_text
from circlekeep.agreements.models import Signature
from circlekeep.agreements.pdf import signature_pdf
from circlekeep.agreements.text import diff
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.lib.actions import DomainError
from circlekeep.orgs.access import access_organization

router = Router(tags=["agreements"])


class ClauseOut(Schema):
    key: str
    title: str
    text: str


class LadderOut(Schema):
    step: str
    text: str


class VersionOut(Schema):
    id: UUID
    number: int
    clauses: list[ClauseOut]
    ladder: list[LadderOut]
    text: str
    sha256: str
    language: str
    translations: dict
    created_at: datetime
    in_force: bool


class SignatureOut(Schema):
    id: UUID
    version: int
    typed_name: str
    language: str
    text_sha256: str
    signed_at: datetime


class AgreementOut(Schema):
    circle_id: UUID
    current: VersionOut
    versions: list[int]
    review_every_days: int
    last_reviewed_at: datetime
    review_due_at: datetime
    review_due: bool
    agenda: list[str]
    my_signatures: list[SignatureOut]


class DiffLineOut(Schema):
    op: str
    line: str


class DiffOut(Schema):
    old: int
    new: int
    lines: list[DiffLineOut]


class SignIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"typed_name": "Rosa Delgado", "language": "es"}]})

    typed_name: str
    language: str | None = None  # the text read; the account's language when left out


class CheckIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "Wednesday evening group: agreement, version 3\n\n"
                 "1. What is said here stays here\n..."}]})

    text: str


class CheckOut(Schema):
    matches: bool
    sha256: str
    version: int | None
    in_force: bool


class ProposalIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "add", "title": "Phones away", "text": "Phones stay in our bags while we meet.",
         "reason": "Fewer distractions, and no one can record."},
        {"kind": "remove", "clause_key": "c4", "reason": "The circle no longer meets online."}]})

    kind: str
    reason: str
    clause_key: str = ""
    title: str = ""
    text: str = ""


class CommentOut(Schema):
    author: str
    text: str
    created_at: datetime


class ProposalOut(Schema):
    id: UUID
    kind: str
    clause_key: str
    title: str
    text: str
    reason: str
    author: str
    status: str
    against_version: int
    decision_reason: str
    result_version: int | None
    comments: list[CommentOut]


class CommentIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "Could we keep phones on silent instead, for people on call?"}]})

    text: str


class ProposalDecisionIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"decision": "adopt", "reason": "Agreed by the circle at the meeting of 2 December."}]})

    decision: str
    reason: str


class CadenceIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"days": 90}]})

    days: int


class TemplateIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"clauses": [{"title": "What is said here stays here",
                      "text": "We do not repeat what others share, or who was here."}],
         "ladder": [{"step": "reminder",
                     "text": "A facilitator reminds the circle of the agreement."},
                    {"step": "revocation", "text": "Membership of the circle ends."}]}]})

    clauses: list[dict]
    ladder: list[dict]


class TemplateOut(Schema):
    clauses: list[dict]
    ladder: list[dict]


def version_to_dict(version, agreement):
    return {"id": version.public_id, "number": version.number, "clauses": version.clauses,
            "ladder": version.ladder, "text": version.text, "sha256": version.sha256,
            "language": version.language, "translations": version.translations,
            "created_at": version.created_at,
            "in_force": version.pk == agreement.current_version_id}


def signature_to_dict(signature):
    return {"id": signature.public_id, "version": signature.version.number,
            "typed_name": signature.typed_name, "language": signature.language,
            "text_sha256": signature.text_sha256,
            "signed_at": signature.signed_at}


def proposal_to_dict(proposal):
    return {
        "id": proposal.public_id, "kind": proposal.kind, "clause_key": proposal.clause_key,
        "title": proposal.title, "text": proposal.text, "reason": proposal.reason,
        "author": proposal.author.display_name, "status": proposal.status,
        "against_version": proposal.against.number,
        "decision_reason": proposal.decision_reason,
        "result_version": proposal.result.number if proposal.result else None,
        "comments": [{"author": c.author.display_name, "text": c.text,
                      "created_at": c.created_at}
                     for c in proposal.comments.select_related("author")],
    }


@router.get("/circles/{circle_id}/agreement", response=AgreementOut)
def get_agreement(request, circle_id: str):
    agreement = access_agreement(request.user, circle_id)
    mine = Signature.objects.filter(version__agreement=agreement,
                                    membership__user=request.user).select_related("version")
    return {
        "circle_id": agreement.circle.public_id,
        "current": version_to_dict(agreement.current_version, agreement),
        "versions": list(agreement.versions.values_list("number", flat=True)),
        "review_every_days": agreement.review_every_days,
        "last_reviewed_at": agreement.last_reviewed_at,
        "review_due_at": agreement.review_due_at, "review_due": review_due(agreement),
        "agenda": [str(item.title) for item in agenda_items(agreement)],
        "my_signatures": [signature_to_dict(s) for s in mine],
    }


@router.get("/agreement-versions/{version_id}", response=VersionOut)
def get_version(request, version_id: str):
    version = access_version(request.user, version_id)
    return version_to_dict(version, version.agreement)


@router.get("/agreement-versions/{version_id}/diff", response=DiffOut)
def get_diff(request, version_id: str, against: str):
    """The line-by-line difference from version ``against`` to this one."""
    version = access_version(request.user, version_id)
    old = access_version(request.user, against)
    if old.agreement_id != version.agreement_id:
        raise Http404
    return {"old": old.number, "new": version.number,
            "lines": [{"op": op, "line": line} for op, line in diff(old.text, version.text)]}


@router.post("/agreement-versions/{version_id}/signatures", response={201: SignatureOut})
def sign(request, version_id: str, payload: SignIn):
    version = access_version(request.user, version_id)
    signature = actions.do_sign_agreement(version, typed_name=payload.typed_name,
                                          actor=request.user,
                                          language=payload.language)
    return Status(201, signature_to_dict(signature))


@router.get("/agreement-signatures/{signature_id}/pdf")
def signature_download(request, signature_id: str):
    """The signed version as a PDF (the signer, and the circle's facilitators)."""
    signature = access_signature(request.user, signature_id)
    data = signature_pdf(signature)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="agreement-v{signature.version.number}-signed.pdf"')
    return response


@router.post("/circles/{circle_id}/agreement/check", response=CheckOut)
def check(request, circle_id: str, payload: CheckIn):
    agreement = access_agreement(request.user, circle_id)
    if not payload.text.strip():
        raise DomainError("Paste the text to check.", field="text")
    result = check_text(agreement, payload.text)
    return {"matches": result.matches, "sha256": result.sha256,
            "version": result.version.number if result.version else None,
            "in_force": result.is_current}


@router.post("/circles/{circle_id}/agreement/proposals", response={201: ProposalOut})
def propose(request, circle_id: str, payload: ProposalIn):
    agreement = access_agreement(request.user, circle_id)
    proposal = actions.do_propose_change(agreement, actor=request.user, **payload.dict())
    return Status(201, proposal_to_dict(proposal))


@router.get("/agreement-proposals/{proposal_id}", response=ProposalOut)
def get_proposal(request, proposal_id: str):
    return proposal_to_dict(access_proposal(request.user, proposal_id))


@router.post("/agreement-proposals/{proposal_id}/comments", response={201: CommentOut})
def comment(request, proposal_id: str, payload: CommentIn):
    proposal = access_proposal(request.user, proposal_id)
    comment = actions.do_comment_on_proposal(proposal, text=payload.text, actor=request.user)
    return Status(201, {"author": request.user.display_name, "text": comment.text,
                        "created_at": comment.created_at})


@router.post("/agreement-proposals/{proposal_id}/decision", response=ProposalOut)
def decide(request, proposal_id: str, payload: ProposalDecisionIn):
    """Adopt (a new version everyone signs again) or decline, with a reason."""
    proposal = access_proposal(request.user, proposal_id)
    check_may_manage_circle(request.user, proposal.agreement.circle)
    if payload.decision == "adopt":
        actions.do_adopt_proposal(proposal, reason=payload.reason, actor=request.user)
    elif payload.decision == "decline":
        actions.do_decline_proposal(proposal, reason=payload.reason, actor=request.user)
    else:
        raise DomainError("Decide adopt or decline.", field="decision")
    return proposal_to_dict(access_proposal(request.user, proposal_id))


@router.post("/circles/{circle_id}/agreement/reviews", response={201: AgreementOut})
def record_review(request, circle_id: str):
    agreement = access_agreement(request.user, circle_id)
    actions.do_record_review(agreement, actor=request.user)
    return Status(201, get_agreement(request, circle_id))


@router.put("/circles/{circle_id}/agreement/cadence", response=AgreementOut)
def set_cadence(request, circle_id: str, payload: CadenceIn):
    agreement = access_agreement(request.user, circle_id)
    actions.do_set_review_cadence(agreement, days=payload.days, actor=request.user)
    return get_agreement(request, circle_id)


@router.get("/organizations/{org_id}/agreement-template", response=TemplateOut)
def get_template(request, org_id: str):
    template = access_organization(request.user, org_id).agreement_template
    return {"clauses": template.clauses, "ladder": template.ladder}


@router.put("/organizations/{org_id}/agreement-template", response=TemplateOut)
def update_template(request, org_id: str, payload: TemplateIn):
    organization = access_organization(request.user, org_id)
    template = actions.do_update_template(organization, clauses=payload.clauses,
                                          ladder=payload.ladder, actor=request.user)
    return {"clauses": template.clauses, "ladder": template.ladder}
