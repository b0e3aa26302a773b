"""State changes for notes: the group note and sections, redaction corrections, signing,
co-signing and addenda."""

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.lib.actions import DomainError, action
from circlekeep.meetings.models import Attendance
from circlekeep.notes import redaction
from circlekeep.notes.models import Addendum, CoSignature, GroupNote, ProgressNote

MAX_NOTE = 20000


def source_text(group_body, section):
    """What a member's progress note is made from: the group note, then their section."""
    section = (section or "").strip()
    return group_body.rstrip() + ("\n\n" + section if section else "") + "\n"


def roster_for(progress_note):
    """(others, keep): every other member of the circle, and the names to keep (the
    subject and the circle's facilitators), as the redactor's Persons."""
    from circlekeep.circles.models import Facilitation, Membership

    membership = progress_note.membership
    def person(user):
        return redaction.Person(
            display_name=user.display_name, full_name=user.full_name,
            nicknames=[n.strip() for n in user.other_names.split(",") if n.strip()],
            email=user.email, phone=user.phone)

    others = [person(m.user) for m in Membership.objects.filter(
        circle_id=membership.circle_id).exclude(pk=membership.pk).exclude(
        user_id=membership.user_id).exclude(status="invited").select_related("user")]
    keep = [person(membership.user)] + [person(f.user) for f in Facilitation.objects.filter(
        circle_id=membership.circle_id).select_related("user")]
    return others, keep


def final_spans(source, progress_note, others, keep):
    """The automatic redactions less the ones the facilitator undid, plus the ones they
    added."""
    kept = {tuple(span) for span in progress_note.kept}
    spans = [s for s in redaction.find_spans(source, others, keep)
             if (s.start, s.end) not in kept]
    taken = [(s.start, s.end) for s in spans]
    for start, end in progress_note.added:
        if end <= len(source) and not any(a < end and start < b for a, b in taken):
            spans.append(redaction.Span(start, end, "name", source[start:end]))
    return sorted(spans, key=lambda s: s.start)


def compose(progress_note, *, actor, reason):
    """Reveal the group note and the member's section (each read is recorded) and build
    the progress note: (source, automatic spans, final spans, redacted text)."""
    body = vault.reveal(progress_note.group_note, "body", actor=actor, reason=reason)
    section = vault.reveal(progress_note, "section", actor=actor, reason=reason)
    source = source_text(body, section)
    others, keep = roster_for(progress_note)
    automatic = redaction.find_spans(source, others, keep)
    spans = final_spans(source, progress_note, others, keep)
    return source, automatic, spans, redaction.apply(source, spans)


def _check_body(text, field):
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise DomainError(_("Keep a note under %(max)d characters.") % {"max": MAX_NOTE},
                          field=field)
    return text


@action
def do_write_group_note(meeting, *, body, sections, actor):
    """Write (or rewrite, until a progress note is signed) the group note and a section
    for each attendee. ``sections`` maps a membership to its text."""
    check_may_manage_circle(actor, meeting.circle)
    if meeting.starts_at > timezone.now():
        raise DomainError(_("Notes are written after the meeting has begun."))
    body = _check_body(body, "body")
    if not body:
        raise DomainError(_("Write the group note: themes, interventions, the circle's "
                            "process."), field="body")
    attendees = {a.membership_id: a.membership for a in Attendance.objects.filter(
        meeting=meeting, status__in=Attendance.ATTENDED).select_related(
        "membership__user", "membership__circle")}
    for membership in sections:
        if membership.pk not in attendees:
            raise DomainError(_("Sections are written only for members who attended."),
                              field="sections")
    note = GroupNote.objects.filter(meeting=meeting).first()
    now = timezone.now()
    if note is not None and note.progress_notes.filter(signed_at__isnull=False).exists():
        raise DomainError(_("Progress notes from this group note are signed, so it is "
                            "locked. Add an addendum to a member's note instead."))
    created = note is None
    if created:
        note = GroupNote(meeting=meeting, circle=meeting.circle, author=actor,
                         created_at=now, updated_at=now)
    note.updated_at = now
    vault.seal(note, "body", body)
    note.save()
    existing = {p.membership_id: p for p in note.progress_notes.all()} if not created else {}
    for membership_id, membership in attendees.items():
        text = _check_body(sections.get(membership, ""), "sections")
        progress = existing.get(membership_id) or ProgressNote(group_note=note,
                                                               membership=membership)
        progress.kept, progress.added = [], []  # offsets no longer hold after an edit
        vault.seal(progress, "section", text)
        progress.save()
    audit.record("note.group.written", actor=actor, target=note, circle=meeting.circle,
                 data={"attendees": len(attendees), "rewrite": not created})
    return note


def _check_unsigned(progress_note):
    if progress_note.is_signed:
        raise DomainError(_("This note is signed and locked. Add an addendum instead."))


@action
def do_adjust_redactions(progress_note, *, keep, add_phrase, actor):
    """The facilitator's corrections: ``keep`` lists automatic redactions to undo (as
    [start, end]); every occurrence of ``add_phrase`` is removed as well."""
    check_may_manage_circle(actor, progress_note.membership.circle)
    _check_unsigned(progress_note)
    source, automatic, _spans, _text = compose(progress_note, actor=actor,
                                               reason=_("Correcting a progress note's "
                                                        "redactions"))
    automatic = {(s.start, s.end) for s in automatic}
    if any(tuple(span) not in automatic for span in keep):
        raise DomainError(_("Only automatic redactions can be undone."), field="keep")
    keep = [[int(s), int(e)] for s, e in keep]
    added = list(progress_note.added)
    phrase = (add_phrase or "").strip()
    if phrase:
        if len(phrase) < 2:
            raise DomainError(_("Choose a phrase of at least two characters."),
                              field="add_phrase")
        lowered, start = source.lower(), 0
        found = False
        while (index := lowered.find(phrase.lower(), start)) != -1:
            added.append([index, index + len(phrase)])
            start, found = index + len(phrase), True
        if not found:
            raise DomainError(_("That phrase is not in the note."), field="add_phrase")
    progress_note.kept, progress_note.added = keep, added
    progress_note.save(update_fields=["kept", "added"])
    audit.record("note.redaction.adjusted", actor=actor, target=progress_note,
                 circle=progress_note.membership.circle, subject=progress_note.membership.user,
                 data={"undone": len(keep), "added": len(added)})
    return progress_note


@action
def do_sign_progress_note(progress_note, *, actor):
    """Sign a member's progress note as previewed: the redacted text is sealed into the
    member's record and the note is locked."""
    check_may_manage_circle(actor, progress_note.membership.circle)
    _check_unsigned(progress_note)
    _source, _automatic, _spans, text = compose(progress_note, actor=actor,
                                                reason=_("Signing a progress note"))
    vault.seal(progress_note, "body", text)
    progress_note.signed_at = timezone.now()
    progress_note.signed_by = actor
    progress_note.save(update_fields=["body", "signed_at", "signed_by"])
    audit.record("note.progress.signed", actor=actor, target=progress_note,
                 circle=progress_note.membership.circle, subject=progress_note.membership.user)
    return progress_note


@action
def do_cosign_progress_note(progress_note, *, actor):
    check_may_manage_circle(actor, progress_note.membership.circle)
    if not progress_note.is_signed:
        raise DomainError(_("A note is co-signed after it is signed."))
    if progress_note.signed_by_id == actor.pk or CoSignature.objects.filter(
            progress_note=progress_note, user=actor).exists():
        raise DomainError(_("You have already signed this note."))
    cosignature = CoSignature.objects.create(progress_note=progress_note, user=actor,
                                             signed_at=timezone.now())
    audit.record("note.progress.cosigned", actor=actor, target=cosignature,
                 circle=progress_note.membership.circle, subject=progress_note.membership.user)
    return cosignature


@action
def do_add_addendum(progress_note, *, body, actor):
    check_may_manage_circle(actor, progress_note.membership.circle)
    if not progress_note.is_signed:
        raise DomainError(_("Edit the note itself until it is signed."))
    body = _check_body(body, "body")
    if not body:
        raise DomainError(_("Write the addendum first."), field="body")
    addendum = Addendum(progress_note=progress_note, membership=progress_note.membership,
                        author=actor, created_at=timezone.now())
    vault.seal(addendum, "body", body)
    addendum.save()
    audit.record("note.addendum.added", actor=actor, target=addendum,
                 circle=progress_note.membership.circle, subject=progress_note.membership.user)
    return addendum
