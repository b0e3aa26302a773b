"""Circles, who facilitates them, and who belongs to them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from circlekeep.vault.fields import SealedTextField


class Circle(models.Model):
    """A therapy or peer-support group run by an organization."""

    class Kind(models.TextChoices):
        THERAPY = "therapy", _("Therapy group")
        PEER_SUPPORT = "peer_support", _("Peer-support group")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="circles")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("The most members the circle may have, invitations included."),
    )
    allows_minors = models.BooleanField(_("minors may join"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=2, capacity__lte=100),
                                   name="circle_capacity_range"),
        ]

    def __str__(self):
        return self.name


class Facilitation(models.Model):
    """A staff member leading or co-leading a circle. Each circle has one lead."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead facilitator")
        CO = "co", _("Co-facilitator")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="facilitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="facilitations")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="one_facilitation_per_person"),
            models.UniqueConstraint(fields=["circle"], condition=models.Q(role="lead"),
                                    name="one_lead_per_circle"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} of circle {self.circle_id}"


class Membership(models.Model):
    """A person's place in a circle and where it stands in its life cycle.

    invited → onboarding → active ⇄ suspended, ending in revoked or left. Every change is
    kept in ``MembershipChange`` with time, actor and reason.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        LEFT = "left", _("Left")

    LIVE_STATUSES = ("invited", "onboarding", "active", "suspended")
    # Who may move a membership from one status to another. "self" is the member.
    TRANSITIONS = {
        ("invited", "onboarding"): "self",
        ("invited", "revoked"): "staff",
        ("onboarding", "active"): "staff",
        ("onboarding", "revoked"): "staff",
        ("onboarding", "left"): "self",
        ("active", "suspended"): "staff",
        ("active", "revoked"): "staff",
        ("active", "left"): "self",
        ("suspended", "active"): "staff",
        ("suspended", "revoked"): "staff",
        ("suspended", "left"): "self",
    }
    REASON_REQUIRED = ("suspended", "revoked")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=models.Q(status__in=["invited", "onboarding", "active", "suspended"]),
                name="one_live_membership_per_circle",
            ),
        ]

    def __str__(self):
        return f"Membership {self.public_id}"

    @property
    def is_live(self):
        return self.status in self.LIVE_STATUSES


class MembershipChange(models.Model):
    """One step in a membership's life cycle, as the member and facilitator see it.

    The reason for a suspension or revocation is protected text about the member.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=20, blank=True, choices=Membership.Status.choices)
    to_status = models.CharField(max_length=20, choices=Membership.Status.choices)
    changed_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    reason = SealedTextField(scope="member", owner="membership__user")

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"
