"""API endpoints for notes: the same actions and rules as the pages — writing the group
note, reviewing each member's note and each addendum (flags, undone removals, phrases
removed by hand), signing, co-signing, addenda, reading and the record export."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_membership, may_manage_circle
from circlekeep.lib.actions import ActionForbidden
from circlekeep.meetings.access import access_meeting
from circlekeep.meetings.models import Attendance
from circlekeep.notes import actions
from circlekeep.notes.access import (
    access_addendum,
    access_managed_progress_note,
    access_progress_note,
    check_may_read_progress_note,
    progress_notes_readable_by,
)
from circlekeep.notes.export import record_lines, record_pdf
from circlekeep.notes.models import GroupNote

router = Router(tags=["notes"])


class AddendumOut(Schema):
    id: UUID
    added_at: datetime
    author: str
    text: str


class NoteOut(Schema):
    id: UUID
    meeting_starts_at: datetime
    signed_at: datetime | None
    body: str
    addenda: list[AddendumOut] = []


class SectionOut(Schema):
    membership_id: UUID
    progress_note_id: UUID
    display_name: str
    signed: bool
    text: str


class GroupNoteOut(Schema):
    id: UUID | None
    body: str
    sections: list[SectionOut]


class GroupNoteIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"body": "Themes: sleep and routines. The group agreed to revisit the check-in format.",
         "sections": {}}]})

    body: str
    sections: dict[str, str] = {}


class SegmentOut(Schema):
    kind: str
    start: int
    end: int
    text: str
    reason: str = ""
    decision: str = ""
    group: int | None = None


class ReviewOut(Schema):
    id: UUID
    signed_or_added: bool
    removed: int
    flags_to_decide: int
    preview: str
    segments: list[SegmentOut]


class RedactionDecisionIn(Schema):
    start: int
    end: int
    decision: Literal["remove", "keep"]


class CorrectionsIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"keep": [[12, 16]], "decisions": [{"start": 40, "end": 44, "decision": "remove"}]}]})

    keep: list[tuple[int, int]] = []
    decisions: list[RedactionDecisionIn] = []


class PhraseIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"phrase": "the bakery on Fifth"}]})

    phrase: str


class MatchesOut(Schema):
    matches: list[tuple[int, int]]


class AddendumIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"body": "Correction: the follow-up call is on Friday, not Thursday."}]})

    body: str


class CreatedOut(Schema):
    id: UUID


def _addenda_out(note, user, reason):
    addenda = list(note.addenda.filter(added_at__isnull=False).select_related(
        "author", "membership__user", "membership__circle"))
    texts = actions.addendum_texts(addenda, actor=user, reason=reason)
    return [{"id": a.public_id, "added_at": a.added_at, "author": a.author.display_name,
             "text": t} for a, t in zip(addenda, texts, strict=True)]


def note_to_dict(note, body, addenda=()):
    return {"id": note.public_id, "meeting_starts_at": note.group_note.meeting.starts_at,
            "signed_at": note.signed_at, "body": str(body), "addenda": list(addenda)}


@router.get("/me/progress-notes", response=list[NoteOut])
def my_notes(request):
    """The signed-in member's own progress notes that the reading rule lets them read."""
    notes = list(progress_notes_readable_by(request.user).filter(membership__user=request.user)
                 .select_related("group_note__meeting", "membership__user",
                                 "membership__circle"))
    why = audit_reasons.code("notes.progress.own.api")
    bodies = vault.reveal_many(notes, "body", actor=request.user, reason=why)
    return [note_to_dict(n, b, _addenda_out(n, request.user, why))
            for n, b in zip(notes, bodies, strict=True)]


@router.get("/progress-notes/{note_id}", response=NoteOut)
def get_note(request, note_id: str):
    note = access_progress_note(request.user, note_id)
    check_may_read_progress_note(request.user, note)
    why = audit_reasons.code("notes.progress.read.api")
    body = vault.reveal(note, "body", actor=request.user, reason=why)
    return note_to_dict(note, body, _addenda_out(note, request.user, why))


def _group_note_out(request, meeting):
    attendees = [a.membership for a in Attendance.objects.filter(
        meeting=meeting, status__in=Attendance.ATTENDED).select_related("membership__user")]
    note = GroupNote.objects.filter(meeting=meeting).first()
    if note is None:
        return {"id": None, "body": "", "sections": []}
    why = audit_reasons.code("notes.group.read.api")
    progress = list(note.progress_notes.select_related("membership__user",
                                                       "membership__circle"))
    texts = vault.reveal_many(progress, "section", actor=request.user, reason=why)
    present = {m.pk for m in attendees}
    return {"id": note.public_id,
            "body": str(vault.reveal(note, "body", actor=request.user, reason=why)),
            "sections": [{"membership_id": p.membership.public_id,
                          "progress_note_id": p.public_id,
                          "display_name": p.membership.user.display_name,
                          "signed": p.is_signed, "text": str(t)}
                         for p, t in zip(progress, texts, strict=True)
                         if p.membership_id in present]}


def _managed_meeting(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    if not may_manage_circle(request.user, meeting.circle):
        raise ActionForbidden(_("Only the circle's facilitators write its notes."))
    return meeting


@router.get("/meetings/{meeting_id}/notes", response=GroupNoteOut)
def get_group_note(request, meeting_id: str):
    """The group note and each attendee's section, for the circle's staff."""
    return _group_note_out(request, _managed_meeting(request, meeting_id))


@router.put("/meetings/{meeting_id}/notes", response=GroupNoteOut)
def write_group_note(request, meeting_id: str, payload: GroupNoteIn):
    """Write the group note and the sections, keyed by membership id."""
    meeting = _managed_meeting(request, meeting_id)
    sections = {}
    for membership_id, text in payload.sections.items():
        membership = access_membership(request.user, membership_id)
        if membership.circle_id != meeting.circle_id:
            raise Http404
        sections[membership] = text
    actions.do_write_group_note(meeting, body=payload.body, sections=sections,
                                actor=request.user)
    return _group_note_out(request, meeting)


def _review_out(request, item):
    review = actions.review_of(item, actor=request.user,
                               reason=audit_reasons.code("notes.preview.api"))
    segments, position = [], 0
    for segment in review.segments():
        length = len(segment["text"])
        if segment["kind"] != "text":
            segments.append({"kind": segment["kind"], "start": position,
                             "end": position + length, "text": segment["text"],
                             "reason": segment["reason"], "decision": segment["decision"],
                             "group": segment["group"]})
        position += length
    done = item.is_signed if hasattr(item, "is_signed") else item.is_added
    return {"id": item.public_id, "signed_or_added": done,
            "removed": len(review.removals()), "flags_to_decide": len(review.unresolved),
            "preview": review.text, "segments": segments}


REVIEWED = {
    "progress-notes": access_managed_progress_note,
    "addenda": access_addendum,
}


def _register_review(prefix, access):
    """The review endpoints for one kind of reviewed text (a progress note before it is
    signed, an addendum before it is added)."""
    noun = prefix.replace("-", "_")

    @router.get(f"/{prefix}/{{item_id}}/review", response=ReviewOut,
                operation_id=f"review_{noun}")
    def review(request, item_id: str):
        """What the member will read, each span marked: removed, kept, flagged,
        ordinary (a name read as an everyday word) or removed by hand."""
        return _review_out(request, access(request.user, item_id))

    @router.post(f"/{prefix}/{{item_id}}/redactions", response=ReviewOut,
                 operation_id=f"correct_{noun}")
    def correct(request, item_id: str, payload: CorrectionsIn):
        """Undo automatic removals (``keep``) and decide flagged words."""
        item = access(request.user, item_id)
        actions.do_correct_redactions(
            item, keep=[list(span) for span in payload.keep],
            decisions={(d.start, d.end): d.decision for d in payload.decisions},
            actor=request.user)
        return _review_out(request, item)

    @router.post(f"/{prefix}/{{item_id}}/phrases/preview", response=MatchesOut,
                 operation_id=f"preview_phrase_{noun}")
    def preview_phrase(request, item_id: str, payload: PhraseIn):
        """Every whole-word match of a phrase; nothing is changed."""
        item = access(request.user, item_id)
        review = actions.review_of(item, actor=request.user,
                                   reason=audit_reasons.code("notes.preview.api"))
        return {"matches": actions.phrase_matches(review, payload.phrase)}

    @router.post(f"/{prefix}/{{item_id}}/phrases", response={201: MatchesOut},
                 operation_id=f"remove_phrase_{noun}")
    def remove_phrase(request, item_id: str, payload: PhraseIn):
        item = access(request.user, item_id)
        matches = actions.do_remove_phrase(item, phrase=payload.phrase, actor=request.user)
        return Status(201, {"matches": matches})

    @router.post(f"/{prefix}/{{item_id}}/phrases/{{group}}/restore", response={204: None},
                 operation_id=f"restore_phrase_{noun}")
    def restore_phrase(request, item_id: str, group: int):
        item = access(request.user, item_id)
        actions.do_restore_phrase(item, group=group, actor=request.user)
        return Status(204, None)


for _prefix, _access in REVIEWED.items():
    _register_review(_prefix, _access)


@router.post("/progress-notes/{note_id}/sign", response=NoteOut)
def sign(request, note_id: str):
    note = access_managed_progress_note(request.user, note_id)
    actions.do_sign_progress_note(note, actor=request.user)
    body = vault.reveal(note, "body", actor=request.user,
                        reason=audit_reasons.code("notes.progress.read.api"))
    return note_to_dict(note, body)


@router.post("/progress-notes/{note_id}/cosign", response={204: None})
def cosign(request, note_id: str):
    note = access_managed_progress_note(request.user, note_id)
    actions.do_cosign_progress_note(note, actor=request.user)
    return Status(204, None)


@router.post("/progress-notes/{note_id}/addenda", response={201: CreatedOut})
def draft_addendum(request, note_id: str, payload: AddendumIn):
    """A draft addendum, to review (``/addenda/{id}/review``) and then add."""
    note = access_managed_progress_note(request.user, note_id)
    addendum = actions.do_draft_addendum(note, body=payload.body, actor=request.user)
    return Status(201, {"id": addendum.public_id})


@router.post("/addenda/{addendum_id}/add", response=ReviewOut)
def add_addendum(request, addendum_id: str):
    addendum = access_addendum(request.user, addendum_id)
    actions.do_add_addendum(addendum, actor=request.user)
    return _review_out(request, addendum)


@router.post("/addenda/{addendum_id}/discard", response={204: None})
def discard_addendum(request, addendum_id: str):
    addendum = access_addendum(request.user, addendum_id)
    actions.do_discard_addendum(addendum, actor=request.user)
    return Status(204, None)


@router.get("/memberships/{membership_id}/record.pdf")
def export_record(request, membership_id: str):
    """The member's record as a PDF, for the member and the circle's staff."""
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    if not is_self and not may_manage_circle(request.user, membership.circle):
        raise ActionForbidden(_("Only the member and the circle's facilitators export this "
                                "record."))
    why = (audit_reasons.code("notes.record.export.own.api") if is_self
           else audit_reasons.code("notes.record.export.staff.api"))
    response = HttpResponse(record_pdf(record_lines(membership, actor=request.user,
                                                    reason=why)),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-circle-record.pdf"'
    return response
