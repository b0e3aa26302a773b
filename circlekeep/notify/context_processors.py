"""The unread count beside the person's name, on every page."""

from functools import cached_property

from circlekeep.notify.access import unread_count


class UnreadNotifications:
    """Counts on first use, once per page: a page that never shows the header pays
    nothing, and a signed-out visitor never causes a query."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self._user)


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_badge": None}
    return {"notification_badge": UnreadNotifications(user)}
