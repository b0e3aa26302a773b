"""Sealing and revealing protected text."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from circlekeep.vault import crypto
from circlekeep.vault.fields import Sealed, SealedTextField
from circlekeep.vault.keys import current_key_for, dek_for, owner_of

ERASED_TEXT = _("This information was erased.")


class RevealedText(str):
    """Decrypted text for display; ``erased`` is True where the owner's key was destroyed."""

    erased = False


def _erased():
    text = RevealedText(str(ERASED_TEXT))
    text.erased = True
    return text


def _field(instance, field_name) -> SealedTextField:
    field = instance._meta.get_field(field_name)
    if not isinstance(field, SealedTextField):
        raise TypeError(f"{instance._meta.label}.{field_name} is not a SealedTextField")
    return field


def _aad(instance, field_name, key_id) -> bytes:
    return f"{instance._meta.label}.{field_name}:{instance.public_id}:{key_id}".encode()


def seal(instance, field_name, plaintext):
    """Encrypt ``plaintext`` into ``instance.<field_name>`` with its owner's data key.

    Runs inside the calling action's transaction (a first seal creates the owner's key).
    The associated data binds the ciphertext to model, field, row and key, so ciphertext
    copied anywhere else cannot be decrypted.
    """
    field = _field(instance, field_name)
    plaintext = plaintext or ""
    if not plaintext:
        setattr(instance, field_name, Sealed(""))
        return
    organization_id = (owner_of(instance, field.organization_path)
                       if field.scope == "member" else None)
    key = current_key_for(field.scope, owner_of(instance, field.owner), organization_id)
    dek = dek_for(key)
    setattr(instance, field_name, Sealed(crypto.encrypt(
        dek, key.key_id, plaintext, _aad(instance, field_name, key.key_id))))


def _decrypt(instance, field_name, keys_cache):
    from circlekeep.vault.models import DataKey

    sealed = getattr(instance, field_name)
    if not sealed:
        return RevealedText("")
    key_id, nonce, body = crypto.parse_envelope(sealed.envelope)
    key = keys_cache.get(key_id)
    if key is None:
        key = keys_cache[key_id] = DataKey.objects.filter(key_id=key_id).first()
    if key is None or key.destroyed_at is not None:
        return _erased()
    try:
        return RevealedText(crypto.decrypt(dek_for(key), nonce, body,
                                           _aad(instance, field_name, key_id)))
    except crypto.InvalidTag:
        raise crypto.VaultError(
            f"The protected {instance._meta.label}.{field_name} of this record cannot be "
            "decrypted: it was sealed for a different record, field or key.") from None


def _record_access(instances, field_name, *, actor, reason):
    from circlekeep import audit

    field = _field(instances[0], field_name)
    owners = {}
    for instance in instances:
        owner = owner_of(instance, field.owner)
        owners.setdefault((type(owner), owner.pk), (owner, instance))
    for owner, instance in owners.values():
        if field.scope == "member":
            subject, circle = owner, _circle_of(instance)
        else:
            subject, circle = None, owner
        audit.record("vault.revealed", actor=actor, target=instance, subject=subject,
                     circle=circle, reason=reason,
                     data={"field": f"{instance._meta.label}.{field_name}",
                           "records": sum(1 for i in instances
                                          if owner_of(i, field.owner).pk == owner.pk)})


def _circle_of(instance):
    for path in ("circle", "membership.circle", "screening.membership.circle"):
        obj = instance
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    return None


def reveal(instance, field_name, *, actor, reason):
    """Decrypt one protected value for display and record the access."""
    return reveal_many([instance], field_name, actor=actor, reason=reason)[0]


def reveal_many(instances, field_name, *, actor, reason):
    """Decrypt a field of several records; one access event per person (or circle) whose
    information was read."""
    instances = list(instances)
    if not instances:
        return []
    cache = {}
    texts = [_decrypt(instance, field_name, cache) for instance in instances]
    readable = [i for i, t in zip(instances, texts, strict=True) if t and not t.erased]
    if readable:
        with transaction.atomic():
            _record_access(readable, field_name, actor=actor, reason=reason)
    return texts


def keyed_digest(circle, message: str) -> str:
    """HMAC-SHA256 of ``message`` under a key derived from the circle's data key.

    For matching protected things without storing them in clear (two declarations that
    name the same pair of people): whoever holds the database but not the keyring cannot
    test a guess. Rotating the circle's key changes every digest; the rotation asks the
    apps to recompute theirs (``vault.actions.CIRCLE_KEY_ROTATED``).
    """
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    with transaction.atomic():
        key = current_key_for("circle", circle)
    secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=key.key_id.bytes,
                  info=b"circlekeep keyed digest v1").derive(dek_for(key))
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
