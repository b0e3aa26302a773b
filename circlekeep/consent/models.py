"""Informed-consent documents per organization and jurisdiction, and the consent given.

A document version is immutable; publishing a change makes a new version, which asks
everyone for consent again. A version may carry the same document in other languages;
a member reads and consents to the text in their own, and the record keeps that text's
hash.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentDocument(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="consent_documents")
    jurisdiction = models.CharField(max_length=20)  # "US-CA", "ES"
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    sections = models.JSONField()  # [{"key", "title", "text"}]
    reporting_categories = models.JSONField()  # [str]: the mandatory-reporting duties
    guardian_sharing = models.TextField()  # what may be shared with a minor's guardian
    text = models.TextField()  # canonical text
    sha256 = models.CharField(max_length=64)
    # The language of the fields above: the organization's, the one admins edit.
    language = models.CharField(max_length=5, default="en")
    # The same version in other languages: {language: {"title", "sections",
    # "reporting_categories", "guardian_sharing", "text", "sha256"}}.
    translations = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["jurisdiction", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "jurisdiction", "version"],
                                    name="one_consent_version_per_jurisdiction"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def languages(self):
        return [self.language, *sorted(set(self.translations) - {self.language})]

    def reading(self, language):
        """The version as a reader of ``language`` sees and consents to it: that
        language's text when the version has it, else the organization's."""
        other = self.translations.get(language) if language != self.language else None
        if not other:
            return DocumentReading(self.language, self.title, self.sections,
                                   self.reporting_categories, self.guardian_sharing,
                                   self.text, self.sha256)
        return DocumentReading(language, other["title"], other["sections"],
                               other["reporting_categories"], other["guardian_sharing"],
                               other["text"], other["sha256"])


@dataclass(frozen=True)
class DocumentReading:
    """One language's text of a consent document version."""

    language: str
    title: str
    sections: list
    reporting_categories: list
    guardian_sharing: str
    text: str
    sha256: str


class ConsentRecord(models.Model):
    """Consent given to one document version, and its withdrawal.

    ``role`` says whose voice it is: an adult's own consent, a minor's assent, or a
    guardian's consent for their ward (``subject`` is the person it concerns).
    """

    class Role(models.TextChoices):
        SELF = "self", _("Consent")
        ASSENT = "assent", _("Minor's assent")
        GUARDIAN = "guardian", _("Guardian's consent")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT,
                                 related_name="records")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="consents_given")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="consents")
    role = models.CharField(max_length=10, choices=Role.choices)
    typed_name = models.CharField(max_length=120)
    # The language of the text consented to, and that text's hash.
    language = models.CharField(max_length=5, default="en")
    text_sha256 = models.CharField(max_length=64)
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "subject", "role"],
                                    condition=models.Q(withdrawn_at__isnull=True),
                                    name="one_live_consent_per_role"),
        ]
        indexes = [models.Index(fields=["subject", "organization"])]

    def __str__(self):
        return f"Consent {self.public_id}"

    @property
    def is_live(self):
        return self.withdrawn_at is None
