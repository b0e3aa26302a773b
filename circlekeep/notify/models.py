"""In-app notifications and each person's choice of which ones also come by e-mail.

A notification names its kind, its organization and where to go, nothing more: the link
is a path built from public ids, so no row, e-mail or log line carries protected text.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something waiting for one person. Written inside the action it tells about."""

    class Kind(models.TextChoices):
        CONCERN_NEW = "concern.new", _("A new concern was reported")
        CONCERN_DECISION = "concern.decision", _("A decision about you after a concern")
        CONCERN_CLOSED = "concern.closed", _("A concern you are part of was closed")
        QUESTION_ANSWERED = "onboarding.answered", _("Your question was answered")
        AGREEMENT_SIGN = "agreement.sign", _("The agreement changed: your signature is "
                                             "needed")
        MEETING_ADDED = "meeting.added", _("A meeting was added")
        MEETING_MOVED = "meeting.moved", _("A meeting was moved")
        MEETING_CANCELLED = "meeting.cancelled", _("A meeting was cancelled")
        CONSENT_WITHDRAWN = "consent.withdrawn", _("A guardian withdrew consent")
        TRAINING_CERTIFIED = "training.certified", _("Your training certificate was issued")
        TRAINING_EXPIRING = "training.expiring", _("Your training certificate expires soon")
        FEEDBACK_OPEN = "feedback.open", _("Anonymous feedback is open in your circle")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="+")
    # Where the thing is: a path of public ids only (never a name or any text).
    link = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_unread")]

    def __str__(self):
        return f"{self.kind} for user {self.recipient_id}"


class EmailPreference(models.Model):
    """A kind of notification a person chose to receive by e-mail or not. Without a row,
    the e-mail is sent; in the app every notification always shows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=Notification.Kind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.kind}: e-mail {'on' if self.email else 'off'}"
