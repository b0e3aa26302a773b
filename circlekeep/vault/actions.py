"""State changes of the vault that need no knowledge of people: rotating keys. Erasing a
person's share, which does, is in ``circlekeep.custody``."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.vault import crypto
from circlekeep.vault.fields import SEALED_FIELDS
from circlekeep.vault.hooks import CIRCLE_KEY_ROTATED
from circlekeep.vault.keys import dek_for
from circlekeep.vault.models import DataKey
from circlekeep.vault.sealing import _aad, seal


def reseal(row, field_name, key):
    """Decrypt ``row.<field_name>`` with ``key`` and seal it again under its owner's
    current key (the caller saves the row)."""
    key_id, nonce, body = crypto.parse_envelope(getattr(row, field_name).envelope)
    text = crypto.decrypt(dek_for(key), nonce, body, _aad(row, field_name, key_id))
    seal(row, field_name, text)


def owned_records(scope, owner, *, include_empty=False):
    """(model, field, rows) for every protected field of a member or circle."""
    for model, field_name in SEALED_FIELDS:
        field = model._meta.get_field(field_name)
        if field.scope == scope:
            rows = model.objects.filter(**{field.owner: owner})
            yield model, field_name, rows if include_empty else rows.exclude(
                **{field_name: ""})


@action
def do_rotate_data_key(owner: models.Model, *, actor: object | None) -> int:
    """Give a member (in each organization) or a circle new data keys and re-encrypt their
    protected text with them; the old keys are then destroyed. Text that was erased stays
    erased."""
    scope = "member" if owner._meta.label == "accounts.User" else "circle"
    if actor is not None:
        raise ActionForbidden(_("Data keys are rotated by the operator."))
    owner_filter = {"scope": scope, ("user" if scope == "member" else "circle"): owner}
    current = list(DataKey.objects.select_for_update().filter(retired_at=None, **owner_filter))
    if not current:
        return 0
    if all(key.destroyed_at is not None for key in current):
        raise DomainError(_("This information was erased; there is nothing to rotate."))
    now = timezone.now()
    for key in current:
        if key.destroyed_at is None:
            key.retired_at = now
            key.save(update_fields=["retired_at"])
    keys = {k.key_id: k for k in DataKey.objects.filter(**owner_filter)}
    count = 0
    for _model, field_name, rows in owned_records(scope, owner):
        for row in rows.select_for_update():
            key_id, _nonce, _body = crypto.parse_envelope(getattr(row, field_name).envelope)
            key = keys.get(key_id)
            if key is None or key.destroyed_at is not None or key.retired_at is None:
                continue  # erased, or already under a new key
            reseal(row, field_name, key)
            row.save(update_fields=[field_name])
            count += 1
    for key in keys.values():
        if key.retired_at is not None and key.destroyed_at is None:
            key.wrapped, key.destroyed_at = b"", timezone.now()
            key.save(update_fields=["wrapped", "destroyed_at"])
    if scope == "circle":
        CIRCLE_KEY_ROTATED(owner)
    audit.record("vault.data_key.rotated", actor=actor, target=owner,
                 subject=owner if scope == "member" else None,
                 circle=owner if scope == "circle" else None, data={"records": count})
    return count


@action
def do_rewrap_data_keys(key_ids: list, *, actor: object | None = None) -> int:
    """Re-wrap a batch of data keys under the current key-encryption key. Protected text
    is untouched; readers keep working throughout, because each key names its wrapper."""
    if actor is not None:
        raise ActionForbidden(_("Keys are rotated by the operator."))
    current = crypto.keyring()["current"]
    keys = list(DataKey.objects.select_for_update().filter(key_id__in=key_ids,
                                                            destroyed_at=None)
                .exclude(kek_id=current))
    for key in keys:
        dek = crypto.unwrap(key.wrapped, key.key_id, key.kek_id)
        key.wrapped, key.kek_id = crypto.wrap(dek, key.key_id, current)
        key.save(update_fields=["wrapped", "kek_id"])
    if keys:
        audit.record("vault.kek.rotated", actor=None, target=None,
                     data={"keys": len(keys), "kek": current})
    return len(keys)
