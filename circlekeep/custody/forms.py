from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, the member's request and when it was made. It goes into "
                    "the audit trail."),
    )
    confirmation = forms.CharField(
        label=_("Type the person's name to confirm"), max_length=254,
        help_text=_("Their name as shown above, or their e-mail address."),
    )
