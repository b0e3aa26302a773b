"""People, their invitations and their API tokens."""

import hashlib
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (invitation or API token); the secret is never kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    ``display_name`` is how circles see the person (a first name, a chosen name or
    initials); the e-mail address is never shown to other members.
    """

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), max_length=254)
    display_name = models.CharField(
        _("display name"), max_length=60,
        help_text=_("How you are shown in your circles: a first name, a chosen name or initials."),
    )
    # The name typed to sign the circle's agreement and consent forms; the person's
    # facilitators see it, other members never do.
    full_name = models.CharField(
        _("full name"), max_length=120, blank=True,
        help_text=_("Your name as you sign documents. Only your facilitators see it."),
    )
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    # Other names people in the circle may use, and a phone number: both only so that the
    # notes redactor can remove them from other members' records.
    other_names = models.CharField(
        _("other names"), max_length=200, blank=True,
        help_text=_("Nicknames or short names people use for you, separated by commas. "
                    "They are removed from other members' notes, like your name."))
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices,
                                default=Language.ENGLISH)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_active = models.BooleanField(default=False)
    # Set when a facilitator invites someone under the age of consent; minors join only
    # circles that allow them, and only with a guardian.
    is_minor = models.BooleanField(_("minor"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raising the epoch invalidates every session of this user (sign out everywhere).
    session_epoch = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="unique_email_ci")]

    def __str__(self):
        return self.display_name or str(self.public_id)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    def get_session_auth_hash(self):
        # Django checks this on every request; binding it to the epoch as well as the
        # password hash lets one action end all of a person's sessions at once.
        return salted_hmac(
            "circlekeep.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


class Invitation(models.Model):
    """A single-use, expiring link that lets one e-mail address join as staff or member.

    Only the SHA-256 of the token is stored, so a database reader cannot accept it.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        MEMBER = "member", _("Circle member")
        GUARDIAN = "guardian", _("Guardian")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="invitations")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT,
                                     related_name="invitations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    role = models.CharField(max_length=20, blank=True)
    circle = models.ForeignKey("circles.Circle", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="invitations")
    # The inviter's word that the person is a minor. It becomes the account's only if the
    # account is new when this invitation is accepted: a pending invitation from one
    # organization must not fix how old the person is for every other.
    minor = models.BooleanField(default=False)
    ward = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="guardian_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation {self.public_id}"

    @property
    def is_pending(self):
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > timezone.now())

    @property
    def state(self):
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("pending")


class ApiToken(models.Model):
    """A personal access token for the API: shown once, stored hashed, expiring.

    ``second_factor`` records whether the session that made it had passed two-step
    sign-in; where two-step sign-in is required, a token made without it never works.
    ``expires_at`` is set once, at creation, and nothing moves it later.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    second_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class Guardianship(models.Model):
    """A guardian who consents for a minor member (the ward), in one organization: the
    organization whose facilitator invited them. Another organization the minor belongs to
    chooses its own guardian; a guardian chosen here sees and does nothing there."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="wards_links")
    ward = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="guardian_links")
    organization = models.ForeignKey("orgs.Organization", null=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "ward", "organization"],
                                    name="one_link_per_pair_per_organization"),
            models.CheckConstraint(condition=~models.Q(guardian=models.F("ward")),
                                   name="guardian_is_not_ward"),
        ]

    def __str__(self):
        return f"Guardianship {self.public_id}"


class FormDraft(models.Model):
    """What a person typed into a form that arrived after their session had ended, kept
    until they sign in again and see it back in the same form.

    The fields are sealed by the vault (``vault.drafts``): they may be a note or a concern.
    A draft is bound to one account and one page, lives minutes, and is deleted as soon as
    it is restored.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="form_drafts")
    path = models.CharField(max_length=500)
    sealed_fields = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "path"], name="formdraft_user_path")]

    def __str__(self):
        return f"Form draft {self.public_id}"
