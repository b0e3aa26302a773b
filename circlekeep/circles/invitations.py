"""What member and guardian invitations give, who may withdraw them, and what circles tell
the accounts app about a person (accounts/hooks.py)."""

from django.db.models import Exists, Min, OuterRef, Q
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.accounts.models import Guardianship
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import check_may_manage_circle
from circlekeep.circles.actions import do_change_membership_status
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import DomainError
from circlekeep.orgs.models import Organization, StaffRole


class MemberInvitation:
    @staticmethod
    def check_may_revoke(actor, invitation):
        check_may_manage_circle(actor, invitation.circle)

    @staticmethod
    def accept(invitation, user):
        if user.is_minor and not invitation.circle.allows_minors:
            raise DomainError(_("This circle is for adults only. Ask the person who invited "
                                "you about a circle that welcomes younger members."))
        membership = Membership.objects.get(circle=invitation.circle, user=user,
                                            status=Membership.Status.INVITED)
        do_change_membership_status(membership, Membership.Status.ONBOARDING, actor=user)

    @staticmethod
    def revoked(invitation, *, actor):
        """The place the invitation held in the circle is given up."""
        membership = Membership.objects.filter(circle=invitation.circle, user=invitation.user,
                                               status=Membership.Status.INVITED).first()
        if membership is not None:
            do_change_membership_status(membership, Membership.Status.REVOKED, actor=actor,
                                        reason=audit_reasons.code("circles.invitation.withdrawn"))


class GuardianInvitation:
    @staticmethod
    def check_may_revoke(actor, invitation):
        check_may_manage_circle(actor, invitation.circle)

    @staticmethod
    def accept(invitation, user):
        if user.pk == invitation.ward_id:
            raise DomainError(_("A member cannot be their own guardian."))
        link, created = Guardianship.objects.get_or_create(
            guardian=user, ward=invitation.ward, organization=invitation.organization)
        if created:
            audit.record("account.guardian.linked", actor=user, target=link,
                         organization=invitation.organization, circle=invitation.circle,
                         subject=invitation.ward)

    @staticmethod
    def revoked(invitation, *, actor):
        """A guardian invitation holds no place: nothing else to undo."""


def member_two_step_flag(user_ref):
    """The person belongs (accepted) to a circle of an organization that requires members
    to use two-step sign-in."""
    return Exists(Membership.objects.accepted().filter(
        user=user_ref, circle__organization__require_member_2fa=True))


def organizations_bounding_tokens(user):
    """The organizations whose token lifetime applies to ``user``: where they hold a staff
    role or an accepted membership. A pending invitation grants nothing, so it sets none
    of their limits either."""
    return Organization.objects.filter(
        Q(Exists(StaffRole.objects.filter(organization=OuterRef("pk"), user=user)))
        | Q(Exists(Membership.objects.accepted().filter(circle__organization=OuterRef("pk"),
                                                        user=user))))


def token_day_limit(user):
    return organizations_bounding_tokens(user).aggregate(days=Min("api_token_max_days"))["days"]
