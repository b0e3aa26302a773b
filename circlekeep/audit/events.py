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
    "account.reauthenticated": _("Identity confirmed before a sensitive change"),
    "account.reauthentication.failed": _("Identity confirmation failed"),
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
    "audit.held.released": _("Anonymous events of past days added to the trail"),
    "audit.held.rejected": _("Held anonymous events refused as forged"),
    "audit.held.missing": _("Held anonymous events found missing"),
    "vault.revealed": _("Protected information read"),
    "vault.keys.destroyed": _("Protected information erased"),
    "vault.erasure.elsewhere": _("Another organization erased its share of this person's "
                                 "information"),
    "vault.data_key.rotated": _("Data key rotated"),
    "vault.kek.rotated": _("Data keys re-wrapped under a new key-encryption key"),
    "circle.created": _("Circle created"),
    "circle.changed": _("Circle details changed"),
    "circle.facilitator.added": _("Facilitator added"),
    "circle.facilitator.removed": _("Facilitator removed"),
    "circle.member.invited": _("Member invited"),
    "circle.member.status.changed": _("Membership status changed"),
    "circle.onboarding.orientation_read": _("Orientation read"),
    "circle.onboarding.question_asked": _("Onboarding question asked"),
    "circle.onboarding.question_answered": _("Onboarding question answered"),
    "circle.onboarding.questions_settled": _("No more onboarding questions"),
    "circle.onboarding.online_rules_accepted": _("Online rules agreed"),
    "circle.onboarding.relationships_declared": _("Relationships declared"),
    "circle.onboarding.screening_decided": _("Relationship screening decided"),
    "circle.onboarding.declarations_sealed": _("Older relationship declarations sealed"),
    "agreement.template.created": _("Agreement template created"),
    "agreement.template.changed": _("Agreement template changed"),
    "agreement.version.created": _("Agreement version created"),
    "agreement.proposal.created": _("Agreement change proposed"),
    "agreement.proposal.commented": _("Comment on an agreement proposal"),
    "agreement.proposal.adopted": _("Agreement proposal adopted"),
    "agreement.proposal.declined": _("Agreement proposal declined"),
    "agreement.signed": _("Agreement signed"),
    "agreement.reviewed": _("Agreement reviewed"),
    "agreement.cadence.changed": _("Agreement review cadence changed"),
    "consent.document.published": _("Consent document published"),
    "consent.document.in_force": _("Consent document put in force"),
    "consent.given": _("Consent given"),
    "consent.withdrawn": _("Consent withdrawn"),
    "meeting.scheduled": _("Meetings scheduled"),
    "meeting.cancelled": _("Meeting cancelled"),
    "meeting.moved": _("Meeting moved"),
    "meeting.agenda.added": _("Agenda item added"),
    "meeting.ritual.acknowledged": _("Opening ritual acknowledged"),
    "meeting.attendance.recorded": _("Attendance recorded"),
    "meeting.pledge.recorded": _("Pledge recorded"),
    "meeting.calendar_feed.created": _("Calendar feed created"),
    "meeting.calendar_feed.revoked": _("Calendar feed turned off"),
    "meeting.calendar_feed.titled": _("Calendar entry title changed"),
    "meeting.reminder.sent": _("Meeting reminder sent"),
    "note.group.written": _("Group note written"),
    "note.redaction.adjusted": _("Progress note redactions corrected"),
    "note.progress.signed": _("Progress note signed"),
    "note.progress.cosigned": _("Progress note co-signed"),
    "note.addendum.added": _("Addendum added to a progress note"),
    "disclosure.authorization.signed": _("Authorization to release information signed"),
    "disclosure.authorization.revoked": _("Authorization to release information revoked"),
    "disclosure.recorded": _("Information released under an authorization"),
    "disclosure.legal.recorded": _("Information disclosed under a legal duty"),
    "disclosure.accounting.suspended": _("Accounting of a disclosure suspended"),
    "concern.reported": _("Concern reported"),
    "concern.acknowledged": _("Concern acknowledged"),
    "concern.assessed": _("Concern assessed"),
    "concern.raised_in_group": _("Concern put on a meeting's agenda"),
    "concern.decided": _("Consequence applied after a concern"),
    "concern.decision.responded": _("Member responded to a decision"),
    "concern.closed": _("Concern closed"),
    "incident.recorded": _("Privacy incident recorded"),
    "incident.affected.found": _("People affected by an incident found"),
    "incident.notification.drafted": _("Incident notification drafted"),
    "incident.notification.sent": _("Incident notification sent"),
}


# Events about an account rather than anything an organization holds. They carry no
# organization; each organization the person belongs to sees them in its trail and report.
ACCOUNT_SECURITY_EVENTS = (
    "account.sign_in.failed", "account.locked_out", "account.otp.failed",
    "account.otp.disabled", "account.otp.reset", "account.otp.enrolled",
    "account.password.changed", "account.password.reset", "account.signed_out_everywhere",
    "account.api_token.created", "account.api_token.revoked",
)


# The only events that may be anonymous, and so held until their day is over.
ANONYMOUS_EVENT_TYPES = frozenset({"concern.reported"})


def label_for(event_type: str) -> str:
    return str(EVENT_TYPES.get(event_type, event_type))
