from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.accounts.forms import time_zone_choices
from circlekeep.lib.widgets import FastSelect
from circlekeep.orgs.models import API_TOKEN_DAYS_BOUNDS, StaffRole


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    country = forms.CharField(label=_("Country"), max_length=2,
                              help_text=_("Two-letter code, e.g. US or ES."))
    region = forms.CharField(label=_("Region"), max_length=80, required=False,
                             help_text=_("State or province code, e.g. CA."))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, widget=FastSelect,
        help_text=_("Where the circles meet. New accounts start in it; everyone sees times "
                    "in their own zone."))
    require_member_2fa = forms.BooleanField(
        label=_("Members must use two-step sign-in"), required=False,
        help_text=_("Staff always must."),
    )
    members_read_notes = forms.BooleanField(
        label=_("Members may read their own progress notes"), required=False,
        help_text=_("Signed notes only; they never name other members."),
    )
    api_token_max_days = forms.IntegerField(
        label=_("Longest API token lifetime (days)"),
        min_value=API_TOKEN_DAYS_BOUNDS[0], max_value=API_TOKEN_DAYS_BOUNDS[1],
        help_text=_("From 1 to 365 days, for the tokens of your staff and members. Tokens "
                    "older than this stop working, including ones already made."),
    )


class StaffInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.Role.choices)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.Role.choices)


class ResetTwoFactorForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, how you confirmed who the person is. It goes into the audit "
                    "trail, which they can read."),
    )
