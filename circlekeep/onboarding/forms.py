from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.lib.forms import SubmitOnceMixin


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
