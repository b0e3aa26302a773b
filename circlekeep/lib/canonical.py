"""Canonical text for documents people sign, so that a hash identifies the exact words.

Unicode NFC, Unix line ends, no trailing spaces, no blank runs longer than one line, and
one final newline. Text pasted back for checking goes through the same steps.
"""

import hashlib
import re
import unicodedata

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
