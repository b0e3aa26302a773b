from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from circlekeep.accounts.models import TIME_ZONES, User
from circlekeep.lib.widgets import FastSelect

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in TIME_ZONES]


def time_zone_choices():
    # A callable: Django then copies a reference per form instead of 600 tuples.
    return TIME_ZONE_CHOICES


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("That e-mail address and password do not match an account. "
                           "Check both and try again."),
        "inactive": _("This account is not active yet. Use the link in your invitation."),
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=12,
        help_text=_("The six digits your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class ReauthenticateForm(forms.Form):
    """Confirm it's you: the password, and a code where the person has two-step sign-in."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                          "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Code"), max_length=12,
        help_text=_("The six digits your authenticator app shows, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, with_code, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"), max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=60,
        help_text=_("How you are shown in your circles: a first name, a chosen name or "
                    "initials."),
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=120, required=False,
        help_text=_("Your name as you sign your circle's agreement and consent forms. Only "
                    "your facilitators see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    pronouns = forms.CharField(label=_("Pronouns"), max_length=30, required=False,
                               help_text=_("Optional, for example she/her, he/him, they/them."))
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices,
                                  widget=FastSelect)


class FullProfileForm(ProfileForm):
    other_names = forms.CharField(
        label=_("Other names"), max_length=200, required=False,
        help_text=_("Nicknames or short names people use for you, separated by commas. "
                    "They are removed from other members' notes, like your name."))
    phone = forms.CharField(
        label=_("Phone number"), max_length=40, required=False,
        help_text=_("Optional. Never shown to other members; removed from their notes."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))


class AcceptInvitationForm(ProfileForm):
    password = forms.CharField(
        label=_("Choose a password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words work well."),
    )
    password_again = forms.CharField(
        label=_("Type the password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )
    new_password_again = forms.CharField(
        label=_("Type the new password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get(
                "new_password_again"):
            self.add_error("new_password_again", _("The two passwords are not the same."))
        return data


class ResetPasswordForm(SetPasswordForm):
    """Django's reset form, saving through the action so the change is audited."""

    revoked_tokens = ()

    def save(self, commit=True):
        from circlekeep.accounts.actions import do_reset_password

        self.revoked_tokens = do_reset_password(self.user,
                                                new_password=self.cleaned_data["new_password1"])
        return self.user


class RequestPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        # Only active accounts with a usable password; case-insensitive.
        return (u for u in User.objects.filter(email__iexact=email, is_active=True)
                if u.has_usable_password())


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60,
                           help_text=_("What the token is for, e.g. \"reporting script\"."))
    days = forms.IntegerField(label=_("Expires after (days)"), min_value=1)

    def __init__(self, *args, limit, **kwargs):
        super().__init__(*args, **kwargs)
        # The action enforces the limit; the form offers it and says what it is.
        self.fields["days"].initial = limit
        self.fields["days"].widget.attrs["max"] = limit
        self.fields["days"].help_text = ngettext(
            "At most %(limit)d day, as your organization allows.",
            "At most %(limit)d days, as your organization allows.", limit) % {"limit": limit}
