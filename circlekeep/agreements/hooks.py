"""What the agreements app asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with (membership, actor=...) inside the action that records a member's signature:
# signing may be the last onboarding step (the onboarding app answers).
MEMBER_SIGNED = Hook("agreements.member_signed")
