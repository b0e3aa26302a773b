"""The roles people act in, as each reader's language names them.

The audit trail and invitations store a role's stable name ("facilitator"); pages show
its label. ``{% load roles %}`` gives the ``role_label`` filter.
"""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ROLE_LABELS = {
    "member": _("Member"),
    "facilitator": _("Facilitator"),
    "lead": _("Lead facilitator"),
    "co": _("Co-facilitator"),
    "admin": _("Organization admin"),
    "auditor": _("Auditor"),
    "guardian": _("Guardian"),
    "system": _("The system"),
    "anonymous": _("Anonymous"),
}


def role_label(role):
    """The label of a stored role name, in the active language; an unknown name as is."""
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else role


register.filter("role_label", role_label)
