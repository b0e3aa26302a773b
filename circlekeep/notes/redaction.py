"""Remove every mention of other members from a member's progress note.

The roster is the source of truth: for each other member it gives the display name, the
full name, declared nicknames, initials, e-mail address and phone number. Matching ignores
letter case and accents. A name that is also an ordinary word ("Hope", "Will", "Mark") is
taken as a name when it is written like one: capitalised (or in capitals) and not opening
a sentence as an ordinary word does ("Will you…", "Mark the date"); written in lower case
it is the ordinary word. The subject's own names and the facilitators' names are kept.
Everything here is plain rules over the text: the same input always gives the same output.
"""

import re
import unicodedata
from dataclasses import dataclass, field

REPLACEMENT = "another member"
CONTACT_REPLACEMENT = "[contact details removed]"

# Names that are also everyday English words.
COMMON_WORDS = {
    "hope", "will", "joy", "mark", "faith", "grace", "june", "may", "april", "rose", "summer",
    "bill", "art", "dawn", "iris", "ruby", "sunny", "jack", "frank", "pat", "sue", "rob",
    "ray", "dean", "gene", "guy", "miles", "max", "sky", "amber", "autumn", "eve", "chance",
    "bob", "sage", "river", "faye", "rich", "drew", "hunter", "lane", "page", "star",
    "august", "harmony", "destiny", "patience", "charity", "honor", "justice", "sterling",
    "victor", "young", "long", "black", "white", "brown", "green", "king", "love", "bliss",
    "cherry", "ivy", "olive", "pearl", "violet", "wren", "robin", "jay", "don", "nick",
    "sol", "luz", "paz", "esperanza", "milagros", "amparo",
}
# Words that, right after a sentence-opening common word, show it is not a name.
NOT_A_NAME_AFTER = {
    "you", "we", "i", "they", "he", "she", "it", "the", "a", "an", "this", "that", "these",
    "those", "there", "everyone", "anyone", "someone", "all", "be", "not", "your", "our",
    "my", "their", "his", "her", "its", "is", "was", "are", "were", "remains", "seemed",
    "of", "to", "for", "in", "on", "as", "at", "by", "with",
}
# Verbs that make even a lower-case common word a person: "hope said she…".
PERSON_VERBS = {
    "said", "says", "shared", "shares", "asked", "told", "spoke", "described", "reported",
    "mentioned", "cried", "laughed", "arrived", "left", "agreed", "disagreed", "explained",
    "talked", "offered", "responded", "nodded", "apologised", "apologized", "joined",
    "practised", "practiced", "celebrated", "proposed", "declined", "disclosed",
}
TITLES = r"(?:mr|mrs|ms|mx|miss|dr|prof|sr|sra|srta|don|doña)\.?"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d\s().\-]{6,}\d")
SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]\s*|[\"“(]\s*)$")


@dataclass
class Person:
    display_name: str = ""
    full_name: str = ""
    nicknames: list = field(default_factory=list)
    initials: list = field(default_factory=list)
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "name", "email" or "phone"
    text: str = ""

    @property
    def replacement(self):
        return REPLACEMENT if self.kind == "name" else CONTACT_REPLACEMENT


def fold(text):
    """Lower case without accents, one character for one character (offsets survive)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0].lower()
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def _name_variants(person):
    """Every way the roster lets us write this person's name, longest first."""
    variants = set()
    for name in [person.full_name, person.display_name, *person.nicknames]:
        name = " ".join((name or "").split())
        if not name:
            continue
        variants.add(name)
        tokens = name.split(" ")
        for token in tokens:
            token = token.strip(".,")
            if len(token) >= 2:
                variants.add(token)
            for part in token.split("-"):
                if len(part) >= 3:
                    variants.add(part)
        if len(tokens) >= 2:
            variants.add(" ".join(tokens[:2]))
            variants.add(" ".join(tokens[-2:]))
    return variants


def _initial_variants(person):
    variants = set()
    for initials in person.initials:
        initials = initials.strip()
        if initials:
            variants.add(initials)
            variants.add(initials.replace(".", ""))
    return {v for v in variants if len(v) >= 2}


def _pattern(variants):
    ordered = sorted({fold(v) for v in variants}, key=len, reverse=True)
    alternatives = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in ordered)
    return re.compile(rf"(?<![\w@.])(?:({TITLES})\s+)?({alternatives})(?![\w@]|\.\w)")


def _next_word(text, end):
    match = re.match(r"[\s,]*([\w']+)", text[end:])
    return match.group(1).lower() if match else ""


def _looks_like_a_name(original, text, start, end):
    """For a match that is also an ordinary word: is it used as a name here?"""
    if original.islower():
        return _next_word(text, end) in PERSON_VERBS
    opening = SENTENCE_START.search(text[:start]) is not None
    if not opening:
        return True
    # "Will you…", "Hope is…", "Mark the date" are sentences, not people.
    if text[end:end + 2] in ("'s", "’s"):
        return True
    return _next_word(text, end) not in NOT_A_NAME_AFTER


def find_spans(text, others, keep=()):
    """The spans of ``text`` that name or contact any of ``others`` (Person), leaving the
    names in ``keep`` (the subject and the facilitators) alone."""
    folded = fold(text)
    spans = []
    keep_tokens = set()
    for person in keep:
        keep_tokens |= {fold(v) for v in _name_variants(person)}

    name_variants, initial_variants = set(), set()
    for person in others:
        name_variants |= _name_variants(person)
        initial_variants |= _initial_variants(person)
    name_variants = {v for v in name_variants if fold(v) not in keep_tokens}

    taken = [False] * len(text)

    def claim(start, end, kind):
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        spans.append(Span(start, end, kind, text[start:end]))

    for match in EMAIL.finditer(text):
        if any(match.group(0).lower() == (p.email or "").lower() for p in others if p.email):
            claim(match.start(), match.end(), "email")
    phones = {re.sub(r"\D", "", p.phone or "")[-9:] for p in others if p.phone}
    phones.discard("")
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) >= 7 and digits[-9:] in phones:
            claim(match.start(), match.end(), "phone")

    if initial_variants:
        ordered = sorted(initial_variants, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w.])(" + "|".join(re.escape(v) for v in ordered) + r")(?![\w])")
        for match in pattern.finditer(text):  # initials: exact case only
            claim(match.start(), match.end(), "name")

    if name_variants:
        for match in _pattern(name_variants).finditer(folded):
            start, end = match.start(), match.end()
            name_start = match.start(2)
            original = text[name_start:end]
            titled = match.group(1) is not None
            if not titled and fold(original) in COMMON_WORDS and not _looks_like_a_name(
                    original, text, name_start, end):
                continue
            if not titled:
                start = name_start
            claim(start, end, "name")
    return sorted(spans, key=lambda s: s.start)


def apply(text, spans):
    """The text with each span replaced by its neutral phrase."""
    out, last = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(text[last:span.start])
        out.append(span.replacement)
        last = span.end
    out.append(text[last:])
    return "".join(out)
