"""Sealing a form's typed fields while their author signs in again.

A form sent after the session ended is kept so that nothing typed is lost. It may hold
protected text (a note, a concern), so it is sealed like any protected field: a fresh data
key per draft, wrapped by the key-encryption key that lives outside the database, and
associated data that binds the ciphertext to the draft's row and to the account that typed
it. A copy of the database alone cannot read a draft, and a draft moved to another account
cannot be opened.
"""

import base64
import json
import uuid

from circlekeep.vault import crypto


def _aad(draft_id: uuid.UUID, user_id) -> bytes:
    return f"circlekeep-draft:{draft_id}:{user_id}".encode()


def seal_draft(draft_id: uuid.UUID, user_id, fields: dict) -> str:
    """The sealed form of ``fields`` (name -> list of values) for one account's draft."""
    dek = crypto.new_data_key()
    wrapped, kek_id = crypto.wrap(dek, draft_id)
    body = crypto.encrypt(dek, draft_id, json.dumps(fields), _aad(draft_id, user_id))
    return json.dumps({"kek": kek_id, "key": base64.b64encode(wrapped).decode(),
                       "body": body})


def open_draft(draft_id: uuid.UUID, user_id, sealed: str) -> dict:
    """The fields of a draft sealed by ``seal_draft`` for this row and account; a
    VaultError when the keyring, the row or the account is not the one it was sealed for."""
    try:
        outer = json.loads(sealed)
        dek = crypto.unwrap(base64.b64decode(outer["key"]), draft_id, outer["kek"])
        key_id, nonce, body = crypto.parse_envelope(outer["body"])
        if key_id != draft_id:
            raise crypto.VaultError("This draft was sealed for another row.")
        return json.loads(crypto.decrypt(dek, nonce, body, _aad(draft_id, user_id)))
    except (crypto.InvalidTag, ValueError, KeyError, TypeError):
        raise crypto.VaultError("This draft cannot be opened: it was sealed for another "
                                "row or account.") from None
