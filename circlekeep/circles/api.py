"""API endpoints for circles, rosters, facilitators and memberships."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status

from circlekeep import vault
from circlekeep.accounts.actions import do_revoke_invitation
from circlekeep.accounts.api import InvitationOut, invitation_to_dict
from circlekeep.accounts.models import User
from circlekeep.circles import actions
from circlekeep.circles.access import (
    access_circle,
    access_facilitation,
    access_invitation,
    access_managed_circle,
    access_membership,
    check_may_manage_circle,
    circles_visible_to,
    invitations_visible_to,
)
from circlekeep.circles.dashboard import member_circles
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import access_organization, staff_organizations

router = Router(tags=["circles"])


class FacilitatorOut(Schema):
    id: UUID
    user_id: UUID
    display_name: str
    role: str


class CircleOut(Schema):
    id: UUID
    organization_id: UUID
    name: str
    kind: str
    mode: str
    capacity: int
    allows_minors: bool
    facilitators: list[FacilitatorOut]
    meeting_details: str | None = None


class CircleIn(Schema):
    name: str
    kind: str
    mode: str
    capacity: int
    allows_minors: bool = False
    meeting_details: str | None = None


class NewCircleIn(CircleIn):
    organization_id: str
    lead_id: str | None = None


class MembershipOut(Schema):
    id: UUID
    circle_id: UUID
    user_id: UUID | None  # none until the person accepts: an invitation reveals no account
    display_name: str  # the invited address until the person accepts
    status: str
    status_changed_at: datetime


class ChangeOut(Schema):
    from_status: str
    to_status: str
    changed_at: datetime
    reason: str
    erased: bool


class MembershipDetailOut(MembershipOut):
    history: list[ChangeOut]


class EmailIn(Schema):
    email: str


class MemberInviteIn(EmailIn):
    is_minor: bool = False


class UserIdIn(Schema):
    user_id: str


class StatusIn(Schema):
    status: str
    reason: str = ""


def meeting_details_for(user, circle):
    """Where and when: for the circle's staff and for members cleared to take part."""
    from circlekeep.circles import onboarding
    from circlekeep.circles.access import may_manage_circle

    if may_manage_circle(user, circle):
        return circle.meeting_details
    membership = (Membership.objects.filter(circle=circle, user=user,
                                            status=Membership.Status.ACTIVE)
                  .select_related("circle", "circle__organization", "user").first())
    if membership is not None and onboarding.progress(membership).cleared:
        return circle.meeting_details
    return None


def circle_to_dict(circle, viewer=None):
    return {
        "meeting_details": meeting_details_for(viewer, circle) if viewer else None,
        "id": circle.public_id, "organization_id": circle.organization.public_id,
        "name": circle.name, "kind": circle.kind, "mode": circle.mode,
        "capacity": circle.capacity, "allows_minors": circle.allows_minors,
        "facilitators": [
            {"id": f.public_id, "user_id": f.user.public_id,
             "display_name": f.user.display_name, "role": f.role}
            for f in circle.facilitations.all()
        ],
    }


def membership_to_dict(membership):
    accepted = membership.accepted
    return {"id": membership.public_id, "circle_id": membership.circle.public_id,
            "user_id": membership.user.public_id if accepted else None,
            "display_name": membership.staff_label,
            "status": membership.status, "status_changed_at": membership.status_changed_at}


@router.get("/circles", response=list[CircleOut])
def list_circles(request):
    circles = (circles_visible_to(request.user).select_related("organization")
               .prefetch_related("facilitations__user"))
    return [circle_to_dict(c, request.user) for c in circles]


@router.post("/circles", response={201: CircleOut})
def create_circle(request, payload: NewCircleIn):
    public_id = parse_public_id(payload.organization_id)
    organization = staff_organizations(request.user).filter(public_id=public_id).first()
    if organization is None:
        raise Http404
    lead = None
    if payload.lead_id:
        lead = User.objects.filter(public_id=parse_public_id(payload.lead_id),
                                   staff_roles__organization=organization).first()
        if lead is None:
            raise Http404
    data = payload.dict(exclude={"organization_id", "lead_id"})
    circle = actions.do_create_circle(organization, lead=lead, actor=request.user, **data)
    return Status(201, circle_to_dict(circle, request.user))


@router.get("/circles/{circle_id}", response=CircleOut)
def get_circle(request, circle_id: str):
    return circle_to_dict(access_circle(request.user, circle_id), request.user)


@router.put("/circles/{circle_id}", response=CircleOut)
def update_circle(request, circle_id: str, payload: CircleIn):
    circle = access_managed_circle(request.user, circle_id)
    circle = actions.do_update_circle(circle, actor=request.user, **payload.dict())
    return circle_to_dict(circle, request.user)


@router.get("/circles/{circle_id}/members", response=list[MembershipOut])
def list_members(request, circle_id: str):
    circle = access_managed_circle(request.user, circle_id)
    memberships = sorted(circle.memberships.with_acceptance().select_related("user", "circle"),
                         key=lambda m: m.staff_label.casefold())
    return [membership_to_dict(m) for m in memberships]


@router.post("/circles/{circle_id}/invitations", response={201: InvitationOut})
def invite_member(request, circle_id: str, payload: MemberInviteIn):
    circle = access_managed_circle(request.user, circle_id)
    invitation, _token = actions.do_invite_member(circle, actor=request.user,
                                                  email=payload.email, is_minor=payload.is_minor)
    return Status(201, invitation_to_dict(invitation))


@router.post("/circles/{circle_id}/facilitators", response={201: FacilitatorOut})
def add_facilitator(request, circle_id: str, payload: UserIdIn):
    circle = access_managed_circle(request.user, circle_id)
    user = User.objects.filter(public_id=parse_public_id(payload.user_id),
                               staff_roles__organization=circle.organization).first()
    if user is None:
        raise Http404
    facilitation = actions.do_add_facilitator(circle, user, actor=request.user)
    return Status(201, {"id": facilitation.public_id, "user_id": user.public_id,
                        "display_name": user.display_name, "role": facilitation.role})


@router.post("/facilitations/{facilitation_id}/remove", response={204: None})
def remove_facilitator(request, facilitation_id: str):
    facilitation = access_facilitation(request.user, facilitation_id)
    actions.do_remove_facilitator(facilitation, actor=request.user)
    return Status(204, None)


@router.get("/memberships", response=list[MembershipOut])
def my_memberships(request):
    """The signed-in person's own memberships (the member dashboard)."""
    me = request.user
    return [{"id": m.membership_id, "circle_id": m.circle_id, "user_id": me.public_id,
             "display_name": me.display_name, "status": m.status,
             "status_changed_at": m.status_changed_at} for m in member_circles(me)]


@router.get("/memberships/{membership_id}", response=MembershipDetailOut)
def get_membership(request, membership_id: str):
    membership = access_membership(request.user, membership_id)
    data = membership_to_dict(membership)
    changes = list(membership.changes.select_related("membership__user", "membership__circle"))
    why = ("Member viewing their own membership history (API)"
           if membership.user_id == request.user.pk else "Viewing a member's history (API)")
    reasons = vault.reveal_many(changes, "reason", actor=request.user, reason=why)
    data["history"] = [
        {"from_status": c.from_status, "to_status": c.to_status, "changed_at": c.changed_at,
         "reason": str(text), "erased": text.erased}
        for c, text in zip(changes, reasons, strict=True)
    ]
    return data


@router.post("/memberships/{membership_id}/guardian-invitations",
             response={201: InvitationOut})
def invite_guardian(request, membership_id: str, payload: EmailIn):
    membership = access_membership(request.user, membership_id)
    check_may_manage_circle(request.user, membership.circle)
    invitation, _token = actions.do_invite_guardian(membership, actor=request.user,
                                                    email=payload.email)
    return Status(201, invitation_to_dict(invitation))


@router.post("/memberships/{membership_id}/status", response=MembershipOut)
def change_status(request, membership_id: str, payload: StatusIn):
    membership = access_membership(request.user, membership_id)
    if membership.user_id != request.user.pk:
        check_may_manage_circle(request.user, membership.circle)
    elif payload.status != Membership.Status.LEFT:
        raise ActionForbidden("Members may only leave a circle.")
    membership = actions.do_change_membership_status(
        membership, payload.status, actor=request.user, reason=payload.reason)
    return membership_to_dict(membership)


# Onboarding ---------------------------------------------------------------------------------


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


class TextIn(Schema):
    text: str


class DeclarationIn(Schema):
    name: str  # as the member knows the person; matched privately, never confirmed
    kind: str
    note: str = ""


class DeclarationsIn(Schema):
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


class DecisionIn(Schema):
    decision: str
    plan: str


def _onboarding_membership(request, membership_id):
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    if not is_self:
        check_may_manage_circle(request.user, membership.circle)
    return membership, is_self


def onboarding_to_dict(membership):
    from circlekeep.circles import onboarding

    state = onboarding.progress(membership)
    return {"membership_id": membership.public_id, "status": membership.status,
            "complete": state.complete, "cleared": state.cleared, "hold": str(state.hold),
            "steps": [{"key": s.key, "label": str(s.label), "done": s.done,
                       "note": str(s.note)} for s in state.steps]}


@router.get("/memberships/{membership_id}/onboarding", response=OnboardingOut)
def get_onboarding(request, membership_id: str):
    """The onboarding checklist, in order, computed from what has happened."""
    membership, _is_self = _onboarding_membership(request, membership_id)
    if membership.status == Membership.Status.INVITED:
        raise DomainError("The invitation has not been accepted yet.")
    return onboarding_to_dict(membership)


def _own_step(request, membership_id):
    membership, is_self = _onboarding_membership(request, membership_id)
    if not is_self:
        raise ActionForbidden("Only the member takes this step.")
    return membership


@router.post("/memberships/{membership_id}/onboarding/orientation", response=OnboardingOut)
def read_orientation(request, membership_id: str):
    membership = _own_step(request, membership_id)
    return onboarding_to_dict(actions.do_read_orientation(membership, actor=request.user))


@router.get("/memberships/{membership_id}/onboarding/questions", response=list[MessageOut])
def list_questions(request, membership_id: str):
    from circlekeep.circles.models import OnboardingMessage

    membership, is_self = _onboarding_membership(request, membership_id)
    thread = list(OnboardingMessage.objects.filter(membership=membership)
                  .select_related("author", "membership__user", "membership__circle"))
    why = ("Member reading their onboarding questions (API)" if is_self
           else "Facilitator reading a member's onboarding questions (API)")
    texts = vault.reveal_many(thread, "body", actor=request.user, reason=why)
    return [{"id": m.public_id, "kind": m.kind, "author": m.author.display_name,
             "text": str(t), "created_at": m.created_at} for m, t in zip(thread, texts,
                                                                          strict=True)]


@router.post("/memberships/{membership_id}/onboarding/questions", response={201: MessageOut})
def post_question(request, membership_id: str, payload: TextIn):
    """The member asks; a facilitator of the circle answers."""
    membership, is_self = _onboarding_membership(request, membership_id)
    do = actions.do_ask_question if is_self else actions.do_answer_question
    message = do(membership, text=payload.text, actor=request.user)
    return Status(201, {"id": message.public_id, "kind": message.kind,
                        "author": request.user.display_name, "text": payload.text.strip(),
                        "created_at": message.created_at})


@router.post("/memberships/{membership_id}/onboarding/questions/settled",
             response=OnboardingOut)
def settle_questions(request, membership_id: str):
    membership = _own_step(request, membership_id)
    return onboarding_to_dict(actions.do_settle_questions(membership, actor=request.user))


@router.post("/memberships/{membership_id}/onboarding/online-rules", response=OnboardingOut)
def accept_online_rules(request, membership_id: str):
    membership = _own_step(request, membership_id)
    return onboarding_to_dict(actions.do_accept_online_rules(membership, actor=request.user))


@router.get("/memberships/{membership_id}/onboarding/relationships", response=ScreeningOut)
def get_relationships(request, membership_id: str):
    """The member's own declarations as typed (or, for facilitators, every declaration
    involving the member, with whom each name matched)."""
    from circlekeep.circles.models import RelationshipScreening
    from circlekeep.circles.relationships import declarations_for_screening

    membership, is_self = _onboarding_membership(request, membership_id)
    screening = RelationshipScreening.objects.filter(membership=membership).first()
    declarations = declarations_for_screening(membership, request.user, is_self=is_self) \
        if screening is not None or not is_self else []
    plan = ""
    if screening is not None and screening.plan:
        plan = str(vault.reveal(screening, "plan", actor=request.user,
                                reason="Reading a relationship screening decision (API)"))
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
    membership = _own_step(request, membership_id)
    declarations = [(entry.name, entry.kind, entry.note) for entry in payload.declarations]
    membership = actions.do_declare_relationships(membership, declarations=declarations,
                                                  actor=request.user)
    return Status(201, onboarding_to_dict(membership))


@router.post("/memberships/{membership_id}/onboarding/relationships/decision",
             response=OnboardingOut)
def decide_screening(request, membership_id: str, payload: DecisionIn):
    membership, is_self = _onboarding_membership(request, membership_id)
    if is_self:
        raise ActionForbidden("The circle's facilitators decide about relationships.")
    membership = actions.do_decide_screening(membership, decision=payload.decision,
                                             plan=payload.plan, actor=request.user)
    return onboarding_to_dict(membership)


# Invitations ----------------------------------------------------------------------------


@router.get("/organizations/{org_id}/invitations", response=list[InvitationOut])
def list_invitations(request, org_id: str):
    organization = access_organization(request.user, org_id)
    return [invitation_to_dict(i) for i in
            invitations_visible_to(request.user).filter(organization=organization)[:500]]


@router.post("/invitations/{invitation_id}/revoke", response=InvitationOut)
def revoke_invitation(request, invitation_id: str):
    invitation = access_invitation(request.user, invitation_id)
    invitation = do_revoke_invitation(invitation, actor=request.user)
    return invitation_to_dict(invitation)
