"""Note pages: writing the group note, previewing and signing each member's note, and a
member's own notes and record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.circles.access import access_membership, may_manage_circle
from circlekeep.lib.actions import DomainError
from circlekeep.lib.errors import forbidden
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.views import run_then_redirect
from circlekeep.meetings.access import access_meeting
from circlekeep.meetings.models import Attendance
from circlekeep.notes import actions
from circlekeep.notes.access import access_progress_note, progress_notes_visible_to
from circlekeep.notes.export import record_lines, record_pdf
from circlekeep.notes.forms import AddendumForm, GroupNoteForm
from circlekeep.notes.models import GroupNote


@login_required
def write(request, meeting_id):
    meeting = access_meeting(request.user, meeting_id)
    if not may_manage_circle(request.user, meeting.circle):
        return forbidden(request, _("Only the circle's facilitators write its notes."))
    attendees = [a.membership for a in Attendance.objects.filter(
        meeting=meeting, status__in=Attendance.ATTENDED).select_related(
        "membership__user").order_by("membership__user__display_name")]
    note = GroupNote.objects.filter(meeting=meeting).first()
    progress = list(note.progress_notes.select_related(
        "membership__user", "membership__circle")) if note else []
    initial = {}
    if note is not None and request.method == "GET":
        why = _("Facilitator editing the group note")
        initial["body"] = vault.reveal(note, "body", actor=request.user, reason=why)
        for item, text in zip(progress, vault.reveal_many(progress, "section",
                                                          actor=request.user, reason=why),
                              strict=True):
            initial[f"section_{item.membership.public_id}"] = text
    locked = any(p.is_signed for p in progress)
    form = GroupNoteForm(request.POST or None, attendees=attendees, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_write_group_note(meeting, body=form.cleaned_data["body"],
                                        sections=form.sections(), actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The notes are saved. Preview each member's note "
                                        "and sign it."))
            return redirect("notes:write", meeting_id=meeting.public_id)
    return render(request, "notes/write.html", {
        "meeting": meeting, "form": None if locked else form, "progress": progress,
        "attendees": attendees, "locked": locked,
    })


@login_required
def progress_note(request, progress_id):
    note = access_progress_note(request.user, progress_id)
    staff = may_manage_circle(request.user, note.membership.circle)
    if not staff:
        if not note.membership.circle.organization.members_read_notes:
            return forbidden(request, _("Your organization does not let members read their "
                                         "progress notes here. Ask your facilitator."))
        if not note.is_signed:
            return forbidden(request, _("This note is not signed yet."))
    context = {"note": note, "staff": staff, "addendum_form": AddendumForm()}
    addenda = list(note.addenda.select_related("author", "membership__user",
                                               "membership__circle"))
    if note.is_signed:
        why = (_("Member reading their own progress note") if not staff
               else _("Facilitator reading a signed progress note"))
        context["body"] = vault.reveal(note, "body", actor=request.user, reason=why)
        for addendum, text in zip(addenda, vault.reveal_many(addenda, "body",
                                                             actor=request.user, reason=why),
                                  strict=True):
            addendum.text = text
    else:
        source, automatic, spans, _text = actions.compose(
            note, actor=request.user, reason=_("Previewing a progress note before signing"))
        kept = {tuple(s) for s in note.kept}
        final = {(s.start, s.end) for s in spans}
        segments, last = [], 0
        marks = sorted({(s.start, s.end) for s in automatic} | final)
        for start, end in marks:
            segments.append(("text", source[last:start], None))
            state = "kept" if (start, end) in kept else "redacted"
            segments.append((state, source[start:end], f"{start}-{end}"))
            last = end
        segments.append(("text", source[last:], None))
        context.update(segments=segments, automatic=automatic,
                       redacted_count=len(final), kept=kept)
    context["addenda"] = addenda
    return render(request, "notes/progress_note.html", context)


def _staff_note(request, progress_id):
    note = access_progress_note(request.user, progress_id)
    if not may_manage_circle(request.user, note.membership.circle):
        return note, forbidden(request, _("Only the circle's facilitators do this."))
    return note, None


@login_required
@require_POST
def adjust(request, progress_id):
    note, refused = _staff_note(request, progress_id)
    if refused:
        return refused
    keep = []
    for value in request.POST.getlist("keep"):
        try:
            start, end = (int(part) for part in value.split("-"))
        except ValueError:
            continue
        keep.append([start, end])
    return run_then_redirect(
        request, lambda: actions.do_adjust_redactions(
            note, keep=keep, actor=request.user, add_phrase=request.POST.get("add_phrase", "")),
        _("The redactions are updated."), "notes:progress", progress_id=note.public_id)


@login_required
@require_POST
def sign(request, progress_id):
    note, refused = _staff_note(request, progress_id)
    if refused:
        return refused
    return run_then_redirect(
        request, lambda: actions.do_sign_progress_note(note, actor=request.user),
        _("Signed. The note is locked; later changes are addenda."), "notes:progress",
        progress_id=note.public_id)


@login_required
@require_POST
def cosign(request, progress_id):
    note, refused = _staff_note(request, progress_id)
    if refused:
        return refused
    return run_then_redirect(
        request, lambda: actions.do_cosign_progress_note(note, actor=request.user),
        _("Co-signed."), "notes:progress", progress_id=note.public_id)


@login_required
@require_POST
def addendum(request, progress_id):
    note, refused = _staff_note(request, progress_id)
    if refused:
        return refused
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the addendum first."))
        return redirect("notes:progress", progress_id=note.public_id)
    return run_then_redirect(
        request, lambda: actions.do_add_addendum(note, body=form.cleaned_data["body"],
                                                 actor=request.user),
        _("The addendum is added."), "notes:progress", progress_id=note.public_id)


@login_required
def mine(request):
    notes = list(progress_notes_visible_to(request.user).filter(
        membership__user=request.user, signed_at__isnull=False,
        membership__circle__organization__members_read_notes=True)
        .select_related("group_note__meeting", "membership__circle")
        .order_by("-group_note__meeting__starts_at"))
    memberships = {n.membership for n in notes}
    return render(request, "notes/mine.html", {"notes": notes, "memberships": memberships})


@login_required
def export(request, membership_id):
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    if not is_self and not may_manage_circle(request.user, membership.circle):
        return forbidden(request, _("Only the member and the circle's facilitators export "
                                     "this record."))
    why = (_("Member exporting their own record") if is_self
           else _("Facilitator exporting a member's record"))
    data = record_pdf(record_lines(membership, actor=request.user, reason=why))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-circle-record.pdf"'
    return response
