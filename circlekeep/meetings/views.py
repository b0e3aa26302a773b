"""Meeting pages: schedules, the meeting, the opening ritual, attendance, calendar feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from circlekeep.accounts.models import hash_secret
from circlekeep.agreements.forms import SignForm
from circlekeep.circles.access import access_circle, access_membership, may_manage_circle
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.lib.text import one_full_stop
from circlekeep.lib.views import confirm_or_run
from circlekeep.lib.zones import viewer_zone
from circlekeep.meetings import actions
from circlekeep.meetings.access import (
    access_meeting,
    access_meeting_membership,
    cleared_membership,
    live_calendar_feed_of,
    ritual_viewer_role,
    viewer_role,
)
from circlekeep.meetings.agenda import recorded_agenda_items, system_agenda_items
from circlekeep.meetings.charts import attendance_chart
from circlekeep.meetings.forms import (
    AgendaForm,
    AttendanceForm,
    CalendarTitleForm,
    MoveForm,
    PledgeForm,
    ScheduleForm,
)
from circlekeep.meetings.ical import feed_address, feed_for
from circlekeep.meetings.models import (
    Acknowledgement,
    Attendance,
    CalendarFeed,
    Meeting,
    Pledge,
)
from circlekeep.meetings.schedule import VIEWS, build_grid, parse_anchor
from circlekeep.onboarding.progress import ONLINE_RULES, progress_for


def _meeting_for(request, meeting_id):
    """(meeting, role, membership); a member who may not take part now gets 403 with the
    reason (meetings.access.viewer_role)."""
    meeting = access_meeting(request.user, meeting_id)
    role, membership = viewer_role(request.user, meeting)
    return meeting, role, membership


@login_required
def circle_meetings(request, circle_id):
    circle = access_circle(request.user, circle_id)
    staff = may_manage_circle(request.user, circle)
    if not staff:
        cleared_membership(request.user, circle)
    form = ScheduleForm(request.POST or None) if staff else None
    if request.method == "POST":
        if form is None:
            raise ActionForbidden(_("Only the circle's facilitators schedule meetings."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                with submitted_once(form):
                    series = actions.do_schedule_meetings(
                        circle, actor=request.user,
                        starts_at=actions.local_datetime(data["date"], data["time"],
                                                         request.user.time_zone),
                        duration_minutes=data["duration_minutes"],
                        recurrence=data["recurrence"], until=data["until"],
                        open_ended=data["open_ended"], mode=data["mode"],
                        place=data["place"])
            except AlreadySubmitted:
                return redirect("meetings:circle", circle_id=circle.public_id)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                count = series.meetings.count()
                messages.success(request, ngettext("Scheduled: %(count)d meeting.",
                                                   "Scheduled: %(count)d meetings.", count)
                                 % {"count": count})
                return redirect("meetings:circle", circle_id=circle.public_id)
    now = timezone.now()
    meetings = Meeting.objects.filter(circle=circle)
    return render(request, "meetings/circle_meetings.html", {
        "circle": circle, "staff": staff, "form": form,
        "upcoming": list(meetings.filter(ends_at__gte=now)[:20]),
        "past": list(meetings.filter(ends_at__lt=now).order_by("-starts_at")[:20]),
    })


def _roster(meeting):
    """The circle's live members with their state in this meeting, in a fixed number of
    queries however many there are."""
    members = list(Membership.objects.filter(
        circle=meeting.circle, status__in=Membership.ACCEPTED_STATUSES)
        .select_related("user", "circle", "circle__organization")
        .order_by("user__display_name"))
    states = progress_for(members)
    acks = {a.membership_id: a for a in Acknowledgement.objects.filter(meeting=meeting)}
    attendance = {a.membership_id: a for a in Attendance.objects.filter(meeting=meeting)}
    pledges = {p.membership_id: p for p in Pledge.objects.filter(meeting=meeting)}
    for member in members:
        member.cleared = states[member.pk].cleared
        member.ack = acks.get(member.pk)
        member.here = attendance.get(member.pk)
        member.pledged = pledges.get(member.pk)
    return members


@login_required
def meeting_detail(request, meeting_id):
    meeting, role, membership = _meeting_for(request, meeting_id)
    context = {
        "meeting": meeting, "circle": meeting.circle, "staff": role == "staff",
        "agenda": recorded_agenda_items(meeting),
        "system_items": system_agenda_items(meeting), "agenda_form": AgendaForm(),
        "membership": membership,
    }
    if role == "staff":
        context["roster"] = _roster(meeting)
        context["attendance_choices"] = Attendance.Status.choices
        context["pledge_choices"] = Pledge.Reason.choices
        context["group_note"] = getattr(meeting, "group_note", None) \
            if hasattr(meeting, "group_note") else None
    else:
        context["acknowledged"] = Acknowledgement.objects.filter(
            meeting=meeting, membership=membership).first()
    return render(request, "meetings/meeting.html", context)


@login_required
def ritual(request, meeting_id):
    """The opening screen: the agreement's rules, the limits of confidentiality and, for
    online meetings, the online rules. Members acknowledge on their own device; in room
    mode the facilitator records each acknowledgement."""
    meeting = access_meeting(request.user, meeting_id)
    role, membership = ritual_viewer_role(request.user, meeting)
    if request.method == "POST":
        if role == "staff":
            raise ActionForbidden(_("In room mode, record each member's "
                                         "acknowledgement by name."))
        try:
            actions.do_acknowledge_ritual(meeting, membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you. Welcome to the circle."))
        return redirect("meetings:detail", meeting_id=meeting.public_id)
    agreement = meeting.circle.agreement
    document = meeting.circle.organization.consent_document
    return render(request, "meetings/ritual.html", {
        "sign_form": SignForm() if role == "signer" else None,
        "meeting": meeting, "circle": meeting.circle, "staff": role == "staff",
        "version": agreement.current_version,
        "limits": document.reporting_categories if document else [],
        "online_rules": ONLINE_RULES if meeting.is_online else [],
        "recommit": meeting.agenda.filter(kind="recommit").exists(),
        "roster": _roster(meeting) if role == "staff" else None,
        "acknowledged": None if role == "staff" else Acknowledgement.objects.filter(
            meeting=meeting, membership=membership).first(),
    })


@login_required
@require_POST
def acknowledge_member(request, meeting_id, membership_id):
    meeting, role, _m = _meeting_for(request, meeting_id)
    if role != "staff":
        raise ActionForbidden(_("Only the facilitator records acknowledgements in "
                                     "room mode."))
    membership = access_meeting_membership(request.user, meeting, membership_id)
    try:
        actions.do_acknowledge_ritual(meeting, membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s acknowledged the opening.")
                         % {"name": membership.user.display_name})
    return redirect("meetings:ritual", meeting_id=meeting.public_id)


@login_required
@require_POST
def record_attendance(request, meeting_id, membership_id):
    meeting, role, _m = _meeting_for(request, meeting_id)
    if role != "staff":
        raise ActionForbidden(_("Only the circle's facilitators record attendance."))
    membership = access_meeting_membership(request.user, meeting, membership_id)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose present, late, excused or absent."))
    else:
        try:
            actions.do_record_attendance(meeting, membership, actor=request.user,
                                         status=form.cleaned_data["status"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, one_full_stop(_("Attendance saved for %(name)s.")
                             % {"name": membership.user.display_name}))
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_POST
def record_pledge(request, meeting_id, membership_id):
    meeting, role, _m = _meeting_for(request, meeting_id)
    if role != "staff":
        raise ActionForbidden(_("Only the circle's facilitators record pledges."))
    membership = access_meeting_membership(request.user, meeting, membership_id)
    form = PledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the member pledges."))
    else:
        try:
            actions.do_record_pledge(meeting, membership, actor=request.user,
                                     reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, one_full_stop(_("Pledge recorded for %(name)s.")
                             % {"name": membership.user.display_name}))
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_POST
def add_agenda_item(request, meeting_id):
    meeting, _role, _m = _meeting_for(request, meeting_id)
    form = AgendaForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
    else:
        try:
            with submitted_once(form):
                actions.do_add_agenda_item(meeting, title=form.cleaned_data["title"],
                                           actor=request.user)
        except AlreadySubmitted:
            pass
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Added to the agenda."))
    return redirect("meetings:detail", meeting_id=meeting.public_id)


@login_required
@require_http_methods(["GET", "POST"])  # GET asks first; POST does it
def cancel(request, meeting_id):
    meeting, role, _m = _meeting_for(request, meeting_id)
    if role != "staff":
        raise ActionForbidden(_("Only the circle's facilitators cancel meetings."))
    whole_series = (request.POST.get("series") or request.GET.get("series")) == "1"
    when = date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
    if whole_series:
        count = Meeting.objects.filter(series_id=meeting.series_id,
                                       status=Meeting.Status.SCHEDULED,
                                       starts_at__gte=meeting.starts_at).count()
        title = _("Cancel this and every later meeting?")
        first = ngettext("%(count)d meeting is cancelled, from %(when)s on; the series "
                         "ends.", "%(count)d meetings are cancelled, from %(when)s on; the "
                         "series ends.", count) % {"count": count, "when": when}
    else:
        title = _("Cancel this meeting?")
        first = _("The meeting on %(when)s is cancelled; later meetings stay as they are."
                  ) % {"when": when}
    return confirm_or_run(
        request, confirm_form(request),
        lambda data: actions.do_cancel_meeting(meeting, actor=request.user,
                                               whole_series=whole_series),
        success=lambda count: ngettext("Cancelled: %(count)d meeting.",
                                       "Cancelled: %(count)d meetings.", count)
        % {"count": count},
        to=reverse("meetings:circle", kwargs={"circle_id": meeting.circle.public_id}),
        page={"title": title,
              "consequences": [first, _("Members see it as cancelled on their calendar and "
                                        "their dashboard."),
                               _("A cancelled meeting cannot be moved or brought back.")],
              "confirm": title.rstrip("?"),
              "cancel_url": reverse("meetings:detail", kwargs={"meeting_id": meeting.public_id})})


@login_required
def move(request, meeting_id):
    meeting, role, _m = _meeting_for(request, meeting_id)
    if role != "staff":
        raise ActionForbidden(_("Only the circle's facilitators move meetings."))
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_move_meeting(
                meeting, actor=request.user, whole_series=data["whole_series"],
                starts_at=actions.local_datetime(data["date"], data["time"],
                                                 request.user.time_zone))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The meeting is moved."))
            return redirect("meetings:detail", meeting_id=meeting.public_id)
    return render(request, "meetings/move.html", {"meeting": meeting, "form": form})


@login_required
def attendance_history(request, membership_id):
    membership = access_membership(request.user, membership_id)
    if not may_manage_circle(request.user, membership.circle) and \
            membership.user_id != request.user.pk:
        raise Http404
    records = list(Attendance.objects.filter(membership=membership)
                   .select_related("meeting").order_by("-meeting__starts_at"))
    staff = may_manage_circle(request.user, membership.circle)
    return render(request, "meetings/attendance_history.html", {
        "membership": membership, "records": records,
        "chart": attendance_chart(request.user, membership_id) if staff else None})


@login_required
def calendar(request):
    feed = live_calendar_feed_of(request.user)
    secret_url = None
    if request.method == "POST":
        what = request.POST.get("do")
        try:
            if what == "create":
                feed, secret = actions.do_create_calendar_feed(request.user,
                                                               actor=request.user)
                secret_url = feed_address(request, secret)
                messages.success(request, _("Your new feed address is below. It is shown "
                                            "once; any earlier address no longer works."))
            elif what == "revoke" and feed is not None:
                actions.do_revoke_calendar_feed(feed, actor=request.user)
                messages.success(request, _("Your calendar feed is turned off."))
                return redirect("meetings:calendar")
            elif what == "title" and feed is not None:
                form = CalendarTitleForm(request.POST)
                if form.is_valid():
                    actions.do_set_calendar_title(feed, title=form.cleaned_data["title"],
                                                  actor=request.user)
                    messages.success(request, _("The title is saved."))
                return redirect("meetings:calendar")
        except DomainError as error:
            messages.error(request, error.message)
    return render(request, "meetings/calendar.html", {
        "feed": feed, "secret_url": secret_url,
        "title_form": CalendarTitleForm(initial={"title": feed.title if feed else ""}),
    })


@login_required
def schedule(request):
    """The week or month of the viewer's meetings (``meetings_on_calendar_of``)."""
    view = request.GET.get("view")
    view = view if view in VIEWS else "week"
    zone = viewer_zone(request.user)
    today = timezone.localtime(timezone.now(), zone).date()
    grid = build_grid(request.user, view, parse_anchor(request.GET.get("date"), today))
    weekdays = grid.days[:7]
    return render(request, "meetings/schedule.html", {"grid": grid, "weekdays": weekdays,
                                                      "today": today})


def calendar_feed(request, secret):
    """The feed itself: no sign-in, the secret is the key. Wrong or revoked: 404."""
    feed = CalendarFeed.objects.select_related("user").filter(
        secret_hash=hash_secret(secret), revoked_at__isnull=True).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    response = HttpResponse(feed_for(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response

