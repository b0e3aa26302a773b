"""Circles, who facilitates them, and who belongs to them."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q
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
    # Where and when the circle meets. Only facilitators and members who have finished
    # onboarding (and whose consent and signature are current) see it.
    meeting_details = models.TextField(
        _("where and when"), blank=True, max_length=1000,
        help_text=_("Shown only to members who have finished onboarding, for example the "
                    "address and time, or how to join online."),
    )
    # How people are named to members in the online room (facilitators always see who is
    # who): display names, first names only, or no names.
    class RoomNames(models.TextChoices):
        DISPLAY = "display", _("Display names")
        FIRST = "first", _("First names only")
        HIDDEN = "hidden", _("No names to members")

    room_names = models.CharField(_("names in the online room"), max_length=10,
                                  choices=RoomNames.choices, default=RoomNames.DISPLAY)
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


class MembershipQuerySet(models.QuerySet):
    def live(self):
        """Invited, onboarding, active or suspended: the membership holds a place."""
        return self.filter(status__in=Membership.LIVE_STATUSES)

    def accepted(self):
        """Live memberships the person has accepted (onboarding, active, suspended). A
        pending invitation grants nothing, so only these count as belonging."""
        return self.filter(status__in=Membership.ACCEPTED_STATUSES)

    def ever_accepted(self):
        """Memberships the person accepted at some point, ended ones included: the
        organization holds information about them. An invitation that was withdrawn or
        never answered is not one."""
        return self.filter(Exists(MembershipChange.objects.filter(
            membership=OuterRef("pk"), to_status=Membership.Status.ONBOARDING)))

    def with_clearance(self):
        """Annotate what decides whether a member may take part: ``signed_current`` (the
        agreement's current version), ``consent_ok`` (live consent to the organization's
        document in force; a minor's own assent and a guardian's consent), and
        ``is_cleared`` (active, both of those). The one definition of "cleared": the gate
        in onboarding, the dashboard and the meeting details all read it.

        Signatures and consent records are the agreements and consent apps' models, looked
        up by name: those apps build on circles, not the other way round."""
        from django.apps import apps

        signature = apps.get_model("agreements", "Signature")
        consent_record = apps.get_model("consent", "ConsentRecord")

        def consent(role):
            return Exists(consent_record.objects.filter(
                subject_id=OuterRef("user_id"), role=role, withdrawn_at__isnull=True,
                document_id=OuterRef("circle__organization__consent_document_id")))

        return self.annotate(
            signed_current=Exists(signature.objects.filter(
                membership_id=OuterRef("pk"),
                version_id=OuterRef("circle__agreement__current_version_id"))),
            consent_self=consent("self"), consent_assent=consent("assent"),
            consent_guardian=consent("guardian"),
        ).annotate(
            consent_ok=ExpressionWrapper(
                Q(user__is_minor=False, consent_self=True)
                | Q(user__is_minor=True, consent_assent=True, consent_guardian=True),
                output_field=models.BooleanField()),
        ).annotate(
            is_cleared=ExpressionWrapper(
                Q(status="active", signed_current=True, consent_ok=True),
                output_field=models.BooleanField()),
        )

    def cleared(self):
        """Memberships whose member may take part now (see ``with_clearance``)."""
        return self.with_clearance().filter(is_cleared=True)

    def with_acceptance(self):
        """Annotate ``was_accepted`` (see ``ever_accepted``) for ``staff_label``."""
        return self.annotate(was_accepted=Exists(MembershipChange.objects.filter(
            membership=OuterRef("pk"), to_status=Membership.Status.ONBOARDING)))


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
    ACCEPTED_STATUSES = ("onboarding", "active", "suspended")
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
    # Who moves a membership to each status (the same whatever it was before).
    CHANGED_BY = {to: who for (_from, to), who in TRANSITIONS.items()}
    REASON_REQUIRED = ("suspended", "revoked")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

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

    @property
    def accepted(self):
        """Whether the person accepted the invitation at some point. Until they do, the
        circle's staff know only the address they typed: an account that exists
        elsewhere must not show its name, pronouns or age through an invitation."""
        known = self.__dict__.get("was_accepted")
        if known is not None:
            return bool(known)
        if self.status in self.ACCEPTED_STATUSES:
            return True
        if self.status == self.Status.INVITED:
            return False
        return self.changes.filter(to_status=self.Status.ONBOARDING).exists()

    @property
    def staff_label(self):
        """How the circle's staff see this person: their display name once they have
        accepted, the invited address before."""
        if self.accepted:
            return self.user.display_name or self.user.email
        return self.user.email


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


# Onboarding ---------------------------------------------------------------------------------
# The checklist is computed from these records (see onboarding/progress.py); none of them is
# a "done" flag that could disagree with what actually happened.


class OrientationRead(models.Model):
    """The member read the orientation: the circle's rules, how confidentiality works here,
    and its limits."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT,
                                   related_name="orientation_reads")
    read_at = models.DateTimeField()

    def __str__(self):
        return f"Orientation read {self.public_id}"


class OnlineRulesAcceptance(models.Model):
    """The member agreed to the online rules (online and hybrid circles)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT,
                                   related_name="online_rules_acceptances")
    rules_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()

    def __str__(self):
        return f"Online rules accepted {self.public_id}"


class OnboardingMessage(models.Model):
    """One entry in the private thread between a joining member and the facilitators.

    A question from the member, an answer from a facilitator, or the member's word that
    they have no more questions (which has no body).
    """

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        ANSWER = "answer", _("Answer")
        SETTLED = "settled", _("No more questions")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT,
                                   related_name="onboarding_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = SealedTextField(scope="member", owner="membership__user")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.kind} {self.public_id}"


class RelationshipScreening(models.Model):
    """A member's private declaration of existing relationships with people in the circle,
    and the facilitator's decision about it."""

    class Decision(models.TextChoices):
        PROCEED = "proceed", _("Proceed with a plan")
        REFER = "refer", _("Refer elsewhere")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.OneToOneField(Membership, on_delete=models.PROTECT,
                                      related_name="screening")
    submitted_at = models.DateTimeField()
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    plan = SealedTextField(scope="member", owner="membership__user")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Screening {self.public_id}"


class RelationshipDeclaration(models.Model):
    """One declared relationship: the name the member typed, whom it matched in the
    circle, what kind it is and the note, all protected text sealed together as JSON; only
    the member and the circle's facilitators ever see them. ``pair_digest`` is a keyed
    digest of (member, person named) under the circle's key (circles/relationships.py),
    so that mutual declarations can be found; erasure blanks it with the text.

    ``other`` is what declarations recorded before names were typed stored in clear;
    ``manage.py onboarding seal-declarations`` moves it into the sealed text and empties it.
    """

    ERASE_ALSO_CLEARS = ("pair_digest",)

    class Kind(models.TextChoices):
        COWORKER = "coworker", _("Coworker")
        FAMILY = "family", _("Family")
        FRIEND = "friend", _("Friend")
        PARTNER = "partner", _("Partner")
        FORMER_PARTNER = "former_partner", _("Former partner")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    screening = models.ForeignKey(RelationshipScreening, on_delete=models.PROTECT,
                                  related_name="declarations")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    details = SealedTextField(scope="member", owner="screening__membership__user")
    pair_digest = models.CharField(max_length=64, blank=True, db_index=True)
    declared_at = models.DateTimeField()

    def __str__(self):
        return f"Declaration {self.public_id}"
