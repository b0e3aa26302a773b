"""State changes of the vault: erasing a member, rotating keys."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.vault import crypto
from circlekeep.vault.fields import SEALED_FIELDS
from circlekeep.vault.keys import dek_for
from circlekeep.vault.models import DataKey
from circlekeep.vault.sealing import _aad, seal


def check_may_erase(actor, user, organization):
    """The system, or an admin of ``organization`` while it holds information about the
    person (see ``orgs.access.may_erase_person``)."""
    from circlekeep.orgs.access import may_erase_person

    if actor is not None and not may_erase_person(actor, user, organization):
        raise ActionForbidden(_("Only an admin of the person's organization may erase their "
                                "information."))


def check_erasure_confirmed(user, confirmation):
    """Erasure cannot be undone, so the person's name is typed, not clicked."""
    typed = " ".join((confirmation or "").split()).casefold()
    names = {" ".join(n.split()).casefold()
             for n in (user.display_name, user.full_name, user.email) if n}
    if not typed:
        raise DomainError(_("Type the person's name to confirm."), field="confirmation")
    if typed not in names:
        raise DomainError(_("That is not the person's name. Type it exactly as shown to "
                            "confirm."), field="confirmation")


def _reseal_elsewhere(user, legacy_keys, keep_organization):
    """Move the person's text that other organizations hold off keys made before keys
    were kept per organization, so that destroying those keys touches only
    ``keep_organization``'s share. Returns how many values moved."""
    from circlekeep.vault.keys import owner_of

    legacy = {k.key_id: k for k in legacy_keys}
    moved = 0
    for model, field_name, rows in _owned_records("member", user):
        field = model._meta.get_field(field_name)
        for row in rows.select_for_update():
            organization_id = owner_of(row, field.organization_path)
            if organization_id == keep_organization:
                continue
            key_id, nonce, body = crypto.parse_envelope(getattr(row, field_name).envelope)
            key = legacy.get(key_id)
            if key is None:
                continue
            text = crypto.decrypt(dek_for(key), nonce, body, _aad(row, field_name, key_id))
            seal(row, field_name, text)
            row.save(update_fields=[field_name])
            moved += 1
    return moved


def _clear_derived(user, organization_id):
    """Blank what models derive from a person's protected text (for example a keyed
    digest of whom a declaration names): it goes with the text."""
    for model, field_name, rows in _owned_records("member", user, include_empty=True):
        derived = getattr(model, "ERASE_ALSO_CLEARS", ())
        if not derived:
            continue
        field = model._meta.get_field(field_name)
        if organization_id is not None:
            rows = rows.filter(**{field.organization_path: organization_id})
        rows.update(**dict.fromkeys(derived, ""))


@action
def do_destroy_member_keys(user, *, actor, reason, organization=None, confirmation=None):
    """Crypto-shred what ``organization`` holds about a person: every protected field of
    theirs there becomes unreadable for good, backups included. Another organization's
    share is never touched. Only the operator (``actor=None``) may erase every
    organization's share at once (``organization=None``).

    Records without protected text stay as they are; the audit trail keeps its metadata.
    The person, and the admins of the other organizations that hold information about
    them, are told.
    """
    from circlekeep.orgs.access import organizations_of

    if organization is None and actor is not None:
        raise ActionForbidden(_("Erasure is for one organization's share of a person's "
                                "information."))
    check_may_erase(actor, user, organization)
    if actor is not None:
        check_erasure_confirmed(user, confirmation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the erasure, such as the member's request."),
                          field="reason")
    live = DataKey.objects.select_for_update().filter(user=user, scope="member",
                                                      destroyed_at=None)
    moved = 0
    if organization is not None:
        legacy = list(live.filter(organization=None))
        if legacy:
            moved = _reseal_elsewhere(user, legacy, organization.pk)
        keys = list(live.filter(Q(organization=organization) | Q(organization=None)))
    else:
        keys = list(live)
    now = timezone.now()
    for key in keys:
        key.wrapped, key.destroyed_at = b"", now
        key.save(update_fields=["wrapped", "destroyed_at"])
    _clear_derived(user, organization.pk if organization is not None else None)
    audit.record("vault.keys.destroyed", actor=actor, target=user, subject=user, reason=reason,
                 organization=organization, data={"keys": len(keys), "moved": moved})
    if organization is not None:
        _tell_about_erasure(user, organization, others=[
            o for o in organizations_of(user) if o.pk != organization.pk], actor=actor)
    return len(keys)


def _tell_about_erasure(user, organization, *, others, actor):
    """The person learns which organization erased its share; each other organization
    holding information about them learns (in its trail and by e-mail to its admins) that
    its own share was not touched, without learning which organization acted."""
    from circlekeep.lib.emails import send_templated_email
    from circlekeep.orgs.models import StaffRole

    if user.is_active and user.email:
        send_templated_email("erasure-done", to=user.email, language=user.language,
                             context={"organization_name": organization.name})
    for other in others:
        audit.record("vault.erasure.elsewhere", actor=None, target=user, subject=user,
                     organization=other)
        for admin in StaffRole.objects.filter(organization=other, role=StaffRole.Role.ADMIN,
                                              user__is_active=True).select_related("user"):
            send_templated_email("erasure-elsewhere", to=admin.user.email,
                                 language=admin.user.language, context={})


def _owned_records(scope, owner, *, include_empty=False):
    for model, field_name in SEALED_FIELDS:
        field = model._meta.get_field(field_name)
        if field.scope == scope:
            rows = model.objects.filter(**{field.owner: owner})
            yield model, field_name, rows if include_empty else rows.exclude(
                **{field_name: ""})


# Called with a circle after its data key was rotated, to recompute what is derived from
# it (keyed digests); apps register here when they are ready.
CIRCLE_KEY_ROTATED = []


@action
def do_rotate_data_key(owner, *, actor):
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
    for _model, field_name, rows in _owned_records(scope, owner):
        for row in rows.select_for_update():
            key_id, nonce, body = crypto.parse_envelope(getattr(row, field_name).envelope)
            key = keys.get(key_id)
            if key is None or key.destroyed_at is not None or key.retired_at is None:
                continue  # erased, or already under a new key
            text = crypto.decrypt(dek_for(key), nonce, body, _aad(row, field_name, key_id))
            seal(row, field_name, text)
            row.save(update_fields=[field_name])
            count += 1
    for key in keys.values():
        if key.retired_at is not None and key.destroyed_at is None:
            key.wrapped, key.destroyed_at = b"", timezone.now()
            key.save(update_fields=["wrapped", "destroyed_at"])
    if scope == "circle":
        for refresh in CIRCLE_KEY_ROTATED:
            refresh(owner)
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
