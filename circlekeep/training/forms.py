from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.lib.forms import SubmitOnceMixin
from circlekeep.training.models import Practice, Programme


class ProgrammeForm(forms.ModelForm):
    """The programme's rules, as an admin sets them."""

    class Meta:
        model = Programme
        fields = ["required", "transition_until", "pass_mark", "retake_after_hours",
                  "valid_months", "grace_days", "co_facilitations", "sign_off"]
        widgets = {"transition_until": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "required": _("When on, only facilitators with a current certificate lead a "
                          "circle, open its online room, run its opening ritual or sign "
                          "notes. Someone in training may co-facilitate beside a certified "
                          "lead."),
            "transition_until": _("Facilitators who already work here may go on leading "
                                  "without a certificate until this day. Empty: no "
                                  "transition."),
            "valid_months": _("Certificates already issued keep their expiry."),
            "grace_days": _("After a certificate expires, its holder may still lead this "
                            "many days; then the gate closes."),
        }


def quiz_form(module):
    """One required radio group per question, in the reader's language."""
    fields = {}
    for number, question in enumerate(module.question_texts(), start=1):
        fields[f"q{number}"] = forms.TypedChoiceField(
            label=question["prompt"], coerce=int, widget=forms.RadioSelect,
            choices=list(enumerate(question["choices"])),
            error_messages={"required": _("Choose an answer to this question.")})
    return type("QuizForm", (SubmitOnceMixin, forms.Form), fields)


class PracticeForm(SubmitOnceMixin, forms.Form):
    trainee = forms.ModelChoiceField(label=_("Facilitator"), queryset=None,
                                     to_field_name="public_id",
                                     empty_label=_("Choose a facilitator"))
    kind = forms.ChoiceField(label=_("What you confirm"), choices=Practice.Kind.choices,
                             widget=forms.RadioSelect)
    on = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("The day of the co-facilitated meeting, or of the "
                                     "sign-off."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Needed for a sign-off: what the facilitator showed. "
                                       "About their training only; never name a member."))

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees
        self.fields["trainee"].label_from_instance = lambda user: user.display_name


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Certificate code"), max_length=40,
                           help_text=_("As printed on the certificate, e.g. 7KQ2-M9XD-4HPA-R3TW."))


class ModuleTextForm(forms.Form):
    """A module's title and reading in one language (the page's), and its pass mark."""

    title = forms.CharField(label=_("Title"), max_length=200)
    pass_mark = forms.IntegerField(label=_("Pass mark for this quiz (%)"), required=False,
                                   min_value=50, max_value=100,
                                   help_text=_("Empty: the programme's pass mark."))
    reading = forms.CharField(label=_("Reading"), max_length=20_000,
                              widget=forms.Textarea(attrs={"rows": 18}),
                              help_text=_("Paragraphs, '## ' for a heading, '- ' for a list, "
                                          "**bold**. Links, images and HTML are not shown."))
