"""Finding, creating and unwrapping data keys."""

from django.db import transaction

from circlekeep.vault import crypto


def owner_of(instance, path):
    obj = instance
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def current_key_for(scope, owner):
    """The owner's current data key, created on first use (inside the caller's
    transaction)."""
    from circlekeep.vault.models import DataKey

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seal() runs inside an action's transaction")
    filters = {"scope": scope, "retired_at": None,
               ("user" if scope == "member" else "circle"): owner}
    key = DataKey.objects.select_for_update().filter(**filters).first()
    if key is not None:
        if key.destroyed_at is None:
            return key
        # Erased earlier: what was sealed then stays unreadable; new text gets a new key.
        key.retired_at = key.destroyed_at
        key.save(update_fields=["retired_at"])
    key = DataKey(**filters)
    key.wrapped, key.kek_id = crypto.wrap(crypto.new_data_key(), key.key_id)
    key.save()
    return key


def dek_for(key):
    cached = getattr(key, "_dek", None)
    if cached is None:
        cached = key._dek = crypto.unwrap(key.wrapped, key.key_id, key.kek_id)
    return cached
