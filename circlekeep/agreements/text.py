"""An agreement version's canonical text, and the difference between two versions."""

import difflib

from django.utils import translation
from django.utils.translation import gettext as _

from circlekeep.agreements.models import LadderStep
from circlekeep.lib.canonical import canonical


def language_for(organization):
    return "es" if organization.country == "ES" else "en"


def render_text(number, clauses, ladder, *, language):
    """The exact words people sign. Headings are in the organization's language."""
    with translation.override(language):
        parts = [_("Circle agreement, version %(number)d") % {"number": number}, ""]
        for index, clause in enumerate(clauses, 1):
            parts += [f"{index}. {clause['title']}", clause["text"], ""]
        parts += [_("If the agreement is broken, these steps apply, in this order:"), ""]
        for index, entry in enumerate(ladder, 1):
            parts.append(f"{index}. {LadderStep(entry['step']).label}: {entry['text']}")
    return canonical("\n".join(parts))


def diff(old_text, new_text):
    """Line-by-line difference: a list of (op, line) where op is "same", "added" or
    "removed"."""
    ops = {" ": "same", "+": "added", "-": "removed"}
    return [(ops[line[0]], line[2:])
            for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines())
            if line[0] in ops]
