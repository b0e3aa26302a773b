"""The audit trail: one row per state change or protected access, never protected text."""

import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL

from circlekeep.audit.chain import RECORD_CONSTRAINT, canonical_sql


def to_microseconds(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (no floating point)."""
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_microseconds(value: int) -> datetime:
    from datetime import timedelta

    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)


class AuditEvent(models.Model):
    """An append-only record of who did what to which object, when, and why.

    Written only by ``circlekeep.audit.record`` inside the action's transaction, so a
    change and its event commit or roll back together.
    """

    sequence = models.BigIntegerField(primary_key=True)
    # Time as integer microseconds (UTC): both databases render it identically, so the
    # canonical form can be rebuilt in SQL (chain.py).
    at_us = models.BigIntegerField(db_index=True)
    # Indexes cost every append a page; only the ones that serve a query are kept
    # (subject is covered by audit_subject_idx; nothing filters by actor). No foreign-key
    # constraints either: each would cost every append a lookup elsewhere, the chain is
    # what vouches for these rows, and the people and places they name are never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )
    actor_role = models.CharField(max_length=20)
    event_type = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )
    circle = models.ForeignKey(
        "circles.Circle", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )
    reason = models.TextField(blank=True)
    # Canonical JSON (sorted keys, no spaces), stored as text so it is kept byte for byte.
    data_json = models.TextField(default="{}", blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # The canonical text the hash covers. A CHECK constraint makes the database refuse any
    # row whose record does not match its own columns, so a column cannot be changed
    # without changing the record, and with it the hash; verification then only reads
    # records and hashes.
    record = models.TextField(default="")
    # SHA-256 over the previous event's hash and this event's record (chain.py).
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["subject", "-sequence"], name="audit_subject_idx")]
        constraints = [
            # The SQL is the project's own constant text (chain.canonical_sql), no input.
            models.CheckConstraint(condition=models.Q(record=RawSQL(canonical_sql(), [])),  # noqa: S611
                                   name=RECORD_CONSTRAINT),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.event_type}"

    @property
    def created_at(self):
        return from_microseconds(self.at_us)

    @property
    def data(self):
        return json.loads(self.data_json or "{}")


class AuditHead(models.Model):
    """The newest event's sequence and hash (and the hash before it): one row, updated by
    every append in a single statement that also computes the new hash, so that appends
    queue up on it, the chain never forks and the sequence has no gaps."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    prev_hash = models.CharField(max_length=64, default="")

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
