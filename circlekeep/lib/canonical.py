"""Canonical text for documents people sign, so that a hash identifies the exact words.

Unicode NFC, Unix line ends, no trailing spaces, no blank runs longer than one line, and
one final newline. Text pasted back for checking goes through the same steps.
"""

import hashlib
import re
import unicodedata

from django.utils.translation import gettext as _

_BLANK_RUNS = re.compile(r"\n{3,}")


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines).strip("\n")) + "\n"


def sha256_of(text: str) -> str:
    return hashlib.sha256(canonical(text).encode()).hexdigest()


def same_name(typed: str, expected: str) -> bool:
    """Whether a typed name is the account's name: case, spacing and Unicode form aside."""
    def fold(value):
        return " ".join(unicodedata.normalize("NFC", value or "").casefold().split())

    return bool(fold(expected)) and fold(typed) == fold(expected)


def check_typed_name(typed: str, user):
    """Refuse a signature whose typed name is not the account's full name."""
    from circlekeep.lib.actions import DomainError
    from circlekeep.lib.text import check_name_characters

    check_name_characters(typed or "", field="typed_name")
    if not user.full_name:
        raise DomainError(_("Add your full name to your profile first; you type it to sign."),
                          field="typed_name")
    if not same_name(typed, user.full_name):
        raise DomainError(_("The name you typed is not the full name on your account. Type "
                            "it as it appears in your profile."), field="typed_name")
    return " ".join(typed.split())
