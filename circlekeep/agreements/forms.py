from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.agreements.models import LadderStep, Proposal
from circlekeep.lib.forms import SubmitOnceMixin


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your full name to sign"), max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Your signature is bound to this exact text: its SHA-256 and the time "
                    "are recorded."))


class ProposalForm(SubmitOnceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What do you propose?"), choices=Proposal.Kind.choices)
    clause_key = forms.ChoiceField(label=_("Which clause"), required=False)
    title = forms.CharField(label=_("Clause title"), max_length=120, required=False)
    text = forms.CharField(label=_("Clause text"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("For a new or changed clause: the exact wording."))
    reason = forms.CharField(label=_("Why"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The circle reads your reason."))

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause_key"].choices = [("", _("(a new clause)"))] + [
            (clause["key"], f"{index}. {clause['title']}")
            for index, clause in enumerate(clauses, 1)]


class CommentForm(SubmitOnceMixin, forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("adopt", _("Adopt")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason, for the circle"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class CadenceForm(forms.Form):
    days = forms.IntegerField(label=_("Review the agreement every (days)"), min_value=1,
                              max_value=365)


class CheckForm(forms.Form):
    text = forms.CharField(label=_("Paste the agreement's text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))
    document = forms.FileField(label=_("Or choose a signed PDF"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and not data.get("document"):
            raise forms.ValidationError(_("Paste the text or choose a PDF to check."))
        return data


class TemplateForm(forms.Form):
    clauses = forms.CharField(
        label=_("Clauses"), widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_("Start each clause with a line “## Title”; its text follows on the next "
                    "lines."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in LadderStep:
            self.fields[f"ladder_{step.value}"] = forms.CharField(
                label=step.label, required=False, max_length=500,
                help_text=_("Leave empty to leave this step off the ladder."))

    @staticmethod
    def parse_clauses(text):
        clauses, current = [], None
        for line in text.replace("\r\n", "\n").split("\n"):
            if line.startswith("## "):
                current = {"title": line[3:].strip(), "text": ""}
                clauses.append(current)
            elif current is not None:
                current["text"] = (current["text"] + "\n" + line).strip("\n")
            elif line.strip():
                current = {"title": "", "text": line}
                clauses.append(current)
        return clauses

    @staticmethod
    def format_clauses(clauses):
        return "\n\n".join(f"## {c['title']}\n{c['text']}" for c in clauses)

    def ladder(self):
        return [{"step": step.value, "text": self.cleaned_data[f"ladder_{step.value}"]}
                for step in LadderStep if self.cleaned_data[f"ladder_{step.value}"].strip()]
