"""Who may see which notification: only the person it is for."""

from django.http import Http404

from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.prepared import PreparedQuery
from circlekeep.notify.models import Notification


def notifications_visible_to(user):
    """A person's own notifications, newest first; nobody sees anyone else's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).select_related("organization")


def access_notification(user, public_id, *, for_update=False) -> Notification:
    """One of the user's own notifications; 404 for missing and not-yours alike."""
    rows = notifications_visible_to(user)
    if for_update:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(public_id=parse_public_id(public_id))
    except Notification.DoesNotExist:
        raise Http404 from None


def _unread_query(user_id):
    return Notification.objects.filter(recipient_id=user_id, read_at=None).values_list(
        "pk").order_by()


# Every signed-in page asks; compiled once per process (lib/prepared.py).
UNREAD = PreparedQuery(_unread_query)


def unread_count(user) -> int:
    """How many of the user's notifications are unread (one query; none when signed out)."""
    if not user.is_authenticated:
        return 0
    return UNREAD.count(user.pk)
