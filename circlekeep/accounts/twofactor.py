"""Who must use two-step sign-in, and the devices that provide it."""

from django.db.models import Exists, OuterRef, Q

from circlekeep.circles.models import Membership
from circlekeep.orgs.models import StaffRole


def two_factor_required(user) -> bool:
    """True for staff, and for members of an organization whose policy requires it.

    One query, cached on the user object for the request.
    """
    cached = getattr(user, "_two_factor_required", None)
    if cached is not None:
        return cached
    from circlekeep.accounts.models import User

    required = User.objects.filter(pk=user.pk).filter(
        Q(Exists(StaffRole.objects.filter(user=OuterRef("pk"))))
        | Q(Exists(Membership.objects.filter(
            user=OuterRef("pk"), status__in=Membership.LIVE_STATUSES,
            circle__organization__require_member_2fa=True,
        )))
    ).exists()
    user._two_factor_required = required
    return required
