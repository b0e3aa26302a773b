"""API endpoints for concerns and disclosures (the same actions as the pages)."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status

from circlekeep import vault
from circlekeep.circles.access import access_circle, access_membership
from circlekeep.disclosures import actions as disclosures
from circlekeep.disclosures.access import access_authorization
from circlekeep.incidents import actions
from circlekeep.incidents.access import access_concern, access_decision, concerns_handled_by
from circlekeep.lib.ids import parse_public_id

router = Router(tags=["concerns and disclosures"])


class ConcernIn(Schema):
    kind: str
    body: str
    visibility: str
    raise_in_group: str = "no"
    about_facilitator: bool = False
    affected: list[str] = []


class ConcernCreatedOut(Schema):
    id: UUID | None  # none for an anonymous report: nothing leads back to it


class ConcernOut(Schema):
    id: UUID
    kind: str
    visibility: str
    reported_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    body: str | None
    summary: str | None


class TextIn(Schema):
    text: str


class DecisionIn(Schema):
    membership_id: str
    step: str
    reasons: str
    suspended_until: date | None = None


class DecisionOut(Schema):
    id: UUID
    step: str
    suspended_until: date | None


class AuthorizationIn(Schema):
    recipient: str
    information: list[str]
    purpose: str
    expires_on: date
    typed_name: str
    expiry_event: str = ""


class AuthorizationOut(Schema):
    id: UUID
    recipient: str
    information: list[str]
    expires_on: date
    revoked_at: datetime | None


class LegalDisclosureIn(Schema):
    basis: str
    recipient: str
    information: list[str]
    summary: str
    reason: str
    confirmed: bool = False
    law_named: str = ""


class DisclosureOut(Schema):
    id: UUID
    disclosed_at: datetime
    recipient: str
    information: list[str]
    basis: str
    law_named: str
    summary: str


def _concern_to_dict(request, concern):
    handles = concerns_handled_by(request.user).filter(pk=concern.pk).exists()
    why = "Handling a concern (API)" if handles else "Reading a concern that involves me (API)"
    body = None
    if handles or concern.reporter_id == request.user.pk:
        body = str(vault.reveal(concern, "body", actor=request.user, reason=why))
    summary = (str(vault.reveal(concern, "summary", actor=request.user, reason=why))
               if concern.closed_at else None)
    return {"id": concern.public_id, "kind": concern.kind, "visibility": concern.visibility,
            "reported_at": concern.reported_at, "acknowledged_at": concern.acknowledged_at,
            "closed_at": concern.closed_at, "body": body, "summary": summary}


@router.post("/circles/{circle_id}/concerns", response={201: ConcernCreatedOut})
def report(request, circle_id: str, payload: ConcernIn):
    from circlekeep.circles.models import Membership

    circle = access_circle(request.user, circle_id)
    wanted = {parse_public_id(key) for key in payload.affected}
    affected = list(Membership.objects.filter(circle=circle, public_id__in=wanted))
    if len(affected) != len(wanted):
        raise Http404
    concern = actions.do_report_concern(
        circle, actor=request.user, kind=payload.kind, body=payload.body,
        visibility=payload.visibility, raise_in_group=payload.raise_in_group,
        about_facilitator=payload.about_facilitator, affected=affected)
    return Status(201, {"id": concern.public_id if concern.reporter_id else None})


@router.get("/concerns/{concern_id}", response=ConcernOut)
def get_concern(request, concern_id: str):
    return _concern_to_dict(request, access_concern(request.user, concern_id))


@router.post("/concerns/{concern_id}/acknowledge", response=ConcernOut)
def acknowledge(request, concern_id: str):
    concern = access_concern(request.user, concern_id)
    actions.do_acknowledge_concern(concern, actor=request.user)
    return _concern_to_dict(request, concern)


@router.post("/concerns/{concern_id}/decisions", response={201: DecisionOut})
def decide(request, concern_id: str, payload: DecisionIn):
    concern = access_concern(request.user, concern_id)
    membership = access_membership(request.user, payload.membership_id)
    decision = actions.do_decide_concern(
        concern, membership=membership, step=payload.step, reasons=payload.reasons,
        suspended_until=payload.suspended_until, actor=request.user)
    return Status(201, {"id": decision.public_id, "step": decision.step,
                        "suspended_until": decision.suspended_until})


@router.post("/concern-decisions/{decision_id}/response", response={204: None})
def respond(request, decision_id: str, payload: TextIn):
    decision = access_decision(request.user, decision_id)
    actions.do_respond_to_decision(decision, response=payload.text, actor=request.user)
    return Status(204, None)


@router.post("/concerns/{concern_id}/close", response=ConcernOut)
def close(request, concern_id: str, payload: TextIn):
    concern = access_concern(request.user, concern_id)
    actions.do_close_concern(concern, summary=payload.text, actor=request.user)
    return _concern_to_dict(request, concern)


def _authorization_to_dict(authorization):
    return {"id": authorization.public_id, "recipient": authorization.recipient,
            "information": authorization.information, "expires_on": authorization.expires_on,
            "revoked_at": authorization.revoked_at}


@router.post("/memberships/{membership_id}/authorizations", response={201: AuthorizationOut})
def authorize(request, membership_id: str, payload: AuthorizationIn):
    membership = access_membership(request.user, membership_id)
    authorization = disclosures.do_sign_authorization(membership, actor=request.user,
                                                      **payload.dict())
    return Status(201, _authorization_to_dict(authorization))


@router.post("/authorizations/{authorization_id}/revoke", response=AuthorizationOut)
def revoke(request, authorization_id: str):
    authorization = access_authorization(request.user, authorization_id)
    return _authorization_to_dict(disclosures.do_revoke_authorization(authorization,
                                                                      actor=request.user))


@router.post("/memberships/{membership_id}/legal-disclosures", response={201: None})
def legal_disclosure(request, membership_id: str, payload: LegalDisclosureIn):
    membership = access_membership(request.user, membership_id)
    disclosures.do_record_legal_disclosure(membership, actor=request.user, **payload.dict())
    return Status(201, None)


@router.get("/me/disclosures", response=list[DisclosureOut])
def my_accounting(request):
    """The signed-in member's accounting of disclosures: six years, newest first."""
    records = list(disclosures.accounting_for(request.user))
    summaries = vault.reveal_many(records, "summary", actor=request.user,
                                  reason="Member reading their accounting of disclosures (API)")
    return [{"id": d.public_id, "disclosed_at": d.disclosed_at, "recipient": d.recipient,
             "information": d.information, "basis": d.basis, "law_named": d.law_named,
             "summary": str(s)} for d, s in zip(records, summaries, strict=True)]

