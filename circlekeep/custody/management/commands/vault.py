"""Key management: rotate the key-encryption key or a data key, erase a member."""

import base64
import json

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from circlekeep.custody.actions import do_destroy_member_keys
from circlekeep.lib.actions import DomainError
from circlekeep.lib.keyfiles import new_kek
from circlekeep.vault import crypto
from circlekeep.vault.actions import do_rewrap_data_keys, do_rotate_data_key
from circlekeep.vault.models import DataKey


class Command(BaseCommand):
    help = "Vault key management."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        rotate = sub.add_parser("rotate-kek", help="Re-wrap every data key under the current "
                                "key-encryption key (resumable; no downtime).")
        rotate.add_argument("--new-key", action="store_true",
                            help="First add a new key to the keyring file and make it current.")
        rotate.add_argument("--batch", type=int, default=500)
        data = sub.add_parser("rotate-data-key", help="Re-encrypt one member's or circle's "
                              "protected text under a new data key.")
        data.add_argument("--member", metavar="EMAIL")
        data.add_argument("--circle", metavar="UUID")
        shred = sub.add_parser("erase-member", help="Crypto-shred a member's protected "
                               "information (a dry run unless --for-real).")
        shred.add_argument("email")
        shred.add_argument("--reason", required=True)
        shred.add_argument("--organization", metavar="UUID",
                           help="Erase only what this organization holds (default: every "
                                "organization's share).")
        shred.add_argument("--for-real", action="store_true")

    def handle(self, *args, verb, **options):
        try:
            getattr(self, verb.replace("-", "_"))(**options)
        except (DomainError, crypto.VaultError) as error:
            raise CommandError(str(getattr(error, "message", error))) from None

    def rotate_kek(self, *, new_key, batch, **options):
        ring = crypto.keyring()
        if new_key:
            path = ring.get("path")
            if path is None:
                raise CommandError("--new-key writes the keyring file named by "
                                   "VAULT_KEYRING_PATH; with VAULT_KEYRING in the environment, "
                                   "add the new key there and run rotate-kek again.")
            raw = json.loads(path.read_text())
            key_id = f"kek-{len(raw['keys']) + 1}-{new_kek()[:6].replace('/', 'x')}"
            raw["keys"][key_id] = new_kek()
            raw["current"] = key_id
            path.write_text(json.dumps(raw, indent=2))
            ring["keys"][key_id] = base64.b64decode(raw["keys"][key_id])
            ring["current"] = key_id
            self.stdout.write(f"Added {key_id} to {path} as the current key.")
        current = ring["current"]
        pending = DataKey.objects.filter(destroyed_at=None).exclude(kek_id=current)
        total = pending.count()
        done = 0
        with Progress(transient=False) as progress:
            task = progress.add_task(f"Re-wrapping data keys under {current}", total=total)
            while True:
                ids = list(pending.order_by("pk").values_list("key_id", flat=True)[:batch])
                if not ids:
                    break
                done += do_rewrap_data_keys(ids)
                progress.update(task, completed=done)
        self.stdout.write(f"{done} data keys re-wrapped; every live data key is now under "
                          f"{current}. Older keys may be removed from the keyring.")

    def rotate_data_key(self, *, member, circle, **options):
        from circlekeep.accounts.models import User
        from circlekeep.circles.models import Circle

        if bool(member) == bool(circle):
            raise CommandError("Name one --member EMAIL or one --circle UUID.")
        owner = (User.objects.filter(email__iexact=member).first() if member
                 else Circle.objects.filter(public_id=circle).first())
        if owner is None:
            raise CommandError("No such member or circle.")
        count = do_rotate_data_key(owner, actor=None)
        self.stdout.write(f"Re-encrypted {count} protected values under a new data key.")

    def erase_member(self, *, email, reason, organization, for_real, **options):
        from django.core.exceptions import ObjectDoesNotExist
        from django.db.models import Q
        from django.http import Http404

        from circlekeep.accounts.models import User
        from circlekeep.circles.access import organizations_of
        from circlekeep.lib.ids import parse_public_id

        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account for {email}.")
        keys = DataKey.objects.filter(user=user, destroyed_at=None)
        where = "every organization"
        if organization:
            try:
                org = organizations_of(user).get(public_id=parse_public_id(organization))
            except (Http404, ObjectDoesNotExist):
                raise CommandError("That organization holds no information about "
                                   f"{email}.") from None
            keys = keys.filter(Q(organization=org) | Q(organization=None))
            where = org.name
        else:
            org = None
        count = keys.count()
        if not for_real:
            self.stdout.write(f"Dry run: would destroy {count} data keys of {email} "
                              f"({where}), making that protected information unreadable for "
                              "good. Add --for-real to do it.")
            return
        do_destroy_member_keys(user, actor=None, reason=reason, organization=org)
        self.stdout.write(f"Destroyed {count} data keys of {email} ({where}).")
