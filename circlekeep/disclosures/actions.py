"""State changes for disclosures: authorizations, disclosures under them, disclosures under
a legal duty, and suspensions of the accounting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.disclosures.models import Authorization, Disclosure, Information
from circlekeep.lib.actions import ActionForbidden, DomainError, action, required_text
from circlekeep.lib.canonical import check_typed_name
from circlekeep.notes.actions import Review, roster_for
from circlekeep.notes.redaction import find_spans

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.circles.models import Membership

ACCOUNTING_YEARS = 6
LEGAL_BASES = [b for b in Disclosure.Basis.values if b != "authorization"]


def _check_information(information):
    information = list(dict.fromkeys(information or []))
    if not information or any(item not in Information.values for item in information):
        raise DomainError(_("Choose what information may be released."), field="information")
    return information


@action
def do_sign_authorization(membership: Membership, *, recipient: str, information: str,
                          purpose: str, expires_on: date | None, typed_name: str,
                          actor: User | None, expiry_event: str = ""):
    """The member authorizes a release of their information: to whom, what, why, until
    when. They may revoke it at any time."""
    if actor is None or actor.pk != membership.user_id:
        raise ActionForbidden(_("Only the member authorizes the release of their "
                                "information."))
    recipient = " ".join(required_text(recipient, "recipient",
                                     _("Name who receives the information."), 200).split())
    information = _check_information(information)
    purpose = required_text(purpose, "purpose", _("Say what the information is for."))
    if not isinstance(expires_on, date) or expires_on <= timezone.localdate():
        raise DomainError(_("Choose an expiry date in the future."), field="expires_on")
    if expires_on > timezone.localdate() + timedelta(days=366 * 2):
        raise DomainError(_("An authorization lasts at most two years."), field="expires_on")
    typed_name = check_typed_name(typed_name, actor)
    authorization = Authorization(
        membership=membership, recipient=recipient, information=information,
        expires_on=expires_on, expiry_event=(expiry_event or "").strip()[:200],
        typed_name=typed_name, signed_at=timezone.now())
    vault.seal(authorization, "purpose", purpose)
    authorization.save()
    audit.record("disclosure.authorization.signed", actor=actor, target=authorization,
                 circle=membership.circle, subject=actor,
                 data={"information": information, "expires_on": expires_on.isoformat()})
    return authorization


@action
def do_revoke_authorization(authorization: Authorization, *, actor: User | None):
    if actor is None or actor.pk != authorization.membership.user_id:
        raise ActionForbidden(_("Only the member revokes their authorization."))
    authorization = Authorization.objects.select_for_update().get(pk=authorization.pk)
    if authorization.revoked_at is not None:
        raise DomainError(_("This authorization was already revoked."))
    authorization.revoked_at = timezone.now()
    authorization.save(update_fields=["revoked_at"])
    audit.record("disclosure.authorization.revoked", actor=actor, target=authorization,
                 circle=authorization.membership.circle, subject=actor)
    return authorization


@action
def do_record_disclosure(authorization: Authorization, *, information: str, summary: str,
                         actor: User | None, kept_flags: tuple = ()):
    """A facilitator records a release made under an authorization: refused once it is
    revoked or expired, for information it does not cover, or when the summary names
    another member (``check_summary_names_no_member``)."""
    membership = authorization.membership
    check_may_manage_circle(actor, membership.circle)
    authorization = Authorization.objects.select_for_update().get(pk=authorization.pk)
    if authorization.revoked_at is not None:
        raise DomainError(_("The member revoked this authorization on %(date)s; nothing may "
                            "be released under it.")
                          % {"date": authorization.revoked_at.date().isoformat()})
    if authorization.expires_on < timezone.localdate():
        raise DomainError(_("This authorization expired on %(date)s.")
                          % {"date": authorization.expires_on.isoformat()})
    information = _check_information(information)
    outside = [i for i in information if i not in authorization.information]
    if outside:
        labels = dict(Information.choices)
        raise DomainError(_("The authorization does not cover: %(items)s.")
                          % {"items": ", ".join(str(labels[i]) for i in outside)},
                          field="information")
    summary = required_text(summary, "summary", _("Summarise what was released."))
    confirmed_flags = check_summary_names_no_member(membership, summary, kept_flags)
    disclosure = Disclosure(
        membership=membership, authorization=authorization, basis="authorization",
        recipient=authorization.recipient, information=information,
        disclosed_at=timezone.now(), recorded_by=actor)
    vault.seal(disclosure, "summary", summary)
    disclosure.save()
    audit.record("disclosure.recorded", actor=actor, target=disclosure,
                 circle=membership.circle, subject=membership.user,
                 data={"basis": "authorization", "information": information,
                       "flags_confirmed": confirmed_flags})
    return disclosure


def summary_spans(membership, summary):
    """What the notes redactor finds in a summary about ``membership``'s member: other
    members' names and contacts (removed) and words that may be one (flagged)."""
    others, keep = roster_for(membership)
    return find_spans(summary, others, keep)


def summary_review(membership, summary):
    """The preview of a summary, as the notes' preview shows a member's note."""
    return Review(source=summary, automatic=summary_spans(membership, summary))


def check_summary_names_no_member(membership, summary, kept_flags=()):
    """Every text that leaves the circle about one member is checked like a progress
    note: a summary naming or contacting another member is refused, and each flagged
    word must be confirmed as not a member (``kept_flags``: [start, end] of each).
    Returns how many flags were confirmed."""
    spans = summary_spans(membership, summary)
    try:
        kept = {(int(s), int(e)) for s, e in kept_flags or ()}
    except (TypeError, ValueError):
        raise DomainError(_("Name each confirmed word by its start and end."),
                          field="summary") from None
    flagged = {(s.start, s.end) for s in spans if s.status == "flagged"}
    if any(s.status == "removed" for s in spans):
        raise DomainError(_("The summary names or contacts another member of the circle. "
                            "Disclose only what concerns this member."), field="summary")
    if not kept <= flagged:
        raise DomainError(_("Only highlighted words can be confirmed."), field="summary")
    if flagged - kept:
        raise DomainError(_("The summary may name another member of the circle (see the "
                            "highlighted words). Rewrite it, or confirm that each highlighted "
                            "word is not a member."), field="summary")
    return len(kept)


@action
def do_record_legal_disclosure(membership: Membership, *, basis: str, recipient: str,
                               information: str, summary: str, reason: str, confirmed: bool,
                               actor: User | None, law_named: str = "", kept_flags: tuple = ()):
    """A disclosure without authorization, under a legal duty (mandatory report, duty to
    warn, court order). Minimum necessary, explicitly confirmed, never about anyone else
    in the circle; the organization's admins are told."""
    from circlekeep.lib.emails import send_templated_email
    from circlekeep.orgs.models import StaffRole

    check_may_manage_circle(actor, membership.circle)
    if basis not in LEGAL_BASES:
        raise DomainError(_("Choose the legal basis for this disclosure."), field="basis")
    law_named = (law_named or "").strip()
    if basis == "other_law" and not law_named:
        raise DomainError(_("Name the law that requires this disclosure."), field="law_named")
    recipient = " ".join(required_text(recipient, "recipient",
                                     _("Name who receives the information."), 200).split())
    information = _check_information(information)
    summary = required_text(summary, "summary",
                          _("Summarise the minimum necessary that was disclosed."))
    reason = required_text(reason, "reason", _("Give the reason for disclosing."))
    if not confirmed:
        raise DomainError(_("Confirm that the law requires this disclosure and that only "
                            "the minimum necessary was shared."), field="confirmed")
    confirmed_flags = check_summary_names_no_member(membership, summary, kept_flags)
    disclosure = Disclosure(membership=membership, basis=basis, law_named=law_named[:200],
                            recipient=recipient, information=information,
                            disclosed_at=timezone.now(), recorded_by=actor)
    vault.seal(disclosure, "summary", summary)
    vault.seal(disclosure, "reason", reason)
    disclosure.save()
    audit.record("disclosure.legal.recorded", actor=actor, target=disclosure,
                 circle=membership.circle, subject=membership.user,
                 data={"basis": basis, "information": information,
                       "flags_confirmed": confirmed_flags})
    admins = StaffRole.objects.filter(organization=membership.circle.organization,
                                      role=StaffRole.Role.ADMIN).select_related("user")
    for role in admins:
        send_templated_email("legal-disclosure", to=role.user.email,
                             language=role.user.language, context={})
    return disclosure


@action
def do_suspend_accounting(disclosure: Disclosure, *, legal_reason: str, ends_on: date | None,
                          actor: User | None):
    """Withhold one disclosure from the member's accounting until a date, for a recorded
    legal reason (for example a law-enforcement request)."""
    check_may_manage_circle(actor, disclosure.membership.circle)
    legal_reason = required_text(legal_reason, "legal_reason",
                               _("Give the legal reason for the suspension."), 300)
    if not isinstance(ends_on, date) or ends_on <= timezone.localdate():
        raise DomainError(_("Choose an end date in the future."), field="ends_on")
    disclosure.accounting_suspended_until = ends_on
    disclosure.suspension_reason = legal_reason
    disclosure.save(update_fields=["accounting_suspended_until", "suspension_reason"])
    audit.record("disclosure.accounting.suspended", actor=actor, target=disclosure,
                 circle=disclosure.membership.circle, subject=disclosure.membership.user,
                 data={"ends_on": ends_on.isoformat()})
    return disclosure


def accounting_for(user, today=None):
    """The member's accounting: every disclosure of the last six years that no legal
    suspension withholds today, newest first."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=365 * ACCOUNTING_YEARS + 2)
    from django.db.models import Q

    return (Disclosure.objects.filter(membership__user=user, disclosed_at__gte=since)
            .filter(Q(accounting_suspended_until__isnull=True)
                    | Q(accounting_suspended_until__lte=today))
            .select_related("membership__circle", "membership__user", "authorization"))
