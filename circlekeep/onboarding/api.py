"""The onboarding API: the same steps and rules as the pages."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import DomainError
from circlekeep.onboarding import actions
from circlekeep.onboarding import progress as onboarding
from circlekeep.onboarding.access import access_onboarding, access_own_onboarding

router = Router(tags=["onboarding"])


class StepOut(Schema):
    key: str
    label: str
    done: bool
    note: str


class OnboardingOut(Schema):
    membership_id: UUID
    status: str
    complete: bool
    cleared: bool
    hold: str
    steps: list[StepOut]


class MessageOut(Schema):
    id: UUID
    kind: str
    author: str
    text: str
    created_at: datetime


class MessageIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "Can I bring my own tea to the meetings?"}]})

    text: str


class DeclarationIn(Schema):
    name: str  # as the member knows the person; matched privately, never confirmed
    kind: str
    note: str = ""


class DeclarationsIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"declarations": [
            {"name": "Sam Ortiz", "kind": "coworker", "note": "Same team at work"}]}]})

    declarations: list[DeclarationIn]


class DeclarationOut(Schema):
    declared_by: str
    about: str
    kind: str
    note: str
    mutual: bool


class ScreeningOut(Schema):
    submitted_at: datetime | None
    decision: str
    plan: str
    declarations: list[DeclarationOut]


class ScreeningDecisionIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"decision": "proceed", "plan": "Seat them apart; check in after the first meeting."}]})

    decision: str
    plan: str


def onboarding_to_dict(membership):
    state = onboarding.progress(membership)
    return {"membership_id": membership.public_id, "status": membership.status,
            "complete": state.complete, "cleared": state.cleared, "hold": str(state.hold),
            "steps": [{"key": s.key, "label": str(s.label), "done": s.done,
                       "note": str(s.note)} for s in state.steps]}


@router.get("/memberships/{membership_id}/onboarding", response=OnboardingOut)
def get_onboarding(request, membership_id: str):
    """The onboarding checklist, in order, computed from what has happened."""
    membership, _is_self = access_onboarding(request.user, membership_id)
    if membership.status == Membership.Status.INVITED:
        raise DomainError("The invitation has not been accepted yet.")
    return onboarding_to_dict(membership)


@router.post("/memberships/{membership_id}/onboarding/orientation", response=OnboardingOut)
def read_orientation(request, membership_id: str):
    membership = access_own_onboarding(request.user, membership_id)
    return onboarding_to_dict(actions.do_read_orientation(membership, actor=request.user))


@router.get("/memberships/{membership_id}/onboarding/questions", response=list[MessageOut])
def list_questions(request, membership_id: str):
    from circlekeep.circles.models import OnboardingMessage

    membership, is_self = access_onboarding(request.user, membership_id)
    thread = list(OnboardingMessage.objects.filter(membership=membership)
                  .select_related("author", "membership__user", "membership__circle"))
    why = (audit_reasons.code("onboarding.questions.own.api") if is_self
           else audit_reasons.code("onboarding.questions.staff.api"))
    texts = vault.reveal_many(thread, "body", actor=request.user, reason=why)
    return [{"id": m.public_id, "kind": m.kind, "author": m.author.display_name,
             "text": str(t), "created_at": m.created_at} for m, t in zip(thread, texts,
                                                                          strict=True)]


@router.post("/memberships/{membership_id}/onboarding/questions", response={201: MessageOut})
def post_question(request, membership_id: str, payload: MessageIn):
    """The member asks; a facilitator of the circle answers."""
    membership, is_self = access_onboarding(request.user, membership_id)
    do = actions.do_ask_question if is_self else actions.do_answer_question
    message = do(membership, text=payload.text, actor=request.user)
    return Status(201, {"id": message.public_id, "kind": message.kind,
                        "author": request.user.display_name, "text": payload.text.strip(),
                        "created_at": message.created_at})


@router.post("/memberships/{membership_id}/onboarding/questions/settled",
             response=OnboardingOut)
def settle_questions(request, membership_id: str):
    membership = access_own_onboarding(request.user, membership_id)
    return onboarding_to_dict(actions.do_settle_questions(membership, actor=request.user))


@router.post("/memberships/{membership_id}/onboarding/online-rules", response=OnboardingOut)
def accept_online_rules(request, membership_id: str):
    membership = access_own_onboarding(request.user, membership_id)
    return onboarding_to_dict(actions.do_accept_online_rules(membership, actor=request.user))


@router.get("/memberships/{membership_id}/onboarding/relationships", response=ScreeningOut)
def get_relationships(request, membership_id: str):
    """The member's own declarations as typed (or, for facilitators, every declaration
    involving the member, with whom each name matched)."""
    from circlekeep.circles.models import RelationshipScreening
    from circlekeep.onboarding.relationships import declarations_for_screening

    membership, is_self = access_onboarding(request.user, membership_id)
    screening = RelationshipScreening.objects.filter(membership=membership).first()
    declarations = declarations_for_screening(membership, request.user, is_self=is_self) \
        if screening is not None or not is_self else []
    plan = ""
    if screening is not None and screening.plan:
        plan = str(vault.reveal(screening, "plan", actor=request.user,
                                reason=audit_reasons.code("onboarding.screening.read.api")))
    return {
        "submitted_at": screening.submitted_at if screening else None,
        "decision": screening.decision if screening else "", "plan": plan,
        "declarations": [{"declared_by": d.declared_by, "about": d.about,
                          "kind": str(d.kind_label), "note": str(d.note_text),
                          "mutual": d.mutual}
                         for d in declarations],
    }


@router.post("/memberships/{membership_id}/onboarding/relationships",
             response={201: OnboardingOut})
def declare_relationships(request, membership_id: str, payload: DeclarationsIn):
    """Declare relationships by name, once (an empty list: none)."""
    membership = access_own_onboarding(request.user, membership_id)
    declarations = [(entry.name, entry.kind, entry.note) for entry in payload.declarations]
    membership = actions.do_declare_relationships(membership, declarations=declarations,
                                                  actor=request.user)
    return Status(201, onboarding_to_dict(membership))


@router.post("/memberships/{membership_id}/onboarding/relationships/decision",
             response=OnboardingOut)
def decide_screening(request, membership_id: str, payload: ScreeningDecisionIn):
    membership, _is_self = access_onboarding(request.user, membership_id)
    membership = actions.do_decide_screening(membership, decision=payload.decision,
                                             plan=payload.plan, actor=request.user)
    return onboarding_to_dict(membership)
