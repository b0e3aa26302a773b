import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circlekeep.accounts.middleware import SEEN_KEY
from circlekeep.circles.actions import do_change_membership_status, do_invite_member
from circlekeep.circles.models import Circle, Membership
from circlekeep.testing import make_circle, make_member, page_of, signed_in_client

pytestmark = pytest.mark.django_db


def dashboard_queries(client):
    """The queries of one home page. The idle clock is set to now first: on a slow machine
    the set-up between two measurements can pass the minute after which a request writes
    the session's last-seen time, and that write is not the page's."""
    session = client.session
    session[SEEN_KEY] = int(time.time())
    session.save()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries), response


def test_the_member_dashboard_costs_the_same_queries_for_1_and_20_circles(cast):
    client = signed_in_client(cast.member)
    one, _ = dashboard_queries(client)
    for n in range(19):
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.facilitator)
        make_member(circle, cast.member.email, name="Mina", actor=cast.facilitator)
    assert Membership.objects.filter(user=cast.member, status="active").count() == 20
    twenty, response = dashboard_queries(client)
    assert twenty == one
    assert response.content.decode().count('class="card"') >= 20


def test_the_facilitator_dashboard_costs_the_same_queries_for_1_and_20_circles(cast):
    client = signed_in_client(cast.facilitator)
    one, _ = dashboard_queries(client)
    for n in range(19):
        circle = make_circle(cast.org, f"Extra {n}", lead=cast.facilitator)
        for m in range(3):
            make_member(circle, f"p{n}-{m}@example.test", name=f"P{m}", actor=cast.facilitator)
    assert Circle.objects.filter(facilitations__user=cast.facilitator).count() == 20
    twenty, response = dashboard_queries(client)
    assert twenty == one
    assert "Extra 18" in response.content.decode()


def test_the_member_dashboard_shows_status_and_what_is_left_to_do(cast):
    invitation, _ = do_invite_member(cast.other_circle, email=cast.member.email,
                                     actor=cast.other_facilitator)
    from circlekeep.accounts.actions import do_accept_invitation

    do_accept_invitation(invitation, acting_user=cast.member)
    page = signed_in_client(cast.member).get("/").content.decode()
    assert "Tuesday circle" in page and "Thursday circle" in page
    assert "Fran" in page and "Felix" in page
    # The new circle lists what is left, in order. Mina already consented to the
    # organization's document when she joined Fran's circle, so that step is not there.
    steps = ["Read the orientation", "Ask your questions, or say you have none",
             "Sign the circle&#x27;s agreement", "Agree to the online rules",
             "Tell your facilitator privately about anyone you know here"]
    positions = [page.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "Give your consent" not in page


def test_the_member_dashboard_never_lists_other_members(cast):
    page = page_of(signed_in_client(cast.member).get("/"))
    assert "Otto" not in page
    make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    page = page_of(signed_in_client(cast.member).get("/"))
    assert "Pat" not in page


def test_the_facilitator_roster_shows_each_members_status(cast):
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="Pause")
    make_member(cast.circle, "ona@example.test", name="Ona", actor=cast.facilitator,
                status="onboarding")
    page = signed_in_client(cast.facilitator).get("/").content.decode()
    assert "Mina" in page and "Suspended" in page and "Ona" in page and "Onboarding" in page
    detail = signed_in_client(cast.facilitator).get(f"/circles/{cast.circle.public_id}/")
    assert "8 of 10 places free" in detail.content.decode()


def test_a_facilitator_creates_a_circle_and_invites_from_the_pages(cast, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    client = signed_in_client(cast.facilitator)
    response = client.post("/circles/new/", {
        "organization": str(cast.org.public_id), "name": "Sunday", "kind": "therapy",
        "mode": "hybrid", "capacity": "6"})
    circle = Circle.objects.get(name="Sunday")
    assert response["Location"] == f"/circles/{circle.public_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/circles/{circle.public_id}/invite/",
                               {"email": "zoe@example.test"})
    assert response.status_code == 302 and mailoutbox[-1].to == ["zoe@example.test"]


def test_form_errors_are_specific_and_change_nothing(cast):
    client = signed_in_client(cast.facilitator)
    response = client.post("/circles/new/", {"organization": str(cast.org.public_id),
                                             "name": "X", "kind": "therapy", "mode": "online",
                                             "capacity": "1"})
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 2" in response.content.decode()
    response = client.post(f"/circles/{cast.circle.public_id}/invite/",
                           {"email": "mina@example.test"})
    assert "already a member" in response.content.decode()
    response = client.post(f"/circles/memberships/{cast.membership.public_id}/",
                           {"status": "suspended", "reason": ""})
    assert "Give a reason" in response.content.decode()
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"
    assert not Circle.objects.filter(name="X").exists()


def test_a_member_leaves_and_the_circle_disappears_from_their_dashboard(cast):
    client = signed_in_client(cast.member)
    response = client.post(f"/circles/memberships/{cast.membership.public_id}/leave/")
    assert response["Location"] == "/"
    assert "Tuesday circle" not in client.get("/").content.decode()
    assert client.get(f"/circles/{cast.circle.public_id}/").status_code == 404
