"""Confidentiality training for facilitators: an organization's programme of modules,
the attempts at each module's quiz, the practical parts, and the certificates that let a
facilitator lead.

A certificate stores its own expiry: changing the programme's interval later does not
rewrite what was already issued. Nothing here is a member's protected information; it is
about staff, and the audit trail records every step.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The bounds an admin may choose from, and the defaults the field's guidance suggests.
PASS_MARK_BOUNDS = (50, 100)
RETAKE_HOURS_BOUNDS = (0, 24 * 30)
VALID_MONTHS_BOUNDS = (6, 60)
GRACE_DAYS_BOUNDS = (0, 180)
CO_FACILITATIONS_BOUNDS = (0, 20)
# Reminders go out this many days before a certificate expires.
REMINDER_DAYS = (60, 30)


class Programme(models.Model):
    """An organization's training programme. While ``required`` is off nobody is gated;
    once on, leading needs a current certificate, except for the people who already
    facilitated when it was switched on, until ``transition_until``."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.PROTECT,
                                        related_name="training_programme")
    required = models.BooleanField(_("leading needs a current certificate"), default=False)
    required_since = models.DateTimeField(null=True, blank=True)
    # Who facilitated (or administered) when the gate was first turned on: only they may
    # lead during the transition, whatever roles change later.
    transition_people = models.JSONField(default=list, blank=True)
    transition_until = models.DateField(
        _("facilitators already working may lead without a certificate until"),
        null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80,
        validators=[MinValueValidator(PASS_MARK_BOUNDS[0]),
                    MaxValueValidator(PASS_MARK_BOUNDS[1])])
    retake_after_hours = models.PositiveSmallIntegerField(
        _("hours before a failed quiz may be retaken"), default=1,
        validators=[MinValueValidator(RETAKE_HOURS_BOUNDS[0]),
                    MaxValueValidator(RETAKE_HOURS_BOUNDS[1])])
    valid_months = models.PositiveSmallIntegerField(
        _("months a certificate is valid"), default=24,
        validators=[MinValueValidator(VALID_MONTHS_BOUNDS[0]),
                    MaxValueValidator(VALID_MONTHS_BOUNDS[1])])
    grace_days = models.PositiveSmallIntegerField(
        _("days of grace after a certificate expires"), default=30,
        validators=[MinValueValidator(GRACE_DAYS_BOUNDS[0]),
                    MaxValueValidator(GRACE_DAYS_BOUNDS[1])])
    co_facilitations = models.PositiveSmallIntegerField(
        _("meetings to co-facilitate with a certified lead"), default=0,
        validators=[MinValueValidator(CO_FACILITATIONS_BOUNDS[0]),
                    MaxValueValidator(CO_FACILITATIONS_BOUNDS[1])])
    sign_off = models.BooleanField(_("a trainer signs each facilitator off"), default=False)

    def __str__(self):
        return f"Training programme of org {self.organization_id}"


class Module(models.Model):
    """A reading and its quiz, in every language the programme ships in. ``texts`` maps a
    language to its title and reading (Markdown); each question holds its kind, the index
    of the right choice, and per language its prompt, choices and explanation."""

    class Set(models.TextChoices):
        INITIAL = "initial", _("Certification")
        REFRESHER = "refresher", _("Renewal")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(max_length=40)
    set = models.CharField(max_length=10, choices=Set.choices)
    position = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("1.0"))
    # This quiz's own pass mark; empty: the programme's.
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), null=True, blank=True,
        validators=[MinValueValidator(PASS_MARK_BOUNDS[0]),
                    MaxValueValidator(PASS_MARK_BOUNDS[1])])
    texts = models.JSONField()
    questions = models.JSONField()

    class Meta:
        ordering = ["set", "position"]
        constraints = [models.UniqueConstraint(fields=["programme", "key"],
                                               name="one_module_per_key")]

    def __str__(self):
        return f"Module {self.key}"

    def text(self, language=None):
        """The title and reading in ``language`` (the active one), else in English."""
        language = (language or get_language() or "en")[:2]
        return self.texts.get(language) or self.texts["en"]

    @property
    def passing_mark(self):
        return self.pass_mark or self.programme.pass_mark

    @property
    def title(self):
        return self.text()["title"]

    def question_texts(self, language=None):
        language = (language or get_language() or "en")[:2]
        return [{"kind": q["kind"], "answer": q["answer"],
                 **(q["texts"].get(language) or q["texts"]["en"])} for q in self.questions]


class Attempt(models.Model):
    """One try at a module's quiz: the choices made, the score, and whether it passed
    under the pass mark in force at the time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="training_attempts")
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "module"], name="attempt_by_user")]

    def __str__(self):
        return f"Attempt {self.score}% by user {self.user_id}"


class Practice(models.Model):
    """A practical part, confirmed by someone else: a meeting co-facilitated with a
    certified lead (confirmed by that lead), or a trainer's sign-off with a note."""

    class Kind(models.TextChoices):
        CO_FACILITATION = "co-facilitation", _("Co-facilitated a meeting")
        SIGN_OFF = "sign-off", _("Signed off by a trainer")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="practice")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="training_practice")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The day of the co-facilitated meeting; for a sign-off, the day it was given.
    on = models.DateField()
    # The trainer's note about the trainee's training (never about a member).
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["programme", "trainee", "on"], condition=models.Q(kind="co-facilitation"),
            name="one_co_facilitation_per_day")]

    def __str__(self):
        return f"{self.kind} of user {self.trainee_id}"


class Certificate(models.Model):
    """Proof of finished training, with its own expiry. ``code`` is what the holder gives
    someone to check it on the public verification page."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Certification")
        RENEWAL = "renewal", _("Renewal")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT,
                                  related_name="certificates")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="training_certificates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=19, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    # Reminders already sent, by days before expiry, so each goes once.
    reminded = models.JSONField(default=list)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["holder", "expires_at"], name="certificate_by_holder")]

    def __str__(self):
        return f"Certificate {self.public_id} of user {self.holder_id}"
