"""Feedback chores for a scheduler (cron, a systemd timer), every few minutes:

  manage.py feedback close    close rounds whose time is up: destroy their keys, release
                              their entries in random order if at least five came; and
                              delete the keys for anonymous concerns of days that are over
"""

from django.core.management.base import BaseCommand

from circlekeep.feedback.actions import close_due_rounds, do_retire_concern_keys


class Command(BaseCommand):
    help = ("Close anonymous feedback rounds whose time is up and delete past days' keys "
            "for anonymous concerns.")

    def add_arguments(self, parser):
        parser.add_argument("chore", choices=["close"])

    def handle(self, *args, chore, **options):
        closed = close_due_rounds()
        retired = do_retire_concern_keys()
        self.stdout.write(f"{closed} feedback rounds closed; {retired} past days' concern "
                          "keys deleted.")
