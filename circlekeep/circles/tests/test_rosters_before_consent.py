"""Someone who has only accepted an invitation sees no other member of the circle."""

import pytest

from circlekeep.agreements.actions import do_propose_change
from circlekeep.testing import make_api_token, make_member, page_of, signed_in_client

pytestmark = pytest.mark.django_db


def joining(cast):
    return make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                       status="onboarding")


def test_a_joining_member_sees_no_proposals_or_their_authors(cast):
    proposal = do_propose_change(cast.circle.agreement, kind="add", title="Phones",
                                 text="Phones stay off.", reason="Focus", actor=cast.member)
    nia = joining(cast)
    client = signed_in_client(nia.user)
    page = client.get(f"/agreements/circles/{cast.circle.public_id}/").content.decode()
    assert "Mina" not in page and "Phones" not in page
    assert "open to you once you have joined" in page
    assert client.get(f"/agreements/proposals/{proposal.public_id}/").status_code == 404
    _t, auth = make_api_token(nia.user)
    from django.test import Client

    assert Client().get(f"/api/v1/agreement-proposals/{proposal.public_id}",
                        **auth).status_code == 404
    # Once she has joined, she reads them.
    mina = signed_in_client(cast.member)
    assert mina.get(f"/agreements/proposals/{proposal.public_id}/").status_code == 200


def test_the_concern_form_is_for_members_who_joined_and_lists_only_them(cast):
    nia = joining(cast)
    assert signed_in_client(nia.user).get(
        f"/incidents/circles/{cast.circle.public_id}/report/").status_code == 403
    page = page_of(signed_in_client(cast.member).get(
        f"/incidents/circles/{cast.circle.public_id}/report/"))
    assert "Nia" not in page  # still onboarding: not listed among who is affected
