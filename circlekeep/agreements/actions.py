"""State changes for agreements: templates, proposals, versions, signatures, reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.agreements import defaults
from circlekeep.agreements.access import check_may_discuss
from circlekeep.agreements.hooks import MEMBER_SIGNED
from circlekeep.agreements.models import (
    Agreement,
    AgreementTemplate,
    AgreementVersion,
    LadderStep,
    Proposal,
    ProposalComment,
    Review,
    Signature,
)
from circlekeep.agreements.text import language_for, render_text
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.lib.canonical import check_typed_name, sha256_of
from circlekeep.notify.actions import notify
from circlekeep.orgs.access import check_org_admin

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.orgs.models import Organization

MAX_CLAUSES = 40


def check_clauses(clauses):
    """Clean [{"title", "text"}]: both parts required, within limits."""
    cleaned = []
    for clause in clauses:
        title = " ".join(str(clause.get("title") or "").split())
        text = str(clause.get("text") or "").strip()
        if not title or not text:
            raise DomainError(_("Every clause needs a title and its text."), field="clauses")
        if len(title) > 120 or len(text) > 2000:
            raise DomainError(_("A clause title can have at most 120 characters and its text "
                                "2000."), field="clauses")
        cleaned.append({"title": title, "text": text})
    if not cleaned:
        raise DomainError(_("An agreement needs at least one clause."), field="clauses")
    if len(cleaned) > MAX_CLAUSES:
        raise DomainError(_("An agreement can have at most %(max)d clauses.")
                          % {"max": MAX_CLAUSES}, field="clauses")
    return cleaned


def check_ladder(ladder):
    """Clean [{"step", "text"}]: known steps, each once, in escalating order."""
    order = list(LadderStep.values)
    cleaned, last = [], -1
    for entry in ladder:
        step, text = entry.get("step"), str(entry.get("text") or "").strip()
        if step not in order:
            raise DomainError(_("Unknown consequence step."), field="ladder")
        if order.index(step) <= last:
            raise DomainError(_("The consequences must escalate: each step once, from a "
                                "reminder to revocation."), field="ladder")
        if not text or len(text) > 500:
            raise DomainError(_("Describe each consequence in at most 500 characters."),
                              field="ladder")
        last = order.index(step)
        cleaned.append({"step": step, "text": text})
    if not cleaned:
        raise DomainError(_("The agreement must say what happens when it is broken."),
                          field="ladder")
    return cleaned


def ensure_template(organization):
    """The organization's template, created from the defaults the first time."""
    template = AgreementTemplate.objects.filter(organization=organization).first()
    if template is None:
        clauses, ladder, translations = defaults.default_template(organization.country)
        template = AgreementTemplate.objects.create(organization=organization,
                                                    clauses=clauses, ladder=ladder,
                                                    translations=translations)
        audit.record("agreement.template.created", actor=None, target=template,
                     organization=organization)
    return template


def _keyed(clauses):
    return [{"key": f"c{index}", **clause} for index, clause in enumerate(clauses, 1)]


def _new_version(agreement, *, clauses, ladder, actor, translations=None):
    """The next version in the organization's language, and in each language of
    ``translations`` ({language: {"clauses", "ladder"}}), each with its own text's hash."""
    number = (agreement.versions.order_by("-number").values_list("number", flat=True)
              .first() or 0) + 1
    language = language_for(agreement.circle.organization)
    text = render_text(number, clauses, ladder, language=language)
    rendered = {}
    for other, words in (translations or {}).items():
        if other == language:
            continue
        other_text = render_text(number, words["clauses"], words["ladder"], language=other)
        rendered[other] = {"clauses": words["clauses"], "ladder": words["ladder"],
                           "text": other_text, "sha256": sha256_of(other_text)}
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, clauses=clauses, ladder=ladder, text=text,
        sha256=sha256_of(text), language=language, translations=rendered,
        created_at=timezone.now(), created_by=actor)
    agreement.current_version = version
    agreement.save(update_fields=["current_version"])
    audit.record("agreement.version.created", actor=actor, target=version,
                 circle=agreement.circle,
                 data={"version": number, "sha256": version.sha256,
                       "translations": {lang: t["sha256"] for lang, t in rendered.items()}})
    return version


def _carried_translations(version, clauses):
    """Each translation of ``version`` brought to the new ``clauses``: a clause the
    change left alone keeps its translation; a new or reworded one appears as its author
    wrote it, since nobody has translated it yet."""
    carried = {}
    for language, words in version.translations.items():
        translated = {clause["key"]: clause for clause in words["clauses"]}
        before = {clause["key"]: clause for clause in version.clauses}
        carried[language] = {
            "clauses": [translated[clause["key"]]
                        if before.get(clause["key"]) == clause and clause["key"] in translated
                        else clause for clause in clauses],
            "ladder": words["ladder"]}
    return carried


def start_agreement(circle, *, actor):
    """A new circle's agreement, version 1 copied from the organization's template (in
    every language the template has). Runs inside the action that creates the circle."""
    template = ensure_template(circle.organization)
    agreement = Agreement.objects.create(circle=circle, last_reviewed_at=timezone.now())
    translations = {language: {"clauses": _keyed(words["clauses"]), "ladder": words["ladder"]}
                    for language, words in template.translations.items()
                    if len(words["clauses"]) == len(template.clauses)}
    _new_version(agreement, clauses=_keyed(template.clauses), ladder=template.ladder,
                 actor=actor, translations=translations)
    return agreement


@action
def do_update_template(organization: Organization, *, clauses: list, ladder: list,
                       actor: User | None):
    """Organization admins edit the template new circles start from."""
    check_org_admin(actor, organization)
    template = ensure_template(organization)
    cleaned_clauses, cleaned_ladder = check_clauses(clauses), check_ladder(ladder)
    if (cleaned_clauses, cleaned_ladder) != (template.clauses, template.ladder):
        # The edit is in one language; an old translation would no longer say the same.
        template.translations = {}
    template.clauses, template.ladder = cleaned_clauses, cleaned_ladder
    template.save(update_fields=["clauses", "ladder", "translations", "updated_at"])
    audit.record("agreement.template.changed", actor=actor, target=template,
                 organization=organization,
                 data={"clauses": len(template.clauses), "ladder": [e["step"] for e in
                                                                    template.ladder]})
    return template


@action
def do_propose_change(agreement: Agreement, *, kind: str, reason: str, actor: User | None,
                      clause_key: str = "", title: str = "", text: str = ""):
    """Propose adding, changing or removing a clause, with a reason."""
    check_may_discuss(actor, agreement)
    version = agreement.current_version
    keys = {clause["key"]: clause for clause in version.clauses}
    reason = (reason or "").strip()
    if kind not in Proposal.Kind.values:
        raise DomainError(_("Choose to add, change or remove a clause."), field="kind")
    if kind in ("change", "remove") and clause_key not in keys:
        raise DomainError(_("Choose the clause from the current version."), field="clause_key")
    if kind == "add":
        clause_key = ""
    if kind in ("add", "change"):
        [cleaned] = check_clauses([{"title": title, "text": text}])
        title, text = cleaned["title"], cleaned["text"]
        if kind == "change" and (title, text) == (keys[clause_key]["title"],
                                                   keys[clause_key]["text"]):
            raise DomainError(_("The new wording is the same as the current one."),
                              field="text")
    else:
        title, text = "", ""
    if not reason:
        raise DomainError(_("Say why; the circle reads your reason."), field="reason")
    if len(reason) > 2000:
        raise DomainError(_("Keep the reason under 2000 characters."), field="reason")
    proposal = Proposal.objects.create(
        agreement=agreement, against=version, author=actor, kind=kind, clause_key=clause_key,
        title=title, text=text, reason=reason, created_at=timezone.now())
    audit.record("agreement.proposal.created", actor=actor, target=proposal,
                 circle=agreement.circle, data={"kind": kind, "version": version.number})
    return proposal


@action
def do_comment_on_proposal(proposal: Proposal, *, text: str, actor: User | None):
    check_may_discuss(actor, proposal.agreement)
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related(
        "agreement__circle").get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError(_("This proposal is decided; comments are closed."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your comment first."), field="text")
    if len(text) > 2000:
        raise DomainError(_("Keep the comment under 2000 characters."), field="text")
    comment = ProposalComment.objects.create(proposal=proposal, author=actor, text=text,
                                             created_at=timezone.now())
    audit.record("agreement.proposal.commented", actor=actor, target=comment,
                 circle=proposal.agreement.circle)
    return comment


def _decide(proposal, *, reason, actor):
    check_may_manage_circle(actor, proposal.agreement.circle)
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related(
        "agreement", "agreement__circle", "agreement__circle__organization",
        "agreement__current_version").get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError(_("This proposal is already decided."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the circle your reason."), field="reason")
    if len(reason) > 2000:
        raise DomainError(_("Keep the reason under 2000 characters."), field="reason")
    proposal.decision_reason, proposal.decided_by = reason, actor
    proposal.decided_at = timezone.now()
    return proposal


@action
def do_adopt_proposal(proposal: Proposal, *, reason: str, actor: User | None):
    """Adopt a proposal: a new version that every member signs again."""
    proposal = _decide(proposal, reason=reason, actor=actor)
    agreement = proposal.agreement
    clauses = [dict(clause) for clause in agreement.current_version.clauses]
    keys = [clause["key"] for clause in clauses]
    if proposal.kind in ("change", "remove") and proposal.clause_key not in keys:
        raise DomainError(_("The clause this proposal changes is no longer in the agreement. "
                            "Decline it, and the member can propose again."))
    if proposal.kind == "add":
        next_key = max((int(key[1:]) for key in keys), default=0) + 1
        clauses.append({"key": f"c{next_key}", "title": proposal.title,
                        "text": proposal.text})
    elif proposal.kind == "change":
        clauses[keys.index(proposal.clause_key)].update(title=proposal.title,
                                                        text=proposal.text)
    else:
        if len(clauses) == 1:
            raise DomainError(_("An agreement needs at least one clause."))
        del clauses[keys.index(proposal.clause_key)]
    current = agreement.current_version
    version = _new_version(agreement, clauses=clauses, ladder=current.ladder, actor=actor,
                           translations=_carried_translations(current, clauses))
    proposal.status, proposal.result = Proposal.Status.ADOPTED, version
    proposal.save(update_fields=["status", "result", "decided_at", "decided_by",
                                 "decision_reason"])
    audit.record("agreement.proposal.adopted", actor=actor, target=proposal,
                 circle=agreement.circle, data={"version": version.number})
    # Everyone who holds a place in the circle signs the new version before taking part.
    notify("agreement.sign", [m.user for m in Membership.objects.accepted().filter(
               circle=agreement.circle).select_related("user")],
           organization=agreement.circle.organization,
           link=reverse("agreements:version", kwargs={"version_id": version.public_id}))
    return version


@action
def do_decline_proposal(proposal: Proposal, *, reason: str, actor: User | None):
    proposal = _decide(proposal, reason=reason, actor=actor)
    proposal.status = Proposal.Status.DECLINED
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    audit.record("agreement.proposal.declined", actor=actor, target=proposal,
                 circle=proposal.agreement.circle)
    return proposal


@action
def do_sign_agreement(version: AgreementVersion, *, typed_name: str, actor: User | None,
                      language: str | None = None):
    """A member signs a version: bound to the SHA-256 of the text in ``language`` (the
    reader's; the organization's when the version has no such text), with the typed full
    name."""
    agreement = Agreement.objects.select_related("circle", "circle__organization").get(
        pk=version.agreement_id)
    membership = Membership.objects.filter(
        circle=agreement.circle, user=actor, status__in=Membership.ACCEPTED_STATUSES,
    ).first() if actor is not None else None
    if membership is None:
        raise ActionForbidden(_("Only members of this circle sign its agreement."))
    if agreement.current_version_id != version.pk:
        current = agreement.current_version
        raise DomainError(_("Version %(old)d has been replaced by version %(new)d. Read and "
                            "sign version %(new)d instead.")
                          % {"old": version.number, "new": current.number})
    typed_name = check_typed_name(typed_name, actor)
    if Signature.objects.filter(version=version, membership=membership).exists():
        raise DomainError(_("You have already signed version %(number)d.")
                          % {"number": version.number})
    reading = version.reading(language or actor.language)
    signature = Signature.objects.create(
        version=version, membership=membership, typed_name=typed_name,
        language=reading.language, text_sha256=reading.sha256, signed_at=timezone.now())
    audit.record("agreement.signed", actor=actor, target=signature, circle=agreement.circle,
                 subject=actor, data={"version": version.number, "sha256": reading.sha256,
                                      "language": reading.language})
    MEMBER_SIGNED(membership, actor=actor)
    return signature


@action
def do_record_review(agreement: Agreement, *, actor: User | None):
    """The circle reviewed its agreement at a meeting; the next review is due a cadence
    later."""
    check_may_manage_circle(actor, agreement.circle)
    now = timezone.now()
    review = Review.objects.create(agreement=agreement, version=agreement.current_version,
                                   reviewed_at=now, recorded_by=actor)
    agreement.last_reviewed_at = now
    agreement.save(update_fields=["last_reviewed_at"])
    audit.record("agreement.reviewed", actor=actor, target=review, circle=agreement.circle,
                 data={"version": agreement.current_version.number})
    return review


@action
def do_set_review_cadence(agreement: Agreement, *, days: int | None, actor: User | None):
    check_may_manage_circle(actor, agreement.circle)
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 365:
        raise DomainError(_("Review the agreement every 1 to 365 days."), field="days")
    old = agreement.review_every_days
    if old == days:
        return agreement
    agreement.review_every_days = days
    agreement.save(update_fields=["review_every_days"])
    audit.record("agreement.cadence.changed", actor=actor, target=agreement,
                 circle=agreement.circle, data={"days": {"old": old, "new": days}})
    return agreement
