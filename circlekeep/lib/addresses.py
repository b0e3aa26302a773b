"""Addresses of pages, reversed once per process and filled in per row.

``reverse()`` walks the URL resolver each time; a home page links to a dozen things, so
each name's pattern is worked out once, with a placeholder where the public id goes.
"""

import uuid
from functools import cache

from django.urls import reverse

_PLACEHOLDER = uuid.UUID(int=0)


@cache
def _pattern(name):
    return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


@cache
def _fixed(name):
    return reverse(name)


def address(name, public_id=None):
    """The path of the page ``name`` (for the object ``public_id``, when it takes one)."""
    if public_id is None:
        return _fixed(name)
    return _pattern(name).format(uuid.UUID(str(public_id)))
