"""The unread count beside the person's name, on every page."""

from functools import cached_property, lru_cache

from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from circlekeep.notify.access import unread_count


class UnreadNotifications:
    """Counts on first use, once per page: a page that never shows the header pays
    nothing, and a signed-out visitor never causes a query."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self._user)

    @property
    def link(self):
        """The header's link to the list, with the count (said in Python: every page has
        it)."""
        return _link(self.unread, get_language())


@lru_cache(maxsize=256)
def _link(unread, language):
    from circlekeep.lib.addresses import address
    from circlekeep.lib.assets import icon

    label = ngettext("Notifications, %(count)d unread", "Notifications, %(count)d unread",
                     unread) % {"count": unread}
    return format_html(
        '<a class="notifications-link{}" href="{}" aria-label="{}">{}'
        '<span class="notifications-word">{}</span> <span class="count">({})</span></a>',
        " has-unread" if unread else "", address("notify:list"), label, icon("bell"),
        _("Notifications"), unread)


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notification_badge": None}
    return {"notification_badge": UnreadNotifications(user)}
