"""What the agreement adds to the next meeting's agenda (the meetings app shows them)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class AgendaItem:
    kind: str  # "agreement_review" or "recommit"
    title: str


def review_due(agreement, now=None):
    return (now or timezone.now()) >= agreement.review_due_at


def agenda_items(agreement, now=None):
    items = []
    if review_due(agreement, now):
        items.append(AgendaItem("agreement_review", _("Agreement review")))
    version = agreement.current_version
    if version is not None and version.number > 1 and \
            version.created_at > agreement.last_reviewed_at:
        items.append(AgendaItem("recommit", _("Recommit to version %(number)d of the "
                                               "agreement") % {"number": version.number}))
    return items
