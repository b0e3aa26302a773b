"""What the accounts app asks of the apps above it (see circlekeep/lib/hooks.py).

Accounts sit beneath organizations and circles, yet a person's account depends on them:
whether they are staff, how long their tokens may live, what an accepted invitation gives.
"""

from circlekeep.lib.hooks import Hook, Registry

# name -> callable(OuterRef to the user's pk) -> a boolean expression (Exists(...)): flags
# loaded with the user on every request ("flag_staff", "flag_member_2fa", …).
USER_FLAGS = Registry("accounts.user_flags")

# callable(user) -> the most days a token of theirs may live, or None where nothing limits.
TOKEN_DAY_LIMIT = Hook("accounts.token_day_limit", single=True)

# Invitation kind ("staff", "member", "guardian") -> an object with
#   check_may_revoke(actor, invitation): raise ActionForbidden unless actor may withdraw it;
#   accept(invitation, user): what accepting gives, inside the accepting action;
#   revoked(invitation, actor=...): what withdrawing undoes, inside the withdrawing action.
INVITATION_KINDS = Registry("accounts.invitation_kinds")
