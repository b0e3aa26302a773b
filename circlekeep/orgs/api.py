"""API endpoints for organization admins."""

from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.accounts.api import InvitationOut, invitation_to_dict
from circlekeep.orgs import actions
from circlekeep.orgs.access import (
    access_organization,
    access_staff_role,
    admin_organizations,
    staff_roles_visible_to,
)
from circlekeep.orgs.actions import do_invite_staff, do_reset_two_factor

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: UUID
    name: str
    country: str
    region: str
    require_member_2fa: bool
    members_read_notes: bool
    api_token_max_days: int
    time_zone: str


class OrganizationIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Eastside Counselling", "country": "US", "region": "CA",
         "require_member_2fa": True, "members_read_notes": True, "api_token_max_days": 90,
         "time_zone": "America/Los_Angeles"}]})

    name: str
    country: str
    region: str = ""
    require_member_2fa: bool = False
    members_read_notes: bool | None = None
    api_token_max_days: int | None = None  # 1 to 365; unchanged when left out
    time_zone: str | None = None  # an IANA zone; unchanged when left out


class StaffOut(Schema):
    id: UUID
    user_id: UUID
    display_name: str
    email: str
    role: str


class StaffInvitationIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": "amara@clinic.example", "role": "facilitator"}]})

    email: str
    role: str


class RoleIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"role": "admin"}]})

    role: str


def organization_to_dict(org):
    return {"id": org.public_id, "name": org.name, "country": org.country, "region": org.region,
            "require_member_2fa": org.require_member_2fa,
            "members_read_notes": org.members_read_notes,
            "api_token_max_days": org.api_token_max_days, "time_zone": org.time_zone}


def staff_to_dict(role):
    return {"id": role.public_id, "user_id": role.user.public_id,
            "display_name": role.user.display_name, "email": role.user.email, "role": role.role}


@router.get("/organizations", response=list[OrganizationOut])
def list_organizations(request):
    return [organization_to_dict(o) for o in admin_organizations(request.user)]


@router.put("/organizations/{org_id}", response=OrganizationOut)
def update_organization(request, org_id: str, payload: OrganizationIn):
    organization = access_organization(request.user, org_id)
    actions.do_change_org_policies(organization, actor=request.user, **payload.dict())
    return organization_to_dict(organization)


@router.get("/organizations/{org_id}/staff", response=list[StaffOut])
def list_staff(request, org_id: str):
    organization = access_organization(request.user, org_id)
    return [staff_to_dict(r) for r in
            staff_roles_visible_to(request.user).filter(organization=organization)]


@router.post("/organizations/{org_id}/staff-invitations", response={201: InvitationOut})
def invite_staff(request, org_id: str, payload: StaffInvitationIn):
    organization = access_organization(request.user, org_id)
    invitation, _token = do_invite_staff(organization, actor=request.user, email=payload.email,
                                         role=payload.role)
    return Status(201, invitation_to_dict(invitation))


@router.put("/staff/{role_id}", response=StaffOut)
def change_role(request, role_id: str, payload: RoleIn):
    staff_role = access_staff_role(request.user, role_id)
    return staff_to_dict(actions.do_change_staff_role(staff_role, payload.role,
                                                      actor=request.user))


class ReasonIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "Lost her phone; confirmed by a call to the number on file"}]})

    reason: str


@router.post("/staff/{role_id}/reset-two-step", response={204: None})
def reset_two_step(request, role_id: str, payload: ReasonIn):
    """Reset a staff member's two-step sign-in (a lost phone); they set it up again."""
    staff_role = access_staff_role(request.user, role_id)
    do_reset_two_factor(staff_role.user, actor=request.user, reason=payload.reason)
    return Status(204, None)


@router.post("/staff/{role_id}/remove", response={204: None})
def remove_staff(request, role_id: str):
    staff_role = access_staff_role(request.user, role_id)
    actions.do_remove_staff_role(staff_role, actor=request.user)
    return Status(204, None)
