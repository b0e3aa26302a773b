"""Refuse to start with a keyring that cannot open the data keys in the database."""

from django.core.checks import Error, register
from django.db import DatabaseError


@register("vault")
def check_keyring(app_configs=None, **kwargs):
    from circlekeep.vault import crypto
    from circlekeep.vault.models import DataKey

    errors = []
    try:
        in_use = {}
        for key in DataKey.objects.filter(destroyed_at=None).order_by("kek_id", "pk"):
            in_use.setdefault(key.kek_id, key)
    except DatabaseError:
        return []  # not migrated yet
    for kek_id, key in in_use.items():
        try:
            crypto.unwrap(key.wrapped, key.key_id, kek_id)
        except crypto.VaultError as error:
            errors.append(Error(str(error), id="vault.E001",
                                hint="Set VAULT_KEYRING or VAULT_KEYRING_PATH to the keyring "
                                     "these data keys were wrapped with."))
    return errors


def refuse_to_start_without_working_keys():
    """Called by the WSGI and ASGI entry points, which Django's checks do not cover."""
    from django.core.exceptions import ImproperlyConfigured

    errors = check_keyring()
    if errors:
        raise ImproperlyConfigured("; ".join(e.msg for e in errors))
