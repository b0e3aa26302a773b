"""Who may see and take which onboarding step."""

from django.utils.translation import gettext as _

from circlekeep.circles.access import access_membership, check_may_manage_circle
from circlekeep.lib.actions import ActionForbidden


def access_onboarding(user, public_id):
    """A membership's onboarding, with whether ``user`` is its member. The member and the
    circle's facilitators and admins see it (memberships_visible_to); 404 for anyone
    else."""
    membership = access_membership(user, public_id)
    return membership, membership.user_id == user.pk


def access_own_onboarding(user, public_id):
    """A step only the member takes (reading the orientation, asking, agreeing, declaring):
    404 for strangers as above, 403 for the circle's staff, who may look but not act."""
    membership, is_self = access_onboarding(user, public_id)
    if not is_self:
        raise ActionForbidden(_("Only the member takes this step."))
    return membership


def access_staff_onboarding(user, public_id):
    """A step the circle's staff take (answering, deciding a screening): 404 for
    strangers, 403 for the member."""
    membership, _is_self = access_onboarding(user, public_id)
    check_may_manage_circle(user, membership.circle)
    return membership
