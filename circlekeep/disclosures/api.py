"""API endpoints for disclosures: the member's authorizations, releases under them,
disclosures under a legal duty, suspensions of the accounting, and the member's accounting
of disclosures. The same actions and access rules as the pages."""

from datetime import date, datetime
from uuid import UUID

from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_membership
from circlekeep.disclosures import actions
from circlekeep.disclosures.access import (
    access_authorization,
    access_disclosure,
    authorizations_signed_by,
    disclosures_about_visible_to,
)

router = Router(tags=["disclosures"])


class AuthorizationIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"recipient": "Dr. Lee, St. Mary's Clinic", "information": ["attendance"],
         "purpose": "Coordinating my care", "expires_on": "2027-12-31",
         "expiry_event": "the end of my treatment", "typed_name": "Sam Ortega"}]})

    recipient: str
    information: list[str]
    purpose: str
    expires_on: date
    typed_name: str
    expiry_event: str = ""


class AuthorizationOut(Schema):
    id: UUID
    membership_id: UUID
    recipient: str
    information: list[str]
    signed_at: datetime
    expires_on: date
    expiry_event: str
    revoked_at: datetime | None


class DisclosureIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"information": ["attendance"], "summary": "Attended 4 of the 5 meetings in March"}]})

    information: list[str]
    summary: str


class LegalDisclosureIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"basis": "court_order", "recipient": "County court, case 24-1187",
         "information": ["attendance"], "summary": "Dates of attendance in 2026",
         "reason": "Subpoena received 2 March", "confirmed": True, "law_named": ""}]})

    basis: str
    recipient: str
    information: list[str]
    summary: str
    reason: str
    confirmed: bool = False
    law_named: str = ""


class SuspensionIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"legal_reason": "Law-enforcement request under 45 CFR 164.528(a)(2)",
         "ends_on": "2027-09-30"}]})

    legal_reason: str
    ends_on: date


class DisclosureRecordOut(Schema):
    """A disclosure as the circle's staff see it: what went where and why, without the
    summary (which the member reads in their accounting)."""

    id: UUID
    membership_id: UUID
    authorization_id: UUID | None
    disclosed_at: datetime
    recipient: str
    information: list[str]
    basis: str
    law_named: str
    accounting_suspended_until: date | None


class DisclosureOut(Schema):
    id: UUID
    disclosed_at: datetime
    recipient: str
    information: list[str]
    basis: str
    law_named: str
    summary: str


def authorization_to_dict(authorization):
    return {"id": authorization.public_id,
            "membership_id": authorization.membership.public_id,
            "recipient": authorization.recipient, "information": authorization.information,
            "signed_at": authorization.signed_at, "expires_on": authorization.expires_on,
            "expiry_event": authorization.expiry_event,
            "revoked_at": authorization.revoked_at}


def disclosure_record_to_dict(disclosure):
    return {"id": disclosure.public_id, "membership_id": disclosure.membership.public_id,
            "authorization_id": (disclosure.authorization.public_id
                                 if disclosure.authorization_id else None),
            "disclosed_at": disclosure.disclosed_at, "recipient": disclosure.recipient,
            "information": disclosure.information, "basis": disclosure.basis,
            "law_named": disclosure.law_named,
            "accounting_suspended_until": disclosure.accounting_suspended_until}


@router.get("/me/authorizations", response=list[AuthorizationOut])
def my_authorizations(request):
    """The signed-in member's authorizations in every circle, newest first."""
    return [authorization_to_dict(a) for a in
            authorizations_signed_by(request.user).select_related("membership")]


@router.get("/memberships/{membership_id}/authorizations", response=list[AuthorizationOut])
def list_authorizations(request, membership_id: str):
    """A membership's authorizations, for the member and the circle's staff."""
    membership = access_membership(request.user, membership_id)
    return [authorization_to_dict(a) for a in
            membership.authorizations.select_related("membership")]


@router.post("/memberships/{membership_id}/authorizations", response={201: AuthorizationOut})
def authorize(request, membership_id: str, payload: AuthorizationIn):
    """The member authorizes a release of their information: to whom, what, why, until
    when. Only the member signs, with their full name; they may revoke it at any time."""
    membership = access_membership(request.user, membership_id)
    authorization = actions.do_sign_authorization(membership, actor=request.user,
                                                  **payload.dict())
    return Status(201, authorization_to_dict(authorization))


@router.post("/authorizations/{authorization_id}/revoke", response=AuthorizationOut)
def revoke(request, authorization_id: str):
    """The member revokes their authorization: nothing more may be released under it."""
    authorization = access_authorization(request.user, authorization_id)
    return authorization_to_dict(actions.do_revoke_authorization(authorization,
                                                                 actor=request.user))


@router.post("/authorizations/{authorization_id}/disclosures",
             response={201: DisclosureRecordOut})
def record(request, authorization_id: str, payload: DisclosureIn):
    """A facilitator records a release made under the authorization: refused once it is
    revoked or expired, or for information it does not cover. The member sees it in their
    accounting."""
    authorization = access_authorization(request.user, authorization_id)
    disclosure = actions.do_record_disclosure(authorization, actor=request.user,
                                              **payload.dict())
    return Status(201, disclosure_record_to_dict(disclosure))


@router.get("/memberships/{membership_id}/disclosures", response=list[DisclosureRecordOut])
def list_disclosures(request, membership_id: str):
    """Every disclosure recorded about the membership, suspended ones included, for the
    circle's staff. A member reads theirs in their accounting (``GET /me/disclosures``);
    this list is empty for them."""
    membership = access_membership(request.user, membership_id)
    return [disclosure_record_to_dict(d)
            for d in disclosures_about_visible_to(request.user, membership)]


@router.post("/memberships/{membership_id}/legal-disclosures",
             response={201: DisclosureRecordOut})
def legal_disclosure(request, membership_id: str, payload: LegalDisclosureIn):
    """A disclosure without authorization, under a legal duty: the minimum necessary,
    confirmed, never about another member; the organization's admins are told."""
    membership = access_membership(request.user, membership_id)
    disclosure = actions.do_record_legal_disclosure(membership, actor=request.user,
                                                    **payload.dict())
    return Status(201, disclosure_record_to_dict(disclosure))


@router.post("/disclosures/{disclosure_id}/suspension", response=DisclosureRecordOut)
def suspend(request, disclosure_id: str, payload: SuspensionIn):
    """Withhold one disclosure from the member's accounting until a date, for a recorded
    legal reason."""
    disclosure = access_disclosure(request.user, disclosure_id)
    return disclosure_record_to_dict(actions.do_suspend_accounting(
        disclosure, actor=request.user, **payload.dict()))


@router.get("/me/disclosures", response=list[DisclosureOut])
def my_accounting(request):
    """The signed-in member's accounting of disclosures: six years, newest first."""
    records = list(actions.accounting_for(request.user))
    summaries = vault.reveal_many(records, "summary", actor=request.user,
                                  reason=audit_reasons.code("disclosures.accounting.own.api"))
    return [{"id": d.public_id, "disclosed_at": d.disclosed_at, "recipient": d.recipient,
             "information": d.information, "basis": d.basis, "law_named": d.law_named,
             "summary": str(s)} for d, s in zip(records, summaries, strict=True)]
