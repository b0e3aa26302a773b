"""Navigation by role, computed once per page from one query."""

from circlekeep.orgs.models import StaffRole


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None}

    def build():
        roles = list(StaffRole.objects.filter(user=user).select_related("organization"))
        return {
            "admin_of": [r.organization for r in roles if r.role == StaffRole.Role.ADMIN],
            "facilitates": any(r.may_facilitate for r in roles),
            "auditor_of": [r.organization for r in roles if r.role == StaffRole.Role.AUDITOR],
            "is_staff": bool(roles),
        }

    return {"nav": _Lazy(build)}


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
