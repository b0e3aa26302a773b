"""Finding, creating and unwrapping data keys."""

import uuid
from collections import OrderedDict
from typing import NamedTuple

from django.db import transaction

from circlekeep.vault import crypto


def owner_of(instance, path):
    obj = instance
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _current_key_query(scope):
    from circlekeep.lib.prepared import PreparedQuery
    from circlekeep.vault.models import DataKey

    columns = ("id", "key_id", "wrapped", "kek_id", "destroyed_at")
    if scope == "member":
        return PreparedQuery(lambda user_id, organization_id: DataKey.objects.filter(
            scope=scope, retired_at=None, user_id=user_id,
            organization_id=organization_id).values_list(*columns), arity=2)
    return PreparedQuery(lambda circle_id: DataKey.objects.filter(
        scope=scope, retired_at=None, circle_id=circle_id).values_list(*columns))


# Every seal looks up its owner's key; compile that query once per scope.
CURRENT_KEY = {}


class CurrentKey(NamedTuple):
    """What sealing needs of a live data key (a model instance costs more to build)."""

    key_id: uuid.UUID
    wrapped: bytes
    kek_id: str


def key_owner_filter(scope, owner, organization_id=None):
    """The DataKey filter for an owner's keys: a circle's, or a member's in one
    organization."""
    if scope == "member":
        if organization_id is None:
            raise ValueError("a member's key belongs to an organization")
        return {"scope": scope, "user": owner, "organization_id": organization_id}
    return {"scope": scope, "circle": owner}


def current_key_for(scope, owner, organization_id=None):
    """The owner's current data key (a member's: for ``organization_id``), created on
    first use (inside the caller's transaction)."""
    from circlekeep.vault.models import DataKey

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seal() runs inside an action's transaction")
    query = CURRENT_KEY.get(scope)
    if query is None:
        query = CURRENT_KEY[scope] = _current_key_query(scope)
    rows = (query.rows(owner.pk, organization_id) if scope == "member"
            else query.rows(owner.pk))
    if rows and rows[0][4] is None:
        _pk, key_id, wrapped, kek_id, _destroyed = rows[0]
        return CurrentKey(key_id if isinstance(key_id, uuid.UUID) else uuid.UUID(str(key_id)),
                          bytes(wrapped), kek_id)
    filters = {**key_owner_filter(scope, owner, organization_id), "retired_at": None}
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


# Unwrapped data keys by (key id, wrapping key id), so that a busy process does not unwrap
# the same key on every write. Safe against erasure: every seal and reveal reads the key's
# row first and never reaches here for a destroyed key.
_UNWRAPPED = OrderedDict()
_UNWRAPPED_MAX = 2048


def dek_for(key):
    cache_key = (key.key_id, key.kek_id, bytes(key.wrapped))
    dek = _UNWRAPPED.get(cache_key)
    if dek is None:
        dek = crypto.unwrap(key.wrapped, key.key_id, key.kek_id)
        _UNWRAPPED[cache_key] = dek
        if len(_UNWRAPPED) > _UNWRAPPED_MAX:
            _UNWRAPPED.popitem(last=False)
    return dek
