"""Meeting notes are kept while they are typed, sealed by the vault, and come back on the
notes page after a closed tab; saving them for real forgets the draft."""

import pytest

from circlekeep.accounts.actions import do_discard_form_drafts, do_keep_form_draft
from circlekeep.accounts.models import FormDraft
from circlekeep.notes.models import GroupNote
from circlekeep.testing import assert_events, audit_mark, signed_in_client

pytestmark = pytest.mark.django_db
TEXT = "The group talked about trust and how to rebuild it."


def test_notes_being_typed_are_kept_sealed_and_come_back_on_the_notes_page(cast, held):
    meeting, _dana = held
    fran = signed_in_client(cast.facilitator)
    page = f"/notes/meetings/{meeting.public_id}/"
    assert fran.post(page + "autosave/", {"body": TEXT}).status_code == 204
    draft = FormDraft.objects.get(user=cast.facilitator, path=page)
    assert "trust" not in draft.sealed_fields
    assert not GroupNote.objects.filter(meeting=meeting).exists()  # nothing saved for real
    # The tab was closed; the facilitator opens the notes again.
    shown = fran.get(page).content.decode()
    assert TEXT in shown and "unsaved notes were kept" in shown
    assert not FormDraft.objects.exists()


def test_notes_too_long_to_keep_are_said_to_be_so_not_silently_dropped(cast, held):
    meeting, _dana = held
    fran = signed_in_client(cast.facilitator)
    page = f"/notes/meetings/{meeting.public_id}/"
    fran.post(page + "autosave/", {"body": "an earlier, shorter draft"})
    response = fran.post(page + "autosave/", {"body": "x" * 100_001})
    assert response.status_code == 413
    assert "save the notes now" in response.content.decode()
    # The earlier draft is still kept: nothing was thrown away.
    assert FormDraft.objects.filter(user=cast.facilitator, path=page).count() == 1


def test_saving_the_notes_forgets_the_kept_draft(cast, held):
    meeting, _dana = held
    fran = signed_in_client(cast.facilitator)
    page = f"/notes/meetings/{meeting.public_id}/"
    fran.post(page + "autosave/", {"body": "half a thought"})
    fran.post(page, {"body": TEXT})
    assert GroupNote.objects.filter(meeting=meeting).exists()
    assert not FormDraft.objects.exists()
    assert "half a thought" not in fran.get(page).content.decode()


def test_only_the_circles_facilitators_keep_notes_drafts(cast, held):
    meeting, _dana = held
    url = f"/notes/meetings/{meeting.public_id}/autosave/"
    assert signed_in_client(cast.member).post(url, {"body": TEXT}).status_code == 403
    assert signed_in_client(cast.other_facilitator).post(url, {"body": TEXT}).status_code \
        == 404
    assert not FormDraft.objects.exists()


def test_discarding_a_kept_form_is_audited(cast):
    do_keep_form_draft(cast.facilitator, path="/notes/x/", fields={"body": [TEXT]})
    mark = audit_mark()
    assert do_discard_form_drafts(cast.facilitator, path="/notes/x/") == 1
    assert do_discard_form_drafts(cast.facilitator, path="/notes/x/") == 0
    assert_events(mark, [("account.form_draft.discarded", cast.facilitator,
                          cast.facilitator)])
