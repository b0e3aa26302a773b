"""Information leaving the circle: only under the member's authorization or a recorded
legal duty, and always in the member's accounting of disclosures."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from circlekeep.vault.fields import SealedTextField


class Information(models.TextChoices):
    """What may be released, in the categories an authorization names."""

    ATTENDANCE = "attendance", _("Attendance")
    PARTICIPATION = "participation", _("A summary of participation")
    PROGRESS_NOTES = "progress_notes", _("Progress notes")
    SAFETY = "safety", _("Safety concerns")


class Authorization(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="authorizations")
    recipient = models.CharField(max_length=200)
    information = models.JSONField()  # [Information]
    purpose = SealedTextField(scope="member", owner="membership__user")
    expires_on = models.DateField()
    expiry_event = models.CharField(max_length=200, blank=True)
    typed_name = models.CharField(max_length=120)
    signed_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self):
        return f"Authorization {self.public_id}"


class Disclosure(models.Model):
    class Basis(models.TextChoices):
        AUTHORIZATION = "authorization", _("The member's authorization")
        DANGER = "danger", _("Imminent danger to self or others")
        CHILD_ABUSE = "child_abuse", _("Child abuse or neglect")
        ELDER_ABUSE = "elder_abuse", _("Elder or dependent-adult abuse")
        COURT_ORDER = "court_order", _("Court order")
        OTHER_LAW = "other_law", _("Another law (named)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey("circles.Membership", on_delete=models.PROTECT,
                                   related_name="disclosures")
    authorization = models.ForeignKey(Authorization, null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="disclosures")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    law_named = models.CharField(max_length=200, blank=True)
    recipient = models.CharField(max_length=200)
    information = models.JSONField()
    summary = SealedTextField(scope="member", owner="membership__user")
    reason = SealedTextField(scope="member", owner="membership__user")
    disclosed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    # The member's accounting omits this disclosure until this date (a legal suspension).
    accounting_suspended_until = models.DateField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-disclosed_at"]

    def __str__(self):
        return f"Disclosure {self.public_id}"
