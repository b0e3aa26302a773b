"""Notification chores for a scheduler.

  manage.py notify daily   (once a day, after ``manage.py audit release``)
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from circlekeep.notify.hooks import DAILY


class Command(BaseCommand):
    help = "Notification chores."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("daily", help="Send the notifications held until their day was over "
                       "(anonymous concerns). Run it daily, e.g. at 00:10 UTC.")

    def handle(self, *args, verb, **options):
        today = timezone.now().date()
        sent = sum(count or 0 for count in DAILY(today=today))
        self.stdout.write(f"Notified {sent} held item(s) from before {today.isoformat()}.")
