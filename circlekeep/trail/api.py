"""API endpoints for the audit trail: one's own access log, the staff trail, the report."""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from circlekeep.audit.events import label_for
from circlekeep.lib.actions import ActionForbidden
from circlekeep.trail.access import (
    audit_organizations,
    events_visible_to,
    may_read_trail,
    my_events,
    present_events,
)
from circlekeep.trail.forms import check_report_date, check_trail_filters
from circlekeep.trail.reports import security_report

router = Router(tags=["audit"])
PAGE_SIZE = 50


class EventOut(Schema):
    sequence: int
    time: datetime
    actor: str | None
    actor_role: str
    event_type: str
    label: str
    subject: str | None
    circle: str | None
    reason: str  # in the reader's language
    reason_code: str  # as stored: a code, or the text a person typed


class EventPage(Schema):
    page: int
    pages: int
    events: list[EventOut]


class TrailFilters(Schema):
    event_type: str | None = None
    circle_id: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1


class ReportOut(Schema):
    organization: str
    failed_sign_ins: int
    lockouts: int
    failed_second_steps: int
    second_step_lockouts: int
    two_factor_disabled: int
    reads_outside_usual_hours: int
    legal_clocks: list[dict]
    reads_by_role: dict[str, int]
    top_readers: list[dict]


def event_to_dict(e):
    return {"sequence": e.sequence, "time": e.created_at,
            "actor": e.actor.display_name if e.actor else None, "actor_role": e.actor_role,
            "event_type": e.event_type, "label": label_for(e.event_type),
            "subject": e.subject.display_name if e.subject else None,
            "circle": e.circle.name if e.circle else None, "reason": e.reason_label,
            "reason_code": e.reason}


def _page(request, events, number):
    paginator = Paginator(events.select_related("actor", "subject", "circle")
                          .order_by("-sequence"), PAGE_SIZE)
    page = paginator.get_page(number)
    return {"page": page.number, "pages": paginator.num_pages,
            "events": [event_to_dict(e)
                       for e in present_events(request.user, page.object_list)]}


@router.get("/me/access-log", response=EventPage)
def my_access_log(request, page: int = 1):
    """Who has seen or changed my information, newest first."""
    return _page(request, my_events(request.user), page)


@router.get("/audit/events", response=EventPage)
def trail(request, filters: Query[TrailFilters]):
    if not may_read_trail(request.user):
        raise ActionForbidden("The audit trail is for facilitators, admins and auditors.")
    checked = check_trail_filters(event_type=filters.event_type, circle_id=filters.circle_id,
                                  since=filters.since, until=filters.until)
    return _page(request, checked.apply(events_visible_to(request.user)), filters.page)


@router.get("/audit/security-report", response=list[ReportOut])
def report(request, since: date):
    organizations = list(audit_organizations(request.user))
    if not organizations:
        raise ActionForbidden("The security report is for admins and auditors.")
    check_report_date(since, field="since",
                      message_if_future=_("The start date is in the future."))
    start = timezone.make_aware(datetime.combine(since, time.min))
    until = timezone.now() + timedelta(seconds=1)
    out = []
    for org in organizations:
        r = security_report(org, since=start, until=until, viewer=request.user)
        out.append({"organization": org.name, "failed_sign_ins": r.failed_sign_ins,
                    "lockouts": r.lockouts, "two_factor_disabled": r.two_factor_disabled,
                    "failed_second_steps": r.failed_second_steps,
                    "second_step_lockouts": r.second_step_lockouts,
                    "legal_clocks": [{"law": c.law, "notify": c.who,
                                      "within_hours": int(c.within.total_seconds() // 3600)}
                                     for c in r.legal_clocks],
                    "reads_outside_usual_hours": len(r.outside_hours),
                    "reads_by_role": dict(r.reads_by_role),
                    "top_readers": [{"name": n, "role": role, "reads": c}
                                    for n, role, c in r.top_readers]})
    return out
