"""Times as people read them: in the viewer's own time zone, with the zone's abbreviation,
so that nobody has to work out whose 18:00 a meeting is at. ``{% load times %}`` gives the
``when`` filter; ``zone_for`` gives an organization its default zone.
"""

import zoneinfo
from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import get_language

register = template.Library()

# The zone most of a country's (or US state's) people live in. A starting point only:
# admins choose the organization's zone, and each person their own.
COUNTRY_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney", "BO": "America/La_Paz",
    "BR": "America/Sao_Paulo", "CA": "America/Toronto", "CL": "America/Santiago",
    "CO": "America/Bogota", "CR": "America/Costa_Rica", "CU": "America/Havana",
    "DE": "Europe/Berlin", "DO": "America/Santo_Domingo", "EC": "America/Guayaquil",
    "ES": "Europe/Madrid", "FR": "Europe/Paris", "GB": "Europe/London",
    "GT": "America/Guatemala", "HN": "America/Tegucigalpa", "IE": "Europe/Dublin",
    "IT": "Europe/Rome", "MX": "America/Mexico_City", "NI": "America/Managua",
    "NL": "Europe/Amsterdam", "NZ": "Pacific/Auckland", "PA": "America/Panama",
    "PE": "America/Lima", "PR": "America/Puerto_Rico", "PT": "Europe/Lisbon",
    "PY": "America/Asuncion", "SV": "America/El_Salvador", "US": "America/New_York",
    "UY": "America/Montevideo", "VE": "America/Caracas",
}
REGION_ZONES = {
    ("ES", "CN"): "Atlantic/Canary",
    ("US", "AK"): "America/Anchorage", ("US", "HI"): "Pacific/Honolulu",
    ("US", "AZ"): "America/Phoenix",
    **{("US", state): "America/Los_Angeles" for state in ("CA", "NV", "OR", "WA")},
    **{("US", state): "America/Denver" for state in ("CO", "ID", "MT", "NM", "UT", "WY")},
    **{("US", state): "America/Chicago" for state in (
        "AL", "AR", "IA", "IL", "KS", "LA", "MN", "MO", "MS", "ND", "NE", "OK", "SD", "TX",
        "WI")},
    **{("CA", province): "America/Vancouver" for province in ("BC", "YT")},
    ("CA", "AB"): "America/Edmonton", ("CA", "MB"): "America/Winnipeg",
    ("CA", "NS"): "America/Halifax", ("CA", "NL"): "America/St_Johns",
    ("MX", "BC"): "America/Tijuana",
}


def zone_for(country, region=""):
    """The default time zone for an organization in ``country`` (and ``region``)."""
    country, region = (country or "").upper(), (region or "").upper()
    return REGION_ZONES.get((country, region)) or COUNTRY_ZONES.get(country) or "UTC"


def when(value, zone=None):
    """A date and time in ``zone`` (default: the active zone, the viewer's) with its
    abbreviation, in the active language: "Wed 3 Dec, 18:00 PST". The year shows only when
    it is not the current one."""
    if not isinstance(value, datetime):
        # A day without a time (kept to the day on purpose) is shown as the day.
        return dateformat.format(value, "D j M Y") if isinstance(value, date) else ""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    zone = zone or timezone.get_current_timezone()
    this_year = timezone.now().astimezone(zone).year
    return _when(value, zone, get_language(), this_year)


@lru_cache(maxsize=4096)
def _when(value, zone, language, this_year):
    """Formatting a moment is slow next to everything else on a page, and the same
    meetings are shown again and again: each moment is worded once per zone, language
    and year (the active language, which ``language`` names, does the wording)."""
    local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    pattern = "D j M, H:i T" if local.year == this_year else "D j M Y, H:i T"
    return dateformat.format(local, pattern)


register.filter("when", when)
