"""Concerns and how long they took to resolve, month by month, for an organisation's
admins."""

from collections import Counter
from datetime import timedelta

from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from circlekeep.incidents.access import concerns_handled_by
from circlekeep.lib.charts import Chart, Series
from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.zones import viewer_zone
from circlekeep.orgs.access import admin_organizations

# (upper bound of the time to close, series key); the 48-hour target is the first.
BUCKETS = [(timedelta(hours=48), "two_days"), (timedelta(days=7), "week"), (None, "later")]


def _labels():
    return {"two_days": _("Closed within 48 hours"), "week": _("Closed within a week"),
            "later": _("Closed after a week"), "open": _("Still open")}


def _bucket(concern):
    if concern.closed_at is None:
        return "open"
    took = concern.closed_at - concern.reported_at
    return next(key for limit, key in BUCKETS if limit is None or took <= limit)


def concern_resolution_chart(user, org_id, *, months=12) -> Chart:
    """Concerns reported in each of the last ``months`` months (viewer's time zone), by how
    soon they were closed. Admins of the organisation only (404 for anyone else): counts
    and times, never what a concern says or who reported it. One query."""
    org = admin_organizations(user).filter(public_id=parse_public_id(org_id)).first()
    if org is None:
        raise Http404
    zone = viewer_zone(user)
    this_month = timezone.localtime(timezone.now(), zone).date().replace(day=1)
    firsts = [this_month]
    while len(firsts) < months:
        firsts.insert(0, (firsts[0] - timedelta(days=1)).replace(day=1))
    counts = Counter()
    concerns = (concerns_handled_by(user).filter(circle__organization=org)
                .only("reported_at", "closed_at"))
    for concern in concerns:
        month = timezone.localtime(concern.reported_at, zone).date().replace(day=1)
        if month >= firsts[0]:
            counts[month, _bucket(concern)] += 1
    series = [Series(label, [counts[month, key] for month in firsts])
              for key, label in _labels().items()]
    labels = [formats.date_format(month, "YEAR_MONTH_FORMAT") for month in firsts]
    return Chart(key=f"concerns-{org.public_id}", title=_("Concerns by month, and how soon "
                 "each was closed"), labels=labels, series=series, stacked=True,
                 label_heading=_("Month reported"))
