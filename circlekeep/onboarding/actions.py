"""The onboarding steps: orientation, private questions, online rules, relationships
and the facilitator's screening, and the activation that the last one brings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.circles.actions import move_membership
from circlekeep.circles.models import (
    Circle,
    Membership,
    OnboardingMessage,
    OnlineRulesAcceptance,
    OrientationRead,
    RelationshipDeclaration,
    RelationshipScreening,
)
from circlekeep.lib.actions import ActionForbidden, DomainError, action, required_text
from circlekeep.lib.names import normalize_name
from circlekeep.notify.actions import notify
from circlekeep.onboarding import progress as onboarding
from circlekeep.onboarding.relationships import (
    circle_people,
    match_declared_name,
    pair_digest,
)

if TYPE_CHECKING:
    from circlekeep.accounts.models import User


def activate_if_ready(membership, *, actor):
    """Called at the end of every onboarding step: the last one makes the member active."""
    membership = Membership.objects.select_for_update().select_related(
        "circle", "circle__organization", "user").get(pk=membership.pk)
    if membership.status == Membership.Status.ONBOARDING and \
            onboarding.progress(membership).complete:
        move_membership(membership, Membership.Status.ACTIVE, actor=actor)
    return membership


def activate_ready_memberships(user, organization, *, actor):
    """After consent: activate the person's memberships in the organization that were
    waiting only for it."""
    for membership in Membership.objects.filter(user=user, circle__organization=organization,
                                                status=Membership.Status.ONBOARDING):
        activate_if_ready(membership, actor=actor)


def _check_own_onboarding(membership, actor):
    if actor is None or actor.pk != membership.user_id:
        raise ActionForbidden(_("Only the member can do this step."))
    if membership.status not in (Membership.Status.ONBOARDING, Membership.Status.ACTIVE):
        raise DomainError(_("This membership is %(status)s.")
                          % {"status": membership.get_status_display().lower()})


def _check_text(text, *, field, what, limit=4000):
    return required_text(text, field, _("Write your %(what)s first.") % {"what": what}, limit)


@action
def do_read_orientation(membership: Membership, *, actor: User | None):
    """The member confirms they read the orientation."""
    _check_own_onboarding(membership, actor)
    if OrientationRead.objects.filter(membership=membership).exists():
        raise DomainError(_("You have already read the orientation."))
    read = OrientationRead.objects.create(membership=membership, read_at=timezone.now())
    audit.record("circle.onboarding.orientation_read", actor=actor, target=read,
                 circle=membership.circle, subject=membership.user)
    return activate_if_ready(membership, actor=actor)


def _add_message(membership, *, author, kind, body=""):
    message = OnboardingMessage(membership=membership, author=author, kind=kind,
                                created_at=timezone.now())
    vault.seal(message, "body", body)
    message.save()
    return message


@action
def do_ask_question(membership: Membership, *, text: str, actor: User | None):
    """The member asks the facilitators a private question."""
    _check_own_onboarding(membership, actor)
    text = _check_text(text, field="text", what=_("question"))
    message = _add_message(membership, author=actor, kind="question", body=text)
    audit.record("circle.onboarding.question_asked", actor=actor, target=message,
                 circle=membership.circle, subject=membership.user)
    return message


@action
def do_answer_question(membership: Membership, *, text: str, actor: User | None):
    """A facilitator answers in the member's private thread."""
    check_may_manage_circle(actor, membership.circle)
    if not membership.is_live:
        raise DomainError(_("This membership has ended."))
    if not OnboardingMessage.objects.filter(membership=membership, kind="question").exists():
        raise DomainError(_("The member has not asked anything yet."))
    text = _check_text(text, field="text", what=_("answer"))
    message = _add_message(membership, author=actor, kind="answer", body=text)
    audit.record("circle.onboarding.question_answered", actor=actor, target=message,
                 circle=membership.circle, subject=membership.user)
    notify("onboarding.answered", [membership.user], organization=membership.circle.organization,
           link=reverse("onboarding:questions", kwargs={"membership_id": membership.public_id}))
    return message


@action
def do_settle_questions(membership: Membership, *, actor: User | None):
    """The member says they have no (more) questions."""
    _check_own_onboarding(membership, actor)
    last = OnboardingMessage.objects.filter(membership=membership).order_by(
        "-created_at", "-pk").first()
    if last is not None and last.kind == "question":
        raise DomainError(_("Your facilitator has not answered your last question yet."))
    if last is not None and last.kind == "settled":
        raise DomainError(_("You have already said you have no more questions."))
    message = _add_message(membership, author=actor, kind="settled")
    audit.record("circle.onboarding.questions_settled", actor=actor, target=message,
                 circle=membership.circle, subject=membership.user)
    return activate_if_ready(membership, actor=actor)


@action
def do_accept_online_rules(membership: Membership, *, actor: User | None):
    _check_own_onboarding(membership, actor)
    if membership.circle.mode == Circle.Mode.IN_PERSON:
        raise DomainError(_("This circle meets in person; there are no online rules."))
    if OnlineRulesAcceptance.objects.filter(membership=membership).exists():
        raise DomainError(_("You have already agreed to the online rules."))
    accepted = OnlineRulesAcceptance.objects.create(
        membership=membership, rules_sha256=onboarding.online_rules_sha256(),
        accepted_at=timezone.now())
    audit.record("circle.onboarding.online_rules_accepted", actor=actor, target=accepted,
                 circle=membership.circle, subject=membership.user)
    return activate_if_ready(membership, actor=actor)


@action
def do_declare_relationships(membership: Membership, *, declarations: list, actor: User | None):
    """The member privately declares existing relationships with people in the circle
    (an empty list says there are none). Declared once; the facilitator then decides.

    ``declarations`` is a list of (name as typed, kind, note). Names are matched against
    the circle's people here, and the member is never told whether one matched: no one
    sees a roster before joining.
    """
    _check_own_onboarding(membership, actor)
    if RelationshipScreening.objects.filter(membership=membership).exists():
        raise DomainError(_("You have already answered this. Tell your facilitator in your "
                          "questions if something has changed."))
    cleaned = []
    for typed, kind, note in declarations:
        typed = " ".join((typed or "").split())
        if not typed:
            raise DomainError(_("Write the name of the person you know."), field="name")
        if len(typed) > 120:
            raise DomainError(_("A name can have at most 120 characters."), field="name")
        if kind not in RelationshipDeclaration.Kind.values:
            raise DomainError(_("Choose what kind of relationship it is."), field="kind")
        if len((note or "").strip()) > 1000:
            raise DomainError(_("Keep the note under 1000 characters."), field="note")
        cleaned.append((typed, kind, (note or "").strip()))
    if len({normalize_name(t) for t, _k, _n in cleaned}) != len(cleaned):
        raise DomainError(_("Declare each person once."), field="name")
    people = list(circle_people(membership.circle, excluding=membership.user))
    now = timezone.now()
    screening = RelationshipScreening.objects.create(membership=membership, submitted_at=now)
    for typed, kind, note in cleaned:
        person = match_declared_name(typed, people)
        declaration = RelationshipDeclaration(
            screening=screening, declared_at=now,
            pair_digest=pair_digest(membership.circle, membership.user, person)
            if person else "")
        vault.seal(declaration, "details", json.dumps({
            "kind": kind, "note": note, "name": typed,
            "match": str(person.public_id) if person else None}))
        declaration.save()
    # Whom and what was declared is protected; the trail keeps only how many.
    audit.record("circle.onboarding.relationships_declared", actor=actor, target=screening,
                 circle=membership.circle, subject=membership.user,
                 data={"declarations": len(cleaned)})
    return activate_if_ready(membership, actor=actor)


@action
def do_seal_legacy_declarations(*, actor: User | None = None):
    """Declarations recorded before names were typed kept whom they named in clear
    (``other``): move it into the sealed text, with its keyed digest, and empty the
    column. The operator runs this once (``manage.py onboarding seal-declarations``)."""
    if actor is not None:
        raise ActionForbidden(_("The operator moves older declarations into sealed text."))
    rows = list(RelationshipDeclaration.objects.select_for_update(of=("self",))
                .exclude(other=None).select_related(
                    "other", "screening__membership__user", "screening__membership__circle"))
    texts = vault.reveal_many(rows, "details", actor=None,
                              reason=audit_reasons.code("onboarding.relationships.seal"))
    for row, text in zip(rows, texts, strict=True):
        circle, author, other = (row.screening.membership.circle,
                                 row.screening.membership.user, row.other)
        row.other, row.pair_digest = None, ""
        if text and not text.erased:
            data = json.loads(text)
            data.update(name=other.display_name, match=str(other.public_id))
            vault.seal(row, "details", json.dumps(data))
            row.pair_digest = pair_digest(circle, author, other)
        row.save(update_fields=["other", "pair_digest", "details"])
    if rows:
        audit.record("circle.onboarding.declarations_sealed", actor=None, target=None,
                     data={"declarations": len(rows)})
    return len(rows)


@action
def do_decide_screening(membership: Membership, *, decision: str, plan: str, actor: User | None):
    """A facilitator decides about declared relationships: proceed with a plan, or refer
    the person elsewhere."""
    check_may_manage_circle(actor, membership.circle)
    screening = RelationshipScreening.objects.select_for_update().filter(
        membership=membership).first()
    if screening is None:
        raise DomainError(_("The member has not answered the relationship questions yet."))
    if decision not in RelationshipScreening.Decision.values:
        raise DomainError(_("Choose to proceed with a plan or to refer elsewhere."),
                          field="decision")
    plan = _check_text(plan, field="plan", what=_("plan or reason"))
    screening.decision = decision
    screening.decided_by = actor
    screening.decided_at = timezone.now()
    vault.seal(screening, "plan", plan)
    screening.save(update_fields=["decision", "decided_by", "decided_at", "plan"])
    audit.record("circle.onboarding.screening_decided", actor=actor, target=screening,
                 circle=membership.circle, subject=membership.user,
                 data={"decision": decision})
    return activate_if_ready(membership, actor=actor)
