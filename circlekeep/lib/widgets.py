"""Form widgets that render long option lists without a template per option."""

from functools import cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


@cache
def _rendered_options(choices):
    return "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in choices)


class FastSelect(forms.Select):
    """A plain <select> for long, flat, fixed lists (time zones).

    Django's Select renders each option through a template, which makes a 600-option list
    cost tens of milliseconds. The options are rendered once per process; the selected one
    is marked by a single replacement.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        options = _rendered_options(tuple((str(v), str(label)) for v, label in self.choices))
        if value not in (None, ""):
            marker = f'<option value="{escape(str(value))}">'
            options = options.replace(marker, marker[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")  # noqa: S308
