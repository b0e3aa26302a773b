"""Keys kept outside the database, and the owner-only files a trial keeps them in.

Production provides them through the environment (or a file it names); a trial
(`make run`) creates its own in ./var on first run; tests make throw-away ones.
Nothing falls back silently: a missing key in production is a start-up error.
"""

import base64
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _create_private(path: Path, content: str) -> bool:
    """Write ``content`` to a new owner-only file; False if the file already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    return True


def read_or_create_secret(path: Path, nbytes: int = 48) -> str:
    _create_private(path, secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def new_kek() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def new_keyring_json() -> str:
    key_id = "kek-" + secrets.token_hex(4)
    return json.dumps({"current": key_id, "keys": {key_id: new_kek()}}, indent=2)


def parse_keyring(text: str, source: str) -> dict:
    """{"current": id, "keys": {id: base64 of 32 bytes}} → {"current": id, "keys": {id: bytes}}."""
    try:
        raw = json.loads(text)
        keys = {kid: base64.b64decode(value, validate=True) for kid, value in raw["keys"].items()}
        current = raw["current"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ImproperlyConfigured(
            f"The vault keyring in {source} is not valid JSON of the form "
            '{"current": "<key id>", "keys": {"<key id>": "<base64 of 32 bytes>"}}.'
        ) from None
    if current not in keys:
        raise ImproperlyConfigured(f"The vault keyring in {source} names current key "
                                   f"{current!r}, which it does not contain.")
    short = [kid for kid, key in keys.items() if len(key) != 32]
    if short:
        raise ImproperlyConfigured(f"Vault keys {short} in {source} are not 32 bytes long.")
    return {"current": current, "keys": keys, "path": None}


def load_keyring(env_value, path_value, *, trial_path=None, ephemeral=False) -> dict:
    if env_value:
        return parse_keyring(env_value, "VAULT_KEYRING")
    path = Path(path_value) if path_value else trial_path
    if path is not None:
        if trial_path is not None and not path_value:
            _create_private(path, new_keyring_json())
        if not path.exists():
            raise ImproperlyConfigured(f"VAULT_KEYRING_PATH names {path}, which does not exist.")
        keyring = parse_keyring(path.read_text(), str(path))
        keyring["path"] = path
        return keyring
    if ephemeral:
        return parse_keyring(new_keyring_json(), "a test keyring")
    raise ImproperlyConfigured(
        "No vault key-encryption key. Set VAULT_KEYRING (JSON) or VAULT_KEYRING_PATH; "
        "protected information cannot be stored or read without it."
    )


def load_signing_key(env_value, *, trial_path=None, ephemeral=False) -> bytes:
    """The 32-byte Ed25519 seed that signs audit checkpoints."""
    if env_value:
        text = env_value
    elif trial_path is not None:
        _create_private(trial_path, base64.b64encode(secrets.token_bytes(32)).decode())
        text = trial_path.read_text().strip()
    elif ephemeral:
        return secrets.token_bytes(32)
    else:
        raise ImproperlyConfigured(
            "No audit signing key. Set AUDIT_SIGNING_KEY (or AUDIT_SIGNING_KEY_FILE) to the "
            "base64 of 32 random bytes; checkpoints of the audit trail are signed with it."
        )
    try:
        seed = base64.b64decode(text, validate=True)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY must be the base64 of 32 bytes.")
    return seed
