"""Concerns about confidentiality in a circle, the decisions that follow, and privacy
incidents on the platform with their regulatory clocks."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from circlekeep.vault.fields import SealedTextField

ACKNOWLEDGE_WITHIN = timedelta(hours=48)


class Concern(models.Model):
    class Kind(models.TextChoices):
        INTENTIONAL = "intentional", _("Intentional disclosure")
        ACCIDENTAL = "accidental", _("Accidental disclosure")
        THIRD_PARTY = "third_party", _("Exposure through a third party or social media")
        BOUNDARIES = "boundaries", _("Unclear boundaries")
        PLATFORM = "platform", _("A problem with the platform or its security")

    class Visibility(models.TextChoices):
        NAMED = "named", _("Named to the circle")
        FACILITATORS = "facilitators", _("Known only to the facilitators")
        ANONYMOUS = "anonymous", _("Fully anonymous")

    class RaiseInGroup(models.TextChoices):
        NO = "no", _("Not in the group")
        NAMED = "named", _("In the group, with my name")
        UNNAMED = "unnamed", _("In the group, without my name")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT,
                               related_name="concerns")
    # Nobody is stored for an anonymous concern: not here, not in the audit trail.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    about_facilitator = models.BooleanField(default=False)
    raise_in_group = models.CharField(max_length=8, choices=RaiseInGroup.choices,
                                      default=RaiseInGroup.NO)
    affected = models.ManyToManyField("circles.Membership", blank=True, related_name="+")
    body = SealedTextField(scope="circle", owner="circle")
    reported_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    assessment = SealedTextField(scope="circle", owner="circle")
    assessed_at = models.DateTimeField(null=True, blank=True)
    agenda_item = models.ForeignKey("meetings.AgendaItem", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    summary = SealedTextField(scope="circle", owner="circle")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at"]

    def __str__(self):
        return f"Concern {self.public_id}"

    @property
    def acknowledge_by(self):
        return self.reported_at + ACKNOWLEDGE_WITHIN


class Decision(models.Model):
    """A step of the circle's consequence ladder applied to one membership."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="decisions")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="concern_decisions")
    step = models.CharField(max_length=24)  # agreements.LadderStep
    reasons = SealedTextField(scope="member", owner="membership__user")
    suspended_until = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    response = SealedTextField(scope="member", owner="membership__user")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at"]

    def __str__(self):
        return f"Decision {self.public_id}"


class AnonymousReportCount(models.Model):
    """How many anonymous concerns a circle received on a day: a rate limit that
    identifies nobody."""

    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "day"],
                                               name="one_count_per_circle_day")]

    def __str__(self):
        return f"{self.count} on {self.day}"


class PrivacyIncident(models.Model):
    """Unauthorized access, a lost device… with the regulators' clocks from discovery."""

    HIPAA_INDIVIDUALS = timedelta(days=60)
    GDPR_AUTHORITY = timedelta(hours=72)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="privacy_incidents")
    title = models.CharField(max_length=200)
    discovered_at = models.DateTimeField()
    # What was exposed, described without protected content (kinds of data, not the data).
    exposed = models.TextField()
    affected = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-discovered_at"]

    def __str__(self):
        return self.title

    @property
    def individuals_due(self):
        return self.discovered_at + self.HIPAA_INDIVIDUALS

    @property
    def authority_due(self):
        return self.discovered_at + self.GDPR_AUTHORITY


class IncidentNotification(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUALS = "individuals", _("Affected individuals (HIPAA: within 60 days)")
        AUTHORITY = "authority", _("Supervisory authority (GDPR: within 72 hours)")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(PrivacyIncident, on_delete=models.PROTECT,
                                 related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recipient = models.CharField(max_length=200)
    draft = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Notification {self.public_id}"
