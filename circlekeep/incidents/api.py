"""API endpoints for concerns and privacy incidents (the same actions and access rules
as the pages)."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_circle, access_membership
from circlekeep.circles.models import Membership
from circlekeep.feedback.access import concern_key_for_spend
from circlekeep.feedback.actions import check_concern_token
from circlekeep.feedback.api import decode_base64
from circlekeep.incidents import actions
from circlekeep.incidents.access import (
    access_concern,
    access_decision,
    access_incident_notification,
    access_incident_reader,
    access_privacy_incident,
    concerns_handled_by,
    privacy_incidents_visible_to,
)
from circlekeep.lib.actions import DomainError
from circlekeep.lib.ids import parse_public_id
from circlekeep.meetings.access import access_meeting
from circlekeep.orgs.access import access_organization

router = Router(tags=["concerns"])
privacy_router = Router(tags=["privacy incidents"])


class ConcernIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "accidental", "body": "Someone mentioned a member's job outside the circle.",
         "visibility": "facilitators", "raise_in_group": "unnamed",
         "about_facilitator": False, "affected": []}]})

    kind: str
    body: str
    visibility: str
    raise_in_group: str = "no"
    about_facilitator: bool = False
    affected: list[str] = []


class AnonymousConcernIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"key_id": "7d0c2a91-5e4b-4c3f-8a1d-2b9e6f0c4d17", "token": "…", "signature": "…",
         "kind": "intentional", "body": "A member's story was retold at a party.",
         "raise_in_group": "unnamed", "about_facilitator": False, "affected": []}]})

    key_id: UUID = Field(description="The circle's concern key for today (UTC)")
    token: str = Field(description="The prepared message the token signs, base64",
                       max_length=400)
    signature: str = Field(description="The unblinded signature, base64", max_length=2000)
    kind: str
    body: str = Field(max_length=4000)
    raise_in_group: str = "no"
    about_facilitator: bool = False
    affected: list[str] = Field([], max_length=200)


class ConcernCreatedOut(Schema):
    id: UUID | None  # none for an anonymous report: nothing leads back to it


class ConcernOut(Schema):
    id: UUID
    kind: str
    visibility: str
    reported_at: datetime
    acknowledged_at: datetime | None
    assessed_at: datetime | None
    closed_at: datetime | None
    body: str | None
    summary: str | None


class TextIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"text": "We spoke with both members; the circle revisits the agreement on "
                 "Tuesday."}]})

    text: str


class RaiseIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"meeting_id": "0c6a8f7e-3b9d-4f62-a1e5-7d2c9b4e8f10"}]})

    meeting_id: str


class DecisionIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"membership_id": "5b1f0a52-8c1e-4d8e-9a53-2f0d1c7e9b11", "step": "suspension",
         "reasons": "A second disclosure after the reminder in May.",
         "suspended_until": "2027-02-01"}]})

    membership_id: str
    step: str
    reasons: str
    suspended_until: date | None = None


class DecisionOut(Schema):
    id: UUID
    step: str
    suspended_until: date | None


def _concern_to_dict(request, concern):
    handles = concerns_handled_by(request.user).filter(pk=concern.pk).exists()
    why = (audit_reasons.code("incidents.concern.handle.api") if handles
           else audit_reasons.code("incidents.concern.involved.api"))
    body = None
    if handles or concern.reporter_id == request.user.pk:
        body = str(vault.reveal(concern, "body", actor=request.user, reason=why))
    summary = (str(vault.reveal(concern, "summary", actor=request.user, reason=why))
               if concern.closed_at else None)
    return {"id": concern.public_id, "kind": concern.kind, "visibility": concern.visibility,
            "reported_at": concern.reported_at, "acknowledged_at": concern.acknowledged_at,
            "assessed_at": concern.assessed_at, "closed_at": concern.closed_at,
            "body": body, "summary": summary}


@router.post("/circles/{circle_id}/concerns", response={201: ConcernCreatedOut})
def report(request, circle_id: str, payload: ConcernIn):
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


@router.post("/anonymous-concerns", response={201: dict}, auth=None)
def report_anonymously(request, payload: AnonymousConcernIn):
    """Without an account, cookies or a log line: a fully anonymous concern, spent with the
    day's token of the circle's key (see ``GET /concern-keys``)."""
    try:
        concern_key = concern_key_for_spend(payload.key_id)
    except Http404:
        raise DomainError(_("No concern key has that id."), field="key_id") from None
    prepared = decode_base64(payload.token, "token")
    signature = decode_base64(payload.signature, "signature")
    # The token first: without one, nothing about the circle's members is answered.
    check_concern_token(concern_key, prepared=prepared, signature=signature)
    try:
        wanted = {UUID(str(key)) for key in payload.affected}
    except ValueError:
        raise DomainError(_("Choose affected people from this circle's members."),
                          field="affected") from None
    affected = list(Membership.objects.filter(circle=concern_key.circle, public_id__in=wanted))
    if len(affected) != len(wanted):
        raise DomainError(_("Choose affected people from this circle's members."),
                          field="affected")
    actions.do_report_anonymous_concern(
        concern_key, prepared=prepared, signature=signature, kind=payload.kind,
        body=payload.body, raise_in_group=payload.raise_in_group,
        about_facilitator=payload.about_facilitator, affected=affected)
    return Status(201, {})


@router.get("/concerns/{concern_id}", response=ConcernOut)
def get_concern(request, concern_id: str):
    return _concern_to_dict(request, access_concern(request.user, concern_id))


@router.post("/concerns/{concern_id}/acknowledge", response=ConcernOut)
def acknowledge(request, concern_id: str):
    concern = access_concern(request.user, concern_id)
    actions.do_acknowledge_concern(concern, actor=request.user)
    return _concern_to_dict(request, concern)


@router.post("/concerns/{concern_id}/assessment", response=ConcernOut)
def assess(request, concern_id: str, payload: TextIn):
    """The people who handle the concern record their assessment (read by them alone)."""
    concern = access_concern(request.user, concern_id)
    actions.do_assess_concern(concern, assessment=payload.text, actor=request.user)
    return _concern_to_dict(request, concern)


@router.post("/concerns/{concern_id}/raise", response=ConcernOut)
def raise_in_group(request, concern_id: str, payload: RaiseIn):
    """Put the concern on an upcoming meeting's agenda of its circle, unnamed unless the
    reporter asked to be named in the group."""
    concern = access_concern(request.user, concern_id)
    meeting = access_meeting(request.user, payload.meeting_id)
    actions.do_raise_concern_in_group(concern, meeting=meeting, actor=request.user)
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


# Privacy incidents -------------------------------------------------------------------------


class PrivacyIncidentIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "Facilitator's laptop stolen", "discovered_at": "2026-11-30T08:15:00Z",
         "exposed": "Names and meeting times of one circle; no notes (the disk was "
                    "encrypted)."}]})

    title: str
    discovered_at: AwareDatetime
    exposed: str


class ClockOut(Schema):
    notify: str  # "authority" (GDPR, 72 hours) or "individuals" (HIPAA, 60 days)
    due: datetime
    past_due: bool


class PrivacyIncidentOut(Schema):
    id: UUID
    organization_id: UUID
    title: str
    discovered_at: datetime
    exposed: str
    recorded_at: datetime
    closed_at: datetime | None
    clocks: list[ClockOut]


class AffectedPersonOut(Schema):
    id: UUID
    name: str
    email: str


class NotificationOut(Schema):
    id: UUID
    kind: str
    recipient: str
    draft: str
    created_at: datetime
    sent_at: datetime | None


class PrivacyIncidentDetailOut(PrivacyIncidentOut):
    affected: list[AffectedPersonOut]
    notifications: list[NotificationOut]


class AffectedIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reader_id": "9d7e2c41-6a0b-4e3f-8c15-3b8f0e2a7d64",
         "since": "2026-11-28T00:00:00Z", "until": "2026-11-30T08:15:00Z"}]})

    reader_id: str
    since: AwareDatetime
    until: AwareDatetime


class AffectedOut(Schema):
    found: int
    affected: list[AffectedPersonOut]


class NotificationIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "authority", "recipient": "Agencia Española de Protección de Datos",
         "draft": "On 30 November 2026 a laptop holding the names and meeting times of one "
                  "group was stolen…"}]})

    kind: str
    recipient: str
    draft: str


def privacy_incident_to_dict(incident, now=None):
    now = now or timezone.now()
    clocks = [("authority", incident.authority_due), ("individuals", incident.individuals_due)]
    return {"id": incident.public_id, "organization_id": incident.organization.public_id,
            "title": incident.title, "discovered_at": incident.discovered_at,
            "exposed": incident.exposed, "recorded_at": incident.recorded_at,
            "closed_at": incident.closed_at,
            "clocks": [{"notify": notify, "due": due, "past_due": due <= now}
                       for notify, due in clocks]}


def affected_person_to_dict(user):
    return {"id": user.public_id, "name": user.full_name or user.display_name,
            "email": user.email}


def notification_to_dict(notification):
    return {"id": notification.public_id, "kind": notification.kind,
            "recipient": notification.recipient, "draft": notification.draft,
            "created_at": notification.created_at, "sent_at": notification.sent_at}


@privacy_router.get("/organizations/{org_id}/privacy-incidents",
                    response=list[PrivacyIncidentOut])
def list_privacy_incidents(request, org_id: str):
    """The organization's privacy incidents with their regulatory clocks, newest discovery
    first (admins only)."""
    organization = access_organization(request.user, org_id)
    now = timezone.now()
    return [privacy_incident_to_dict(incident, now) for incident in
            privacy_incidents_visible_to(request.user).filter(organization=organization)
            .select_related("organization")]


@privacy_router.post("/organizations/{org_id}/privacy-incidents",
                     response={201: PrivacyIncidentOut})
def record_privacy_incident(request, org_id: str, payload: PrivacyIncidentIn):
    """Record an incident; its clocks run from its discovery. Describe the kinds of
    information exposed, never the information itself."""
    organization = access_organization(request.user, org_id)
    incident = actions.do_record_privacy_incident(organization, actor=request.user,
                                                  **payload.dict())
    return Status(201, privacy_incident_to_dict(incident))


@privacy_router.get("/privacy-incidents/{incident_id}", response=PrivacyIncidentDetailOut)
def get_privacy_incident(request, incident_id: str):
    """An incident with its clocks, the people affected and its notifications."""
    incident = access_privacy_incident(request.user, incident_id)
    return {**privacy_incident_to_dict(incident),
            "affected": [affected_person_to_dict(u)
                         for u in incident.affected.order_by("display_name")],
            "notifications": [notification_to_dict(n) for n in incident.notifications.all()]}


@privacy_router.post("/privacy-incidents/{incident_id}/affected", response=AffectedOut)
def find_affected(request, incident_id: str, payload: AffectedIn):
    """Add everyone whose protected information one of the organization's staff read in
    the window, from the audit trail's access events."""
    incident = access_privacy_incident(request.user, incident_id)
    reader = access_incident_reader(incident, payload.reader_id)
    found = actions.do_find_affected(incident, reader=reader, since=payload.since,
                                     until=payload.until, actor=request.user)
    return {"found": len(found),
            "affected": [affected_person_to_dict(u)
                         for u in incident.affected.order_by("display_name")]}


@privacy_router.post("/privacy-incidents/{incident_id}/notifications",
                     response={201: NotificationOut})
def draft_notification(request, incident_id: str, payload: NotificationIn):
    """Save the draft of a notification to the authority, the affected people or
    another recipient."""
    incident = access_privacy_incident(request.user, incident_id)
    notification = actions.do_draft_notification(incident, actor=request.user,
                                                 **payload.dict())
    return Status(201, notification_to_dict(notification))


@privacy_router.post("/privacy-incidents/{incident_id}/notifications/{notification_id}/sent",
                     response=NotificationOut)
def mark_notification_sent(request, incident_id: str, notification_id: str):
    """Record that a notification was sent (its sending happens outside Circlekeep)."""
    incident = access_privacy_incident(request.user, incident_id)
    notification = access_incident_notification(incident, notification_id)
    return notification_to_dict(actions.do_mark_notification_sent(notification,
                                                                  actor=request.user))
