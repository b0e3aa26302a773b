"""The online room of a meeting, and each device's place in it.

Nothing said in the room is stored: chat is end-to-end encrypted in the browsers and the
server only relays it. What is kept is metadata: who asked to enter, was admitted, turned
away or removed, and when (attendance is recorded from it), and each device's public keys
while it is connected, so the facilitator's device can put them in the signed roster.
"""

import uuid

from django.conf import settings
from django.db import models


class Room(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT,
                                   related_name="room")
    locked = models.BooleanField(default=False)
    # The newest roster version the facilitator's device signed (docs/rooms.md).
    roster_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"room of meeting {self.meeting_id}"


class Presence(models.Model):
    """One device of one person in a room, from its first frame until it leaves."""

    class Status(models.TextChoices):
        OPENING = "opening", "opening"     # reading the opening, not yet asking
        WAITING = "waiting", "waiting"
        ADMITTED = "admitted", "admitted"
        REFUSED = "refused", "refused"
        REMOVED = "removed", "removed"
        REPLACED = "replaced", "replaced"  # the person kept another device
        LEFT = "left", "left"
        ENDED = "ended", "ended"

    LIVE = (Status.OPENING, Status.WAITING, Status.ADMITTED)

    class Role(models.TextChoices):
        MEMBER = "member", "member"
        FACILITATOR = "facilitator", "facilitator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="room_presences")
    membership = models.ForeignKey("circles.Membership", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="room_presences")
    role = models.CharField(max_length=12, choices=Role.choices)
    # The browser's random device id and its public keys (raw, base64url): not secret.
    device = models.CharField(max_length=32)
    sign_key = models.CharField(max_length=64)
    dh_key = models.CharField(max_length=64)
    channel_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    muted = models.BooleanField(default=False)
    connected_at = models.DateTimeField()
    asked_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "device"], name="one_presence_per_device"),
        ]
        indexes = [models.Index(fields=["room", "status"])]

    def __str__(self):
        return f"{self.role} device in room {self.room_id}"

    @property
    def is_live(self):
        return self.status in self.LIVE
