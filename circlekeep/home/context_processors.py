"""Navigation by role, computed once per page from at most one query."""

from functools import cache

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from circlekeep.orgs.models import StaffRole


@cache
def fixed_links():
    """The menu's addresses never change while the process runs; reverse them once."""
    names = {"home": "home", "create": "circles:create", "profile": "accounts:profile",
             "security": "accounts:security", "logout": "accounts:logout",
             "otp_setup": "accounts:otp-setup", "set_language": "set-language",
             "password_reset": "accounts:password-reset", "login": "accounts:login",
             "my_access": "audit:my-access", "audit_trail": "audit:trail",
             "security_report": "audit:security", "my_consent": "consent:mine",
             "my_notes": "notes:mine", "my_disclosures": "disclosures:mine",
             "calendar": "meetings:schedule", "notifications": "notify:list",
             "keep_session": "accounts:keep-session", "training": "training:home",
             "feedback_tokens": "feedback:waiting"}
    return {key: reverse(name) for key, name in names.items()}


LABELS = {
    "skip": _("Skip to main content"), "main": _("Main"), "dashboard": _("Dashboard"),
    "new_circle": _("New circle"), "circles": _("Circles"), "staff": _("Staff"),
    "invitations": _("Invitations"), "organization": _("Organization"),
    "audit_trail": _("Audit trail"), "security_report": _("Security report"),
    "my_consent": _("My consent"), "my_notes": _("My notes"),
    "my_disclosures": _("Disclosures"), "my_access": _("Who has seen my information"),
    "profile": _("Profile"), "menu": _("Menu"), "training": _("Training"),
    "calendar": _("Calendar"), "security": _("Security"), "sign_out": _("Sign out"),
    "promise": _("What is said in the circle stays in the circle."),
}


@cache
def labels_in(language):
    """The frame's words in one language, translated once per process (every page shows
    them, and a {% translate %} tag costs more than a variable)."""
    return {key: str(text) for key, text in LABELS.items()}


MEMBER_NAV = {"admin_of": [], "facilitates": False, "auditor_of": [], "is_staff": False}


@cache
def member_menu(language, on_home, on_calendar):
    """A member's navigation is the same for every member: rendered once per language and
    page kind, then reused (every page a member opens shows it)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return mark_safe(render_to_string("_partials/nav.html", {  # noqa: S308 (our template)
        "nav": MEMBER_NAV, "links": fixed_links(), "labels": labels_in(language),
        "on_home": on_home, "on_calendar": on_calendar}))


def _where(request):
    match = getattr(request, "resolver_match", None)
    return (bool(match) and match.url_name == "home",
            bool(match) and match.view_name == "meetings:schedule")


def navigation(request):
    user = getattr(request, "user", None)
    language = get_language()
    labels = labels_in(language)
    if user is None or not user.is_authenticated:
        return {"nav": None, "links": fixed_links(), "labels": labels}

    on_home, on_calendar = _where(request)
    if getattr(user, "flag_staff", True) is False:
        # Members: the menu needs no query, and is the same for all of them.
        return {"nav": MEMBER_NAV, "links": fixed_links(), "labels": labels,
                "member_nav": member_menu(language, on_home, on_calendar)}

    def build():
        roles = list(StaffRole.objects.filter(user=user).select_related("organization"))
        return {
            "admin_of": [r.organization for r in roles if r.role == StaffRole.Role.ADMIN],
            "facilitates": any(r.may_facilitate for r in roles),
            "auditor_of": [r.organization for r in roles if r.role == StaffRole.Role.AUDITOR],
            "is_staff": bool(roles),
        }

    return {"nav": _Lazy(build), "links": fixed_links(), "labels": labels,
            "on_home": on_home, "on_calendar": on_calendar}


class _Lazy:
    """Evaluates on first attribute use, so pages that never show the menu pay nothing."""

    def __init__(self, factory):
        self._factory = factory
        self._value = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._factory()
        return self._value[name]

    def __bool__(self):
        return True
