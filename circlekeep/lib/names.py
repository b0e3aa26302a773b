"""Comparing people's names as people type them: any case, with or without accents."""

import unicodedata


def normalize_name(text: str) -> str:
    """Case-folded, accents removed, spaces collapsed: "  José  García " → "jose garcia"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def name_forms(*names) -> set:
    """The normalized forms a person may be called by: each name whole, and its first
    word (a first name alone)."""
    forms = set()
    for name in names:
        normalized = normalize_name(name)
        if normalized:
            forms.add(normalized)
            forms.add(normalized.split(" ")[0])
    return forms
