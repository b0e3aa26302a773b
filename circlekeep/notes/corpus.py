"""Scoring the redactor on a corpus of notes in JSON lines, one note per line:

    {"id", "roster": [{"member_id", "full_name", "display_name", "nicknames": [...],
     "email"?, "phone"?}], "facilitator": {"full_name", "display_name"},
     "subject": member_id, "text",
     "must_redact": [{"start", "end", "surface", "ambiguous"}],
     "must_keep": [{"start", "end", "surface"}]}

Other fields are ignored. The subject and the facilitator are the names to keep; every
other member of the roster is to be removed.

* **Recall** counts the unambiguous ``must_redact`` spans whose every letter and digit is
  removed (a span half removed still names someone). A possessive ending written inside
  a span ("Dana's") is grammar, not the name: its "s" need not go.
* **Precision** is over removed letters and digits: the share of them that lie inside a
  ``must_redact`` span (ambiguous or not). Flagged spans count as removed, since they are
  removed unless a facilitator decides otherwise.

The corpora of this project live in ``circlekeep/notes/corpora/``; see
``corpus_generator`` for how each was made.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from circlekeep.notes.redaction import Person

CORPORA = Path(__file__).resolve().parent / "corpora"


class CorpusError(ValueError):
    """A line of a corpus file that is not a note in the corpus format."""


@dataclass
class Case:
    id: str
    text: str
    others: list
    keep: list
    must_redact: list  # (start, end, ambiguous)
    must_keep: list  # (start, end)
    mismatched: int = 0  # spans whose surface differs from the text at their offsets


@dataclass
class Score:
    notes: int = 0
    spans: int = 0
    unambiguous: int = 0
    found: int = 0
    keep_spans: int = 0
    removed_letters: int = 0
    correct_letters: int = 0
    kept_spans_removed: int = 0
    mismatched: int = 0
    misses: list = field(default_factory=list)
    extras: list = field(default_factory=list)

    @property
    def recall(self):
        return self.found / self.unambiguous if self.unambiguous else 1.0

    @property
    def precision(self):
        return self.correct_letters / self.removed_letters if self.removed_letters else 1.0


def _person(entry):
    nicknames = entry.get("nicknames") or []
    if isinstance(nicknames, str):
        nicknames = [n.strip() for n in nicknames.split(",")]
    return Person(display_name=str(entry.get("display_name") or ""),
                  full_name=str(entry.get("full_name") or ""),
                  nicknames=tuple(str(n) for n in nicknames if n),
                  email=str(entry.get("email") or ""), phone=str(entry.get("phone") or ""))


def case_from_record(record):
    """A Case from one decoded line; CorpusError when a required field is missing."""
    try:
        text = record["text"]
        roster = record["roster"]
        subject = record["subject"]
        identifier = str(record.get("id", ""))
    except (KeyError, TypeError) as missing:
        raise CorpusError(f"missing field {missing}") from None
    if not isinstance(text, str) or not isinstance(roster, list):
        raise CorpusError("text must be a string and roster a list")
    facilitators = record.get("facilitator") or []
    if isinstance(facilitators, dict):
        facilitators = [facilitators]
    others = [_person(m) for m in roster if str(m.get("member_id")) != str(subject)]
    subjects = [_person(m) for m in roster if str(m.get("member_id")) == str(subject)]
    keep = subjects + [_person(f) for f in facilitators]
    mismatched = 0
    redact, keep_spans = [], []
    for kind, target in (("must_redact", redact), ("must_keep", keep_spans)):
        for span in record.get(kind) or []:
            start, end = int(span["start"]), int(span["end"])
            if not 0 <= start <= end <= len(text):
                raise CorpusError(f"{kind} span {start}-{end} is outside the text")
            if "surface" in span and text[start:end] != span["surface"]:
                mismatched += 1
            if kind == "must_redact":
                target.append((start, end, bool(span.get("ambiguous", False))))
            else:
                target.append((start, end))
    return Case(identifier, text, others, keep, redact, keep_spans, mismatched)


def load(path):
    """Every note of a JSON-lines corpus file."""
    cases = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                cases.append(case_from_record(json.loads(line)))
            except (ValueError, CorpusError) as problem:
                raise CorpusError(f"{path}, line {number}: {problem}") from None
    return cases


def _letters(text, start, end):
    return {i for i in range(start, end) if text[i].isalnum()}


def _name_letters(text, start, end):
    """The letters of a span to redact, less a possessive ending."""
    if end - start > 2 and text[end - 2] in "'’" and text[end - 1] in "sS":
        end -= 2
    return _letters(text, start, end)


def _context(text, start, end):
    left, right = max(0, start - 40), min(len(text), end + 40)
    return (text[left:start] + "[" + text[start:end] + "]" + text[end:right]).replace(
        "\n", " ")


def score(cases, predict):
    """Score ``predict(case) -> [(start, end)]`` over ``cases``; returns (Score,
    predictions as {id: spans})."""
    result = Score()
    predictions = {}
    for case in cases:
        spans = sorted(predict(case))
        predictions[case.id] = spans
        removed = set()
        for start, end in spans:
            removed |= _letters(case.text, start, end)
        gold = set()
        for start, end, ambiguous in case.must_redact:
            gold |= _letters(case.text, start, end)
            letters = _name_letters(case.text, start, end)
            if not ambiguous:
                result.unambiguous += 1
                if letters <= removed:
                    result.found += 1
                else:
                    result.misses.append(f"{case.id}: {_context(case.text, start, end)}")
        result.notes += 1
        result.spans += len(case.must_redact)
        result.keep_spans += len(case.must_keep)
        result.mismatched += case.mismatched
        result.removed_letters += len(removed)
        result.correct_letters += len(removed & gold)
        for start, end in spans:
            if not _letters(case.text, start, end) <= gold:
                result.extras.append(f"{case.id}: {_context(case.text, start, end)}")
        for start, end in case.must_keep:
            if _letters(case.text, start, end) & removed:
                result.kept_spans_removed += 1
    return result, predictions


def redactor_predictions(case):
    from circlekeep.notes.redaction import find_spans

    return [(s.start, s.end) for s in find_spans(case.text, case.others, case.keep)]


def corpus_files():
    return sorted(CORPORA.glob("*.jsonl"))
