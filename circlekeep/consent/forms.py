from django import forms
from django.utils.translation import gettext_lazy as _

from circlekeep.consent.defaults import SECTION_KEYS


class GiveConsentForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Type your full name to consent"), max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Your consent is bound to this exact version of the document."))
    ward = forms.ChoiceField(label=_("Consenting for"), required=False)

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        if wards:
            self.fields["ward"].choices = [(str(w.public_id), w.display_name) for w in wards]
        else:
            del self.fields["ward"]


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"service": _("What the service is"),
                  "information": _("How information is used and who sees it"),
                  "retention": _("How long it is kept"),
                  "limits": _("The limits of confidentiality"),
                  "withdrawal": _("The right to withdraw")}
        for key in SECTION_KEYS:
            self.fields[f"{key}_title"] = forms.CharField(
                label=_("Heading: %(section)s") % {"section": labels[key]}, max_length=200)
            self.fields[f"{key}_text"] = forms.CharField(
                label=_("Text: %(section)s") % {"section": labels[key]}, max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}))
        self.fields["reporting_categories"] = forms.CharField(
            label=_("Mandatory-reporting categories"), widget=forms.Textarea(attrs={"rows": 6}),
            help_text=_("One per line: the situations in which confidentiality must be "
                        "broken in this jurisdiction."))
        self.fields["guardian_sharing"] = forms.CharField(
            label=_("What may be shared with a minor's guardian"), max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}))

    @staticmethod
    def initial_from(document):
        initial = {"title": document.title,
                   "reporting_categories": "\n".join(document.reporting_categories),
                   "guardian_sharing": document.guardian_sharing}
        for section in document.sections:
            initial[f"{section['key']}_title"] = section["title"]
            initial[f"{section['key']}_text"] = section["text"]
        return initial

    def document_fields(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "sections": {key: {"title": data[f"{key}_title"], "text": data[f"{key}_text"]}
                         for key in SECTION_KEYS},
            "reporting_categories": data["reporting_categories"].splitlines(),
            "guardian_sharing": data["guardian_sharing"],
        }
