"""Meetings: schedules, occurrences, agenda, the opening ritual, attendance, calendar feeds.

A series is what the facilitator schedules; each occurrence is a ``Meeting`` row, so that
one occurrence can be moved or cancelled on its own. Recurrences are expanded in the
circle's time zone, so a weekly 18:00 meeting stays at 18:00 across daylight-saving
changes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingSeries(models.Model):
    class Recurrence(models.TextChoices):
        NONE = "none", _("Once")
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT,
                               related_name="meeting_series")
    first_starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    time_zone = models.CharField(max_length=64)
    recurrence = models.CharField(max_length=12, choices=Recurrence.choices)
    until = models.DateField(null=True, blank=True)
    mode = models.CharField(max_length=20)  # in_person or online
    place = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Series {self.public_id}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT,
                               related_name="meetings")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT,
                               related_name="meetings")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=20)
    place = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices,
                              default=Status.SCHEDULED)
    moved = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)  # the ritual began

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["circle", "starts_at"])]

    def __str__(self):
        return f"Meeting {self.public_id}"

    @property
    def is_online(self):
        return self.mode == "online"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        FACILITATOR = "facilitator", _("From the facilitator")
        TOPIC = "topic", _("Topic proposed by a member")
        CONCERN = "concern", _("A confidentiality concern")
        RECOMMIT = "recommit", _("The circle recommits to its agreement")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # None for items the system adds, and for concerns raised without a name.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title


class Acknowledgement(models.Model):
    """An attendee acknowledged the opening ritual (on their own device, or aloud in the
    room with the facilitator recording it)."""

    class Via(models.TextChoices):
        ROOM = "room", _("In the room")
        OWN_DEVICE = "own_device", _("On their own device")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT,
                                related_name="acknowledgements")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="acknowledgements")
    via = models.CharField(max_length=12, choices=Via.choices)
    acknowledged_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="one_acknowledgement_per_meeting")]

    def __str__(self):
        return f"Acknowledgement {self.public_id}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    ATTENDED = ("present", "late")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="one_attendance_per_meeting")]

    def __str__(self):
        return f"Attendance {self.public_id}"


class Pledge(models.Model):
    """A member's public pledge to the agreement, recorded by the facilitator."""

    class Reason(models.TextChoices):
        FIRST_MEETING = "first_meeting", _("First meeting")
        AGREEMENT_CHANGED = "agreement_changed", _("After an agreement change")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="pledges")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="pledges")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    version = models.ForeignKey("agreements.AgreementVersion", on_delete=models.PROTECT,
                                related_name="+")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"],
                                               name="one_pledge_per_meeting")]

    def __str__(self):
        return f"Pledge {self.public_id}"


class CalendarFeed(models.Model):
    """A member's personal iCalendar feed behind a secret address (stored hashed)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="calendar_feeds")
    secret_hash = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=80, blank=True)  # the member's own wording
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed {self.public_id}"


class Reminder(models.Model):
    """A reminder e-mail sent for one meeting to one member (so it is sent once)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"],
                                               name="one_reminder_per_meeting")]

    def __str__(self):
        return f"Reminder {self.public_id}"
