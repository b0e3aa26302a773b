"""Meeting chores for a scheduler (cron, a systemd timer): reminders and open-ended series.

  manage.py meetings remind [--hours 24]   e-mail each cleared member once before a meeting
  manage.py meetings extend                lay out open-ended series six months ahead
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from circlekeep.circles.models import Membership
from circlekeep.meetings.actions import do_extend_series, do_send_reminder
from circlekeep.meetings.models import Meeting, MeetingSeries, Reminder
from circlekeep.onboarding.progress import progress_for


class Command(BaseCommand):
    help = "Send meeting reminders, or extend open-ended series."

    def add_arguments(self, parser):
        parser.add_argument("chore", choices=["remind", "extend"])
        parser.add_argument("--hours", type=int, default=24,
                            help="Remind about meetings starting within this many hours.")

    def handle(self, *args, chore, hours, **options):
        if chore == "remind":
            self.remind(hours)
        else:
            self.extend()

    def remind(self, hours):
        now = timezone.now()
        meetings = Meeting.objects.filter(status="scheduled", starts_at__gt=now,
                                          starts_at__lte=now + timedelta(hours=hours))
        sent = 0
        for meeting in meetings.select_related("circle"):
            members = list(Membership.objects.filter(circle=meeting.circle, status="active")
                           .select_related("user", "circle", "circle__organization"))
            states = progress_for(members)
            done = set(Reminder.objects.filter(meeting=meeting).values_list("user_id",
                                                                             flat=True))
            for member in members:
                if states[member.pk].cleared and member.user_id not in done:
                    do_send_reminder(meeting, member.user)
                    sent += 1
        self.stdout.write(f"{sent} reminders sent for {meetings.count()} meetings.")

    def extend(self):
        added = 0
        for series in MeetingSeries.objects.filter(recurrence__in=["weekly", "fortnightly"],
                                                   until__isnull=True, cancelled_at=None):
            added += do_extend_series(series)
        self.stdout.write(f"{added} meetings added to open-ended series.")
