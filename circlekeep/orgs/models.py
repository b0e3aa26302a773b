"""Organizations and the staff who work in them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from circlekeep.accounts.tokens import DEFAULT_API_TOKEN_DAYS

# The longest an API token lives unless an organization sets otherwise, and the bounds an
# admin may choose from. A token is a password that never asks for the second step, so it
# should not outlive the organization's patience.
API_TOKEN_DAYS_BOUNDS = (1, 365)


class Organization(models.Model):
    """A clinic, practice, program or community group that runs circles.

    Its jurisdiction decides which consent documents and reporting duties apply.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. US"))
    region = models.CharField(_("region"), max_length=80, blank=True,
                              help_text=_("State or province, e.g. CA"))
    # Where its circles meet: invitations start new accounts in it, and people without a
    # zone of their own see times in it.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    require_member_2fa = models.BooleanField(
        _("members must use two-step sign-in"), default=False
    )
    members_read_notes = models.BooleanField(
        _("members may read their own progress notes"), default=True
    )
    api_token_max_days = models.PositiveSmallIntegerField(
        _("longest API token lifetime (days)"), default=DEFAULT_API_TOKEN_DAYS,
        validators=[MinValueValidator(API_TOKEN_DAYS_BOUNDS[0]),
                    MaxValueValidator(API_TOKEN_DAYS_BOUNDS[1])],
    )
    # The consent document in force: the newest version for the organization's
    # jurisdiction. Kept here so that "has this member consented?" is one lookup.
    consent_document = models.ForeignKey("consent.ConsentDocument", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(api_token_max_days__gte=API_TOKEN_DAYS_BOUNDS[0],
                                   api_token_max_days__lte=API_TOKEN_DAYS_BOUNDS[1]),
                name="api_token_max_days_in_bounds"),
        ]

    def __str__(self):
        return self.name

    @property
    def jurisdiction(self):
        return f"{self.country}-{self.region}" if self.region else self.country


class StaffRole(models.Model):
    """A person's one staff role in one organization."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organization admin")
        FACILITATOR = "facilitator", _("Facilitator")
        AUDITOR = "auditor", _("Auditor")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_role_per_org"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} in org {self.organization_id}"

    @property
    def may_facilitate(self):
        return self.role in (self.Role.ADMIN, self.Role.FACILITATOR)
