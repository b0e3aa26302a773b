"""Data keys: one per member and per circle, stored only wrapped by a key-encryption key
that lives outside the database."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def start_of_today():
    """Keys are dated to the day: a circle's first key may be made while an anonymous
    report is sealed, and a finer time would tell when that report was sent."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


class DataKey(models.Model):
    """An AES-256 key that encrypts one member's or one circle's protected text.

    A member has one key per organization that holds information about them, so that an
    organization erasing its share cannot touch what another organization holds. Keys made
    before that rule have no organization; erasure moves the other organizations' text off
    such a key before destroying it.

    ``wrapped`` is the key encrypted with the key-encryption key ``kek_id``. Destroying a
    member's keys (crypto-shredding) empties ``wrapped``: their protected text is then
    unreadable everywhere, backups included.
    """

    class Scope(models.TextChoices):
        MEMBER = "member"
        CIRCLE = "circle"

    key_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    circle = models.ForeignKey("circles.Circle", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey("orgs.Organization", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=start_of_today)
    retired_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="member", user__isnull=False, circle__isnull=True)
                           | Q(scope="circle", circle__isnull=False, user__isnull=True)),
                name="data_key_has_one_owner",
            ),
            models.UniqueConstraint(fields=["user", "organization"],
                                    condition=Q(retired_at=None, scope="member"),
                                    name="one_current_member_key_per_org"),
            models.UniqueConstraint(fields=["circle"],
                                    condition=Q(retired_at=None, scope="circle"),
                                    name="one_current_circle_key"),
        ]

    def __str__(self):
        return f"{self.scope} key {self.key_id}"
