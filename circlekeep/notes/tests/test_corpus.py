"""The redactor against its corpora, and the scoring command against any corpus in the
exchange format."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from circlekeep.notes import corpus, corpus_generator

CORPORA = {p.stem: p for p in corpus.corpus_files()}


@pytest.mark.parametrize("name", ["original", "generated", "handwritten"])
def test_the_redactor_meets_its_targets_on_each_corpus(name):
    cases = corpus.load(CORPORA[name])
    assert len(cases) >= 25
    result, _spans = corpus.score(cases, corpus.redactor_predictions)
    assert result.mismatched == 0
    assert result.recall == 1.0, result.misses
    assert result.precision >= 0.98, result.extras


def test_the_corpus_files_are_what_their_makers_make():
    """No corpus file is edited by hand to suit the redactor: each is regenerated from
    its source (the generator's code and seed, the hand-written markup)."""
    def lines(path):
        return [json.loads(line) for line in path.read_text().splitlines()]

    assert lines(CORPORA["generated"]) == corpus_generator.generated_records()
    assert lines(CORPORA["original"]) == corpus_generator.original_records()
    source = (corpus.CORPORA / "handwritten.txt").read_text()
    assert lines(CORPORA["handwritten"]) == corpus_generator.handwritten_records(source)
    assert corpus_generator.generated_records(seed=7, count=3) == \
        corpus_generator.generated_records(seed=7, count=3)


def test_the_command_scores_a_corpus_in_the_exchange_format(tmp_path, capsys):
    record = {
        "id": "x1", "extra": "ignored",
        "roster": [{"member_id": "a", "full_name": "Dana Whitfield", "display_name": "Dana",
                    "nicknames": ["Dee"]},
                   {"member_id": "b", "full_name": "Mina Okafor", "display_name": "Mina",
                    "nicknames": [], "email": "mina@example.test", "phone": "+1 555 0100"}],
        "facilitator": {"full_name": "Fran Ortiz", "display_name": "Fran"},
        "subject": "b", "text": "Mina met Dee and Fran. The garden was quiet.",
        "must_redact": [{"start": 9, "end": 12, "surface": "Dee", "ambiguous": False}],
        "must_keep": [{"start": 0, "end": 4, "surface": "Mina"}]}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n")
    out_path = tmp_path / "out.jsonl"
    call_command("redaction_quality", "--corpus", str(path), "--predictions", str(out_path))
    out = capsys.readouterr().out
    assert "recall:    100.0% (1/1" in out and "precision: 100.0% (3/3" in out
    assert [json.loads(line) for line in out_path.read_text().splitlines()] == [
        {"id": "x1", "spans": [[9, 12]]}]


def test_recall_counts_whole_spans_and_precision_counts_letters():
    case = corpus.case_from_record({
        "id": "y", "roster": [], "subject": "s", "facilitator": {},
        "text": "Ana-Maria Perez and Bo's hat",
        "must_redact": [{"start": 0, "end": 15, "surface": "Ana-Maria Perez"},
                        {"start": 20, "end": 24, "surface": "Bo's"},
                        {"start": 0, "end": 3, "ambiguous": True}]})
    result, _ = corpus.score([case], lambda c: [(0, 9), (20, 22), (25, 28)])
    assert (result.found, result.unambiguous) == (1, 2)  # "Perez" leaks; "Bo's" is found
    assert (result.correct_letters, result.removed_letters) == (10, 13)


def test_the_command_refuses_a_malformed_corpus(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "z", "text": "x"}\n')
    with pytest.raises(CommandError, match="line 1: missing field 'roster'"):
        call_command("redaction_quality", "--corpus", str(path))
