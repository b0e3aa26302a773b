"""Circle chores for the operator.

  manage.py onboarding seal-declarations   once, after upgrading: older relationship
                                        declarations stored whom they named in clear
"""

from django.core.management.base import BaseCommand

from circlekeep.onboarding.actions import do_seal_legacy_declarations


class Command(BaseCommand):
    help = "Move whom older relationship declarations name into their sealed text."

    def add_arguments(self, parser):
        parser.add_argument("chore", choices=["seal-declarations"])

    def handle(self, *args, chore, **options):
        count = do_seal_legacy_declarations()
        self.stdout.write(f"{count} older declarations sealed; none names anyone in clear now.")
