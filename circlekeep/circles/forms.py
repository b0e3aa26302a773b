from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.circles.models import Circle, Membership
from circlekeep.lib.forms import SubmitOnceMixin


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


class MessageForm(SubmitOnceMixin, forms.Form):
    text = forms.CharField(label=_("Your question"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ScreeningDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("proceed", _("Proceed with a plan")),
                                          ("refer", _("Refer elsewhere"))])
    plan = forms.CharField(label=_("Plan or reason"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Only the member and the circle's facilitators see "
                                       "this."))


class RelationshipsForm(forms.Form):
    """Up to five people the member already knows, by the name they would use. Nobody is
    listed: a person joining sees no roster."""

    ROWS = 5

    def __init__(self, *args, **kwargs):
        from circlekeep.circles.models import RelationshipDeclaration

        super().__init__(*args, **kwargs)
        kinds = [("", _("Choose…")), *RelationshipDeclaration.Kind.choices]
        for n in range(1, self.ROWS + 1):
            self.fields[f"name_{n}"] = forms.CharField(
                label=_("Person %(n)d: their name") % {"n": n}, required=False,
                max_length=120, help_text=_("As you know them: a first name is enough.")
                if n == 1 else "")
            self.fields[f"kind_{n}"] = forms.ChoiceField(
                label=_("How you know person %(n)d") % {"n": n}, choices=kinds,
                required=False)
            self.fields[f"note_{n}"] = forms.CharField(
                label=_("Anything your facilitator should know (person %(n)d)") % {"n": n},
                required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        for n in range(1, self.ROWS + 1):
            name, kind = data.get(f"name_{n}", "").strip(), data.get(f"kind_{n}", "")
            if name and not kind:
                self.add_error(f"kind_{n}", _("Choose how you know this person."))
            if kind and not name:
                self.add_error(f"name_{n}", _("Write the person's name."))
        return data

    def declarations(self):
        return [(self.cleaned_data[f"name_{n}"], self.cleaned_data[f"kind_{n}"],
                 self.cleaned_data[f"note_{n}"])
                for n in range(1, self.ROWS + 1) if self.cleaned_data.get(f"name_{n}")]
