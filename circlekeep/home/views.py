"""The home page: what is waiting for each person, gathered from every app."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from circlekeep.home.dashboard import (
    facilitated_circles,
    member_circles,
    open_incidents,
    wards_of,
)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    staff = getattr(user, "flag_staff", True)
    guardian = getattr(user, "flag_guardian", True)
    return render(request, "home/dashboard.html", {
        "memberships": member_circles(user),
        "facilitated": facilitated_circles(user) if staff else [],
        "wards": wards_of(user) if guardian else [],
        "offer_two_factor": not user.is_verified(),
        "incidents": open_incidents(user) if staff else [],
        "now": timezone.now(),
    })
