"""Why protected information was read or changed, as stable codes.

The trail stores a code (``"notes.progress.read"``), and each reader sees its label in
their own language: the person whose notes were read, in Spanish, and the auditor, in
English, read the same event. Reasons a person types (resetting someone's two-step
sign-in, destroying keys, suspending a member) are stored as typed. The reasons the
system gives a member for a change to their membership are codes too, with their
parameters (``incidents.suspended {"date": "2026-12-10"}``).

Events recorded before reasons had codes carry the label's English (or Spanish) text;
those events are not rewritten, since the trail's hashes cover them. Their text is
recognised and shown in the reader's language like a code.
"""

import json
from functools import cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

REASONS = {
    "circles.history.own": _("Member viewing their own membership history"),
    "circles.history.own.api": _("Member viewing their own membership history (API)"),
    "circles.history.staff": _("Viewing a member's history"),
    "circles.history.staff.api": _("Viewing a member's history (API)"),
    "incidents.concern.handle": _("Handling a concern"),
    "incidents.concern.handle.api": _("Handling a concern (API)"),
    "incidents.concern.involved": _("Reading a concern that involves me"),
    "incidents.concern.involved.api": _("Reading a concern that involves me (API)"),
    "notes.group.edit": _("Facilitator editing the group note"),
    "notes.group.read.api": _("Facilitator reading the group note (API)"),
    "notes.progress.read": _("Facilitator reading a signed progress note"),
    "notes.progress.read.api": _("Reading a signed progress note (API)"),
    "notes.progress.own": _("Member reading their own progress note"),
    "notes.progress.own.api": _("Member reading their own progress notes (API)"),
    "notes.preview": _("Previewing a member's note before it is signed or added"),
    "notes.preview.api": _("Previewing a member's note (API)"),
    "notes.redaction.correct": _("Correcting the redaction of a member's note"),
    "notes.progress.sign": _("Signing a progress note"),
    "notes.addendum.add": _("Adding an addendum"),
    "notes.record.export.own": _("Member exporting their own record"),
    "notes.record.export.own.api": _("Member exporting their own record (API)"),
    "notes.record.export.staff": _("Facilitator exporting a member's record"),
    "notes.record.export.staff.api": _("Facilitator exporting a member's record (API)"),
    "disclosures.accounting.own": _("Member reading their accounting of disclosures"),
    "disclosures.accounting.own.api": _(
        "Member reading their accounting of disclosures (API)"),
    "onboarding.questions.own": _("Member reading their onboarding questions"),
    "onboarding.questions.own.api": _("Member reading their onboarding questions (API)"),
    "onboarding.questions.staff": _("Facilitator reading a member's onboarding questions"),
    "onboarding.questions.staff.api": _(
        "Facilitator reading a member's onboarding questions (API)"),
    "onboarding.screening.read": _("Reading a relationship screening decision"),
    "onboarding.screening.read.api": _("Reading a relationship screening decision (API)"),
    "onboarding.relationships.own": _("Member reading their relationship declarations"),
    "onboarding.relationships.screen": _("Facilitator screening relationships in the "
                                         "circle"),
    "onboarding.relationships.seal": _("Sealing whom an older declaration names"),
    "onboarding.relationships.rekey": _("Recomputing relationship digests after a key "
                                        "rotation"),
    "feedback.release": _("Releasing anonymous feedback in random order"),
    "feedback.results": _("Reading anonymous feedback results"),
    "feedback.results.api": _("Reading anonymous feedback results (API)"),
    "feedback.summary": _("Reading the shared feedback summary"),
    # Membership changes the system makes, which the member reads in their history.
    "circles.invitation.withdrawn": _("Invitation withdrawn"),
    "incidents.suspended": _("Suspended until %(date)s after a concern."),
    "incidents.revoked": _("Revoked after a concern."),
    "incidents.suspension.ended": _("The suspension ended on %(date)s."),
}


class Code(str):
    """A reason the system gives (made by ``code``), told apart from words a person typed
    that happen to read like one (``typed_as_code``)."""


def code(name, **params):
    """``name`` checked against the registry (an unknown code fails where it is written,
    not on an auditor's screen), followed by its parameters as JSON when it has any."""
    if name not in REASONS:
        raise ValueError(f"Unknown audit reason {name!r}; add it to audit/reasons.py")
    if not params:
        return Code(name)
    return Code(f"{name} {json.dumps(params, sort_keys=True, separators=(',', ':'))}")


@cache
def _codes_by_old_text():
    """The text events carried before codes, in each language, mapped to their code."""
    found = {}
    for language in ("en", "es"):
        with translation.override(language):
            found.update({str(label): name for name, label in REASONS.items()})
    return found


def _parsed(stored):
    """(code, parameters) of a stored coded reason, or None for typed text."""
    name, _space, params = stored.partition(" ")
    if name not in REASONS:
        return None
    if not params:
        return name, {}
    try:
        values = json.loads(params)
    except ValueError:
        return None
    return (name, values) if isinstance(values, dict) else None


def typed_as_code(text) -> bool:
    """Whether ``text``, not made by ``code``, reads as one of the system's coded reasons:
    a reason a person types must not, or readers would see the system's words instead."""
    return not isinstance(text, Code) and _parsed((text or "").strip()) is not None


def label(stored):
    """What a reader sees for a stored reason, in the active language. A stored reason
    whose parameters do not fit its code's words is shown as stored, never an error."""
    if not stored:
        return ""
    parsed = _parsed(stored)
    if parsed is None:
        name = _codes_by_old_text().get(stored)
        return str(REASONS[name]) if name else stored
    name, params = parsed
    text = str(REASONS[name])
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return stored
