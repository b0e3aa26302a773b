"""The notes API does what the pages do, through the same actions and rules."""

import json

import pytest

from circlekeep.notes.models import Addendum
from circlekeep.testing import make_api_token, make_member

from .conftest import progress_of

pytestmark = pytest.mark.django_db


def client_for(user, client):
    _token, headers = make_api_token(user)

    def call(method, path, body=None):
        return client.generic(method, f"/api/v1{path}", data=json.dumps(body or {}),
                              content_type="application/json", **headers)

    return call


def test_a_facilitator_writes_reviews_corrects_and_signs_through_the_api(cast, held, client):
    meeting, dana = held
    make_member(cast.circle, "will@example.test", name="Will", actor=cast.facilitator,
                full_name="Will Thornton")
    fran = client_for(cast.facilitator, client)
    response = fran("PUT", f"/meetings/{meeting.public_id}/notes", {
        "body": "Mina spoke. Will is the theme. Dana nodded. K. left early.",
        "sections": {str(cast.membership.public_id): "Mina set a goal."}})
    assert response.status_code == 200
    sections = {s["display_name"]: s for s in response.json()["sections"]}
    note_id = sections["Mina"]["progress_note_id"]
    review = fran("GET", f"/progress-notes/{note_id}/review").json()
    assert review["flags_to_decide"] == 1
    assert [(s["kind"], s["text"]) for s in review["segments"]] == [
        ("flagged", "Will"), ("removed", "Dana")]
    assert fran("POST", f"/progress-notes/{note_id}/sign").status_code == 400
    flag = review["segments"][0]
    review = fran("POST", f"/progress-notes/{note_id}/redactions", {
        "decisions": [{"start": flag["start"], "end": flag["end"],
                       "decision": "remove"}]}).json()
    assert review["flags_to_decide"] == 0
    assert fran("POST", f"/progress-notes/{note_id}/phrases/preview",
                {"phrase": "K."}).json() == {"matches": [[44, 46]]}
    assert fran("POST", f"/progress-notes/{note_id}/phrases", {"phrase": "K."}
                ).status_code == 201
    assert fran("POST", f"/progress-notes/{note_id}/phrases/0/restore").status_code == 204
    assert fran("POST", f"/progress-notes/{note_id}/phrases", {"phrase": "zz"}
                ).json()["detail"].startswith("That phrase is not in the text")
    signed = fran("POST", f"/progress-notes/{note_id}/sign").json()
    assert "Will" not in signed["body"] and "Dana" not in signed["body"]
    assert "K. left early" in signed["body"]
    assert progress_of(meeting, cast.membership).is_signed
    assert dana.user.display_name == "Dana"


def test_addenda_are_drafted_reviewed_added_and_read_without_other_members(cast, held,
                                                                           client):
    meeting, _dana = held
    fran = client_for(cast.facilitator, client)
    fran("PUT", f"/meetings/{meeting.public_id}/notes", {"body": "Mina spoke."})
    note = progress_of(meeting, cast.membership)
    fran("POST", f"/progress-notes/{note.public_id}/sign")
    created = fran("POST", f"/progress-notes/{note.public_id}/addenda",
                   {"body": "Dana drove Mina home."})
    assert created.status_code == 201
    addendum_id = created.json()["id"]
    review = fran("GET", f"/addenda/{addendum_id}/review").json()
    assert review["preview"] == "another member drove Mina home."
    mina = client_for(cast.member, client)
    assert mina("GET", f"/progress-notes/{note.public_id}").json()["addenda"] == []
    assert mina("GET", f"/addenda/{addendum_id}/review").status_code == 404
    assert fran("POST", f"/addenda/{addendum_id}/add").status_code == 200
    [read] = mina("GET", "/me/progress-notes").json()
    assert [a["text"] for a in read["addenda"]] == ["another member drove Mina home."]
    second = fran("POST", f"/progress-notes/{note.public_id}/addenda", {"body": "Draft"})
    assert fran("POST", f"/addenda/{second.json()['id']}/discard").status_code == 204
    assert Addendum.objects.count() == 1
    cody = fran("POST", f"/progress-notes/{note.public_id}/cosign")
    assert cody.status_code == 400  # the signer does not co-sign


def test_the_record_export_is_in_the_api_for_the_member_and_the_staff(cast, held, client):
    _meeting, dana = held
    response = client_for(cast.member, client)(
        "GET", f"/memberships/{cast.membership.public_id}/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert client_for(dana.user, client)(
        "GET", f"/memberships/{cast.membership.public_id}/record.pdf").status_code == 404
    assert client_for(cast.facilitator, client)(
        "GET", f"/memberships/{cast.membership.public_id}/record.pdf").status_code == 200
