"""What the consent app asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with (person, organization, actor=...) inside the action that records consent:
# it may be the last onboarding step of their memberships there (onboarding answers).
CONSENT_GIVEN = Hook("consent.consent_given")
