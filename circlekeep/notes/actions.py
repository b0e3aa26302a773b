"""State changes for notes: the group note and sections, the review of each member's text
(flags decided, redactions undone, phrases removed by hand), signing, co-signing and
addenda."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.accounts.models import User
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.lib.actions import DomainError, action
from circlekeep.meetings.models import Attendance, Meeting
from circlekeep.notes import redaction
from circlekeep.notes.models import Addendum, CoSignature, GroupNote, ProgressNote
from circlekeep.training.access import check_may_lead

MAX_NOTE = 20000
MAX_PHRASE = 200
DECISIONS = ("remove", "keep")

Reviewed = ProgressNote | Addendum  # a text reviewed before a member reads it


def source_text(group_body, section):
    """What a member's progress note is made from: the group note, then their section."""
    section = (section or "").strip()
    return group_body.rstrip() + ("\n\n" + section if section else "") + "\n"


def person_of(user) -> redaction.Person:
    """The redactor's view of a person: every name, the e-mail address and the phone."""
    return redaction.Person(
        display_name=user.display_name, full_name=user.full_name,
        nicknames=tuple(n.strip() for n in user.other_names.split(",") if n.strip()),
        email=user.email, phone=user.phone)


def roster_for(membership):
    """(others, keep) for a text about ``membership``'s member: every other member of the
    circle (invited ones included: a name is a name), and the subject with the circle's
    facilitators, whose names stay."""
    from circlekeep.circles.models import Facilitation, Membership

    others = [person_of(m.user) for m in Membership.objects.filter(
        circle_id=membership.circle_id).exclude(pk=membership.pk).exclude(
        user_id=membership.user_id).select_related("user")]
    keep = [person_of(membership.user)] + [person_of(f.user) for f in Facilitation.objects
                                           .filter(circle_id=membership.circle_id)
                                           .select_related("user")]
    return others, keep


def _groups(added):
    """The hand-removed phrases' matches, one list per phrase (older rows: one per span)."""
    groups = []
    for entry in added or []:
        if isinstance(entry, dict):
            groups.append([tuple(span) for span in entry.get("spans", [])])
        else:
            groups.append([tuple(entry)])
    return groups


@dataclass
class Review:
    """A text about one member as the facilitator reviews it: the automatic spans, the
    corrections, and what the member will read."""

    source: str
    automatic: list
    kept: set = field(default_factory=set)
    decisions: dict = field(default_factory=dict)
    manual: list = field(default_factory=list)

    def removals(self):
        """What is removed: automatic removals not undone, flags not kept (a flag nobody
        decided is removed), ordinary words someone chose to remove, and hand-removed
        phrases where nothing else is removed already."""
        chosen = []
        for span in self.automatic:
            key = (span.start, span.end)
            decision = self.decisions.get(key)
            if ((span.status == redaction.REMOVED and key not in self.kept)
                    or (span.status == redaction.FLAGGED and decision != "keep")
                    or (span.status == redaction.ORDINARY and decision == "remove")):
                chosen.append(span)
        for group in self.manual:
            for start, end in group:
                if end <= len(self.source) and not any(
                        s.start < end and start < s.end for s in chosen):
                    chosen.append(redaction.Span(start, end))
        return sorted(chosen, key=lambda s: s.start)

    @property
    def unresolved(self):
        return [s for s in self.automatic if s.status == redaction.FLAGGED
                and (s.start, s.end) not in self.decisions]

    @property
    def text(self):
        return redaction.apply(self.source, self.removals())

    def segments(self, pending=()):
        """The source cut into pieces for the preview: plain text, and each span with what
        happens to it ("removed", "kept", "flagged", "ordinary", "manual", "pending")."""
        marks = []
        for span in self.automatic:
            key = (span.start, span.end)
            if span.status == redaction.REMOVED:
                state = "kept" if key in self.kept else "removed"
            else:
                state = span.status
            marks.append((span.start, span.end, state, span, None))
        for number, group in enumerate(self.manual):
            marks += [(s, e, "manual", None, number) for s, e in group]
        marks += [(s, e, "pending", None, None) for s, e in pending]
        segments, last = [], 0
        for start, end, state, span, group in sorted(marks, key=lambda m: (m[0], -m[1])):
            if start < last or end > len(self.source):
                continue
            segments.append({"kind": "text", "text": self.source[last:start]})
            segments.append({
                "kind": state, "text": self.source[start:end], "key": f"{start}-{end}",
                "decision": self.decisions.get((start, end), ""), "group": group,
                "reason": span.reason if span else "",
                "replacement": span.replacement if span else redaction.REPLACEMENT})
            last = end
        segments.append({"kind": "text", "text": self.source[last:]})
        return segments


def _source_of(item, *, actor, reason):
    """Reveal the text a progress note or an addendum is made from (each read recorded)."""
    if isinstance(item, Addendum):
        return vault.reveal(item, "body", actor=actor, reason=reason)
    body = vault.reveal(item.group_note, "body", actor=actor, reason=reason)
    section = vault.reveal(item, "section", actor=actor, reason=reason)
    return source_text(body, section)


def review_of(item: Reviewed, *, actor, reason) -> Review:
    """The review of a progress note or an addendum, its source revealed for ``reason``."""
    source = _source_of(item, actor=actor, reason=reason)
    others, keep = roster_for(item.membership)
    return Review(source=source, automatic=redaction.review(source, others, keep),
                  kept={tuple(s) for s in item.kept},
                  decisions={(s, e): d for s, e, d in item.resolutions},
                  manual=_groups(item.added))


def compose(progress_note, *, actor, reason):
    """(source, automatic spans, final spans, redacted text) of a progress note."""
    review = review_of(progress_note, actor=actor, reason=reason)
    return review.source, review.automatic, review.removals(), review.text


def addendum_texts(addenda, *, actor, reason):
    """What readers see of added addenda: the reviewed text, or for an addendum added
    before review existed, its text with every automatic removal and flag removed."""
    addenda = list(addenda)
    texts = vault.reveal_many(addenda, "redacted", actor=actor, reason=reason)
    result = []
    for addendum, text in zip(addenda, texts, strict=True):
        if not text:
            body = vault.reveal(addendum, "body", actor=actor, reason=reason)
            others, keep = roster_for(addendum.membership)
            text = redaction.apply(str(body), redaction.find_spans(str(body), others, keep))
        result.append(str(text))
    return result


def _check_body(text, field):
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise DomainError(_("Keep a note under %(max)d characters.") % {"max": MAX_NOTE},
                          field=field)
    return text


def _check_open(item):
    if isinstance(item, Addendum):
        if item.is_added:
            raise DomainError(_("This addendum is added and locked."))
    elif item.is_signed:
        raise DomainError(_("This note is signed and locked. Add an addendum instead."))


def _item_event(item, name, *, actor, data=None):
    membership = item.membership
    audit.record(name, actor=actor, target=item, circle=membership.circle,
                 subject=membership.user, data=data)


@action
def do_write_group_note(meeting: Meeting, *, body: str, sections: dict,
                        actor: User) -> GroupNote:
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
        # Offsets no longer hold after an edit.
        progress.kept, progress.added, progress.resolutions = [], [], []
        vault.seal(progress, "section", text)
        progress.save()
    audit.record("note.group.written", actor=actor, target=note, circle=meeting.circle,
                 data={"attendees": len(attendees), "rewrite": not created})
    return note


@action
def do_correct_redactions(item: Reviewed, *, keep: list, decisions: dict,
                          actor: User) -> Reviewed:
    """The facilitator's corrections to a progress note or a draft addendum: ``keep``
    lists the automatic removals to undo, as [start, end]; ``decisions`` maps a flagged
    or ordinary word's (start, end) to "remove" or "keep". Each decision is recorded."""
    check_may_manage_circle(actor, item.membership.circle)
    _check_open(item)
    review = review_of(item, actor=actor, reason=audit_reasons.code("notes.redaction.correct"))
    removable = {(s.start, s.end) for s in review.automatic
                 if s.status == redaction.REMOVED}
    decidable = {(s.start, s.end): s for s in review.automatic
                 if s.status != redaction.REMOVED}
    try:
        keep = sorted({(int(s), int(e)) for s, e in keep})
        decisions = {(int(s), int(e)): d for (s, e), d in decisions.items()}
    except (TypeError, ValueError):
        raise DomainError(_("Name each span by its start and end."), field="keep") from None
    if any(span not in removable for span in keep):
        raise DomainError(_("Only automatic redactions can be undone."), field="keep")
    if any(span not in decidable for span in decisions):
        raise DomainError(_("Only flagged words can be decided."), field="decisions")
    if any(d not in DECISIONS for d in decisions.values()):
        raise DomainError(_("Decide to remove or to keep."), field="decisions")
    changed = {k: d for k, d in decisions.items() if review.decisions.get(k) != d}
    undo_changed = set(keep) != review.kept
    if not changed and not undo_changed:
        return item
    merged = {**review.decisions, **changed}
    item.kept = [list(span) for span in keep]
    item.resolutions = [[s, e, d] for (s, e), d in sorted(merged.items())]
    item.save(update_fields=["kept", "resolutions"])
    if undo_changed:
        _item_event(item, "note.redaction.adjusted", actor=actor,
                    data={"undone": len(keep)})
    for (start, end), decision in sorted(changed.items()):
        _item_event(item, "note.flag.resolved", actor=actor, data={
            "start": start, "end": end, "decision": decision,
            "why": decidable[(start, end)].reason})
    return item


def phrase_matches(review, phrase):
    """Where a phrase occurs as whole words in the review's source (see
    redaction.matches_of_phrase), or a DomainError."""
    phrase = " ".join((phrase or "").split())
    if len(phrase) < 2:
        raise DomainError(_("Choose a phrase of at least two characters."),
                          field="phrase")
    if len(phrase) > MAX_PHRASE:
        raise DomainError(_("Keep the phrase under %(max)d characters.") % {"max": MAX_PHRASE},
                          field="phrase")
    matches = redaction.matches_of_phrase(review.source, phrase)
    if not matches:
        raise DomainError(_("That phrase is not in the text as a whole word or words."),
                          field="phrase")
    return matches


@action
def do_remove_phrase(item: Reviewed, *, phrase: str, actor: User) -> list:
    """Remove every whole-word occurrence of ``phrase`` (matching case when the phrase
    has capitals), as one group that can be restored. Returns the matches."""
    check_may_manage_circle(actor, item.membership.circle)
    _check_open(item)
    review = review_of(item, actor=actor, reason=audit_reasons.code("notes.redaction.correct"))
    matches = phrase_matches(review, phrase)
    item.added = [*item.added, {"spans": [list(m) for m in matches]}]
    item.save(update_fields=["added"])
    _item_event(item, "note.phrase.removed", actor=actor, data={"matches": len(matches)})
    return matches


@action
def do_restore_phrase(item: Reviewed, *, group: int, actor: User) -> Reviewed:
    """Undo one hand-removed phrase (every match of it)."""
    check_may_manage_circle(actor, item.membership.circle)
    _check_open(item)
    groups = list(item.added)
    if not isinstance(group, int) or not 0 <= group < len(groups):
        raise DomainError(_("There is no such removed phrase."), field="group")
    del groups[group]
    item.added = groups
    item.save(update_fields=["added"])
    _item_event(item, "note.phrase.restored", actor=actor, data={"group": group})
    return item


def _check_flags_decided(review):
    count = len(review.unresolved)
    if count:
        raise DomainError(_("Decide every flagged word first: %(count)d left. Each is "
                            "removed or kept.") % {"count": count})


@action
def do_sign_progress_note(progress_note: ProgressNote, *, actor: User) -> ProgressNote:
    """Sign a member's progress note as previewed: the redacted text is sealed into the
    member's record and the note is locked. Refused while a flag is undecided."""
    check_may_manage_circle(actor, progress_note.membership.circle)
    check_may_lead(actor, progress_note.membership.circle.organization)
    _check_open(progress_note)
    review = review_of(progress_note, actor=actor, reason=audit_reasons.code("notes.progress.sign"))
    _check_flags_decided(review)
    vault.seal(progress_note, "body", review.text)
    progress_note.signed_at = timezone.now()
    progress_note.signed_by = actor
    progress_note.save(update_fields=["body", "signed_at", "signed_by"])
    _item_event(progress_note, "note.progress.signed", actor=actor)
    return progress_note


@action
def do_cosign_progress_note(progress_note: ProgressNote, *, actor: User) -> CoSignature:
    """A second facilitator of the circle signs a signed note too."""
    check_may_manage_circle(actor, progress_note.membership.circle)
    check_may_lead(actor, progress_note.membership.circle.organization)
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
def do_draft_addendum(progress_note: ProgressNote, *, body: str, actor: User) -> Addendum:
    """Start an addendum to a signed note. It is previewed and corrected like the note,
    then added (``do_add_addendum``); until then the member sees nothing of it."""
    check_may_manage_circle(actor, progress_note.membership.circle)
    check_may_lead(actor, progress_note.membership.circle.organization)
    if not progress_note.is_signed:
        raise DomainError(_("Edit the note itself until it is signed."))
    body = _check_body(body, "body")
    if not body:
        raise DomainError(_("Write the addendum first."), field="body")
    addendum = Addendum(progress_note=progress_note, membership=progress_note.membership,
                        author=actor, created_at=timezone.now())
    vault.seal(addendum, "body", body)
    addendum.save()
    _item_event(addendum, "note.addendum.drafted", actor=actor)
    return addendum


@action
def do_add_addendum(addendum: Addendum, *, actor: User) -> Addendum:
    """Add a reviewed addendum to the member's record: its redacted text is sealed for
    readers and it is locked. Refused while a flag is undecided."""
    check_may_manage_circle(actor, addendum.membership.circle)
    check_may_lead(actor, addendum.membership.circle.organization)
    _check_open(addendum)
    review = review_of(addendum, actor=actor, reason=audit_reasons.code("notes.addendum.add"))
    _check_flags_decided(review)
    vault.seal(addendum, "redacted", review.text)
    addendum.added_at = timezone.now()
    addendum.save(update_fields=["redacted", "added_at"])
    _item_event(addendum, "note.addendum.added", actor=actor)
    return addendum


@action
def do_discard_addendum(addendum: Addendum, *, actor: User) -> None:
    """Throw away a draft addendum; an added one stays."""
    check_may_manage_circle(actor, addendum.membership.circle)
    _check_open(addendum)
    _item_event(addendum, "note.addendum.discarded", actor=actor)
    addendum.delete()
