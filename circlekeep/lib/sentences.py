"""``{% load sentences %}``: filters for sentences that carry people's names."""

from django import template

from circlekeep.lib.text import one_full_stop

register = template.Library()


@register.filter
def single_stop(sentence):
    """``{% blocktranslate asvar s %}Co-signed by {{ name }}.{% endblocktranslate %}
    {{ s|single_stop }}``: a name ending in a full stop ends the sentence with it."""
    return one_full_stop(sentence)
