"""Concern chores for a scheduler: end suspensions whose date has passed.

  manage.py concerns end-suspensions
"""

from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from circlekeep.incidents.actions import do_end_suspension
from circlekeep.incidents.models import Decision


class Command(BaseCommand):
    help = "End suspensions applied after a concern once their date has passed."

    def add_arguments(self, parser):
        parser.add_argument("chore", choices=["end-suspensions"])

    def handle(self, *args, chore, **options):
        latest = (Decision.objects.filter(step="suspension")
                  .values("membership").annotate(last=Max("decided_at")))
        ended = 0
        for row in latest:
            decision = Decision.objects.select_related("membership").get(
                membership_id=row["membership"], decided_at=row["last"], step="suspension")
            if decision.membership.status == "suspended" and \
                    decision.suspended_until <= timezone.localdate():
                do_end_suspension(decision)
                ended += 1
        self.stdout.write(f"{ended} suspensions ended.")
