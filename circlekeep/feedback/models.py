"""Anonymous feedback rounds: a circle's questions, its own blind-signature key, the tokens
handed to members, the tokens spent, and the entries, which name nobody.

What links an entry to a person: nothing stored. ``Issuance`` says who received a token
(everyone cleared does, automatically, so it says nothing about who wrote); ``Spend`` holds
a digest of a token the server never saw while signing; ``Entry`` has a random id, no
time and no link to either; its rows are copied in random order when released.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from circlekeep.vault.fields import SealedTextField

# Entries are shown only when at least this many were sent: fewer could be told apart.
RELEASE_THRESHOLD = 5
RATING_SCALE = (1, 5)
MAX_QUESTIONS = 8
MAX_ANSWER = 2000


class Round(models.Model):
    class About(models.TextChoices):
        CIRCLE = "circle", _("The circle and how it works")
        FACILITATOR = "facilitator", _("The facilitator (read by the organization's admins only)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT,
                               related_name="feedback_rounds")
    about = models.CharField(max_length=12, choices=About.choices, default=About.CIRCLE)
    title = models.CharField(max_length=120)
    # [{"key": "q1", "kind": "rating" | "text", "prompt": "…"}], written by staff.
    questions = models.JSONField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # RFC 9474 key: the public half as SubjectPublicKeyInfo DER, the private half wrapped
    # by the vault's key-encryption key and erased when the round closes.
    public_key = models.BinaryField()
    fingerprint = models.CharField(max_length=80)
    private_key = models.BinaryField(null=True, editable=False)
    private_key_kek = models.CharField(max_length=64, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set at the close: whether the entries were released, and then how many (fewer than
    # the threshold are never counted where anyone can read it).
    entry_count = models.PositiveIntegerField(null=True, blank=True)
    released = models.BooleanField(default=False)
    summary = SealedTextField(scope="circle", owner="circle")
    summary_shared_at = models.DateTimeField(null=True, blank=True)
    # For a round about the facilitator: who facilitated the circle when it opened. They
    # never read it, even after stepping down or becoming an admin.
    excluded = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-opens_at"]

    def __str__(self):
        return f"Feedback round {self.public_id}"

    @property
    def is_closed(self):
        return self.closed_at is not None

    def is_open_at(self, moment):
        return self.closed_at is None and self.opens_at <= moment < self.closes_at


class Issuance(models.Model):
    """A member received this round's one token (a blind signature). Kept so that nobody
    gets two, and so that a retry with the same blinded message gets the same answer."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="issuances")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    blinded_digest = models.CharField(max_length=64)
    blind_signature = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "member"],
                                               name="one_token_per_member_per_round")]

    def __str__(self):
        return f"token of round {self.round_id}"


class Spend(models.Model):
    """A token used: the SHA-256 of what it signed, so that it cannot be used again. A
    random id (no sequence telling the order of spends); deleted when the round closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="spends")
    nullifier = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "nullifier"],
                                               name="one_spend_per_token")]

    def __str__(self):
        return "spent token"


class Entry(models.Model):
    """One member's answers, unattributable: a random id, no time, no link to anyone.
    ``released`` entries are the copies made, in random order, when the round closed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    answers = SealedTextField(scope="circle", owner="round__circle")
    released = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "feedback entry"

    @property
    def public_id(self):
        """The random id is the public one too (what the vault binds ciphertext to)."""
        return self.id


class ConcernKey(models.Model):
    """A circle's key for anonymous concerns on one day (UTC). Every member who may report
    holds a token under it, fetched days ahead like feedback tokens, so that sending one
    names nobody. The row, its tokens and its spends are deleted once the day is over."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey("circles.Circle", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    public_key = models.BinaryField()
    fingerprint = models.CharField(max_length=80)
    private_key = models.BinaryField(editable=False)
    private_key_kek = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "day"],
                                               name="one_concern_key_per_circle_day")]

    def __str__(self):
        return f"concern key of {self.day}"


class ConcernIssuance(models.Model):
    """A member received their token for a circle's day (see ``Issuance``)."""

    key = models.ForeignKey(ConcernKey, on_delete=models.CASCADE, related_name="issuances")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    blinded_digest = models.CharField(max_length=64)
    blind_signature = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "member"],
                                               name="one_concern_token_per_member_per_day")]

    def __str__(self):
        return f"concern token of key {self.key_id}"


class ConcernSpend(models.Model):
    """A concern token used (see ``Spend``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.ForeignKey(ConcernKey, on_delete=models.CASCADE, related_name="spends")
    nullifier = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "nullifier"],
                                               name="one_spend_per_concern_token")]

    def __str__(self):
        return "spent concern token"
