"""Note pages: writing the group note, reviewing and signing each member's note and each
addendum, and a member's own notes and record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.accounts.actions import (
    FORM_DRAFT_MAX_CHARACTERS,
    do_discard_form_drafts,
    do_keep_form_draft,
    do_restore_form_draft,
    typed_fields,
)
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_membership, may_manage_circle, own_memberships
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.views import run_then_redirect
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
from circlekeep.notes.forms import AddendumForm, GroupNoteForm, PhraseForm, review_corrections
from circlekeep.notes.models import GroupNote

PREVIEW_REASON = audit_reasons.code("notes.preview")


@login_required
def write(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    if not may_manage_circle(request.user, meeting.circle):
        raise ActionForbidden(_("Only the circle's facilitators write its notes."))
    attendees = [a.membership for a in Attendance.objects.filter(
        meeting=meeting, status__in=Attendance.ATTENDED).select_related(
        "membership__user").order_by("membership__user__display_name")]
    note = GroupNote.objects.filter(meeting=meeting).first()
    progress = list(note.progress_notes.select_related(
        "membership__user", "membership__circle")) if note else []
    initial = {}
    if note is not None and request.method == "GET":
        why = audit_reasons.code("notes.group.edit")
        initial["body"] = vault.reveal(note, "body", actor=request.user, reason=why)
        for item, text in zip(progress, vault.reveal_many(progress, "section",
                                                          actor=request.user, reason=why),
                              strict=True):
            initial[f"section_{item.membership.public_id}"] = text
    locked = any(p.is_signed for p in progress)
    kept = {}
    if request.method == "GET" and not locked:
        # What autosave kept since the last save, sealed: newer than the saved note.
        kept = do_restore_form_draft(request.user, path=request.path) or {}
        if kept:
            initial.update({name: values[0] for name, values in kept.items() if values})
            messages.info(request, _("Your unsaved notes were kept and are back in the "
                                     "form. Save them when you are ready."))
    form = GroupNoteForm(request.POST or None, attendees=attendees, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_write_group_note(meeting, body=form.cleaned_data["body"],
                                        sections=form.sections(), actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            do_discard_form_drafts(request.user, path=request.path)
            messages.success(request, _("The notes are saved. Preview each member's note "
                                        "and sign it."))
            return redirect("notes:write", meeting_id=meeting.public_id)
    return render(request, "notes/write.html", {
        "meeting": meeting, "form": None if locked else form, "progress": progress,
        "attendees": attendees, "locked": locked,
        "kept": request.method == "GET" and not locked and bool(kept),
    })


@login_required
@require_POST
def autosave(request, meeting_id):
    """Keep what a facilitator is typing into a meeting's notes, sealed by the vault, so
    that a closed tab or a lost connection loses nothing; the notes page puts it back.
    Never in the browser's storage."""
    meeting = access_meeting(request.user, meeting_id)
    if not may_manage_circle(request.user, meeting.circle):
        raise ActionForbidden(_("Only the circle's facilitators write its notes."))
    page = reverse("notes:write", kwargs={"meeting_id": meeting.public_id})
    typed = sum(len(value) for name in request.POST for value in request.POST.getlist(name))
    if typed > FORM_DRAFT_MAX_CHARACTERS:
        # Said, not silently dropped: the page tells the facilitator to save the notes.
        return HttpResponse(_("Too long to keep as a draft: save the notes now."),
                            status=413, content_type="text/plain; charset=utf-8")
    do_keep_form_draft(request.user, path=page, fields=typed_fields(request.POST))
    return HttpResponse(status=204)


def _review_context(request, item, kind, *, phrase="", pending=()):
    review = actions.review_of(item, actor=request.user, reason=PREVIEW_REASON)
    segments = review.segments(pending)
    manual = []
    for number, group in enumerate(review.manual):
        if group:
            start, end = group[0]
            manual.append({"number": number, "text": review.source[start:end],
                           "count": len(group)})
    return {
        "kind": kind, "item": item, "segments": segments, "manual": manual,
        "removed_count": len(review.removals()), "unresolved": len(review.unresolved),
        "phrase": phrase, "pending": len(pending), "phrase_form": PhraseForm(
            initial={"phrase": phrase}),
    }


@login_required
def progress_note(request, progress_id):
    note = access_progress_note(request.user, progress_id)
    staff = may_manage_circle(request.user, note.membership.circle)
    if not note.is_signed:
        if not staff:
            raise ActionForbidden(_("This note is not signed yet."))
        return render(request, "notes/progress_note.html", {
            "note": note, "staff": True, **_review_context(request, note, "progress")})
    check_may_read_progress_note(request.user, note)
    why = (audit_reasons.code("notes.progress.read") if staff
           else audit_reasons.code("notes.progress.own"))
    addenda = list(note.addenda.filter(added_at__isnull=False).select_related(
        "author", "membership__user", "membership__circle"))
    for addendum, text in zip(addenda, actions.addendum_texts(addenda, actor=request.user,
                                                              reason=why), strict=True):
        addendum.text = text
    return render(request, "notes/progress_note.html", {
        "note": note, "staff": staff, "addenda": addenda, "addendum_form": AddendumForm(),
        "body": vault.reveal(note, "body", actor=request.user, reason=why),
        "drafts": list(note.addenda.filter(added_at__isnull=True)) if staff else [],
    })


@login_required
def addendum_review(request, addendum_id):
    addendum = access_addendum(request.user, addendum_id)
    if addendum.is_added:
        return redirect("notes:progress", progress_id=addendum.progress_note.public_id)
    return render(request, "notes/addendum_review.html",
                  _review_context(request, addendum, "addenda"))


def _item(request, kind, item_id):
    if kind == "progress":
        return access_managed_progress_note(request.user, item_id)
    return access_addendum(request.user, item_id)


def _back(kind, item):
    if kind == "progress":
        return "notes:progress", {"progress_id": item.public_id}
    return "notes:addendum-review", {"addendum_id": item.public_id}


@login_required
@require_POST
def adjust(request, kind, item_id):
    item = _item(request, kind, item_id)
    keep, decisions = review_corrections(request.POST)
    to, kwargs = _back(kind, item)
    return run_then_redirect(
        request, lambda: actions.do_correct_redactions(item, keep=keep, decisions=decisions,
                                                       actor=request.user),
        _("The redactions are updated."), to, **kwargs)


@login_required
@require_POST
def phrase_preview(request, kind, item_id):
    """Every match of a phrase, highlighted before anything is removed. A POST, so that
    the phrase (often a name) never enters a URL; nothing is changed."""
    item = _item(request, kind, item_id)
    form = PhraseForm(request.POST)
    phrase = form.data.get("phrase", "") if form.is_valid() else ""
    pending = []
    try:
        review = actions.review_of(item, actor=request.user, reason=PREVIEW_REASON)
        pending = actions.phrase_matches(review, phrase)
    except DomainError as error:
        messages.error(request, error.message)
        phrase = ""
    template = ("notes/progress_note.html" if kind == "progress"
                else "notes/addendum_review.html")
    context = _review_context(request, item, kind, phrase=phrase, pending=pending)
    return render(request, template, {"note": item, "staff": True, **context})


@login_required
@require_POST
def phrase_add(request, kind, item_id):
    item = _item(request, kind, item_id)
    to, kwargs = _back(kind, item)
    return run_then_redirect(
        request, lambda: actions.do_remove_phrase(item, phrase=request.POST.get("phrase", ""),
                                                  actor=request.user),
        _("Every match of the phrase is removed. You can restore it below."), to, **kwargs)


@login_required
@require_POST
def phrase_restore(request, kind, item_id, group):
    item = _item(request, kind, item_id)
    to, kwargs = _back(kind, item)
    return run_then_redirect(
        request, lambda: actions.do_restore_phrase(item, group=group, actor=request.user),
        _("The phrase is restored."), to, **kwargs)


@login_required
@require_POST
def sign(request, progress_id):
    note = access_managed_progress_note(request.user, progress_id)
    return run_then_redirect(
        request, lambda: actions.do_sign_progress_note(note, actor=request.user),
        _("Signed. The note is locked; later changes are addenda."), "notes:progress",
        progress_id=note.public_id)


@login_required
@require_POST
def cosign(request, progress_id):
    note = access_managed_progress_note(request.user, progress_id)
    return run_then_redirect(
        request, lambda: actions.do_cosign_progress_note(note, actor=request.user),
        _("Co-signed."), "notes:progress", progress_id=note.public_id)


@login_required
@require_POST
def addendum(request, progress_id):
    note = access_managed_progress_note(request.user, progress_id)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the addendum first."))
        return redirect("notes:progress", progress_id=note.public_id)
    try:
        draft = actions.do_draft_addendum(note, body=form.cleaned_data["body"],
                                          actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("notes:progress", progress_id=note.public_id)
    messages.success(request, _("Review the addendum: other members are removed before "
                                "it is added."))
    return redirect("notes:addendum-review", addendum_id=draft.public_id)


@login_required
@require_POST
def addendum_add(request, addendum_id):
    addendum = access_addendum(request.user, addendum_id)
    try:
        actions.do_add_addendum(addendum, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("notes:addendum-review", addendum_id=addendum.public_id)
    messages.success(request, _("The addendum is added."))
    return redirect("notes:progress", progress_id=addendum.progress_note.public_id)


@login_required
@require_POST
def addendum_discard(request, addendum_id):
    addendum = access_addendum(request.user, addendum_id)
    return run_then_redirect(
        request, lambda: actions.do_discard_addendum(addendum, actor=request.user),
        _("The draft addendum is discarded."), "notes:progress",
        progress_id=addendum.progress_note.public_id)


@login_required
def mine(request):
    notes = list(progress_notes_readable_by(request.user).filter(membership__user=request.user)
                 .select_related("group_note__meeting", "membership__circle")
                 .order_by("-group_note__meeting__starts_at"))
    memberships = own_memberships(request.user).accepted().select_related("circle")
    return render(request, "notes/mine.html", {"notes": notes, "memberships": memberships})


@login_required
def export(request, membership_id):
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    if not is_self and not may_manage_circle(request.user, membership.circle):
        raise ActionForbidden(_("Only the member and the circle's facilitators export "
                                     "this record."))
    why = (audit_reasons.code("notes.record.export.own") if is_self
           else audit_reasons.code("notes.record.export.staff"))
    data = record_pdf(record_lines(membership, actor=request.user, reason=why))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-circle-record.pdf"'
    return response
