"""Audit pages: "Who has seen my information", the staff trail, its export, the report."""

import csv
from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.audit.events import label_for
from circlekeep.audit.verify import event_hash_at, latest_signed_head
from circlekeep.circles.access import circles_managed_by
from circlekeep.incidents.charts import concern_resolution_chart
from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.text import spreadsheet_safe
from circlekeep.orgs.access import admin_organizations
from circlekeep.trail.access import (
    audit_organizations,
    events_visible_to,
    may_read_trail,
    my_events,
    present_events,
)
from circlekeep.trail.forms import AuditFilterForm, ReportForm
from circlekeep.trail.reports import security_report

PAGE_SIZE = 50



def _page(request, events):
    paginator = Paginator(events.select_related("actor", "subject", "circle")
                          .order_by("-sequence"), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = present_events(request.user, page.object_list)
    for event in page.object_list:
        event.label = label_for(event.event_type)
    return page


@login_required
def my_access(request):
    """Every event whose subject is the signed-in person, newest first, and the trail's
    latest signed head, which the member's browser remembers to notice a rollback."""
    page = _page(request, my_events(request.user))
    return render(request, "audit/my_access.html", {"page": page, "head": latest_signed_head()})


LARGEST_SEQUENCE = 2**63 - 1


@login_required
def signed_head(request):
    """The latest signed head as JSON; with ``?at=N``, also the hash of event #N now, so a
    browser that remembered an older head can tell whether history up to it still holds."""
    head = latest_signed_head()
    answer = {"head": head and {**head, "signed_at": head["signed_at"].isoformat()}}
    if "at" in request.GET:
        at = request.GET["at"]
        if not (at.isascii() and at.isdigit() and len(at) <= 19
                and 1 <= int(at) <= LARGEST_SEQUENCE):
            return JsonResponse({"error": _("“at” must be the number of an event in the audit "
                                            "trail (a whole number from 1).")}, status=400)
        answer["at"] = {"sequence": int(at), "hash": event_hash_at(int(at))}
    return JsonResponse(answer)


@login_required
def trail(request):
    if not may_read_trail(request.user):
        raise ActionForbidden(_("The audit trail is for facilitators, admins and "
                                     "auditors. Your own history is under “Who has seen my "
                                     "information”."))
    form = AuditFilterForm(request.GET or None, circles=circles_managed_by(request.user))
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/trail.html", {
        "form": form, "page": _page(request, events), "query": query.urlencode(),
        "may_export": audit_organizations(request.user).exists(),
    })


class _Echo:
    def write(self, value):
        return value


@login_required
def export(request):
    if not audit_organizations(request.user).exists():
        raise ActionForbidden(_("Only auditors and organization admins export the trail."))
    form = AuditFilterForm(request.GET or None, circles=circles_managed_by(request.user))
    events = events_visible_to(request.user)
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    events = events.select_related("actor", "subject", "circle", "organization").order_by(
        "sequence")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["sequence", "time_utc", "actor", "actor_role", "event_type",
                               "target_type", "target_id", "organization", "circle",
                               "subject", "reason", "request_id", "hash"])
        for chunk in _chunks(events.iterator(chunk_size=2000), 2000):
            for e in present_events(request.user, chunk):
                yield _csv_row(writer, e)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="circlekeep-audit.csv"'
    return response


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_row(writer, e):
    return writer.writerow([spreadsheet_safe(value) for value in (
        e.sequence, e.created_at.isoformat(),
        "withheld" if getattr(e, "actor_withheld", False) else
        (e.actor.public_id if e.actor else ""),
        e.actor_role, e.event_type, e.target_type, e.target_id,
        e.organization.public_id if e.organization else "",
        e.circle.public_id if e.circle else "",
        e.subject.public_id if e.subject else "", e.reason, e.request_id, e.hash,
    )])


@login_required
def security(request):
    organizations = list(audit_organizations(request.user))
    if not organizations:
        raise ActionForbidden(_("The security report is for admins and auditors."))
    default_since = (timezone.localdate() - timedelta(days=30)).isoformat()
    form = ReportForm(request.GET or {"since": default_since})
    reports = []
    if form.is_valid():
        since = timezone.make_aware(datetime.combine(form.cleaned_data["since"], time.min))
        until = timezone.now() + timedelta(seconds=1)
        reports = [(org, security_report(org, since=since, until=until,
                                         viewer=request.user))
                   for org in organizations]
    # Concerns and their resolution times: for admins (auditors read the audit, not this).
    charts = [(org, concern_resolution_chart(request.user, org.public_id))
              for org in admin_organizations(request.user)]
    return render(request, "audit/security_report.html", {"form": form, "reports": reports,
                                                          "concern_charts": charts})
