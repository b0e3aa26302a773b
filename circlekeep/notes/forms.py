from django import forms
from django.utils.translation import gettext_lazy as _


class GroupNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Group note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Themes, interventions and the circle's process. Each member's copy has "
                    "every other member removed."))

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = attendees
        for membership in attendees:
            self.fields[f"section_{membership.public_id}"] = forms.CharField(
                label=_("About %(name)s") % {"name": membership.user.display_name},
                required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def sections(self):
        return {m: self.cleaned_data[f"section_{m.public_id}"] for m in self.attendees}


class AddendumForm(forms.Form):
    body = forms.CharField(label=_("Addendum"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))
