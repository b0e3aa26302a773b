"""What the vault asks of the apps above it (see circlekeep/lib/hooks.py)."""

from circlekeep.lib.hooks import Hook

# Called with a circle, inside the rotation's transaction, after its data key was rotated:
# apps recompute what they derive from it (keyed digests).
CIRCLE_KEY_ROTATED = Hook("vault.circle_key_rotated")
