"""What a staff invitation gives and who may withdraw it (accounts/hooks.py)."""

from django.db.models import Exists

from circlekeep.orgs.access import check_org_admin
from circlekeep.orgs.actions import do_grant_staff_role
from circlekeep.orgs.models import StaffRole


class StaffInvitation:
    @staticmethod
    def check_may_revoke(actor, invitation):
        check_org_admin(actor, invitation.organization)

    @staticmethod
    def accept(invitation, user):
        do_grant_staff_role(invitation.organization, user, invitation.role, actor=None)

    @staticmethod
    def revoked(invitation, *, actor):
        """A staff invitation holds no place anywhere: nothing else to undo."""


def staff_flag(user_ref):
    return Exists(StaffRole.objects.filter(user=user_ref))
