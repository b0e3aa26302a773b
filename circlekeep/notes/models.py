"""Group notes and each attendee's progress note.

The group note is the circle's protected text; each progress note is the member's. A
progress note is generated from the group note and the member's own section with every
other member removed; the facilitator decides every flagged word, may undo or add
redactions, then signs it. Signed notes are locked; later changes are addenda, which go
through the same redaction and preview before they are added.
"""

import uuid

from django.conf import settings
from django.db import models

from circlekeep.vault.fields import SealedTextField


class GroupNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT,
                                   related_name="group_note")
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="+")
    body = SealedTextField(scope="circle", owner="circle")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"Group note {self.public_id}"


class ProgressNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group_note = models.ForeignKey(GroupNote, on_delete=models.PROTECT,
                                   related_name="progress_notes")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="progress_notes")
    section = SealedTextField(scope="member", owner="membership__user")
    # The facilitator's corrections to the automatic redaction, as offsets into the
    # source text (group note, blank line, section). ``kept``: removals undone,
    # [[start, end], …]; ``resolutions``: decisions on flagged and ordinary words,
    # [[start, end, "remove" or "keep"], …]; ``added``: phrases removed by hand, one group
    # of matches per phrase, [{"spans": [[start, end], …]}, …] (older rows hold bare
    # [start, end] pairs, each its own group). Offsets only: never the words themselves.
    kept = models.JSONField(default=list)
    added = models.JSONField(default=list)
    resolutions = models.JSONField(default=list)
    body = SealedTextField(scope="member", owner="membership__user")  # set when signed
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group_note", "membership"],
                                               name="one_progress_note_per_member")]

    def __str__(self):
        return f"Progress note {self.public_id}"

    @property
    def is_signed(self):
        return self.signed_at is not None


class CoSignature(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    progress_note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT,
                                      related_name="cosignatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["progress_note", "user"],
                                               name="one_cosignature_per_person")]

    def __str__(self):
        return f"Co-signature {self.public_id}"


class Addendum(models.Model):
    """A later addition to a signed progress note. It is drafted, previewed and corrected
    like the note (``body`` is what the facilitator wrote), and once added the member
    reads ``redacted``, which names no other member. Addenda added before redaction
    existed have no ``redacted`` text; readers get the automatic redaction of ``body``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    progress_note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT,
                                      related_name="addenda")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="+")
    body = SealedTextField(scope="member", owner="membership__user")
    redacted = SealedTextField(scope="member", owner="membership__user")
    kept = models.JSONField(default=list)
    added = models.JSONField(default=list)
    resolutions = models.JSONField(default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()
    added_at = models.DateTimeField(null=True, blank=True)  # None while a draft

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Addendum {self.public_id}"

    @property
    def is_added(self):
        return self.added_at is not None
