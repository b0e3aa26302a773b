"""What the trail's core asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# The capacity in which an actor acted ("facilitator", "admin", …), given the event's
# organization, circle and subject. The core knows no organizations or circles; the
# circles app, which knows both, answers.
ROLE_LABEL = Hook("audit.role_label", single=True)
