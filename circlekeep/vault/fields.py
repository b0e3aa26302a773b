"""The one field type for protected text. Search for SealedTextField to find them all."""

from django.db import models

SEALED_FIELDS = []  # (model, field): every protected column in the project


class Sealed:
    """Ciphertext as it sits in the database. Printing it never shows protected text."""

    __slots__ = ("envelope",)

    def __init__(self, envelope: str):
        self.envelope = envelope or ""

    def __bool__(self):
        return bool(self.envelope)

    def __eq__(self, other):
        return isinstance(other, Sealed) and other.envelope == self.envelope

    def __hash__(self):
        return hash(self.envelope)

    def __str__(self):
        return "[sealed]" if self.envelope else ""

    __repr__ = __str__


class SealedTextField(models.TextField):
    """Protected text, stored encrypted with its owner's data key.

    ``scope`` is "member" or "circle"; ``owner`` is the path from the model to that member
    or circle (for example "membership__user"). A member's text is sealed with their key
    for the organization it belongs to, found through the same membership
    ("membership__circle__organization_id"). Assign only through ``vault.seal``; a plain
    string is refused so that nothing is ever stored in clear by mistake.
    """

    def __init__(self, *args, scope, owner, **kwargs):
        if scope not in ("member", "circle"):
            raise ValueError("scope must be 'member' or 'circle'")
        if scope == "member" and not owner.endswith("membership__user"):
            raise ValueError("a member's protected text belongs to a membership "
                             "(owner '...membership__user')")
        self.scope, self.owner = scope, owner
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @property
    def organization_path(self):
        """Path to the organization a member's text belongs to (None for circle scope)."""
        if self.scope != "member":
            return None
        return self.owner[: -len("user")] + "circle__organization_id"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(scope=self.scope, owner=self.owner)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        # Migrations build historical copies of models (module "__fake__"); only the real
        # ones belong in the registry.
        if (not cls._meta.abstract and cls.__module__ != "__fake__"
                and (cls, name) not in SEALED_FIELDS):
            SEALED_FIELDS.append((cls, name))

    def from_db_value(self, value, expression, connection):
        return Sealed(value)

    def to_python(self, value):
        if isinstance(value, Sealed):
            return value
        if value in (None, ""):
            return Sealed("")
        raise TypeError("Protected text must be sealed with circlekeep.vault.seal()")

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.envelope
        if value in (None, ""):
            return ""
        raise TypeError("Protected text must be sealed with circlekeep.vault.seal()")
