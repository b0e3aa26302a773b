"""Print the redactor's recall and precision over the fictional corpus."""

from django.core.management.base import BaseCommand

from circlekeep.notes import corpus, redaction


class Command(BaseCommand):
    help = "Measure the notes redactor on its corpus: recall on roster names, precision."

    def add_arguments(self, parser):
        parser.add_argument("--show", action="store_true", help="List misses and extras.")

    def handle(self, *args, show=False, **options):
        cases = corpus.cases()
        recall, precision, misses, extras = corpus.measure(redaction.find_spans)
        spans = sum(len(case.redact) for case in cases)
        self.stdout.write(f"corpus: {len(cases)} notes, {spans} spans to redact, "
                          f"{sum(len(c.keep_spans) for c in cases)} to keep")
        self.stdout.write(f"recall:    {recall:.1%} (target 100%)")
        self.stdout.write(f"precision: {precision:.1%} (target ≥ 95%)")
        if show:
            for line in misses:
                self.stdout.write(f"missed: {line}")
            for line in extras:
                self.stdout.write(f"extra:  {line}")
