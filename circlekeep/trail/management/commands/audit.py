"""Audit trail tools: verify the chain, sign a checkpoint, release the day's held anonymous
events, print the security report."""

from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from circlekeep.audit.recording import checkpoint_now, release_held_events
from circlekeep.audit.verify import verify


class Command(BaseCommand):
    help = "Audit trail tools."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("verify", help="Recompute the hash chain, compare each event's columns "
                       "with its record, check the signed checkpoints and hold the trail to "
                       "the witness file; exits 1 and names what was found on tampering.")
        sub.add_parser("checkpoint", help="Sign the newest event now (run it every minute).")
        sub.add_parser("release", help="Append the anonymous events held from days before "
                       "today, in random order (run it daily, e.g. at 00:05 UTC).")
        report = sub.add_parser("report", help="The security report.")
        report.add_argument("--since", required=True, metavar="YYYY-MM-DD")
        report.add_argument("--org", metavar="UUID", help="One organization (default: all).")

    def handle(self, *args, verb, **options):
        getattr(self, verb)(**options)

    def _release(self):
        released = release_held_events()
        if released:
            self.stdout.write(f"Released {released} held anonymous event(s) into the trail.")
        return released

    def release(self, **options):
        if not self._release():
            self.stdout.write("No held anonymous events from before today.")
        elif checkpoint_now() is not None:
            self.stdout.write("Signed the trail's head after them.")

    def verify(self, **options):
        from circlekeep.audit.models import AuditHead

        self._release()
        head = AuditHead.objects.filter(pk=1).first()
        total = head.sequence if head else 0
        with Progress(TextColumn("Verifying the audit trail"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} events"), TimeElapsedColumn(),
                      transient=False) as progress:
            task = progress.add_task("verify", total=total)
            result = verify(progress=lambda n: progress.update(task, completed=n))
        self.stdout.write(f"{result.events} events, {result.checkpoints} signed checkpoints and "
                          f"{result.witnessed} witnessed heads checked in {result.seconds:.2f} s "
                          f"({result.events_per_second:,.0f} events/s).")
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"TAMPERED at #{problem.sequence} ({problem.kind}): "
                                  f"{problem.message}")
            raise SystemExit(1)
        if result.unsigned_tail:
            self.stdout.write(f"The newest {result.unsigned_tail} events are not yet covered by "
                              "a signed checkpoint (`manage.py audit checkpoint` signs them).")
        self.stdout.write("The audit trail is intact.")

    def checkpoint(self, **options):
        self._release()
        checkpoint = checkpoint_now()
        if checkpoint is None:
            self.stdout.write("Nothing new to sign.")
        else:
            self.stdout.write(f"Signed checkpoint at #{checkpoint.sequence}.")

    def report(self, *, since, org, **options):
        from circlekeep.orgs.models import Organization
        from circlekeep.trail.reports import security_report

        try:
            day = datetime.strptime(since, "%Y-%m-%d").date()
        except ValueError:
            raise CommandError("--since takes a date as YYYY-MM-DD.") from None
        start = timezone.make_aware(datetime.combine(day, time.min))
        organization = None
        if org:
            organization = Organization.objects.filter(public_id=org).first()
            if organization is None:
                raise CommandError(f"No organization {org}.")
        report = security_report(organization, since=start,
                                 until=timezone.now() + timedelta(seconds=1))
        w = self.stdout.write
        w(f"Security report since {day.isoformat()}"
          f"{' for ' + organization.name if organization else ''}")
        for label, value in report.summary():
            w(f"  {label:<46}{value:>8}")
        w("  Reads of protected information by role:")
        for role, count in report.reads_by_role:
            w(f"    {role:<44}{count:>8}")
        w("  Most active readers:")
        for name, role, count in report.top_readers:
            w(f"    {name} ({role}){'':<4}{count:>8}")
