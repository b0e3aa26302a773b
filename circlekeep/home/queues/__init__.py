"""The work queues on each person's home: what is waiting for them, one row per task.

Each queue is one function that answers in a fixed number of queries, however many
circles, meetings or tasks the person has, so that the home costs the same for everyone.
Who may see what is never decided here: every queue starts from an ``access.py`` list.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from circlekeep.lib.times import when


@dataclass
class Task:
    """One row of a work queue: what to do, why, by when, and the page where it is done."""

    title: str
    explanation: str
    url: str
    # The link's words ("Sign", "Answer"…): a screen reader lists links out of context.
    action: str
    due: datetime | None = None
    badge: str = ""
    # "urgent" (past due, or a legal clock running out), "new", or "" for the rest.
    tone: str = ""

    @property
    def due_iso(self):
        return self.due.isoformat() if self.due else ""

    @property
    def due_label(self):
        """"Due …" in the viewer's zone and language, with the zone's abbreviation: said
        here rather than in the template, as every home shows several."""
        if self.due is None:
            return ""
        return _("Due %(when)s") % {"when": when(self.due)}


def local_day(moment):
    """The day of ``moment`` in the viewer's time zone, as the language writes dates."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def prepared_per_session(build):
    """A query compiled once per process (lib/prepared.py) from a ``build(user)`` that
    goes through the access functions, in its two forms: for a session past two-step
    sign-in, and for one that is not (the circles of organizations that require it stay
    closed, orgs/access.py ``locked_organizations``). ``rows(user)`` runs the right one."""
    from circlekeep.lib.prepared import PreparedQuery

    forms = {verified: PreparedQuery(lambda pk, verified=verified: build(
        _stand_in(pk, verified=verified))) for verified in (True, False)}

    def rows(user):
        from circlekeep.orgs.access import session_verified

        return forms[session_verified(user)].rows(user.pk)

    return rows


def _stand_in(pk, *, verified):
    """A user the access functions can build a query for: only its id and whether its
    session passed two-step sign-in are read."""
    from circlekeep.accounts.models import User

    user = User(pk=pk)
    user.is_verified = lambda: verified
    return user
