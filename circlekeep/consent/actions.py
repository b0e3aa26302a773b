"""State changes for informed consent: documents, consent given, consent withdrawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.accounts.models import Guardianship, User
from circlekeep.circles.models import Membership
from circlekeep.consent import defaults
from circlekeep.consent.hooks import CONSENT_GIVEN
from circlekeep.consent.models import ConsentDocument, ConsentRecord
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.lib.canonical import canonical, check_typed_name, sha256_of
from circlekeep.notify.actions import notify
from circlekeep.orgs.access import check_org_admin
from circlekeep.orgs.models import Organization

if TYPE_CHECKING:
    from circlekeep.accounts.models import User


def render_text(*, title, version, sections, reporting_categories, guardian_sharing,
                language):
    with translation.override(language):
        parts = [title, _("Version %(number)d") % {"number": version}, ""]
        for section in sections:
            parts += [section["title"], section["text"], ""]
            if section["key"] == "limits":
                parts += [f"- {category}" for category in reporting_categories] + [""]
        parts += [_("Minors and their guardians"), guardian_sharing]
    return canonical("\n".join(parts))


def check_document(*, title, sections, reporting_categories, guardian_sharing):
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise DomainError(_("Give the document a title of at most 200 characters."),
                          field="title")
    cleaned = []
    for key in defaults.SECTION_KEYS:
        section = sections.get(key) if isinstance(sections, dict) else None
        section = section if isinstance(section, dict) else {}
        heading = " ".join((section.get("title") or "").split())
        text = (section.get("text") or "").strip()
        if not heading or not text or len(heading) > 200 or len(text) > 5000:
            raise DomainError(_("Every section needs a heading and its text."), field=key)
        cleaned.append({"key": key, "title": heading, "text": text})
    categories = [" ".join(c.split()) for c in reporting_categories if c.strip()]
    if not categories:
        raise DomainError(_("List the situations in which confidentiality must be broken."),
                          field="reporting_categories")
    guardian_sharing = (guardian_sharing or "").strip()
    if not guardian_sharing:
        raise DomainError(_("Say what may be shared with a minor's guardian."),
                          field="guardian_sharing")
    return title, cleaned, categories, guardian_sharing


def organization_language(organization):
    """The language an organization publishes and edits its consent document in."""
    return "es" if organization.country == "ES" else "en"


def _sections_of(default):
    return [{"key": key, "title": default["sections"][key][0],
             "text": default["sections"][key][1]} for key in defaults.SECTION_KEYS]


def _translation(*, title, version, sections, reporting_categories, guardian_sharing,
                 language):
    text = render_text(title=title, version=version, sections=sections,
                       reporting_categories=reporting_categories,
                       guardian_sharing=guardian_sharing, language=language)
    return {"title": title, "sections": sections,
            "reporting_categories": reporting_categories,
            "guardian_sharing": guardian_sharing, "text": text, "sha256": sha256_of(text)}


def _publish(organization, *, title, sections, reporting_categories, guardian_sharing,
             actor, other_languages=None):
    """Publish a version in the organization's language, with the same version in
    ``other_languages`` ({language: default document}) when they exist."""
    jurisdiction = organization.jurisdiction
    version = (ConsentDocument.objects.filter(organization=organization,
                                              jurisdiction=jurisdiction)
               .order_by("-version").values_list("version", flat=True).first() or 0) + 1
    language = organization_language(organization)
    text = render_text(title=title, version=version, sections=sections,
                       reporting_categories=reporting_categories,
                       guardian_sharing=guardian_sharing, language=language)
    translations = {
        other: _translation(title=default["title"], version=version,
                            sections=_sections_of(default),
                            reporting_categories=default["reporting_categories"],
                            guardian_sharing=default["guardian_sharing"], language=other)
        for other, default in (other_languages or {}).items() if other != language}
    document = ConsentDocument.objects.create(
        organization=organization, jurisdiction=jurisdiction, version=version, title=title,
        sections=sections, reporting_categories=reporting_categories,
        guardian_sharing=guardian_sharing, text=text, sha256=sha256_of(text),
        language=language, translations=translations,
        published_at=timezone.now(), published_by=actor)
    organization.consent_document = document
    organization.save(update_fields=["consent_document"])
    audit.record("consent.document.published", actor=actor, target=document,
                 organization=organization,
                 data={"jurisdiction": jurisdiction, "version": version,
                       "sha256": document.sha256,
                       "translations": {lang: t["sha256"] for lang, t in translations.items()}})
    return document


def ensure_consent_document(organization, *, actor=None):
    """Put the newest document for the organization's jurisdiction in force, publishing
    the default for that jurisdiction if there is none yet."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    newest = (ConsentDocument.objects.filter(organization=organization,
                                             jurisdiction=organization.jurisdiction)
              .order_by("-version").first())
    if newest is None:
        documents = defaults.default_documents(organization.jurisdiction)
        default = defaults.default_document(organization.jurisdiction,
                                            organization_language(organization))
        return _publish(
            organization, title=default["title"], sections=_sections_of(default),
            reporting_categories=default["reporting_categories"],
            guardian_sharing=default["guardian_sharing"], actor=actor,
            other_languages=documents)
    if organization.consent_document_id != newest.pk:
        organization.consent_document = newest
        organization.save(update_fields=["consent_document"])
        audit.record("consent.document.in_force", actor=actor, target=newest,
                     organization=organization,
                     data={"jurisdiction": newest.jurisdiction, "version": newest.version})
    return newest


@action
def do_publish_consent_document(organization: Organization, *, title: str, sections: dict,
                                reporting_categories: list, guardian_sharing: str,
                                actor: User | None):
    """A new version of the organization's consent document; everyone consents again."""
    check_org_admin(actor, organization)
    title, cleaned, categories, guardian_sharing = check_document(
        title=title, sections=sections, reporting_categories=reporting_categories,
        guardian_sharing=guardian_sharing)
    current = organization.consent_document
    if current is not None and current.jurisdiction == organization.jurisdiction and (
            current.title, current.sections, current.reporting_categories,
            current.guardian_sharing) == (title, cleaned, categories, guardian_sharing):
        raise DomainError(_("Nothing has changed from the version in force."))
    return _publish(Organization.objects.select_for_update().get(pk=organization.pk),
                    title=title, sections=cleaned, reporting_categories=categories,
                    guardian_sharing=guardian_sharing, actor=actor)


def _check_in_force(document):
    in_force = document.organization.consent_document_id
    if document.pk != in_force:
        raise DomainError(_("This version has been replaced. Read the version in force and "
                            "consent to that one."))


def _has_live_membership(user, organization):
    return Membership.objects.accepted().filter(user=user,
                                                circle__organization=organization).exists()


@action
def do_give_consent(document: ConsentDocument, *, typed_name: str, actor: User | None,
                    ward: User | None = None, language: str | None = None):
    """Consent to a document: an adult for themself, a minor's assent, or a guardian for
    their ward. A minor's participation needs both the guardian's consent and the assent.
    The consent is to the text in ``language`` (the reader's; the organization's when the
    version has no such text), and records that text's hash.
    """
    if actor is None:
        raise ActionForbidden(_("Sign in to give consent."))
    organization = document.organization
    _check_in_force(document)
    if ward is not None:
        if not Guardianship.objects.filter(guardian=actor, ward=ward,
                                           organization=organization).exists():
            raise DomainError(_("You can only consent for a minor whose guardian you are."),
                              field="ward")
        subject, role = ward, ConsentRecord.Role.GUARDIAN
    elif actor.is_minor:
        if not Guardianship.objects.filter(ward=actor, organization=organization).exists():
            raise DomainError(_("A minor's consent needs a guardian. Ask your facilitator to "
                                "invite your guardian; once they have accepted and "
                                "consented, you can give your assent."), field="typed_name")
        subject, role = actor, ConsentRecord.Role.ASSENT
    else:
        subject, role = actor, ConsentRecord.Role.SELF
    if not _has_live_membership(subject, organization):
        raise DomainError(_("Consent is given when joining one of the organization's "
                            "circles."))
    typed_name = check_typed_name(typed_name, actor)
    if ConsentRecord.objects.filter(document=document, subject=subject, role=role,
                                    withdrawn_at__isnull=True).exists():
        raise DomainError(_("This consent is already given."))
    reading = document.reading(language or actor.language)
    record = ConsentRecord.objects.create(
        document=document, organization=organization, signer=actor, subject=subject,
        role=role, typed_name=typed_name, language=reading.language,
        text_sha256=reading.sha256, given_at=timezone.now())
    audit.record("consent.given", actor=actor, target=record, organization=organization,
                 subject=subject, data={"role": role, "version": document.version,
                                        "jurisdiction": document.jurisdiction,
                                        "language": reading.language,
                                        "sha256": reading.sha256})
    CONSENT_GIVEN(subject, organization, actor=actor)
    return record


@action
def do_withdraw_consent(record: ConsentRecord, *, actor: User | None):
    """Withdraw consent: participation stops at once; the member can still read and
    export their own information."""
    if actor is None or actor.pk != record.signer_id:
        raise ActionForbidden(_("Only the person who gave this consent can withdraw it."))
    record = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    if record.withdrawn_at is not None:
        raise DomainError(_("This consent was already withdrawn."))
    record.withdrawn_at = timezone.now()
    record.save(update_fields=["withdrawn_at"])
    audit.record("consent.withdrawn", actor=actor, target=record,
                 organization=record.organization, subject=record.subject,
                 data={"role": record.role, "version": record.document.version})
    if record.role == ConsentRecord.Role.GUARDIAN:
        # The facilitators must know at once: the minor may no longer take part. Only
        # where the minor accepted a place: an invitation's facilitators know an address,
        # and must not learn through it that its owner is in another of the circles.
        for membership in Membership.objects.accepted().filter(
                user=record.subject_id, circle__organization=record.organization_id
        ).select_related("circle"):
            notify("consent.withdrawn",
                   User.objects.filter(facilitations__circle=membership.circle_id),
                   organization=record.organization,
                   link=reverse("circles:membership",
                                kwargs={"membership_id": membership.public_id}))
    return record
