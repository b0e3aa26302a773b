"""Informed-consent documents per organization and jurisdiction, and the consent given.

A document version is immutable; publishing a change makes a new version, which asks
everyone for consent again.
"""

import uuid

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
