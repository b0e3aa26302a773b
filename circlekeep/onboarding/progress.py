"""The onboarding checklist and the gate, computed from what happened (never from flags).

A membership becomes active only when every step is done, and a member takes part (is
"cleared") only while the membership is active, their consent to the document in force is
live, and they have signed the agreement's current version. Every check here is used by
the actions; the pages only show the same answers.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circlekeep.lib.actions import DomainError
from circlekeep.lib.canonical import sha256_of
from circlekeep.lib.prepared import PreparedQuery

ONLINE_RULES = [
    gettext_lazy("Join from a private place where no one else can see or hear the circle."),
    gettext_lazy("Use headphones if anyone could overhear."),
    gettext_lazy("Do not record, screenshot or photograph the meeting or its chat. "
                 "Circlekeep never records; a recording made on your own device breaks the "
                 "agreement and is handled as a breach."),
    gettext_lazy("Do not share the meeting link; it works only with your own sign-in."),
    gettext_lazy("Avoid public Wi-Fi; use a connection you trust."),
]

HOW_CONFIDENTIALITY_WORKS = [
    gettext_lazy("What members say in the circle, and who attends, stays in the circle."),
    gettext_lazy("The circle writes its own agreement together, and everyone signs the exact "
                 "text. You can propose changes once you have joined."),
    gettext_lazy("Your facilitators keep encrypted notes. Your own record never names other "
                 "members, and you can see everyone who has read your information."),
    gettext_lazy("Nothing about you leaves the circle without your written authorization, "
                 "except where the law requires it (listed below)."),
]


HOLD_CONSENT = gettext_lazy("Your consent is needed before you take part again.")
HOLD_AGREEMENT = gettext_lazy("The agreement has changed: read and sign the new version "
                              "before your next meeting.")


def online_rules_sha256():
    return sha256_of("\n".join(str(rule) for rule in ONLINE_RULES))


@dataclass
class Step:
    """One onboarding step, worded for the member ("Give your consent"); ``staff_label``
    and ``staff_note`` say the same to the member's facilitators ("Give their consent")."""

    key: str
    label: str
    done: bool
    url: str = ""
    note: str = ""
    staff_label: str = ""
    staff_note: str = ""

    def for_staff(self):
        return Step(self.key, self.staff_label or self.label, self.done, self.url,
                    self.staff_note or self.note)


@dataclass
class Progress:
    """Where one membership stands; ``steps`` are in the order the member does them."""

    membership: object
    steps: list = field(default_factory=list)
    consent_ok: bool = False
    signed_current: bool = False
    # As Membership.objects.with_clearance reads it: the one definition of "cleared".
    cleared: bool = False

    def for_staff(self):
        """The same progress in the facilitator's wording (the member is "they")."""
        return Progress(self.membership, [step.for_staff() for step in self.steps],
                        consent_ok=self.consent_ok, signed_current=self.signed_current,
                        cleared=self.cleared)

    @property
    def complete(self):
        return all(step.done for step in self.steps)

    @property
    def remaining(self):
        return [step for step in self.steps if not step.done]

    @property
    def done_count(self):
        return sum(1 for step in self.steps if step.done)

    @property
    def hold(self):
        """Why an active member may not take part now, or ''."""
        if self.membership.status != "active":
            return ""
        if not self.consent_ok:
            return str(HOLD_CONSENT)
        if not self.signed_current:
            return str(HOLD_AGREEMENT)
        return ""


def _consent_state(memberships, clearance):
    """{membership pk: (done, note, staff note)} for the consent step. ``clearance`` holds each
    membership's consent facts as ``Membership.objects.with_clearance`` reads them; only
    the guardian links of minors add a query."""
    from circlekeep.accounts.models import Guardianship

    minors = {m.user_id for m in memberships if m.user.is_minor}
    guarded = set(Guardianship.objects.filter(ward_id__in=minors)
                  .values_list("ward_id", "organization_id")) if minors else set()
    state = {}
    for m in memberships:
        facts = clearance[m.pk]
        if m.circle.organization.consent_document_id is None:
            note = _("The organization has not published a consent document yet.")
            state[m.pk] = (False, note, note)
        elif not m.user.is_minor:
            state[m.pk] = (bool(facts["consent_ok"]), "", "")
        else:
            if (m.user_id, m.circle.organization_id) not in guarded:
                note = staff_note = _("Waiting for a guardian to be invited and to accept.")
            elif not facts["consent_guardian"]:
                note = _("Waiting for your guardian's consent.")
                staff_note = _("Waiting for their guardian's consent.")
            elif not facts["consent_assent"]:
                note = _("Your guardian has consented; give your own assent.")
                staff_note = _("Their guardian has consented; their own assent is next.")
            else:
                note = staff_note = ""
            state[m.pk] = (bool(facts["consent_ok"]), note, staff_note)
    return state


def _screening_state(memberships):
    """{membership pk: (done, note, staff note)} from the member's own declarations. Someone else
    naming the member does not hold back the member's own step: the member would learn
    from it that someone in the circle knows them. The facilitator sees those
    declarations on the member's screening page."""
    from django.db.models import Count, Max

    from circlekeep.circles.models import RelationshipScreening

    screenings = {s.membership_id: s for s in RelationshipScreening.objects.filter(
        membership__in=[m.pk for m in memberships]).annotate(
        declared=Count("declarations"), latest=Max("declarations__declared_at"))}
    state = {}
    for m in memberships:
        screening = screenings.get(m.pk)
        if screening is None:
            state[m.pk] = (False, "", "")
            continue
        if not screening.declared:
            state[m.pk] = (True, "", "")
            continue
        decided = (screening.decided_at is not None
                   and screening.decided_at >= screening.latest)
        if decided and screening.decision == "proceed":
            state[m.pk] = (True, "", "")
        elif decided and screening.decision == "refer":
            state[m.pk] = (False, _("Your facilitator will talk with you about a group that "
                                    "fits better."),
                           _("Referred: talk with them about a group that fits better."))
        else:
            state[m.pk] = (False, _("Your facilitator is reviewing what you told them."),
                           _("Waiting for a facilitator to review what they declared."))
    return state


def progress_for(memberships):
    """{membership pk: Progress} for live memberships, in a fixed number of queries.

    The memberships need ``circle__organization`` and ``user`` loaded.
    """
    from circlekeep.circles.models import (
        Membership,
        OnboardingMessage,
        OnlineRulesAcceptance,
        OrientationRead,
    )

    memberships = list(memberships)
    if not memberships:
        return {}
    ids = [m.pk for m in memberships]
    oriented = set(OrientationRead.objects.filter(membership__in=ids)
                   .values_list("membership_id", flat=True))
    online_ok = set(OnlineRulesAcceptance.objects.filter(membership__in=ids)
                    .values_list("membership_id", flat=True))
    last_kind = dict(OnboardingMessage.objects.filter(membership__in=ids)
                     .order_by("membership_id", "created_at", "pk")
                     .values_list("membership_id", "kind"))
    clearance = {row["pk"]: row for row in Membership.objects.filter(pk__in=ids)
                 .with_clearance().values("pk", "signed_current", "consent_ok",
                                          "consent_assent", "consent_guardian",
                                          "is_cleared")}
    consent = _consent_state(memberships, clearance)
    screening = _screening_state(memberships)

    result = {}
    for m in memberships:
        def url(name, m=m):
            return reverse(name, args=[m.public_id])

        consent_done, consent_note, consent_staff_note = consent[m.pk]
        signed_current = bool(clearance[m.pk]["signed_current"])
        last = last_kind.get(m.pk)
        questions_note = {
            "question": _("Waiting for your facilitator's answer."),
            "answer": _("Read the answer, then ask more or say you have no more questions."),
        }.get(last, "")
        questions_staff_note = {
            "question": _("Waiting for a facilitator's answer."),
            "answer": _("Answered; they may ask more or say they have no more questions."),
        }.get(last, "")
        screened, screen_note, screen_staff_note = screening[m.pk]
        steps = [
            Step("orientation", _("Read the orientation"), m.pk in oriented,
                 url("onboarding:orientation")),
            Step("questions", _("Ask your questions, or say you have none"),
                 last == "settled", url("onboarding:questions"), questions_note,
                 _("Ask their questions, or say they have none"), questions_staff_note),
            Step("consent", _("Give your consent") if not m.user.is_minor
                 else _("Your guardian's consent and your assent"), consent_done,
                 reverse("consent:mine"), consent_note,
                 _("Give their consent") if not m.user.is_minor
                 else _("Their guardian's consent and their assent"), consent_staff_note),
            Step("agreement", _("Sign the circle's agreement"), signed_current,
                 reverse("agreements:circle", args=[m.circle.public_id])),
        ]
        if m.circle.mode in ("online", "hybrid"):
            steps.append(Step("online_rules", _("Agree to the online rules"),
                              m.pk in online_ok, url("onboarding:online-rules")))
        steps.append(Step("relationships",
                          _("Tell your facilitator privately about anyone you know here"),
                          screened, url("onboarding:relationships"), screen_note,
                          _("Tell a facilitator privately about anyone they know here"),
                          screen_staff_note))
        result[m.pk] = Progress(m, steps, consent_ok=consent_done,
                                signed_current=signed_current,
                                cleared=bool(clearance[m.pk]["is_cleared"]))
    return result


def progress(membership):
    return progress_for([membership])[membership.pk]


def is_cleared(membership) -> bool:
    return membership.is_live and progress(membership).cleared


def check_ready_to_activate(membership):
    """Refuse, with what is still to do, to make a membership active before every
    onboarding step is done (circles/hooks.py CHECK_READY_TO_ACTIVATE)."""
    remaining = progress(membership).for_staff().remaining
    if remaining:
        raise DomainError(
            _("%(name)s has not finished onboarding. Still to do: %(steps)s.")
            % {"name": membership.user.display_name,
               "steps": "; ".join(step.label for step in remaining)},
            field="status")


def _cleared_by_id(membership_id):
    from circlekeep.circles.models import Membership

    return Membership.objects.cleared().filter(pk=membership_id).values_list("pk")


CLEARED_BY_ID = PreparedQuery(_cleared_by_id)


def check_cleared(membership):
    """Refuse, with the reason, anything that needs a member who may take part now.

    Used by every action that lets a member attend, join online or read meeting details.
    """
    if membership.status == "onboarding":
        raise DomainError(_("%(name)s has not finished onboarding.")
                          % {"name": membership.user.display_name})
    if membership.status != "active":
        raise DomainError(_("%(name)s's membership is %(status)s.")
                          % {"name": membership.user.display_name,
                             "status": membership.get_status_display().lower()})
    # One query for the usual answer (the one definition, ``with_clearance``); the whole
    # checklist is worked out only to say why not. Attendance and the opening ritual ask
    # this for every member entering a room at the evening's peak.
    if CLEARED_BY_ID.rows(membership.pk):
        return
    state = progress(membership)
    if not state.cleared:
        raise DomainError(state.hold)
