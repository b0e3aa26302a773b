"""Each circle's confidentiality agreement: versions, proposals, signatures and reviews.

A version is immutable: its canonical text and that text's SHA-256 are fixed when it is
adopted, and a signature records the hash it was made against. A version may carry its
text in other languages; a member reads and signs the text in their own language, and the
signature keeps the language and that text's hash.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LadderStep(models.TextChoices):
    """The steps a consequence ladder may contain, in the order they escalate."""

    REMINDER = "reminder", _("Reminder")
    PRIVATE_CONVERSATION = "private_conversation", _("Private conversation")
    WRITTEN_WARNING = "written_warning", _("Written warning")
    SUSPENSION = "suspension", _("Suspension")
    REVOCATION = "revocation", _("Revocation of membership")


class AgreementTemplate(models.Model):
    """An organization's starting text for its circles' agreements (admins edit it)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField("orgs.Organization", on_delete=models.PROTECT,
                                        related_name="agreement_template")
    clauses = models.JSONField(default=list)  # [{"title", "text"}]
    ladder = models.JSONField(default=list)  # [{"step", "text"}], in escalating order
    # The same template in other languages, clause for clause: {language: {"clauses",
    # "ladder"}}. Cleared when admins edit the template, which they do in one language.
    translations = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Agreement template {self.public_id}"


class Agreement(models.Model):
    """A circle's agreement; its text lives in versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.OneToOneField("circles.Circle", on_delete=models.PROTECT,
                                  related_name="agreement")
    current_version = models.ForeignKey("AgreementVersion", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    review_every_days = models.PositiveSmallIntegerField(_("review every (days)"), default=7)
    last_reviewed_at = models.DateTimeField()

    def __str__(self):
        return f"Agreement {self.public_id}"

    @property
    def review_due_at(self):
        return self.last_reviewed_at + timedelta(days=self.review_every_days)


class AgreementVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    clauses = models.JSONField()  # [{"key", "title", "text"}]
    ladder = models.JSONField()  # [{"step", "text"}]
    text = models.TextField()  # the canonical text that is signed
    sha256 = models.CharField(max_length=64)
    # The language of the fields above (the organization's), and the same version in
    # other languages: {language: {"clauses", "ladder", "text", "sha256"}}.
    language = models.CharField(max_length=5, default="en")
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_number_per_version"),
        ]

    def __str__(self):
        return f"Version {self.number}"

    @property
    def ladder_steps(self):
        return [entry["step"] for entry in self.ladder]

    @property
    def languages(self):
        return [self.language, *sorted(set(self.translations) - {self.language})]

    def reading(self, language):
        """The version as a reader of ``language`` sees and signs it: that language's
        text when the version has it, else the organization's."""
        other = self.translations.get(language) if language != self.language else None
        if not other:
            return VersionReading(self.language, self.clauses, self.ladder, self.text,
                                  self.sha256)
        return VersionReading(language, other["clauses"], other["ladder"], other["text"],
                              other["sha256"])


@dataclass(frozen=True)
class VersionReading:
    """One language's text of an agreement version."""

    language: str
    clauses: list
    ladder: list
    text: str
    sha256: str


class Proposal(models.Model):
    """A member's proposal to add, change or remove a clause, decided by a facilitator."""

    class Kind(models.TextChoices):
        ADD = "add", _("Add a clause")
        CHANGE = "change", _("Change a clause")
        REMOVE = "remove", _("Remove a clause")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ADOPTED = "adopted", _("Adopted")
        DECLINED = "declined", _("Declined")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="proposals")
    against = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    clause_key = models.CharField(max_length=12, blank=True)
    title = models.CharField(max_length=120, blank=True)
    text = models.TextField(blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(blank=True)
    result = models.ForeignKey(AgreementVersion, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Proposal {self.public_id}"


class ProposalComment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Comment {self.public_id}"


class Signature(models.Model):
    """A member's signature on one version: bound to the text's hash, with the typed name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT,
                                related_name="signatures")
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="signatures")
    typed_name = models.CharField(max_length=120)
    # The language of the text signed, and that text's hash.
    language = models.CharField(max_length=5, default="en")
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "membership"],
                                    name="one_signature_per_version"),
        ]

    def __str__(self):
        return f"Signature {self.public_id}"


class Review(models.Model):
    """The circle reviewed its agreement at a meeting (recorded by a facilitator)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self):
        return f"Review {self.public_id}"
