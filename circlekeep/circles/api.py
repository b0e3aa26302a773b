"""API endpoints for circles, rosters, facilitators and memberships."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep import vault
from circlekeep.accounts.actions import do_revoke_invitation
from circlekeep.accounts.api import InvitationOut, invitation_to_dict
from circlekeep.accounts.models import User
from circlekeep.audit import reasons as audit_reasons
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
    may_see_meeting_details,
)
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
    room_names: str


class CircleIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Wednesday evening group", "kind": "therapy", "mode": "hybrid", "capacity": 10,
         "allows_minors": False}]})

    name: str
    kind: str
    mode: str
    capacity: int
    allows_minors: bool = False
    meeting_details: str | None = None
    # display, first or hidden: how members see each other in the online room.
    room_names: str | None = None


class NewCircleIn(CircleIn):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"organization_id": "0e7c2d4a-3b6f-4f1e-8a2d-9c5b7e1f3a60",
         "name": "Grief and loss peer circle", "kind": "peer_support", "mode": "in_person",
         "capacity": 12}]})

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
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": "guardian@example.org"}]})

    email: str


class MemberInviteIn(EmailIn):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": "rosa@example.org", "is_minor": False}]})

    is_minor: bool = False


class UserIdIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"user_id": "5b1f0a52-8c1e-4d8e-9a53-2f0d1c7e9b11"}]})

    user_id: str


class StatusIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "suspended", "reason": "Paused at the member's request for two weeks"}]})

    status: str
    reason: str = ""


def meeting_details_for(user, circle):
    """Where and when, for those who may see it (circles.access.may_see_meeting_details)."""
    return circle.meeting_details if may_see_meeting_details(user, circle) else None


def circle_to_dict(circle, viewer=None):
    return {
        "meeting_details": meeting_details_for(viewer, circle) if viewer else None,
        "id": circle.public_id, "organization_id": circle.organization.public_id,
        "name": circle.name, "kind": circle.kind, "mode": circle.mode,
        "capacity": circle.capacity, "allows_minors": circle.allows_minors,
        "room_names": circle.room_names,
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


@router.get("/memberships/{membership_id}", response=MembershipDetailOut)
def get_membership(request, membership_id: str):
    membership = access_membership(request.user, membership_id)
    data = membership_to_dict(membership)
    changes = list(membership.changes.select_related("membership__user", "membership__circle"))
    why = audit_reasons.code("circles.history.own.api" if membership.user_id == request.user.pk
                             else "circles.history.staff.api")
    reasons = vault.reveal_many(changes, "reason", actor=request.user, reason=why)
    data["history"] = [
        {"from_status": c.from_status, "to_status": c.to_status, "changed_at": c.changed_at,
         "reason": str(text) if text.erased else audit_reasons.label(str(text)),
         "erased": text.erased}
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
    membership = actions.do_change_membership_status(
        membership, payload.status, actor=request.user, reason=payload.reason)
    return membership_to_dict(membership)


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
