from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.circles.models import Circle, Membership


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("Members see this name. Keep it neutral if you like."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Circle.Kind.choices)
    mode = forms.ChoiceField(label=_("How it meets"), choices=Circle.Mode.choices)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=2, max_value=100, initial=10,
                                  help_text=_("The most members, invitations included (2–100)."))
    allows_minors = forms.BooleanField(label=_("Minors may join"), required=False,
                                       help_text=_("Minors join with a guardian's consent."))
    meeting_details = forms.CharField(
        label=_("Where and when"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown only to members who have finished onboarding."))
    room_names = forms.ChoiceField(
        label=_("Names in the online room"), choices=Circle.RoomNames.choices,
        initial=Circle.RoomNames.DISPLAY, required=False,
        help_text=_("How members see each other in an online meeting. Facilitators always "
                    "see who is who."))


class NewCircleForm(CircleForm):
    organization = forms.ChoiceField(label=_("Organization"))
    lead = forms.ChoiceField(label=_("Lead facilitator"), required=False)

    def __init__(self, *args, organizations, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.public_id), o.name) for o in organizations]
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = str(organizations[0].public_id)
        if leads:
            self.fields["lead"].choices = [(str(u.public_id), u.display_name) for u in leads]
        else:
            del self.fields["lead"]


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"),
                             help_text=_("The invitation works for this address only and "
                                         "expires in 7 days."))
    is_minor = forms.BooleanField(label=_("This person is a minor"), required=False,
                                  help_text=_("A minor joins with a guardian, whom you invite "
                                              "next."))

    def __init__(self, *args, allows_minors, **kwargs):
        super().__init__(*args, **kwargs)
        if not allows_minors:
            del self.fields["is_minor"]


class GuardianInviteForm(forms.Form):
    email = forms.EmailField(label=_("Guardian's e-mail address"))


class AddFacilitatorForm(forms.Form):
    user = forms.ChoiceField(label=_("Co-facilitator"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(str(u.public_id), u.display_name) for u in candidates]


class MembershipStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Required for a suspension or revocation. The member will see it."),
    )

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (to, Membership.Status(to).label)
            for (frm, to), who in Membership.TRANSITIONS.items()
            if frm == current and who == "staff"
        ]
