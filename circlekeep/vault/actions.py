"""State changes of the vault: erasing a member, rotating keys."""

from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.vault import crypto
from circlekeep.vault.fields import SEALED_FIELDS, Sealed
from circlekeep.vault.keys import dek_for
from circlekeep.vault.models import DataKey
from circlekeep.vault.sealing import _aad


def check_may_erase(actor, user):
    """The system, or an admin of an organization the person belongs to."""
    from circlekeep.orgs.access import administers_person

    if actor is not None and not administers_person(actor, user):
        raise ActionForbidden(_("Only an admin of the person's organization may erase their "
                                "information."))


@action
def do_destroy_member_keys(user, *, actor, reason):
    """Crypto-shred a member: every protected field of theirs becomes unreadable for good.

    Records without protected text stay as they are; the audit trail keeps its metadata.
    """
    check_may_erase(actor, user)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the erasure, such as the member's request."),
                          field="reason")
    keys = list(DataKey.objects.select_for_update().filter(user=user, destroyed_at=None))
    now = timezone.now()
    for key in keys:
        key.wrapped, key.destroyed_at = b"", now
        key.save(update_fields=["wrapped", "destroyed_at"])
    audit.record("vault.keys.destroyed", actor=actor, target=user, subject=user, reason=reason,
                 data={"keys": len(keys)})
    return len(keys)


def _owned_records(scope, owner):
    for model, field_name in SEALED_FIELDS:
        field = model._meta.get_field(field_name)
        if field.scope == scope:
            yield model, field_name, model.objects.filter(**{field.owner: owner}).exclude(
                **{field_name: ""})


@action
def do_rotate_data_key(owner, *, actor):
    """Give a member or circle a new data key and re-encrypt their protected text with it;
    the old key is then destroyed."""
    scope = "member" if owner._meta.label == "accounts.User" else "circle"
    if actor is not None:
        raise ActionForbidden(_("Data keys are rotated by the operator."))
    owner_filter = {("user" if scope == "member" else "circle"): owner}
    old = DataKey.objects.select_for_update().filter(scope=scope, retired_at=None,
                                                     **owner_filter).first()
    if old is None:
        return 0
    if old.destroyed_at is not None:
        raise DomainError(_("This information was erased; there is nothing to rotate."))
    old.retired_at = timezone.now()
    old.save(update_fields=["retired_at"])
    new = DataKey(scope=scope, **owner_filter)
    new.wrapped, new.kek_id = crypto.wrap(crypto.new_data_key(), new.key_id)
    new.save()
    keys = {k.key_id: k for k in DataKey.objects.filter(scope=scope, **owner_filter)}
    count = 0
    for _model, field_name, rows in _owned_records(scope, owner):
        for row in rows.select_for_update():
            key_id, nonce, body = crypto.parse_envelope(getattr(row, field_name).envelope)
            if key_id == new.key_id:
                continue
            text = crypto.decrypt(dek_for(keys[key_id]), nonce, body,
                                  _aad(row, field_name, key_id))
            setattr(row, field_name, Sealed(crypto.encrypt(
                dek_for(new), new.key_id, text, _aad(row, field_name, new.key_id))))
            row.save(update_fields=[field_name])
            count += 1
    for key in keys.values():
        if key.key_id != new.key_id and key.destroyed_at is None:
            key.wrapped, key.destroyed_at = b"", timezone.now()
            key.save(update_fields=["wrapped", "destroyed_at"])
    audit.record("vault.data_key.rotated", actor=actor, target=owner,
                 subject=owner if scope == "member" else None,
                 circle=owner if scope == "circle" else None, data={"records": count})
    return count


@action
def do_rewrap_data_keys(key_ids, *, actor=None):
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
