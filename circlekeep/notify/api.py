"""API endpoints for notifications: the same list, marks and e-mail choices as the pages."""

from datetime import datetime
from uuid import UUID

from ninja import Router, Schema
from pydantic import ConfigDict

from circlekeep.notify import actions
from circlekeep.notify.access import (
    access_notification,
    notifications_visible_to,
    unread_count,
)
from circlekeep.notify.models import Notification

router = Router(tags=["notifications"])

LIMIT = 100


class InAppNotificationOut(Schema):
    id: UUID
    kind: str
    label: str
    organization_id: UUID
    link: str
    created_at: datetime
    read_at: datetime | None


class InAppNotificationListOut(Schema):
    unread: int
    notifications: list[InAppNotificationOut]


class MarkedReadOut(Schema):
    marked: int


class EmailPreferencesIO(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": {"concern.new": True, "meeting.added": False}}]})
    email: dict[str, bool]


def notification_to_dict(notification: Notification) -> dict:
    return {"id": notification.public_id, "kind": notification.kind,
            "label": str(notification.get_kind_display()),
            "organization_id": notification.organization.public_id,
            "link": notification.link, "created_at": notification.created_at,
            "read_at": notification.read_at}


@router.get("/me/notifications", response=InAppNotificationListOut)
def list_notifications(request):
    """The newest notifications (up to 100) and how many are unread."""
    rows = notifications_visible_to(request.user)[:LIMIT]
    return {"unread": unread_count(request.user),
            "notifications": [notification_to_dict(n) for n in rows]}


@router.post("/me/notifications/{notification_id}/read", response=InAppNotificationOut)
def mark_notification_read(request, notification_id: str):
    notification = access_notification(request.user, notification_id)
    return notification_to_dict(actions.do_mark_notification_read(notification,
                                                                   actor=request.user))


@router.post("/me/notifications/read-all", response=MarkedReadOut)
def mark_all_notifications_read(request):
    return {"marked": actions.do_mark_all_notifications_read(request.user,
                                                             actor=request.user)}


@router.get("/me/notification-settings", response=EmailPreferencesIO)
def notification_settings(request):
    """For each kind of notification, whether it also comes by e-mail."""
    return {"email": actions.email_preferences(request.user)}


@router.put("/me/notification-settings", response=EmailPreferencesIO)
def change_notification_settings(request, body: EmailPreferencesIO):
    """Turn e-mails on or off by kind; kinds left out keep their current choice."""
    return {"email": actions.do_set_email_preferences(request.user, email=body.email,
                                                      actor=request.user)}
