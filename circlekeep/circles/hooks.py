"""What the circles app asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with (circle, actor=...) inside the action that creates a circle: the apps that
# own a circle's starting state (its agreement) create it.
CIRCLE_CREATED = Hook("circles.circle_created")

# Called with a membership about to become active from onboarding: raise DomainError,
# with what is still to do, unless every onboarding step is done (the onboarding app
# answers).
CHECK_READY_TO_ACTIVATE = Hook("circles.check_ready_to_activate", single=True)

# Called with (memberships) -> {membership pk: progress}: how far each live membership has
# come in onboarding, for the circle's roster (the onboarding app answers).
ROSTER_PROGRESS = Hook("circles.roster_progress", single=True)

# Called with (user, circle public id) -> lib.charts.Chart: the onboarding funnel of the
# circle for its staff page (the onboarding app answers, and checks who may see it).
ONBOARDING_FUNNEL = Hook("circles.onboarding_funnel", single=True)
