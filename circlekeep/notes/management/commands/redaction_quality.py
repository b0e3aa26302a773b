"""Print the redactor's recall and precision over corpora of notes (see notes/corpus.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from circlekeep.notes import corpus

RECALL_TARGET = 1.0
PRECISION_TARGET = 0.98


class Command(BaseCommand):
    help = ("Measure the notes redactor: recall on other members' mentions and precision "
            "over removed letters, for each corpus in JSON lines.")

    def add_arguments(self, parser):
        parser.add_argument("--corpus", action="append", dest="corpora", metavar="FILE.jsonl",
                            help="A corpus to score (repeatable). Without it, every corpus "
                                 "in circlekeep/notes/corpora/ is scored, each apart.")
        parser.add_argument("--predictions", metavar="OUT.jsonl",
                            help='Write {"id", "spans": [[start, end], …]} per note.')
        parser.add_argument("--show", action="store_true", help="List misses and extras.")

    def handle(self, *args, corpora=None, predictions=None, show=False, **options):
        paths = corpora or [str(p) for p in corpus.corpus_files()]
        if not paths:
            raise CommandError("No corpus to score.")
        if predictions and len(paths) > 1:
            raise CommandError("--predictions takes one --corpus.")
        for path in paths:
            try:
                cases = corpus.load(path)
            except FileNotFoundError:
                raise CommandError(f"No such corpus file: {path}") from None
            except corpus.CorpusError as problem:
                raise CommandError(str(problem)) from None
            result, spans = corpus.score(cases, corpus.redactor_predictions)
            self._report(path, result, show)
            if predictions:
                with open(predictions, "w", encoding="utf-8") as out:
                    for case in cases:
                        out.write(json.dumps({"id": case.id, "spans": [
                            [s, e] for s, e in spans[case.id]]}) + "\n")

    def _report(self, path, result, show):
        write = self.stdout.write
        write(f"corpus: {path}")
        write(f"  {result.notes} notes, {result.spans} spans to redact "
              f"({result.unambiguous} unambiguous), {result.keep_spans} to keep")
        if result.mismatched:
            write(f"  warning: {result.mismatched} spans' surface differs from the text")
        write(f"  recall:    {result.recall:.1%} ({result.found}/{result.unambiguous}; "
              f"target {RECALL_TARGET:.0%})")
        write(f"  precision: {result.precision:.1%} ({result.correct_letters}/"
              f"{result.removed_letters} removed letters; target ≥ {PRECISION_TARGET:.0%})")
        write(f"  spans to keep that lost letters: {result.kept_spans_removed}")
        if show:
            for line in result.misses:
                write(f"  missed: {line}")
            for line in result.extras:
                write(f"  extra:  {line}")
