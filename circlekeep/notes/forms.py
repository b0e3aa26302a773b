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
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("You review it before it is added: other members "
                                       "are removed as in the note."))


class PhraseForm(forms.Form):
    phrase = forms.CharField(
        label=_("Also remove this phrase"), max_length=200,
        help_text=_("Whole words only; capitals must match if you type any. Every match "
                    "is shown before it is removed."))


def _span(value):
    start, _sep, end = str(value).partition("-")
    return int(start), int(end)


def review_corrections(data):
    """(keep, decisions) from the review form: ticked removals to undo ("start-end") and
    each flag's select ("decide_start-end" → "remove" or "keep"). Malformed values are
    left out; the action checks the rest."""
    keep, decisions = [], {}
    for value in data.getlist("keep"):
        try:
            keep.append(list(_span(value)))
        except ValueError:
            continue
    for name, value in data.items():
        if name.startswith("decide_") and value:
            try:
                decisions[_span(name.removeprefix("decide_"))] = value
            except ValueError:
                continue
    return keep, decisions
