"""Organizations are walls, tried by the other organization's staff with the first one's
objects, while people belong to both: Mina is a member in Riverside and has a pending
invitation from Harbor; Otto is a member of both.

Every route of the permission matrix that names one of Riverside's objects answers 404 to
Harbor's admin, facilitator and auditor, through the pages and the API; the routes that
name none (home, lists, the audit trail, its export, the security report) show nothing of
Riverside's.
"""

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from circlekeep import vault
from circlekeep.circles.actions import (
    do_add_facilitator,
    do_change_membership_status,
    do_invite_member,
)
from circlekeep.testing import make_api_token, make_member, make_staff, signed_in_client
from tests.test_permission_matrix import ROWS, _resolve_placeholders

pytestmark = pytest.mark.django_db

# What Riverside holds that Harbor's staff must never read.
RIVERSIDE_TRACES = ("Riverside", "Tuesday circle", "Thursday circle", "Fran", "Felix",
                    "Audrey", "riverside.test", "A Riverside reason", "Riverside prep")


@dataclass
class Harbor:
    admin: object
    facilitator: object
    auditor: object


@pytest.fixture
def harbor(cast):
    bea = make_staff(cast.other_org, "bea@harbor.test", "facilitator", name="Bea",
                     actor=cast.other_admin)
    bo = make_staff(cast.other_org, "bo@harbor.test", "auditor", name="Bo",
                    actor=cast.other_admin)
    do_add_facilitator(cast.other_org_circle, bea, actor=cast.other_admin)
    # Riverside's history about the people Harbor shares: a reason and a read of it.
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="A Riverside reason")
    change = cast.membership.changes.latest("changed_at", "pk")
    vault.reveal(change, "reason", actor=cast.facilitator, reason="Riverside prep")
    do_change_membership_status(cast.membership, "active", actor=cast.facilitator)
    do_invite_member(cast.other_org_circle, email="mina@example.test", actor=cast.other_admin)
    make_member(cast.other_org_circle, "otto@example.test", name="Otto",
                actor=cast.other_admin)
    return Harbor(admin=cast.other_admin, facilitator=bea, auditor=bo)


def _ask(cast, row, user):
    url = row.path(cast)
    is_api = " " in row.route and row.route.split(" ", 1)[1].startswith("/")
    data = _resolve_placeholders(cast, row.data)
    if is_api:
        headers = make_api_token(user, name="probe")[1]
        client = Client()
        if row.method == "GET":
            return client.get(url, **headers)
        return client.generic(row.method, url, data=json.dumps(data),
                              content_type="application/json", **headers)
    client = signed_in_client(user)
    return client.get(url) if row.method == "GET" else client.post(url, data)


OBJECT_ROWS = [r for r in ROWS if r.expected.get("other_admin") == 404]
OPEN_ROWS = [r for r in ROWS if r.expected.get("other_admin") in (200, 302) and
             r.method == "GET"]


def test_harbor_staff_cannot_reach_riverside_objects(cast, harbor):
    """One world, every row: a refusal changes nothing, so the rows can share it."""
    wrong = {}
    for row in OBJECT_ROWS:
        answers = {who: _ask(cast, row, getattr(harbor, who)).status_code
                   for who in ("admin", "facilitator", "auditor")}
        if set(answers.values()) != {404}:
            wrong[f"{row.method} {row.route}"] = answers
    assert wrong == {}
    assert len(OBJECT_ROWS) > 100  # the matrix's object routes, not a handful


def test_what_harbor_staff_can_open_shows_nothing_of_riverside(cast, harbor):
    riverside_ids = [str(i) for i in (cast.circle.public_id, cast.membership.public_id,
                                      cast.org.public_id, cast.other_circle.public_id)]
    leaks = {}
    for row in OPEN_ROWS:
        for who in ("admin", "facilitator", "auditor"):
            response = _ask(cast, row, getattr(harbor, who))
            body = (b"".join(response.streaming_content) if response.streaming
                    else response.content).decode(errors="replace")
            leaked = [t for t in (*RIVERSIDE_TRACES, *riverside_ids) if t in body]
            if leaked:
                leaks[f"{who} {row.route}"] = leaked
    assert leaks == {}


def test_harbor_sees_its_own_shared_member_but_not_her_riverside_history(cast, harbor):
    trail = signed_in_client(harbor.admin).get("/audit/").content.decode()
    assert "Otto" in trail  # Harbor's own member, in Harbor's own events
    export = b"".join(signed_in_client(harbor.auditor).get("/audit/export.csv")
                      .streaming_content).decode()
    assert str(cast.other_membership.public_id) not in export
