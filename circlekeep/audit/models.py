"""The audit trail: one row per state change or protected access, never protected text."""

import json
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.db.models.expressions import RawSQL

from circlekeep.audit.chain import (
    RECORD_CONSTRAINT,
    canonical_sql,
    checkpoint_digest,
    checkpoint_message,
    message_signature_is_valid,
    signature_is_valid,
)


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

    @property
    def reason_label(self):
        """The reason in the reader's language (a code's label; typed text as typed)."""
        from circlekeep.audit.reasons import label

        return label(self.reason)

    @property
    def actor_role_label(self):
        """The role the actor acted in, in the reader's language."""
        from circlekeep.lib.roles import role_label

        return role_label(self.actor_role)


class AuditHead(models.Model):
    """The newest event's sequence and hash (and the hash before it): one row, updated by
    every append in a single statement that also computes the new hash, so that appends
    queue up on it, the chain never forks and the sequence has no gaps.

    It also holds the newest checkpoint (its sequence and digest, which the next one
    signs) and that checkpoint's promise: the append that reaches the promised sequence or
    time signs the head. The append reads these in the same statement, under the same lock.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    prev_hash = models.CharField(max_length=64, default="")
    signed_sequence = models.BigIntegerField(default=0)
    signed_digest = models.CharField(max_length=64, blank=True, default="")
    sign_due_sequence = models.BigIntegerField(default=0)
    sign_due_us = models.BigIntegerField(default=0)

    def __str__(self):
        return f"head at #{self.sequence}"


class AuditCheckpoint(models.Model):
    """An Ed25519 signature over (sequence, hash) of one event, made with a key kept
    outside the database: rewriting history would need that key too.

    A chained checkpoint also signs the checkpoint before it and promises the next one by
    a sequence and a time (chain.checkpoint_message), so a missing one is a visible gap.
    Checkpoints made before the chain existed have no ``previous``.
    """

    sequence = models.BigIntegerField(primary_key=True)
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    previous = models.BigIntegerField(null=True, blank=True)
    previous_digest = models.CharField(max_length=64, blank=True, default="")
    due_sequence = models.BigIntegerField(null=True, blank=True)
    due_us = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sequence"]

    def __str__(self):
        return f"checkpoint at #{self.sequence}"

    @property
    def chained(self):
        return self.previous is not None

    @property
    def at_us(self):
        return to_microseconds(self.created_at)

    def message(self) -> bytes:
        return checkpoint_message(
            sequence=self.sequence, event_hash=self.hash, previous=self.previous,
            previous_digest=self.previous_digest, due_sequence=self.due_sequence,
            due_us=self.due_us, at_us=self.at_us)

    def digest(self) -> str:
        """What the next checkpoint signs as this one's digest ("" before the chain)."""
        return checkpoint_digest(self.message()) if self.chained else ""

    def signature_ok(self) -> bool:
        """Whether the signature is good (by whichever key; callers check the key)."""
        if not self.chained:
            return signature_is_valid(self.sequence, self.hash, self.signature,
                                      self.public_key)
        return message_signature_is_valid(self.message(), self.signature, self.public_key)

    def witness_entry(self) -> dict:
        """The signed head as the witness keeps it: everything needed to check it."""
        return {
            "sequence": self.sequence, "hash": self.hash, "previous": self.previous,
            "previous_digest": self.previous_digest, "due_sequence": self.due_sequence,
            "due_us": self.due_us, "at_us": self.at_us,
            "at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "signature": self.signature, "public_key": self.public_key,
        }


class HeldAuditEvent(models.Model):
    """The audit event of an anonymous submission, held back until its day is over and
    then appended to the trail with the rest of that day's, in random order
    (recording.release_held_events). Appended at once, its place in the chain and its
    time would sit beside the author's own events and give them away.

    It names no actor and no request, keeps only the day, and its key is random: nothing
    stored orders it against other rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    day = models.DateField()
    event_type = models.CharField(max_length=80)
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
        related_name="+", db_constraint=False,
    )
    reason = models.TextField(blank=True)
    data_json = models.TextField(default="{}", blank=True)
    # Ed25519 over the row's content (chain.held_message), with the key outside the
    # database: a row planted by someone holding only the database is not released.
    signature = models.CharField(max_length=128, default="")

    def __str__(self):
        return f"held {self.event_type} of {self.day}"


class HeldTally(models.Model):
    """How many anonymous events were ever held, signed: removing a held row before its
    release leaves the released and the still-held events short of this count, which the
    release records and ``audit verify`` reports."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    total = models.BigIntegerField(default=0)
    signature = models.CharField(max_length=128, default="")

    def __str__(self):
        return f"{self.total} anonymous events held so far"
