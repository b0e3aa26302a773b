"""Characters that text from outside may not carry.

Two rules. Any text (a form field, a query string, a JSON body) is refused when it holds
a NUL character, which PostgreSQL cannot store, or half of a UTF-16 surrogate pair, which
no encoding can store or send; both arrive only from a client that is probing, so the edge
refuses them once, before any code sees them. Names people are shown by are held to a
stricter rule: no control characters and no invisible formatting characters, because a
right-to-left override or a zero-width space lets one person pass for another in a roster,
an audit trail or a signature.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from circlekeep.lib.actions import DomainError

_UNSAFE = re.compile("[\x00\ud800-\udfff]")

# Control (Cc), format (Cf: bidirectional overrides and isolates, zero-width spaces and
# joiners, the byte-order mark, the word joiner, ...), surrogates (Cs), and the line and
# paragraph separators (Zl, Zp) that break a name over lines.
_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def unsafe_text_problem(value: str) -> str | None:
    """Why ``value`` cannot be accepted as text, or None when it can."""
    match = _UNSAFE.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return _("Text cannot contain a NUL character.")
    return _("Text contains invalid characters (a broken Unicode sequence).")


def find_unsafe_text(data) -> tuple[str, str] | None:
    """A string in parsed JSON ``data`` (keys included) that cannot be accepted.

    Returns ``(field, message)``, the field as a dotted path (``declarations.0.note``; empty
    for the whole body), or None when every string is acceptable. The walk is iterative so
    that deeply nested input cannot exhaust the stack.
    """
    pending = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            problem = unsafe_text_problem(value)
            if problem:
                return ".".join(path), problem
        elif isinstance(value, dict):
            for key, item in value.items():
                key_problem = unsafe_text_problem(key)
                if key_problem:
                    return ".".join(path), key_problem
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, str(index)), item) for index, item in enumerate(value))
    return None


def has_hidden_characters(value: str) -> bool:
    """Whether ``value`` holds a control or invisible formatting character."""
    return any(unicodedata.category(char) in _NOT_IN_NAMES for char in value)


def check_name_characters(value: str, *, field: str) -> str:
    """Refuse a name that holds control or invisible formatting characters."""
    if has_hidden_characters(value):
        raise DomainError(_("A name cannot contain control characters or invisible "
                            "formatting characters (such as direction overrides or "
                            "zero-width spaces)."), field=field)
    return value


_DOUBLED_STOP = __import__("re").compile(r"(?<!\.)\.\.(?!\.)")


def one_full_stop(sentence: str) -> str:
    """A sentence whose name ends in a full stop ("Co-signed by K.W.") ends with that one
    stop, not two; an ellipsis stays."""
    return _DOUBLED_STOP.sub(".", str(sentence))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet will not run as a formula (CSV exports are opened in one)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
