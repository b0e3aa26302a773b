"""Group notes and each attendee's progress note.

The group note is the circle's protected text; each progress note is the member's. A
progress note is generated from the group note and the member's own section with every
other member removed; the facilitator may undo or add redactions, then signs it. Signed
notes are locked; later changes are addenda.
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
    # source text (group note, blank line, section): [[start, end], …].
    kept = models.JSONField(default=list)
    added = models.JSONField(default=list)
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
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    progress_note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT,
                                      related_name="addenda")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="+")
    body = SealedTextField(scope="member", owner="membership__user")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Addendum {self.public_id}"
