"""A member's calendar feed: times only, in neutral words.

No circle name, no place, no other members, no therapy words: "Circle meeting", or the
title the member chose for themself.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from circlekeep.circles.models import Membership
from circlekeep.meetings.models import Meeting
from circlekeep.onboarding.progress import progress_for


def feed_for(feed):
    """The feed in its owner's language: a calendar app fetches it without a session."""
    with translation.override(feed.user.language):
        return _feed(feed)


def _feed(feed):
    user = feed.user
    memberships = list(Membership.objects.filter(user=user, status="active")
                       .select_related("circle", "circle__organization", "user"))
    states = progress_for(memberships)
    circles = [m.circle_id for m in memberships if states[m.pk].cleared]
    meetings = Meeting.objects.filter(
        circle_id__in=circles, starts_at__gte=timezone.now() - timedelta(days=30),
    ).order_by("starts_at")
    calendar = Calendar()
    calendar.add("prodid", "-//Circlekeep//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", feed.title or _("Circle meetings"))
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"{meeting.public_id}@circlekeep")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("summary", feed.title or _("Circle meeting"))
        event.add("description", _("Details are in Circlekeep."))
        event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_address(request, secret):
    """The full address of a feed: shown once, when it is made, on the page and in the
    API alike (only its hash is kept)."""
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"secret": secret}))
