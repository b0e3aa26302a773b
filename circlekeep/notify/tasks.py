"""Work done by the task worker (``manage.py db_worker``), never inside a request."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from circlekeep.notify.models import Notification


@task()
def send_notification_emails(public_ids: list[str]) -> int:
    """E-mail each notification's recipient that something is waiting, and nothing more:
    the same words for every kind, no circle, no organization, no name, only a link to the
    notification list behind sign-in. A notification read in the meantime sends nothing.
    Returns how many e-mails were sent."""
    sent = 0
    link = settings.SITE_URL + reverse("notify:list")
    for notification in Notification.objects.filter(
            public_id__in=public_ids, read_at=None).select_related("recipient"):
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = {"link": link, "settings_link": settings.SITE_URL
                       + reverse("notify:preferences")}
            subject = render_to_string("emails/notification-subject.txt", context).strip()
            body = render_to_string("emails/notification-body.txt", context)
        EmailMultiAlternatives(subject, body, to=[recipient.email]).send()
        sent += 1
    return sent
