"""Who may see which progress note and addendum, and who may read a note's text."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from circlekeep.circles.access import circles_managed_by, may_manage_circle, own_memberships
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.notes.models import Addendum, ProgressNote

RELATED = ("group_note", "group_note__meeting", "membership", "membership__user",
           "membership__circle", "membership__circle__organization", "signed_by")


def progress_notes_visible_to(user):
    """Notes whose existence the user may know of: their own, and every note of the
    circles they run. Seeing that a note exists is not reading it (see below)."""
    if not user.is_authenticated:
        return ProgressNote.objects.none()
    return ProgressNote.objects.filter(Q(membership__in=own_memberships(user))
                                       | Q(membership__circle__in=circles_managed_by(user)))


def progress_notes_readable_by(user):
    """The one rule for reading a progress note's text, used by the note's page, the
    API and the record PDF alike.

    Only signed notes are read (before signing, the circle's staff preview the draft,
    which is managing the circle, not reading the record). The circle's facilitators and
    the organization's admins read every signed note of their circles. A member reads
    their own signed notes only where their organization lets members read their notes
    here ("Members may read their own progress notes"): some organizations release
    clinical notes only through a clinician. Where it does not, a member who asks for a
    copy under their legal right of access gets it from a facilitator, who exports the
    record with the notes; the member's own export says so. Nobody else reads a note.
    """
    if not user.is_authenticated:
        return ProgressNote.objects.none()
    return ProgressNote.objects.filter(signed_at__isnull=False).filter(
        Q(membership__circle__in=circles_managed_by(user))
        | Q(membership__in=own_memberships(user),
            membership__circle__organization__members_read_notes=True))


def check_may_read_progress_note(user, note):
    """403, with the reason, unless ``progress_notes_readable_by`` lets the user read the
    (visible) note."""
    if progress_notes_readable_by(user).filter(pk=note.pk).exists():
        return
    if not note.is_signed:
        raise ActionForbidden(_("This note is not signed yet."))
    raise ActionForbidden(_("Your organization does not let members read their progress "
                            "notes here. Ask your facilitator for a copy."))


def access_progress_note(user, public_id) -> ProgressNote:
    """A note the user may know of; 404 for missing and not-yours alike."""
    try:
        return (progress_notes_visible_to(user).select_related(*RELATED)
                .get(public_id=parse_public_id(public_id)))
    except ProgressNote.DoesNotExist:
        raise Http404 from None


def access_managed_progress_note(user, public_id) -> ProgressNote:
    """A note of a circle the user runs: 404 if invisible, 403 for its member."""
    note = access_progress_note(user, public_id)
    if not may_manage_circle(user, note.membership.circle):
        raise ActionForbidden(_("Only the circle's facilitators do this."))
    return note


def addenda_visible_to(user):
    """Added addenda of the notes the user may read, and every addendum (drafts too) of
    the circles the user runs. A member never learns of a draft."""
    if not user.is_authenticated:
        return Addendum.objects.none()
    return Addendum.objects.filter(
        Q(progress_note__in=progress_notes_readable_by(user), added_at__isnull=False)
        | Q(membership__circle__in=circles_managed_by(user)))


def access_addendum(user, public_id) -> Addendum:
    """An addendum of a circle the user runs: 404 if invisible, 403 for its member."""
    try:
        addendum = (addenda_visible_to(user).select_related(
            "progress_note", "membership", "membership__user", "membership__circle",
            "membership__circle__organization", "author")
            .get(public_id=parse_public_id(public_id)))
    except Addendum.DoesNotExist:
        raise Http404 from None
    if not may_manage_circle(user, addendum.membership.circle):
        raise ActionForbidden(_("Only the circle's facilitators do this."))
    return addendum
