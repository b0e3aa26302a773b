"""The note pages: the facilitator's preview and corrections, the member's reading, the
record PDF, and the one reading rule behind them."""

import pytest

from circlekeep.notes import actions
from circlekeep.notes.export import record_lines
from circlekeep.notes.models import Addendum
from circlekeep.orgs.actions import do_change_org_policies
from circlekeep.testing import make_member, page_of, signed_in_client

from .conftest import GROUP, progress_of

pytestmark = pytest.mark.django_db


def signed_note(cast, meeting, body=GROUP, section="Mina and Dana paired for the exercise."):
    actions.do_write_group_note(meeting, body=body, actor=cast.facilitator,
                                sections={cast.membership: section})
    note = progress_of(meeting, cast.membership)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    return progress_of(meeting, cast.membership)


def reading_off(cast):
    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=False, members_read_notes=False,
                           actor=cast.admin)


def test_the_preview_shows_flags_in_their_own_colour_and_signing_waits_for_them(cast, held):
    meeting, _dana = held
    make_member(cast.circle, "faith@example.test", name="Faith", actor=cast.facilitator,
                full_name="Faith Odhiambo")
    actions.do_write_group_note(meeting, body="Faith is hard, Mina said. Dana agreed.",
                                sections={}, actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    fran = signed_in_client(cast.facilitator)
    page = fran.get(f"/notes/progress/{note.public_id}/").content.decode()
    assert 'class="redaction flagged"' in page and "<mark>Faith</mark>" in page
    assert "1 flagged word to decide." in page and "<del>Dana</del>" in page
    response = fran.post(f"/notes/progress/{note.public_id}/sign/", follow=True)
    assert "Decide every flagged word first: 1 left" in response.content.decode()
    assert not progress_of(meeting, cast.membership).is_signed
    fran.post(f"/notes/progress/{note.public_id}/redactions/", {"decide_0-5": "remove"})
    fran.post(f"/notes/progress/{note.public_id}/sign/")
    assert progress_of(meeting, cast.membership).is_signed


def test_a_phrase_is_shown_before_it_applies_and_the_preview_changes_nothing(cast, held):
    meeting, _dana = held
    actions.do_write_group_note(meeting, body="Mina was tired. K. drove her home.",
                                sections={}, actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    fran = signed_in_client(cast.facilitator)
    page = fran.post(f"/notes/progress/{note.public_id}/phrases/preview/",
                     {"phrase": "K."}).content.decode()
    assert '<span class="redaction pending" data-testid="pending"><mark>K.</mark>' in page
    assert "Remove this match" in page and "tired." in page
    assert progress_of(meeting, cast.membership).added == []
    fran.post(f"/notes/progress/{note.public_id}/phrases/", {"phrase": "K."})
    assert progress_of(meeting, cast.membership).added == [{"spans": [[16, 18]]}]
    fran.post(f"/notes/progress/{note.public_id}/phrases/0/restore/")
    assert progress_of(meeting, cast.membership).added == []


def test_the_member_never_reads_another_members_name_in_an_addendum(cast, held):
    meeting, _dana = held
    note = signed_note(cast, meeting)
    fran = signed_in_client(cast.facilitator)
    response = fran.post(f"/notes/progress/{note.public_id}/addenda/",
                         {"body": "Dana called the next day; Dee had driven Mina home."})
    draft = Addendum.objects.get()
    assert response.url == f"/notes/addenda/{draft.public_id}/"
    mina = signed_in_client(cast.member)
    page = mina.get(f"/notes/progress/{note.public_id}/").content.decode()
    assert "called the next day" not in page  # a draft is not the member's to read
    assert "<del>Dana</del>" in fran.get(response.url).content.decode()
    fran.post(f"/notes/addenda/{draft.public_id}/add/")
    page = page_of(mina.get(f"/notes/progress/{note.public_id}/"))
    assert "another member called the next day; another member had driven Mina home" in page
    assert "Dana" not in page and "Dee" not in page


def test_the_page_the_api_and_the_pdf_follow_the_same_reading_rule(cast, held):
    meeting, dana = held
    note = signed_note(cast, meeting)
    mina = signed_in_client(cast.member)
    assert mina.get(f"/notes/progress/{note.public_id}/").status_code == 200
    pdf_lines = "\n".join(t for _s, t in record_lines(cast.membership, actor=cast.member,
                                                       reason="test"))
    assert "Mina and another member paired" in pdf_lines
    reading_off(cast)
    response = mina.get(f"/notes/progress/{note.public_id}/")
    assert response.status_code == 403 and "does not let members" in response.content.decode()
    from circlekeep.testing import make_api_token

    _token, headers = make_api_token(cast.member)
    assert mina.get(f"/api/v1/progress-notes/{note.public_id}", **headers).status_code == 403
    assert mina.get("/api/v1/me/progress-notes", **headers).json() == []
    lines = "\n".join(t for _s, t in record_lines(cast.membership, actor=cast.member,
                                                  reason="test"))
    assert "paired for the exercise" not in lines and "right of access" in lines
    assert mina.get(f"/notes/memberships/{cast.membership.public_id}/record.pdf"
                    ).status_code == 200
    staff_lines = "\n".join(t for _s, t in record_lines(cast.membership,
                                                        actor=cast.facilitator,
                                                        reason="test"))
    assert "Mina and another member paired" in staff_lines
    assert signed_in_client(dana.user).get(
        f"/notes/progress/{note.public_id}/").status_code == 404
    assert "Mina and another" not in mina.get("/notes/mine/").content.decode()


def test_the_exported_record_names_no_other_member_in_notes_or_addenda(cast, held):
    meeting, dana = held
    note = signed_note(cast, meeting)
    draft = actions.do_draft_addendum(note, body="Whitfield phoned about Mina.",
                                      actor=cast.facilitator)
    actions.do_add_addendum(draft, actor=cast.facilitator)
    text = "\n".join(t for _s, t in record_lines(cast.membership, actor=cast.member,
                                                 reason="test"))
    assert "Mina" in text and "Present" in text and "Consent" in text
    assert "another member phoned about Mina" in text
    for leak in ("Dana", "Whitfield", "Dee", "Otto", "dana@example.test"):
        assert leak not in text, leak
    response = signed_in_client(cast.member).get(
        f"/notes/memberships/{cast.membership.public_id}/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert signed_in_client(dana.user).get(
        f"/notes/memberships/{cast.membership.public_id}/record.pdf").status_code == 404


def test_a_member_reads_only_signed_notes(cast, held):
    meeting, _dana = held
    actions.do_write_group_note(meeting, body=GROUP, actor=cast.facilitator, sections={})
    note = progress_of(meeting, cast.membership)
    response = signed_in_client(cast.member).get(f"/notes/progress/{note.public_id}/")
    assert response.status_code == 403 and "not signed yet" in response.content.decode()
