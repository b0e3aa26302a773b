"""Public identifiers: UUIDs in URLs and the API, never sequential ids."""

import uuid

from django.http import Http404


def parse_public_id(value) -> uuid.UUID:
    """The UUID in ``value``; a malformed one is a 404 like a missing one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404 from None
