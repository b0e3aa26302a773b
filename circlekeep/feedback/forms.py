from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.feedback.actions import DAYS_OPEN
from circlekeep.feedback.models import MAX_QUESTIONS, Round
from circlekeep.lib.forms import SubmitOnceMixin


class RoundForm(SubmitOnceMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120,
                            help_text=_("Members see it, for example “Autumn check-in”."))
    about = forms.ChoiceField(label=_("What the feedback is about"), choices=Round.About.choices,
                              initial=Round.About.CIRCLE)
    ratings = forms.CharField(
        label=_("Questions answered with a mark from 1 to 5"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, for example “I feel safe saying what I think here.”"))
    open_questions = forms.CharField(
        label=_("Open questions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. At most %(count)d questions in all.")
        % {"count": MAX_QUESTIONS})
    days_open = forms.IntegerField(label=_("Days open"), min_value=DAYS_OPEN[0],
                                   max_value=DAYS_OPEN[1], initial=7)

    def __init__(self, *args, may_ask_about_facilitator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_ask_about_facilitator:
            self.fields["about"].choices = [(Round.About.CIRCLE, Round.About.CIRCLE.label)]

    def questions(self):
        def lines(name):
            return [line.strip() for line in self.cleaned_data.get(name, "").splitlines()
                    if line.strip()]
        return ([{"kind": "rating", "prompt": p} for p in lines("ratings")]
                + [{"kind": "text", "prompt": p} for p in lines("open_questions")])


class SummaryForm(SubmitOnceMixin, forms.Form):
    summary = forms.CharField(
        label=_("Summary to share with the circle"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Members read what you write here. Describe themes in your own words; "
                    "quoting an answer word for word can tell its writer apart."))
