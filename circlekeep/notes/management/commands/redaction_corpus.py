"""Write the redactor's corpora in JSON lines (see notes/corpus_generator.py)."""

import json

from django.core.management.base import BaseCommand

from circlekeep.notes import corpus_generator
from circlekeep.notes.corpus import CORPORA


class Command(BaseCommand):
    help = "Write circlekeep/notes/corpora/{original,generated,handwritten}.jsonl."

    def add_arguments(self, parser):
        parser.add_argument("which", nargs="*",
                            choices=["original", "generated", "handwritten"],
                            default=["original", "generated", "handwritten"])
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--notes", type=int, default=150,
                            help="How many notes to generate.")

    def handle(self, *args, which, seed, notes, **options):
        for name in which:
            if name == "original":
                records = corpus_generator.original_records()
            elif name == "generated":
                records = corpus_generator.generated_records(seed=seed, count=notes)
            else:
                source = (CORPORA / "handwritten.txt").read_text(encoding="utf-8")
                records = corpus_generator.handwritten_records(source)
            path = CORPORA / f"{name}.jsonl"
            with open(path, "w", encoding="utf-8") as out:
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.stdout.write(f"{path}: {len(records)} notes")
