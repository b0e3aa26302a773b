"""The vault: ``seal`` and ``reveal`` protected text, and nothing else decrypts it.

Every protected column is a ``SealedTextField``; every read for display goes through
``reveal``, which records who read what about whom, and why.
"""

from circlekeep.vault.sealing import (
    ERASED_TEXT,
    RevealedText,
    keyed_digest,
    reveal,
    reveal_many,
    seal,
)

__all__ = ["ERASED_TEXT", "RevealedText", "keyed_digest", "reveal", "reveal_many", "seal"]
