"""The registry of audit event types: stable dotted names with human labels.

Names never change once shipped (reports and exports key on them); labels may.
"""

from django.utils.translation import gettext_lazy as _

EVENT_TYPES = {
    "org.created": _("Organization created"),
    "org.policies.changed": _("Organization policies changed"),
    "org.staff.role.granted": _("Staff role granted"),
    "org.staff.role.changed": _("Staff role changed"),
    "org.staff.role.removed": _("Staff role removed"),
    "account.invitation.sent": _("Invitation sent"),
    "account.invitation.accepted": _("Invitation accepted"),
    "account.invitation.revoked": _("Invitation revoked"),
    "account.guardian.linked": _("Guardian linked to a minor member"),
    "account.profile.changed": _("Profile changed"),
    "account.password.changed": _("Password changed"),
    "account.password.reset": _("Password reset by e-mail"),
    "account.signed_in": _("Signed in"),
    "account.sign_in.failed": _("Sign-in failed"),
    "account.signed_out": _("Signed out"),
    "account.signed_out_everywhere": _("Signed out everywhere"),
    "account.otp.enrollment.started": _("Two-step sign-in setup started"),
    "account.otp.enrolled": _("Two-step sign-in turned on"),
    "account.otp.verified": _("Two-step code accepted"),
    "account.otp.failed": _("Two-step code rejected"),
    "account.otp.backup_codes.generated": _("Backup codes generated"),
    "account.otp.disabled": _("Two-step sign-in turned off"),
    "account.otp.reset": _("Two-step sign-in reset by an admin"),
    "account.api_token.created": _("API token created"),
    "account.api_token.revoked": _("API token revoked"),
    "account.locked_out": _("Sign-in paused after repeated failures"),
    "vault.revealed": _("Protected information read"),
    "vault.keys.destroyed": _("Protected information erased"),
    "vault.data_key.rotated": _("Data key rotated"),
    "vault.kek.rotated": _("Data keys re-wrapped under a new key-encryption key"),
    "circle.created": _("Circle created"),
    "circle.changed": _("Circle details changed"),
    "circle.facilitator.added": _("Facilitator added"),
    "circle.facilitator.removed": _("Facilitator removed"),
    "circle.member.invited": _("Member invited"),
    "circle.member.status.changed": _("Membership status changed"),
}


def label_for(event_type: str) -> str:
    return str(EVENT_TYPES.get(event_type, event_type))
