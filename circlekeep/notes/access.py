"""Who may read which progress note: the member it is about, and the circle's staff."""

from django.db.models import Q
from django.http import Http404

from circlekeep.circles.access import circles_managed_by, own_memberships
from circlekeep.lib.ids import parse_public_id
from circlekeep.notes.models import ProgressNote


def progress_notes_visible_to(user):
    if not user.is_authenticated:
        return ProgressNote.objects.none()
    return ProgressNote.objects.filter(Q(membership__in=own_memberships(user))
                                       | Q(membership__circle__in=circles_managed_by(user)))


def access_progress_note(user, public_id) -> ProgressNote:
    try:
        return (progress_notes_visible_to(user).select_related(
            "group_note", "group_note__meeting", "membership", "membership__user",
            "membership__circle", "membership__circle__organization", "signed_by")
            .get(public_id=parse_public_id(public_id)))
    except ProgressNote.DoesNotExist:
        raise Http404 from None
