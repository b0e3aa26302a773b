"""What the circles app asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with (circle, actor=...) inside the action that creates a circle: the apps that
# own a circle's starting state (its agreement) create it.
CIRCLE_CREATED = Hook("circles.circle_created")
