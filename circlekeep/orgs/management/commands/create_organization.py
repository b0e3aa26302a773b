"""Bootstrap a real organization and invite its first admin."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from circlekeep.lib.actions import DomainError
from circlekeep.orgs.actions import do_create_organization, do_invite_staff


class Command(BaseCommand):
    help = "Create an organization and print a one-time invitation link for its first admin."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166 code, e.g. US")
        parser.add_argument("--region", default="", help="State or province code, e.g. CA")
        parser.add_argument("--admin-email", required=True)

    def handle(self, *args, name, country, region, admin_email, **options):
        try:
            organization = do_create_organization(name=name, country=country, region=region)
            _invitation, token = do_invite_staff(organization, email=admin_email, role="admin",
                                                 actor=None)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Created {organization.name}. Invitation link for {admin_email} "
                          f"(valid 7 days):")
        self.stdout.write(f"{settings.SITE_URL}/accounts/invitations/{token}/")
