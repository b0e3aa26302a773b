"""The security report: sign-in trouble, two-step changes, and who reads protected text."""

import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from circlekeep.trail.access import organization_events


@dataclass
class SecurityReport:
    failed_sign_ins: int = 0
    lockouts: int = 0
    failed_second_steps: int = 0
    second_step_lockouts: int = 0
    two_factor_disabled: int = 0
    legal_clocks: list = field(default_factory=list)
    outside_hours: list = field(default_factory=list)
    reads_by_role: list = field(default_factory=list)
    top_readers: list = field(default_factory=list)
    failed_by_account: list = field(default_factory=list)

    def summary(self):
        return [
            (_("Failed sign-ins"), self.failed_sign_ins),
            (_("Sign-ins paused after repeated failures"), self.lockouts),
            (_("Wrong two-step codes"), self.failed_second_steps),
            (_("Sign-ins ended after repeated wrong two-step codes"),
             self.second_step_lockouts),
            (_("Two-step sign-in turned off or reset"), self.two_factor_disabled),
            (_("Reads of protected information outside usual hours"), len(self.outside_hours)),
            (_("Reads of protected information"), sum(c for _r, c in self.reads_by_role)),
        ]


def _local_hour(event, zones):
    tz_name = event.actor.time_zone if event.actor else "UTC"
    zone = zones.get(tz_name)
    if zone is None:
        try:
            zone = zones[tz_name] = zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zones[tz_name] = zoneinfo.ZoneInfo("UTC")
    return event.created_at.astimezone(zone).hour


def meeting_windows(reader_ids, *, since, until):
    """{reader id: [(from, to)]}: around each meeting of the circles a reader leads or
    belongs to. Facilitators prepare before a meeting and write notes after it, often in
    the evening; those reads are their usual work, not a warning sign."""
    from circlekeep.circles.models import Facilitation, Membership
    from circlekeep.meetings.models import Meeting

    margin = timedelta(hours=settings.USUAL_HOURS_AROUND_MEETINGS)
    circles_of = {}
    for user_id, circle_id in list(
            Facilitation.objects.filter(user_id__in=reader_ids)
            .values_list("user_id", "circle_id")) + list(
            Membership.objects.accepted().filter(user_id__in=reader_ids)
            .values_list("user_id", "circle_id")):
        circles_of.setdefault(user_id, set()).add(circle_id)
    circle_ids = set().union(*circles_of.values()) if circles_of else set()
    meetings = {}
    for circle_id, starts, ends in (
            Meeting.objects.filter(circle_id__in=circle_ids, starts_at__lt=until + margin,
                                   ends_at__gt=since - margin)
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("circle_id", "starts_at", "ends_at")):
        meetings.setdefault(circle_id, []).append((starts - margin, ends + margin))
    return {user_id: [w for c in circles for w in meetings.get(c, [])]
            for user_id, circles in circles_of.items()}


def is_usual(event, zones, windows) -> bool:
    """A read in office hours (the reader's own time zone), or around a meeting of one of
    the reader's circles."""
    start, end = settings.USUAL_HOURS
    if start <= _local_hour(event, zones) < end:
        return True
    return any(begin <= event.created_at <= finish
               for begin, finish in windows.get(event.actor_id, ()))


def security_report(organization, *, since, until, viewer=None) -> SecurityReport:
    """For one organization (None: the whole installation) between two times. With a
    ``viewer``, reads about things the viewer may not see do not name who read them."""
    from circlekeep.audit.models import AuditEvent, to_microseconds

    events = (organization_events(organization) if organization is not None
              else AuditEvent.objects.all()).filter(at_us__gte=to_microseconds(since),
                                                    at_us__lt=to_microseconds(until))
    report = SecurityReport()
    counts = Counter(events.filter(event_type__in=(
        "account.sign_in.failed", "account.locked_out", "account.otp.disabled",
        "account.otp.reset", "account.otp.failed", "account.otp.locked_out",
    )).values_list("event_type", flat=True))
    report.failed_sign_ins = counts["account.sign_in.failed"]
    report.lockouts = counts["account.locked_out"]
    report.failed_second_steps = counts["account.otp.failed"]
    report.second_step_lockouts = counts["account.otp.locked_out"]
    if organization is not None:
        from circlekeep.incidents.clocks import legal_clocks

        report.legal_clocks = legal_clocks(organization.country)
    report.two_factor_disabled = counts["account.otp.disabled"] + counts["account.otp.reset"]
    report.failed_by_account = Counter(
        events.filter(event_type="account.sign_in.failed", subject__isnull=False)
        .values_list("subject__display_name", flat=True)).most_common(10)
    reads = list(events.filter(event_type="vault.revealed").select_related("actor", "subject"))
    if viewer is not None:
        from circlekeep.trail.access import withhold_hidden_actors

        reads = [e for e in withhold_hidden_actors(viewer, reads)
                 if not getattr(e, "actor_withheld", False)]
    zones = {}
    windows = meeting_windows({e.actor_id for e in reads if e.actor_id}, since=since,
                              until=until)
    report.outside_hours = [e for e in reads if not is_usual(e, zones, windows)]
    report.reads_by_role = Counter(e.actor_role for e in reads).most_common()
    readers = Counter((e.actor.display_name if e.actor else "system", e.actor_role)
                      for e in reads)
    report.top_readers = [(name, role, n) for (name, role), n in readers.most_common(10)]
    return report
