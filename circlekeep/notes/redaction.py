"""Remove every mention of other members from a text about one member.

The roster is the source of truth. For each other member it gives the full name, the
display name, other names, the e-mail address and the phone number; initials are derived
here from the names. The text is cut into words, each word is folded to lower-case ASCII
(``anyascii``: Bjørn → bjorn, Wałęsa → walesa, Strauß → strauss) and then to a
"skeleton" that also merges the German and Nordic spellings (ae/æ → a, oe/ö/ø → o,
ue/ü → u, aa/å → a, ss/ß → s), so Schröder, Schroeder and Schroder are one name whichever
of them the roster holds. Offsets always point into the original text.

The redactor is recall-first. Every match gets one of three outcomes:

* **removed** — it names or contacts another member;
* **flagged** — it may: a name shared with the subject or a facilitator, a name that is
  also an ordinary word where the context does not settle it, a near-miss of a roster
  name, a lone initial, an unknown e-mail address or phone number. A flag is removed
  unless the facilitator decides to keep it, and a note cannot be signed until every
  flag is decided;
* **ordinary** — a name that is also an ordinary word, read as the word because the
  grammar says so ("I hope", "the bill", "Will you…", "with joy" in cased prose). It is
  kept, and listed in the preview so that it is never kept unseen.

Names of the subject and the facilitators are kept, unless a name is shared with another
member; then the longest match decides ("Dana Whitfield" is the subject, "Whitfield"
alone is flagged). Everything is plain rules over the text: the same input always gives
the same output.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

REPLACEMENT = "another member"
CONTACT_REPLACEMENT = "[contact details removed]"

REMOVED, FLAGGED, ORDINARY = "removed", "flagged", "ordinary"

# Letters (with combining accents, in case the text arrives decomposed).
WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
# Initials in any script's capitals (Þ. G., Ł.W.); compared by their ASCII first letter.
DOTTED_INITIALS = re.compile(r"(?<![\w.'’])[^\W\d_](?:\.\s?[^\W\d_])+\.?(?!\w)")
SINGLE_INITIAL = re.compile(r"(?<![\w.'’])([^\W\d_])\.(?=\s|$|[,;:)])")
# What may stand between the words of one name: spaces, a hyphen, an apostrophe.
NAME_GAP = re.compile(r"[ \t\u00a0]{1,3}|\s?[-‐‑–]\s?|['’]|\n")
POSSESSIVE = re.compile(r"['’]s\b|['’](?!\w)")
CONTRACTION = re.compile(r"['’](?:t|ll|re|ve|d|m)\b", re.IGNORECASE)
OPENERS = " \t\u00a0\"'“”‘’«»([{*•-–—"

# Word parts that never stand alone for a person, though they belong in a full name.
PARTICLES = {
    "de", "del", "della", "der", "den", "di", "da", "das", "do", "dos", "du", "la", "las",
    "le", "les", "los", "el", "al", "y", "e", "van", "von", "ten", "ter", "bin", "ibn",
    "bint", "ben", "ap", "st", "thi", "af", "av", "zu", "op",
}
TITLES = {
    "mr", "mrs", "ms", "mx", "miss", "dr", "prof", "sr", "sra", "srta", "dona", "herr",
    "frau", "mme", "mlle", "monsieur", "madame", "senor", "senora", "senorita", "sir",
    "dame", "rev", "pastor", "auntie", "aunty", "uncle", "tia", "tio", "coach", "lady",
    "lord", "imam", "rabbi", "sgt", "capt", "officer", "nurse", "professor", "doctor",
    "mister", "missus", "madam", "fr",
}
# Names that are also everyday words (English and Spanish): read by context.
COMMON_WORDS = {
    "hope", "will", "joy", "mark", "faith", "grace", "june", "may", "april", "rose",
    "summer", "bill", "art", "dawn", "iris", "ruby", "sunny", "jack", "frank", "pat", "sue",
    "rob", "ray", "dean", "gene", "guy", "miles", "max", "sky", "amber", "autumn", "eve",
    "chance", "bob", "sage", "river", "rich", "drew", "hunter", "lane", "page", "star",
    "august", "harmony", "destiny", "patience", "charity", "honor", "honour", "justice",
    "sterling", "victor", "young", "long", "black", "white", "brown", "green", "king",
    "love", "bliss", "cherry", "ivy", "olive", "pearl", "violet", "wren", "robin", "jay",
    "don", "nick", "mercy", "blessing", "precious", "gift", "felicity", "serenity",
    "trinity", "melody", "storm", "rain", "ocean", "holly", "heather", "daisy", "lily",
    "poppy", "jade", "crystal", "coral", "hazel", "willow", "ginger", "honey", "candy",
    "brandy", "sandy", "rusty", "dusty", "buddy", "rocky", "sonny", "chip", "cliff",
    "glen", "dale", "heath", "penny", "kitty", "lucky", "wade", "chase", "reed", "rod",
    "angel", "genesis", "liberty", "journey", "story", "royal", "prince", "duke", "earl",
    "major", "deacon", "bishop", "haven", "meadow", "forest", "echo", "basil", "clay",
    "flint", "stone", "rock", "ash", "birch", "aspen", "cedar", "laurel", "jewel", "merry",
    "bell", "wood", "hill", "banks", "fields", "price", "cook", "baker", "walker", "fisher",
    "carter", "turner", "mason", "potter", "fox", "wolf", "lamb", "bird", "swan", "moss",
    "marsh", "frost", "snow", "day", "grant", "noble", "hale", "sweet", "wise", "best",
    "hardy", "sharp", "knight", "ward", "porter", "cash", "gold", "silver", "brook",
    "ford", "wells", "spring", "winter", "north", "west", "mia", "norma", "constance",
    "prudence", "unity", "promise", "true", "early", "free", "joyful", "bonnie", "misty",
    "stormy", "sunshine", "lucy", "rosa", "luz", "paz", "sol", "cruz", "pilar", "dolores",
    "consuelo", "amparo", "rocio", "mercedes", "soledad", "esperanza", "blanca", "flor",
    "perla", "alba", "aurora", "estrella", "socorro", "remedios", "milagros", "fe",
    "caridad", "reyes", "nieves", "lucero", "cielo", "reina", "victoria", "feliz", "bueno",
    "blanco", "moreno", "rubio", "calvo", "delgado", "alegre", "bravo", "cordero",
}
# Finite verbs that show a person doing or saying something: "Hope said", "joy arrived".
PERSON_VERBS = {
    "said", "says", "asked", "asks", "told", "tells", "shared", "shares", "spoke", "speaks",
    "described", "describes", "reported", "reports", "mentioned", "mentions", "cried",
    "cries", "laughed", "laughs", "smiled", "smiles", "arrived", "arrives", "left",
    "agreed", "agrees", "disagreed", "disagrees", "explained", "explains", "talked",
    "talks", "offered", "offers", "responded", "responds", "replied", "replies", "answered",
    "nodded", "nods", "apologised", "apologized", "apologises", "apologizes", "joined",
    "joins", "practised", "practiced", "celebrated", "proposed", "declined", "disclosed",
    "admitted", "admits", "wondered", "thanked", "thanks", "hugged", "texted", "texts",
    "called", "wrote", "writes", "messaged", "emailed", "whispered", "shouted", "yelled",
    "sighed", "listened", "interrupted", "stayed", "sat", "sits", "walked", "drove",
    "drives", "attended", "attends", "missed", "wants", "wanted", "needs", "needed",
    "thinks", "thought", "knows", "knew", "worried", "worries", "struggled", "struggles",
    "seemed", "seems", "looked", "felt", "feels", "became", "cancelled", "canceled",
    "phoned", "insisted", "suggested", "suggests", "volunteered", "promised", "tried",
    "tries", "showed", "brought", "helped", "helps", "noticed", "recalled",
    "remembered", "confided", "confirmed", "denied", "complained", "complains",
    "returned", "hasn't", "didn't", "doesn't", "wasn't", "isn't", "couldn't", "won't",
    "stood", "paused", "added", "reminded", "got", "went", "came", "comes",
    "goes", "gave", "gives", "took", "takes", "made", "makes", "lives", "lived", "works",
    "worked", "turned", "sobbed", "wept", "sounded", "hinted",
}
# Words after which a name is the object of a person's act: "told hope", "hi rosa".
BEFORE_A_PERSON = {
    "told", "tell", "tells", "asked", "ask", "asks", "thanked", "thank", "hugged", "hug",
    "called", "call", "texted", "text", "messaged", "message", "emailed", "email",
    "invited", "invite", "reminded", "remind", "met", "meet", "saw", "see", "visited",
    "visit", "phoned", "phone", "greeted", "greet", "warned", "introduced", "paired",
    "partnered", "comforted", "blamed", "praised", "reassured", "challenged", "encouraged",
    "hi", "hey", "hello", "dear", "thanks", "bye", "congrats", "sorry", "dm", "ping", "cc",
}
# Words after which a lower-case name reads as the ordinary word: "the bill", "I hope",
# "was frank", "of hope".
DETERMINERS = {
    "the", "a", "an", "my", "your", "his", "her", "its", "our", "their", "this", "that",
    "these", "those", "some", "any", "no", "every", "each", "much", "more", "most", "such",
    "what", "whose", "own", "less", "great", "good", "new", "little", "real", "false",
    "full", "big", "first", "last", "next", "lost", "renewed", "quiet", "deep", "pure",
}
SUBJECTS = {"i", "you", "we", "they", "he", "she", "it", "who", "which", "there", "one",
            "everyone", "someone", "nobody", "anyone", "everybody", "somebody", "people"}
LINKING = {"is", "was", "are", "were", "be", "been", "being", "am", "very", "so", "too",
           "quite", "really", "rather", "felt", "feel", "feels", "seemed", "seem", "seems",
           "looked", "look", "looks", "sounded", "not", "also", "still", "just", "and",
           "or", "but", "nor"}
PREPOSITIONS = {"of", "in", "with", "without", "for", "into", "on", "at", "by",
                "about", "through", "toward", "towards", "beyond", "over", "under", "after",
                "before", "until", "till", "like", "than", "as", "upon", "within"}
# Words after a sentence-opening name that show it is not a person: "Will you…",
# "Mark the date", "May I…".
NOT_A_PERSON_AFTER = SUBJECTS | {"the", "a", "an", "this", "that", "these", "those",
                                 "your", "our", "my", "their", "his", "her", "its", "me",
                                 "us", "them", "him", "not", "be"}
# Nouns before a capital letter and a period that is not a person: "vitamin D.", "plan B."
NOT_AN_INITIAL_AFTER = {
    "vitamin", "plan", "type", "grade", "class", "part", "section", "option", "step",
    "point", "appendix", "exhibit", "figure", "table", "item", "unit", "level", "hepatitis",
    "group", "room", "block", "wing", "ward", "building", "floor", "category", "row",
    "zone", "track", "side", "list", "letter", "form", "schedule", "phase", "stage",
}
# Capitalised words after a name-like word that make it a place: "Hope Street".
PLACE_WORDS = {"street", "st", "road", "rd", "avenue", "ave", "lane", "church", "hospital",
               "clinic", "center", "centre", "park", "school", "college", "university",
               "hall", "house", "square", "bridge", "station", "court", "drive", "way",
               "county", "city", "valley", "gardens", "foundation", "chapel", "cathedral"}
# Letter groups that look like initials but are usually something else.
ACRONYMS = {"AA", "NA", "OK", "TV", "UK", "US", "USA", "EU", "ER", "GP", "CBT", "DBT",
            "PTSD", "ADHD", "OCD", "ID", "PM", "AM", "HR", "IT", "PE", "PS", "RN", "MD",
            "PHD", "ICU", "ED", "AI", "BBC", "NHS", "DM", "CC", "FYI", "ASAP", "II", "III",
            "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "SMS", "OT", "PT", "AKA", "ETA"}


@dataclass(frozen=True)
class Person:
    """One person of the roster, as the redactor sees them."""

    display_name: str = ""
    full_name: str = ""
    nicknames: tuple = ()
    email: str = ""
    phone: str = ""
    initials: tuple = ()  # beyond those derived from the names


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str = "name"  # "name", "email" or "phone"
    status: str = REMOVED  # REMOVED, FLAGGED or ORDINARY
    reason: str = ""  # why a span is flagged or read as an ordinary word

    @property
    def removes(self):
        """Whether the span goes unless someone decides otherwise."""
        return self.status != ORDINARY

    @property
    def replacement(self):
        return REPLACEMENT if self.kind == "name" else CONTACT_REPLACEMENT


# ---------------------------------------------------------------------------- folding

_KEYS: dict[str, tuple[str, str]] = {}


def word_key(word):
    """(key, skeleton) of a word: lower-case ASCII letters, then the merged spelling."""
    found = _KEYS.get(word)
    if found is None:
        ascii_word = word if word.isascii() else anyascii(word)
        key = "".join(ch for ch in ascii_word.lower() if "a" <= ch <= "z")
        found = (key, skeleton(key))
        if len(_KEYS) < 200_000:
            _KEYS[word] = found
    return found


def skeleton(key):
    """One spelling for the German and Nordic conventions (ae→a, oe→o, ue→u, aa→a,
    ss→s), so that either way of writing a name meets the other."""
    for long, short in (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a"), ("ss", "s")):
        key = key.replace(long, short)
    return key


def _words(text):
    """[(start, end, original)] for every word of ``text``."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


# ---------------------------------------------------------------------------- lexicon

@dataclass
class _Entry:
    others: set
    keepers: set
    exact: set  # the keys (not only skeletons) the roster wrote


@dataclass
class _Lexicon:
    phrases: dict  # tuple of skeletons -> _Entry
    prefixes: set  # every beginning of a phrase, the whole phrase included
    longest: int
    initials_other: dict  # "DW" -> set of other indexes
    initials_keep: set
    first_letters_other: set
    first_letters_keep: set
    near: list  # single-word keys of others, five letters or more
    near_keep: set
    emails_other: set
    emails_keep: set
    phones_other: list
    phones_keep: list


def _name_words(name):
    """The words of a name, and for each whether it was joined to the next by a hyphen
    or an apostrophe."""
    words = _words(name)
    if not words:
        return [], []
    joined = []
    for (_start, end, _w), following in zip(words, [*words[1:], None], strict=True):
        joined.append(following is not None and name[end:following[0]].strip() in
                      {"-", "‐", "‑", "–", "'", "’"})
    return [w for _s, _e, w in words], joined


def _phrases_of(person):
    """Every way of writing the person's names, as tuples of skeletons."""
    phrases = set()
    names = [person.full_name, person.display_name, *person.nicknames]
    for name in names:
        words, joined = _name_words(name or "")
        if not words:
            continue
        keys = [word_key(w)[1] for w in words]
        keys = [k for k in keys if k]
        if not keys or len(keys) != len(words):
            continue
        whole_is_one_word = len(keys) == 1
        for i in range(len(keys)):
            for j in range(i + 1, len(keys) + 1):
                part = tuple(keys[i:j])
                if not whole_is_one_word and (
                        all(k in PARTICLES for k in part)
                        or (len(part) == 1 and len(part[0]) < 2)):
                    continue
                phrases.add(part)
        # Hyphenated or apostrophe-joined words written as one: "Elamrani", "Oneill".
        for i in range(len(keys) - 1):
            if joined[i]:
                phrases.add((keys[i] + keys[i + 1],))
    return phrases


def _initials_of(person):
    """Initials derived from the names: all of them, first and last, first and each."""
    found = {i.replace(".", "").replace(" ", "").upper() for i in person.initials if i}
    for name in (person.full_name, person.display_name):
        words, _joined = _name_words(name or "")
        letters = [anyascii(w)[:1].upper() for w in words if anyascii(w)[:1].isalpha()]
        core = [anyascii(w)[:1].upper() for w in words
                if word_key(w)[0] not in PARTICLES and anyascii(w)[:1].isalpha()]
        for sequence in (letters, core):
            if len(sequence) >= 2:
                found.add("".join(sequence))
                found.add(sequence[0] + sequence[-1])
                for letter in sequence[1:]:
                    found.add(sequence[0] + letter)
                if len(sequence) >= 3:
                    found.add("".join(sequence[:2]) + sequence[-1])
    if person.display_name and person.full_name:
        display = _words(person.display_name)
        family = _words(person.full_name)
        if display and family:
            found.add(anyascii(display[0][2])[:1].upper() + anyascii(family[-1][2])[:1].upper())
    return {i for i in found if len(i) >= 2 and i.isalpha()}


def _first_letters(person):
    letters = set()
    for name in (person.display_name, person.full_name, *person.nicknames):
        words = _words(name or "")
        if words:
            letters.add(anyascii(words[0][2])[:1].upper())
    full = _words(person.full_name or "")
    if len(full) >= 2:
        letters.add(anyascii(full[-1][2])[:1].upper())
    return {letter for letter in letters if letter.isalpha()}


def _initial(letter):
    """The ASCII capital an initial stands for: Þ → T, Ł → L."""
    return anyascii(letter)[:1].upper()


def _digits(phone):
    return re.sub(r"\D", "", phone or "")


@lru_cache(maxsize=256)
def _lexicon(others, keepers):
    phrases = {}
    for group, people in (("others", others), ("keepers", keepers)):
        for index, person in enumerate(people):
            for phrase in _phrases_of(person):
                entry = phrases.setdefault(phrase, _Entry(set(), set(), set()))
                getattr(entry, group).add(index)
    initials_other = {}
    for index, person in enumerate(others):
        for initials in _initials_of(person):
            initials_other.setdefault(initials, set()).add(index)
    initials_keep = set()
    for person in keepers:
        initials_keep |= _initials_of(person)
    near = {p[0] for p, e in phrases.items() if len(p) == 1 and e.others}
    for person in others:  # the spellings as written too, before skeletons merge letters
        for name in (person.full_name, person.display_name, *person.nicknames):
            near |= {word_key(w)[0] for _s, _e, w in _words(name or "")}
    near = sorted(k for k in near if len(k) >= 5 and k not in PARTICLES)
    near_keep = {p[0] for p, e in phrases.items() if len(p) == 1 and e.keepers}
    return _Lexicon(
        phrases=phrases, longest=max((len(p) for p in phrases), default=0),
        prefixes={p[:n] for p in phrases for n in range(1, len(p) + 1)},
        initials_other=initials_other, initials_keep=initials_keep,
        first_letters_other=set().union(*(_first_letters(p) for p in others)),
        first_letters_keep=set().union(*(_first_letters(p) for p in keepers)),
        near=near, near_keep=near_keep,
        emails_other={p.email.strip().lower() for p in others if p.email},
        emails_keep={p.email.strip().lower() for p in keepers if p.email},
        phones_other=[d for d in (_digits(p.phone) for p in others) if len(d) >= 7],
        phones_keep=[d for d in (_digits(p.phone) for p in keepers) if len(d) >= 7],
    )


def _frozen(people):
    """Hashable copies of the people, so that one roster's lexicon is built once."""
    frozen = []
    for person in people:
        fields = person if isinstance(person, dict) else person.__dict__
        frozen.append(Person(
            display_name=fields.get("display_name") or "",
            full_name=fields.get("full_name") or "",
            nicknames=tuple(n for n in fields.get("nicknames") or () if n),
            email=fields.get("email") or "", phone=fields.get("phone") or "",
            initials=tuple(i for i in fields.get("initials") or () if i)))
    return tuple(frozen)


# ---------------------------------------------------------------------------- context

class _Context:
    """The text, its words and what has been claimed so far."""

    def __init__(self, text):
        self.text = text
        self.words = _words(text)
        self.taken = bytearray(len(text))
        self.spans = []
        self.name_words = set()  # indexes of words claimed as someone's name

    def free(self, start, end):
        return not any(self.taken[start:end])

    def claim(self, span, *, force=False):
        if not force and not self.free(span.start, span.end):
            return False
        self.taken[span.start:span.end] = b"\x01" * (span.end - span.start)
        self.spans.append(span)
        return True

    def word(self, index):
        if 0 <= index < len(self.words):
            return self.words[index][2]
        return ""

    def lower(self, index):
        return self.word(index).lower()

    def sentence_start(self, start):
        """Whether ``start`` opens a sentence, a line, a quotation or a heading."""
        i = start - 1
        while i >= 0 and self.text[i] in OPENERS:
            if self.text[i] in "\"“«(" and (i == 0 or self.text[i - 1].isspace()
                                           or self.text[i - 1] in ":,"):
                return True
            i -= 1
        if i < 0:
            return True
        if self.text[i] in "\n!?:":
            return True
        if self.text[i] == ".":
            before = re.search(r"([A-Za-z]+)\.$", self.text[max(0, i - 12):i + 1])
            return not (before and word_key(before.group(1))[0] in TITLES)
        return False

    def uncased(self, index):
        """Whether capitals carry no signal around word ``index``: its clause is all
        lower case (a text message, chat) or all capitals (shouting)."""
        start, end, _word = self.words[index]
        left = max(self.text.rfind(c, 0, start) for c in ".!?\n\"“”")
        right = [p for p in (self.text.find(c, end) for c in ".!?\n\"“”") if p != -1]
        clause = self.text[left + 1:min(right) if right else len(self.text)]
        rest = clause.replace(self.text[start:end], "", 1)
        letters = [c for c in rest if c.isalpha()]
        if len(letters) < 3:
            return False
        if not any(c.isupper() for c in letters):
            return True
        words = [w for w in re.findall(r"[^\W\d_]+", rest) if len(w) > 1]
        return bool(words) and sum(w.isupper() for w in words) >= max(1, len(words) * 0.6)

    def shouting(self, index):
        word = self.words[index][2]
        return word.isupper() and len(word) > 1 and self.uncased(index)


def _case(word):
    if len(word) > 1 and word.isupper():
        return "upper"
    if word[:1].isupper():
        return "title"
    return "lower"


def _gap(text, end, start):
    return NAME_GAP.fullmatch(text[end:start]) is not None


# ---------------------------------------------------------------------------- matching

def _match_at(ctx, lex, i):
    """The longest roster phrase starting at word ``i``: (j, entry, plural, exact) where
    words i..j-1 match, or None."""
    words = ctx.words
    best = None
    keys = []
    for j in range(i, min(len(words), i + lex.longest)):
        if j > i and not _gap(ctx.text, words[j - 1][1], words[j][0]):
            break
        skel = word_key(words[j][2])[1]
        keys.append(skel)
        phrase = tuple(keys)
        whole = phrase in lex.prefixes
        if not whole and not (skel.endswith("s") and len(skel) > 3):
            break
        entry = lex.phrases.get(phrase) if whole else None
        if entry is not None:
            best = (j + 1, entry, False)
        # The plural or genitive of the phrase's last word: "the Achterbergs".
        for suffix in ("s", "es"):
            if skel.endswith(suffix) and len(skel) > len(suffix) + 2:
                entry = lex.phrases.get((*phrase[:-1], skel[: -len(suffix)]))
                if entry is not None and (best is None or best[0] < j + 1):
                    best = (j + 1, entry, True)
    return best


def _person_context(ctx, i, j):
    """Whether the words around i..j-1 read as a person: a following verb of speech or
    action, a possessive, a quote attribution, a greeting, or a name beside it."""
    text = ctx.text
    end = ctx.words[j - 1][1]
    if POSSESSIVE.match(text, end):
        return True
    following = ctx.lower(j)
    if following in PERSON_VERBS and _gap_is_plain(text, end, ctx.words[j][0]):
        return True
    if following in ("and", "&", "or") and (j + 1) in ctx.name_words:
        return True
    before = ctx.lower(i - 1)
    if before in BEFORE_A_PERSON and (i - 1 >= 0) and _gap_is_plain(
            text, ctx.words[i - 1][1], ctx.words[i][0]):
        return True
    if before in ("and", "&", "or") and (i - 2) in ctx.name_words:
        return True
    start = ctx.words[i][0]
    return bool(start and text[start - 1] == "@")


def _gap_is_plain(text, end, start):
    return re.fullmatch(r"[ \t,]{1,3}", text[end:start]) is not None


def _ordinary_context(ctx, i, j, *, opening, uncased):
    """Whether the grammar reads the word as the ordinary word."""
    before = ctx.lower(i - 1)
    after = ctx.lower(j)
    start = ctx.words[i][0]
    end = ctx.words[j - 1][1]
    plain_before = i > 0 and _gap_is_plain(ctx.text, ctx.words[i - 1][1], start)
    if CONTRACTION.match(ctx.text, end):
        return True  # "don't", "will've"
    if opening:
        return (after in NOT_A_PERSON_AFTER and _gap_is_plain(ctx.text, end, ctx.words[j][0])
                if j < len(ctx.words) else False)
    if not plain_before:
        return False
    if before in DETERMINERS or before in SUBJECTS:
        return True
    if not uncased and (before in LINKING or before in PREPOSITIONS):
        return True
    if not uncased:
        # In prose written with capitals, a lower-case word after another ordinary word
        # is the word ("I really hope", "she will", "to will it").
        return before.isalpha() and before not in BEFORE_A_PERSON
    return False


def _judge_common(ctx, i, j, *, titled):
    """The outcome for a one-word name that is also an ordinary word: capitalised
    mid-sentence it is the name; otherwise the context decides, and doubt is a flag."""
    word = ctx.words[i][2]
    case = _case(word)
    opening = ctx.sentence_start(ctx.words[i][0])
    uncased = ctx.uncased(i)
    if titled:
        return REMOVED, ""
    if case != "lower" and not uncased and not opening:
        following = ctx.word(j)
        if following[:1].isupper() and word_key(following)[0] in PLACE_WORDS:
            return FLAGGED, "ordinary_word"
        return REMOVED, ""
    if case == "upper" and not uncased:
        return REMOVED, ""
    if case == "lower" and not uncased and _plainly_ordinary(ctx, i, j):
        return ORDINARY, "ordinary_word"
    if _person_context(ctx, i, j):
        return REMOVED, ""
    if _ordinary_context(ctx, i, j, opening=opening and case != "lower", uncased=uncased):
        return ORDINARY, "ordinary_word"
    return FLAGGED, "ordinary_word"


def _plainly_ordinary(ctx, i, j):
    """A determiner or a subject just before, or a contraction: "the bill", "I hope",
    "won't"."""
    if CONTRACTION.match(ctx.text, ctx.words[j - 1][1]):
        return True
    return (i > 0 and _gap_is_plain(ctx.text, ctx.words[i - 1][1], ctx.words[i][0])
            and (ctx.lower(i - 1) in DETERMINERS or ctx.lower(i - 1) in SUBJECTS))


def _title_before(ctx, i):
    """The start of a title just before word ``i`` ("Dr. ", "Mrs "), or None."""
    if i == 0:
        return None
    start, end, word = ctx.words[i - 1]
    key = word_key(word)[0]
    if key not in TITLES or not word[:1].isupper():
        return None
    if re.fullmatch(r"\.?\s{1,2}", ctx.text[end:ctx.words[i][0]]):
        return start
    return None


def _initial_before(ctx, start):
    """The start of single initials written just before ``start`` ("D. Whitfield")."""
    found = re.search(r"(?:(?<![\w.])[A-Z]\.\s?)+$", ctx.text[max(0, start - 12):start])
    if found is None:
        return start
    return start - len(found.group())


def _phrase_spans(ctx, lex):
    words = ctx.words
    i = 0
    while i < len(words):
        if not ctx.free(words[i][0], words[i][1]):
            i += 1
            continue
        found = _match_at(ctx, lex, i)
        if found is None:
            i += 1
            continue
        j, entry, plural = found
        start, end = words[i][0], words[j - 1][1]
        if not entry.others:
            ctx.name_words.update(range(i, j))
            ctx.taken[start:end] = b"\x01" * (end - start)  # the subject's or a facilitator's
            i = j
            continue
        title = _title_before(ctx, i)
        single = j - i == 1
        key = word_key(words[i][2])[0]
        if CONTRACTION.match(ctx.text, end) and single:
            i = j
            continue
        status, reason = REMOVED, ""
        if single and (key in COMMON_WORDS or len(key) <= 2
                       or (plural and key[:-1] in COMMON_WORDS)):
            status, reason = _judge_common(ctx, i, j, titled=title is not None)
        if status != ORDINARY and entry.keepers:
            status, reason = FLAGGED, "shared"
        if status == ORDINARY:
            ctx.claim(Span(start, end, "name", ORDINARY, reason))
            i = j
            continue
        if title is not None:
            start = title
        start = _initial_before(ctx, start)
        # A display name that ends in an initial: "Dana W."
        if ctx.text[end:end + 1] == "." and len(words[j - 1][2]) == 1:
            end += 1
        ctx.claim(Span(start, end, "name", status, reason), force=True)
        ctx.name_words.update(range(i, j))
        i = j


def _contact_spans(ctx, lex):
    text = ctx.text
    for match in EMAIL.finditer(text):
        address = match.group().lower().rstrip(".")
        end = match.start() + len(address)
        if address in lex.emails_keep:
            ctx.taken[match.start():end] = b"\x01" * (end - match.start())
        elif address in lex.emails_other:
            ctx.claim(Span(match.start(), end, "email"))
        else:
            ctx.claim(Span(match.start(), end, "email", FLAGGED, "unknown_contact"))
    for match in PHONE.finditer(text):
        value = match.group().rstrip(".-/ ")
        digits = _digits(value)
        if len(digits) < 7 or ISO_DATE.fullmatch(value.strip()):
            continue
        start, end = match.start(), match.start() + len(value)

        def same(number, digits=digits):
            n = min(9, len(number), len(digits))
            return number[-n:] == digits[-n:]

        if any(same(n) for n in lex.phones_keep):
            ctx.taken[start:end] = b"\x01" * (end - start)
        elif any(same(n) for n in lex.phones_other):
            ctx.claim(Span(start, end, "phone"))
        else:
            ctx.claim(Span(start, end, "phone", FLAGGED, "unknown_contact"))


def _initial_spans(ctx, lex):
    text = ctx.text
    for match in DOTTED_INITIALS.finditer(text):
        capitals = [c for c in match.group() if c.isalpha()]
        if not all(c.isupper() for c in capitals):
            continue
        letters = "".join(_initial(c) for c in capitals)
        if letters in lex.initials_other:
            shared = letters in lex.initials_keep or letters in ACRONYMS
            ctx.claim(Span(match.start(), match.end(), "name",
                           FLAGGED if shared else REMOVED, "shared" if shared else ""))
        elif letters in lex.initials_keep:
            ctx.taken[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    for index, (start, end, word) in enumerate(ctx.words):
        if (2 <= len(word) <= 4 and word.isupper() and word.isascii()
                and word in lex.initials_other and word not in ACRONYMS
                and ctx.free(start, end) and not ctx.shouting(index)):
            ctx.claim(Span(start, end, "name", FLAGGED, "initial"))


def _single_initial_spans(ctx, lex):
    text = ctx.text
    for match in SINGLE_INITIAL.finditer(text):
        if not match.group(1).isupper():
            continue
        letter = _initial(match.group(1))
        start, end = match.start(), match.end()
        if letter not in lex.first_letters_other or not ctx.free(start, end):
            continue
        before = re.search(r"([^\W\d_]+)[\s,]*$", text[max(0, start - 30):start])
        previous = before.group(1).lower() if before else ""
        if previous in NOT_AN_INITIAL_AFTER:
            continue
        after = re.match(r"['’]s\b|\s+([^\W\d_]+)", text[end:])
        following = after.group(1) if after and after.group(1) else ""
        if letter in lex.first_letters_keep:
            status, reason = FLAGGED, "shared"
        elif ((after and after.group().startswith(("'", "’")))
              or (following and (following.islower()
                                 or word_key(following)[0] in PERSON_VERBS))
              or (previous and word_key(previous)[0] in TITLES | BEFORE_A_PERSON)):
            status, reason = REMOVED, ""
        else:
            status, reason = FLAGGED, "initial"
        ctx.claim(Span(start, end, "name", status, reason))


def _near_miss_spans(ctx, lex):
    if not lex.near:
        return
    for start, end, word in ctx.words:
        if len(word) < 4 or not ctx.free(start, end) or _case(word) == "lower":
            continue
        key, skel = word_key(word)
        if skel in lex.near_keep or key in lex.near_keep:
            continue
        best = None
        for form in {key, skel}:
            best = best or process.extractOne(form, lex.near, scorer=OSA.distance,
                                              score_cutoff=1)
        if best is None:
            continue
        ctx.claim(Span(start, end, "name", FLAGGED, "near_miss"))


def review(text, others, keep=()):
    """Every span of ``text`` that names or contacts one of ``others``, or may, and every
    roster name read as an ordinary word, in order. ``keep`` holds the subject and the
    facilitators, whose names stay unless another member shares them."""
    if not text:
        return []
    lex = _lexicon(_frozen(others), _frozen(keep))
    ctx = _Context(text)
    _contact_spans(ctx, lex)
    _initial_spans(ctx, lex)
    _phrase_spans(ctx, lex)
    _single_initial_spans(ctx, lex)
    _near_miss_spans(ctx, lex)
    return sorted(ctx.spans, key=lambda s: (s.start, s.end))


def find_spans(text, others, keep=()):
    """The spans to remove from ``text``: removed and flagged alike."""
    return [s for s in review(text, others, keep) if s.removes]


def matches_of_phrase(text, phrase):
    """Where a facilitator's phrase occurs as whole words: case-insensitive when the
    phrase is all lower case, exact otherwise; spaces match any run of spaces."""
    phrase = " ".join((phrase or "").split())
    if not phrase:
        return []
    body = r"\s+".join(re.escape(part) for part in phrase.split(" "))
    left = r"(?<!\w)" if phrase[0].isalnum() or phrase[0] == "_" else ""
    right = r"(?!\w)" if phrase[-1].isalnum() or phrase[-1] == "_" else ""
    flags = re.IGNORECASE if phrase == phrase.lower() else 0
    return [(m.start(), m.end()) for m in re.finditer(left + body + right, text, flags)]


def apply(text, spans):
    """The text with each span replaced by its neutral phrase."""
    out, last = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < last:
            continue
        out.append(text[last:span.start])
        out.append(span.replacement)
        last = span.end
    out.append(text[last:])
    return "".join(out)
