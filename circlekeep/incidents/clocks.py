"""The legal clocks a privacy incident starts, by the organization's jurisdiction.

The same clocks as the incidents' own (``PrivacyIncident``): HIPAA gives affected people
60 days from discovery in the United States; the GDPR gives the supervisory authority 72
hours in the European Economic Area (and the United Kingdom's GDPR the same).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

# The EEA's members, Iceland, Liechtenstein and Norway, and the United Kingdom.
GDPR_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO", "GB"})


@dataclass(frozen=True)
class LegalClock:
    law: str
    who: str
    within: timedelta
    within_label: str


def legal_clocks(country: str) -> list[LegalClock]:
    """The notification deadlines an incident in ``country`` (ISO 3166 code) runs against;
    empty where the product knows none (the organization's own counsel decides)."""
    from circlekeep.incidents.models import PrivacyIncident

    country = (country or "").upper()
    clocks = []
    if country == "US":
        clocks.append(LegalClock("HIPAA", str(_("affected individuals")),
                                 PrivacyIncident.HIPAA_INDIVIDUALS, str(_("60 days"))))
    if country in GDPR_COUNTRIES:
        clocks.append(LegalClock("GDPR", str(_("the supervisory authority")),
                                 PrivacyIncident.GDPR_AUTHORITY, str(_("72 hours"))))
    return clocks
