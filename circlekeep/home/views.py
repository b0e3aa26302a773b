"""The home page: what is waiting for each person, gathered from every app."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.circles.access import circles_managed_by
from circlekeep.home.dashboard import facilitated_circles, member_circles, wards_of
from circlekeep.home.queues import admin as admin_queues
from circlekeep.home.queues import facilitator as facilitator_queues
from circlekeep.home.queues import member as member_queues
from circlekeep.home.queues import training as training_queues
from circlekeep.home.rows import circle_cards, task_list

# Everything the dashboard shows only to staff (home/dashboard.html).
STAFF_SECTIONS = ("week_meetings", "facilitator_tasks", "facilitator_task_list", "admin_tasks",
                  "admin_task_list", "incidents", "security", "facilitated")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    staff = getattr(user, "flag_staff", True)
    guardian = getattr(user, "flag_guardian", True)
    memberships = member_circles(user)
    meetings = member_queues.upcoming_meetings(user)
    news = member_queues.news(user)
    member_tasks = (member_queues.opening_tasks(meetings)
                    + member_queues.signing_tasks(memberships)
                    + member_queues.onboarding_tasks(memberships)
                    + member_queues.concern_tasks(news)
                    + member_queues.note_tasks(news)
                    + member_queues.feedback_tasks(news))
    # A member's page asks about the staff sections too; a name given costs the template
    # less than one it has to find missing.
    context = dict.fromkeys(STAFF_SECTIONS)
    context.update({
        "greeting": _("Welcome, %(name)s") % {"name": user.display_name},
        "memberships": memberships,
        "circle_cards": circle_cards(memberships),
        "next_meeting": meetings[0] if meetings else None,
        "member_tasks": member_tasks,
        "member_task_list": task_list(member_tasks, "member"),
        "wards": wards_of(user) if guardian else [],
        "offer_two_factor": not user.is_verified(),
        "now": timezone.now(),
    })
    if staff:
        context.update(_staff_context(user))
        for role in ("facilitator", "admin"):
            if context.get(f"{role}_tasks"):
                context[f"{role}_task_list"] = task_list(context[f"{role}_tasks"], role)
    return render(request, "home/dashboard.html", context)


def _staff_context(user):
    """The facilitator's and the admin's queues, and the auditor's summary, for the roles
    the person holds (read once a request, orgs/access.py)."""
    from circlekeep.orgs.access import staff_roles_of
    from circlekeep.orgs.models import StaffRole

    roles = set(staff_roles_of(user).values())
    context = {}
    if roles & {StaffRole.Role.ADMIN, StaffRole.Role.FACILITATOR}:
        context.update({
            "facilitated": facilitated_circles(user),
            "week_meetings": facilitator_queues.week_meetings(user),
            "facilitator_tasks": (facilitator_queues.concern_tasks(user)
                                  + facilitator_queues.onboarding_tasks(user)
                                  + facilitator_queues.proposal_tasks(user)
                                  + facilitator_queues.note_tasks(user)
                                  + training_queues.own_tasks(user)
                                  + training_queues.lapsing_lead_tasks(
                                      circles_managed_by(user))),
        })
    if StaffRole.Role.ADMIN in roles:
        context.update({
            "admin_tasks": (admin_queues.concern_tasks(user) + admin_queues.staff_tasks(user)
                            + admin_queues.circle_tasks(user)
                            + admin_queues.consent_tasks(user)
                            + training_queues.expiring_tasks(user)),
            "incidents": admin_queues.open_incidents(user),
        })
    if roles & {StaffRole.Role.ADMIN, StaffRole.Role.AUDITOR}:
        context["security"] = admin_queues.security_summary(user)
    return context
