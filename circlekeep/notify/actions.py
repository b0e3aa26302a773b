"""State changes for notifications: telling people (from inside other actions), marking
read, and choosing which kinds also come by e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action, current_action
from circlekeep.notify.models import EmailPreference, Notification
from circlekeep.notify.tasks import send_notification_emails

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.orgs.models import Organization


def notify(kind: str, recipients: Iterable[User], *, organization: Organization, link: str,
           created_at: datetime | None = None) -> list[Notification]:
    """Tell each recipient (once, however often listed) that ``kind`` happened, inside the
    calling action's transaction: the rows roll back with it, and the e-mails are handed to
    the task queue only once it commits, so a refused or failed action e-mails nobody.

    ``link`` is a path built from public ids. ``created_at`` lets a caller that must not
    tell the moment of what happened (an anonymous concern) give the day instead. Accounts
    that are not active (an invitation never accepted) get nothing.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if current_action() is None:
        raise RuntimeError("notify() runs inside the action it tells about")
    people = {}
    for user in recipients:
        if user is not None and user.is_active:
            people.setdefault(user.pk, user)
    if not people:
        return []
    at = created_at or timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(recipient=user, kind=kind, organization=organization, link=link,
                     created_at=at) for user in people.values()])
    muted = set(EmailPreference.objects.filter(user__in=people.keys(), kind=kind, email=False)
                .values_list("user_id", flat=True))
    wanted = [str(row.public_id) for row in rows if row.recipient_id not in muted]
    if wanted:
        transaction.on_commit(partial(send_notification_emails.enqueue, wanted))
    return rows


def notified_links(kind: str, links: Iterable[str]) -> set[str]:
    """Which of ``links`` already have a notification of ``kind`` (so that a daily run
    that is repeated tells nobody twice)."""
    return set(Notification.objects.filter(kind=kind, link__in=list(links))
               .values_list("link", flat=True).distinct())


@action
def do_mark_notification_read(notification: Notification, *, actor: User | None):
    """Mark one of the actor's own notifications read (already read: nothing changes)."""
    if actor is None or notification.recipient_id != actor.pk:
        raise ActionForbidden(_("Only the person a notification is for can mark it read."))
    # Locked, so that two clicks at once mark it (and record it) once.
    notification = Notification.objects.select_for_update().select_related(
        "organization").get(pk=notification.pk)
    if notification.read_at is not None:
        return notification
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])
    audit.record("notification.read", actor=actor, target=notification,
                 organization=notification.organization, subject=actor,
                 data={"kind": notification.kind})
    return notification


@action
def do_mark_all_notifications_read(user: User, *, actor: User | None) -> int:
    """Mark every unread notification of ``user`` read; returns how many were unread."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("Only the person notifications are for can mark them read."))
    unread = Notification.objects.filter(recipient=user, read_at=None)
    count = unread.update(read_at=timezone.now())
    if count:
        audit.record("notification.all_read", actor=actor, target=user, subject=user,
                     data={"count": count})
    return count


@action
def do_set_email_preferences(user: User, *, email: dict[str, bool], actor: User | None):
    """Choose, kind by kind, whether a notification also comes by e-mail; kinds left out
    keep their choice. In the app every notification shows whatever is chosen here."""
    if actor is None or actor.pk != user.pk:
        raise ActionForbidden(_("Only you can choose your own e-mails."))
    if set(email) - set(Notification.Kind.values):
        raise DomainError(_("Choose among the kinds of notification listed."), field="email")
    before = email_preferences(user)
    changed = {kind: bool(on) for kind, on in email.items() if before[kind] != bool(on)}
    for kind, on in changed.items():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": on})
    if changed:
        audit.record("notification.preferences.changed", actor=actor, target=user,
                     subject=user, data={"email": {kind: {"old": not on, "new": on}
                                                   for kind, on in sorted(changed.items())}})
    return email_preferences(user)


def email_preferences(user: User) -> dict[str, bool]:
    """For each kind, whether it comes by e-mail (on unless turned off)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in Notification.Kind.values}
