"""API endpoints for informed consent."""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep.accounts.models import User
from circlekeep.consent import actions
from circlekeep.consent.access import (
    access_consent_document,
    access_consent_record,
    consent_records_visible_to,
    organizations_for_consent,
)
from circlekeep.lib.ids import parse_public_id
from circlekeep.orgs.access import access_organization

router = Router(tags=["consent"])


class DocumentOut(Schema):
    id: UUID
    organization_id: UUID
    jurisdiction: str
    version: int
    title: str
    sections: list[dict]
    reporting_categories: list[str]
    guardian_sharing: str
    text: str
    sha256: str
    language: str
    translations: dict
    in_force: bool


class RecordOut(Schema):
    id: UUID
    document_id: UUID
    version: int
    role: str
    subject: str
    language: str
    text_sha256: str
    given_at: datetime
    withdrawn_at: datetime | None


class MyConsentOut(Schema):
    organization_id: UUID
    organization: str
    document: DocumentOut | None


class ConsentIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"typed_name": "Rosa Delgado", "language": "es"},
        {"typed_name": "Ruth Cohen", "ward_id": "5b1d7c2e-8f4a-4c3b-9e6d-2a7f1c0b8e94"}]})

    typed_name: str
    ward_id: str | None = None
    language: str | None = None  # the text read; the account's language when left out


class DocumentIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "Informed consent to take part in a group",
         "sections": {key: {"title": title, "text": "…"} for key, title in (
             ("service", "What this service is"),
             ("information", "How your information is used and who sees it"),
             ("retention", "How long it is kept"),
             ("limits", "The limits of confidentiality"),
             ("withdrawal", "Withdrawing"))},
         "reporting_categories": ["Imminent danger of serious harm to yourself",
                                  "Suspected abuse or neglect of a child"],
         "guardian_sharing": "Attendance and safety concerns; never what the minor says."}]})

    title: str
    sections: dict
    reporting_categories: list[str]
    guardian_sharing: str


def document_to_dict(document):
    return {"id": document.public_id, "organization_id": document.organization.public_id,
            "jurisdiction": document.jurisdiction, "version": document.version,
            "title": document.title, "sections": document.sections,
            "reporting_categories": document.reporting_categories,
            "guardian_sharing": document.guardian_sharing, "text": document.text,
            "sha256": document.sha256, "language": document.language,
            "translations": document.translations,
            "in_force": document.pk == document.organization.consent_document_id}


def record_to_dict(record):
    return {"id": record.public_id, "document_id": record.document.public_id,
            "version": record.document.version, "role": record.role,
            "subject": record.subject.display_name, "language": record.language,
            "text_sha256": record.text_sha256, "given_at": record.given_at,
            "withdrawn_at": record.withdrawn_at}


@router.get("/consent", response=list[MyConsentOut])
def my_consent(request):
    """The documents in force where the person (or their ward) takes part."""
    organizations = organizations_for_consent(request.user).select_related(
        "consent_document", "consent_document__organization")
    return [{"organization_id": o.public_id, "organization": o.name,
             "document": document_to_dict(o.consent_document) if o.consent_document
             else None} for o in organizations]


@router.get("/consent/records", response=list[RecordOut])
def my_records(request):
    records = consent_records_visible_to(request.user).select_related("document", "subject")
    return [record_to_dict(r) for r in records]


@router.get("/consent-documents/{document_id}", response=DocumentOut)
def get_document(request, document_id: str):
    return document_to_dict(access_consent_document(request.user, document_id))


@router.post("/consent-documents/{document_id}/consents", response={201: RecordOut})
def give_consent(request, document_id: str, payload: ConsentIn):
    """Consent for yourself (a minor: assent), or as a guardian with ``ward_id``."""
    document = access_consent_document(request.user, document_id)
    ward = None
    if payload.ward_id:
        ward = User.objects.filter(public_id=parse_public_id(payload.ward_id)).first()
        if ward is None:
            raise Http404
    record = actions.do_give_consent(document, typed_name=payload.typed_name,
                                     actor=request.user, ward=ward,
                                     language=payload.language)
    return Status(201, record_to_dict(record))


@router.post("/consent-records/{record_id}/withdraw", response=RecordOut)
def withdraw(request, record_id: str):
    record = access_consent_record(request.user, record_id)
    return record_to_dict(actions.do_withdraw_consent(record, actor=request.user))


@router.post("/organizations/{org_id}/consent-documents", response={201: DocumentOut})
def publish(request, org_id: str, payload: DocumentIn):
    organization = access_organization(request.user, org_id)
    document = actions.do_publish_consent_document(organization, actor=request.user,
                                                   **payload.dict())
    return Status(201, document_to_dict(document))
