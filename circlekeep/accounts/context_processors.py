"""Navigation by role, computed once per page from at most one query."""

from functools import cache

from django.urls import reverse

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
             "my_notes": "notes:mine", "my_disclosures": "disclosures:mine"}
    return {key: reverse(name) for key, name in names.items()}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None, "links": fixed_links()}

    if getattr(user, "flag_staff", True) is False:
        # Members: the menu needs no query.
        return {"nav": {"admin_of": [], "facilitates": False, "auditor_of": [],
                        "is_staff": False}, "links": fixed_links()}

    def build():
        roles = list(StaffRole.objects.filter(user=user).select_related("organization"))
        return {
            "admin_of": [r.organization for r in roles if r.role == StaffRole.Role.ADMIN],
            "facilitates": any(r.may_facilitate for r in roles),
            "auditor_of": [r.organization for r in roles if r.role == StaffRole.Role.AUDITOR],
            "is_staff": bool(roles),
        }

    return {"nav": _Lazy(build), "links": fixed_links()}


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
