"""A member's attendance over time, for the facilitators of their circle."""

from collections import Counter

from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from circlekeep.circles.access import access_membership, may_manage_circle
from circlekeep.lib.charts import Chart, Series
from circlekeep.lib.zones import viewer_zone
from circlekeep.meetings.models import Attendance


def attendance_chart(user, membership_id) -> Chart:
    """Meetings per month by what was recorded (present, late, excused, absent), in the
    viewer's time zone. Only the circle's facilitators and admins: a pattern of absences is
    the kind of thing staff watch for, and other members must not see it (404 for them,
    as for anyone who cannot see the membership)."""
    membership = access_membership(user, membership_id)
    if not may_manage_circle(user, membership.circle):
        raise Http404
    zone = viewer_zone(user)
    counts = Counter()
    months = []
    for status, starts_at in (Attendance.objects.filter(membership=membership)
                              .order_by("meeting__starts_at")
                              .values_list("status", "meeting__starts_at")):
        month = timezone.localtime(starts_at, zone).date().replace(day=1)
        if month not in months:
            months.append(month)
        counts[month, status] += 1
    series = [Series(label, [counts[month, status] for month in months])
              for status, label in Attendance.Status.choices]
    labels = [formats.date_format(month, "YEAR_MONTH_FORMAT") for month in months]
    return Chart(key="attendance", title=_("Attendance by month"), labels=labels,
                 series=series, stacked=True, label_heading=_("Month"))
