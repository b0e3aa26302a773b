"""Group notes, each member's reviewed note, signing, co-signing and addenda."""

from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep.circles.actions import do_add_facilitator
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings import actions as meetings
from circlekeep.notes import actions
from circlekeep.notes.models import Addendum
from circlekeep.testing import assert_events, audit_mark, make_member, make_staff

from .conftest import GROUP, progress_of

pytestmark = pytest.mark.django_db

WHY = "test"


def review(item, cast):
    return actions.review_of(item, actor=cast.facilitator, reason=WHY)


def test_each_attendees_note_removes_every_other_member(cast, held):
    meeting, dana = held
    mark = audit_mark()
    actions.do_write_group_note(meeting, body=GROUP, actor=cast.facilitator, sections={
        cast.membership: "Mina set a goal to call her sponsor. Dee offered support.",
        dana: "Dana spoke about her sister."})
    assert_events(mark, [("note.group.written", cast.facilitator, None)])
    text = review(progress_of(meeting, cast.membership), cast).text
    for leak in ("Dana", "dana", "Whitfield", "Dee", "dana@example.test", "555 0134"):
        assert leak not in text, leak
    assert "Mina shared her fear" in text and "Fran invited" in text
    assert "I hope we return" in text and "another member" in text
    text = review(progress_of(meeting, dana), cast).text
    assert "Mina" not in text and "Dana spoke about her sister" in text


def test_a_flagged_word_blocks_signing_until_decided_and_each_decision_is_recorded(cast,
                                                                                   held):
    meeting, _dana = held
    will = make_member(cast.circle, "will@example.test", name="Will", actor=cast.facilitator,
                       full_name="Will Thornton")
    actions.do_write_group_note(meeting, body="Mina spoke. Will is the theme. Dana nodded.",
                                sections={}, actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    flags = review(note, cast).unresolved
    assert [(f.start, f.end) for f in flags] == [(12, 16)]  # "Will" opening a sentence
    mark = audit_mark()
    with pytest.raises(DomainError, match="Decide every flagged word first: 1 left"):
        actions.do_sign_progress_note(note, actor=cast.facilitator)
    assert not progress_of(meeting, cast.membership).is_signed
    assert_events(mark, [])
    actions.do_correct_redactions(note, keep=[], decisions={(12, 16): "keep"},
                                  actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    actions.do_correct_redactions(note, keep=[], decisions={(12, 16): "remove"},
                                  actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    assert review(note, cast).unresolved == []
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    f, m = cast.facilitator, cast.member
    read = ("vault.revealed", f, None)  # each review reads the group note, recorded
    assert_events(mark, [read, ("note.flag.resolved", f, m), read,
                         ("note.flag.resolved", f, m), read, read,
                         ("note.progress.signed", f, m)])
    signed = progress_of(meeting, cast.membership)
    from circlekeep import vault

    body = vault.reveal(signed, "body", actor=cast.member, reason=WHY)
    assert "Will" not in body and "Dana" not in body and "Mina spoke." in body
    assert will.user.display_name == "Will"


def test_a_phrase_matches_whole_words_respects_capitals_shows_first_and_can_be_restored(
        cast, held):
    meeting, _dana = held
    body = "Mina could not walk. K. offered a lift; the K. Team met. k. is lower."
    actions.do_write_group_note(meeting, body=body, sections={}, actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    # The preview finds the matches and changes nothing.
    matches = actions.phrase_matches(review(note, cast), "K.")
    first = body.index("K.")
    second = body.index("K.", first + 1)
    assert matches == [(first, first + 2), (second, second + 2)]
    assert progress_of(meeting, cast.membership).added == []
    mark = audit_mark()
    actions.do_remove_phrase(note, phrase="K.", actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    text = review(note, cast).text
    assert "could not walk." in text and "k. is lower" in text and "K." not in text
    with pytest.raises(DomainError, match="not in the text as a whole word"):
        actions.do_remove_phrase(note, phrase="ire", actor=cast.facilitator)
    actions.do_restore_phrase(note, group=0, actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    assert "K. offered" in review(note, cast).text
    with pytest.raises(DomainError, match="no such removed phrase"):
        actions.do_restore_phrase(note, group=0, actor=cast.facilitator)
    f, m = cast.facilitator, cast.member
    read = ("vault.revealed", f, None)
    assert_events(mark, [read, ("note.phrase.removed", f, m), read,
                         ("note.phrase.restored", f, m), read])


def test_undoing_a_removal_is_recorded_and_only_automatic_removals_can_be_undone(cast,
                                                                                 held):
    meeting, _dana = held
    actions.do_write_group_note(meeting, body=GROUP, actor=cast.facilitator, sections={})
    note = progress_of(meeting, cast.membership)
    first = next(s for s in review(note, cast).automatic if s.status == "removed")
    mark = audit_mark()
    actions.do_correct_redactions(note, keep=[[first.start, first.end]], decisions={},
                                  actor=cast.facilitator)
    with pytest.raises(DomainError, match="Only automatic redactions"):
        actions.do_correct_redactions(note, keep=[[0, 3]], decisions={},
                                      actor=cast.facilitator)
    with pytest.raises(DomainError, match="Only flagged words"):
        actions.do_correct_redactions(note, keep=[], decisions={(0, 3): "keep"},
                                      actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    assert GROUP[first.start:first.end] in review(note, cast).text
    read = ("vault.revealed", cast.facilitator, None)
    assert_events(mark, [read, ("note.redaction.adjusted", cast.facilitator, cast.member),
                         read])


def test_signed_notes_are_locked_and_cosigned_once_per_person(cast, held):
    meeting, _dana = held
    actions.do_write_group_note(meeting, body=GROUP, actor=cast.facilitator, sections={})
    note = progress_of(meeting, cast.membership)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    with pytest.raises(DomainError, match="signed and locked"):
        actions.do_remove_phrase(note, phrase="Mina", actor=cast.facilitator)
    with pytest.raises(DomainError, match="locked"):
        actions.do_write_group_note(meeting, body="Rewritten", sections={},
                                    actor=cast.facilitator)
    co = make_staff(cast.org, "cody@riverside.test", "facilitator", name="Cody",
                    actor=cast.admin)
    do_add_facilitator(cast.circle, co, actor=cast.admin)
    mark = audit_mark()
    actions.do_cosign_progress_note(note, actor=co)
    assert_events(mark, [("note.progress.cosigned", co, cast.member)])
    with pytest.raises(DomainError, match="already signed"):
        actions.do_cosign_progress_note(note, actor=cast.facilitator)


def test_only_a_trained_facilitator_signs_or_co_signs_where_training_is_required(cast, held):
    from circlekeep.training.access import TrainingRequired
    from circlekeep.training.actions import do_set_up_programme, do_submit_quiz, do_update_programme

    meeting, _dana = held
    actions.do_write_group_note(meeting, body=GROUP, actor=cast.facilitator, sections={})
    note = progress_of(meeting, cast.membership)
    programme = do_set_up_programme(cast.org, actor=cast.admin)
    do_update_programme(programme, actor=cast.admin, required=True, transition_until=None,
                        pass_mark=80, retake_after_hours=1, valid_months=24, grace_days=30,
                        co_facilitations=0, sign_off=False)

    def train(person):
        for module in programme.modules.filter(set="initial"):
            do_submit_quiz(module, answers=[q["answer"] for q in module.questions],
                           actor=person)

    with pytest.raises(TrainingRequired):
        actions.do_sign_progress_note(note, actor=cast.facilitator)
    train(cast.facilitator)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    with pytest.raises(TrainingRequired):
        actions.do_cosign_progress_note(note, actor=cast.admin)
    train(cast.admin)
    actions.do_cosign_progress_note(note, actor=cast.admin)
    # Adding an addendum to the record is signing too.
    addendum = actions.do_draft_addendum(note, body="Mina asked for a follow-up call.",
                                         actor=cast.facilitator)
    co = make_staff(cast.org, "cody@riverside.test", "facilitator", name="Cody",
                    actor=cast.admin)
    do_add_facilitator(cast.circle, co, actor=cast.admin)
    with pytest.raises(TrainingRequired):
        actions.do_add_addendum(addendum, actor=co)
    actions.do_add_addendum(addendum, actor=cast.facilitator)


def test_an_addendum_is_reviewed_like_the_note_before_the_member_reads_it(cast, held):
    meeting, dana = held
    actions.do_write_group_note(meeting, body="Mina spoke.", sections={},
                                actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    mark = audit_mark()
    draft = actions.do_draft_addendum(
        note, body="Dana called the next day; Whitfield had driven Mina home.",
        actor=cast.facilitator)
    assert review(draft, cast).text == ("another member called the next day; another member "
                                        "had driven Mina home.")
    actions.do_add_addendum(draft, actor=cast.facilitator)
    f, m = cast.facilitator, cast.member
    read = ("vault.revealed", f, m)  # an addendum is the member's own text
    assert_events(mark, [("note.addendum.drafted", f, m), read, read,
                         ("note.addendum.added", f, m)])
    added = Addendum.objects.select_related("membership__user", "membership__circle").get()
    [text] = actions.addendum_texts([added], actor=cast.member, reason=WHY)
    assert "Dana" not in text and "Whitfield" not in text and "Mina home" in text
    with pytest.raises(DomainError, match="added and locked"):
        actions.do_remove_phrase(added, phrase="Mina", actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_draft_addendum(note, body="x", actor=cast.other_facilitator)
    assert dana.user.display_name == "Dana"


def test_a_draft_addendum_can_be_discarded_and_waits_for_its_flags(cast, held):
    meeting, _dana = held
    make_member(cast.circle, "hope@example.test", name="Hope", actor=cast.facilitator,
                full_name="Hope Adeyemi")
    actions.do_write_group_note(meeting, body="Mina spoke.", sections={},
                                actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    draft = actions.do_draft_addendum(note, body="Hope is what Mina named.",
                                      actor=cast.facilitator)
    with pytest.raises(DomainError, match="Decide every flagged word"):
        actions.do_add_addendum(draft, actor=cast.facilitator)
    mark = audit_mark()
    actions.do_discard_addendum(draft, actor=cast.facilitator)
    assert_events(mark, [("note.addendum.discarded", cast.facilitator, cast.member)])
    assert not Addendum.objects.exists()


def test_an_addendum_written_before_review_is_read_through_the_automatic_redaction(
        cast, held):
    meeting, _dana = held
    actions.do_write_group_note(meeting, body="Mina spoke.", sections={},
                                actor=cast.facilitator)
    note = progress_of(meeting, cast.membership)
    actions.do_sign_progress_note(note, actor=cast.facilitator)
    draft = actions.do_draft_addendum(note, body="Dana drove Mina home.",
                                      actor=cast.facilitator)
    # As rows written before review existed: added, with no reviewed text.
    Addendum.objects.filter(pk=draft.pk).update(added_at=timezone.now())
    old = Addendum.objects.select_related("membership__user", "membership__circle").get()
    assert actions.addendum_texts([old], actor=cast.member, reason=WHY) == [
        "another member drove Mina home."]


def test_notes_wait_for_the_meeting_and_need_a_body(cast):
    meeting = meetings.do_schedule_meetings(
        cast.circle, starts_at=timezone.now() + timedelta(hours=3), duration_minutes=60,
        recurrence="none", mode="online", actor=cast.facilitator).meetings.get()
    with pytest.raises(DomainError, match="after the meeting has begun"):
        actions.do_write_group_note(meeting, body="x", sections={}, actor=cast.facilitator)
