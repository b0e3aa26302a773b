"""The audit trail: one row per state change or protected access, never protected text."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """An append-only record of who did what to which object, when, and why.

    Written only by ``circlekeep.audit.record`` inside the action's transaction, so a
    change and its event commit or roll back together.
    """

    sequence = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20)
    event_type = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64, db_index=True)
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    circle = models.ForeignKey(
        "circles.Circle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # SHA-256 over the previous event's hash and this event's canonical form (chain.py).
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="", db_index=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject", "-sequence"], name="audit_subject_idx")]

    def __str__(self):
        return f"#{self.sequence} {self.event_type}"


class AuditHead(models.Model):
    """The newest event's sequence and hash: one row, locked by every append so that the
    chain never forks and the sequence has no gaps."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"head at #{self.sequence}"


class AuditCheckpoint(models.Model):
    """An Ed25519 signature over (sequence, hash) of one event, made with a key kept
    outside the database: rewriting history would need that key too."""

    sequence = models.BigIntegerField(primary_key=True)
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["sequence"]

    def __str__(self):
        return f"checkpoint at #{self.sequence}"
