"""The time zone a person reads times in."""

import zoneinfo


def viewer_zone(user):
    """The person's own time zone; an unknown name falls back to UTC rather than failing a
    page."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
