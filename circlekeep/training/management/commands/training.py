"""Training chores for a scheduler (cron, a systemd timer).

  manage.py training remind    remind holders 60 and 30 days before a certificate expires
"""

from django.core.management.base import BaseCommand

from circlekeep.training.actions import do_send_expiry_reminders


class Command(BaseCommand):
    help = "Remind facilitators whose training certificate expires soon."

    def add_arguments(self, parser):
        parser.add_argument("chore", choices=["remind"])

    def handle(self, *args, chore, **options):
        sent = do_send_expiry_reminders()
        self.stdout.write(f"{sent} certificate reminders sent.")
