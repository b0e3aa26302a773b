"""How the corpora in ``notes/corpora/`` are made (``manage.py redaction_corpus``).

* ``original.jsonl`` — the first corpus: four circles, twenty-two notes, each rendered
  for one member of each circle (88 notes).
* ``generated.jsonl`` — a generator: rosters drawn from name pools of many cultures
  (with the diacritics each writes), relatives sharing a surname with the subject or the
  facilitator, names that are ordinary words, and sentences for each pattern the
  redactor must handle (transliterations, dotted and single initials, plural and
  possessive surnames, titles, lower case in chat, capitals in reported speech, typos,
  nicknames, e-mail and phone). Seeded: the same seed gives the same corpus.
* ``handwritten.jsonl`` — notes written by hand as prose, one by one, in
  ``corpora/handwritten.txt``, with ``[[…]]`` around what must go, ``[[?…]]`` around what
  must go but cannot be told apart from the subject, and ``{{…}}`` around words to keep.
"""

import random
import re
import unicodedata

from anyascii import anyascii

# ---------------------------------------------------------------------------- markup

_MARK = re.compile(r"\[\[(\?)?(.+?)\]\]|\{\{(.+?)\}\}")


def parse_marked(marked):
    """(text, must_redact, must_keep) from text with [[…]], [[?…]] and {{…}} marks."""
    text, redact, keep, last, position = [], [], [], 0, 0
    for match in _MARK.finditer(marked):
        chunk = marked[last:match.start()]
        text.append(chunk)
        position += len(chunk)
        value = match.group(2) if match.group(2) is not None else match.group(3)
        span = {"start": position, "end": position + len(value), "surface": value}
        if match.group(2) is not None:
            redact.append({**span, "ambiguous": bool(match.group(1))})
        else:
            keep.append(span)
        text.append(value)
        position += len(value)
        last = match.end()
    text.append(marked[last:])
    return "".join(text), redact, keep


def _member(member_id, full, display, nicknames=(), email="", phone=""):
    record = {"member_id": member_id, "full_name": full, "display_name": display,
              "nicknames": list(nicknames)}
    if email:
        record["email"] = email
    if phone:
        record["phone"] = phone
    return record


# ---------------------------------------------------------------------------- original

ORIGINAL_CIRCLES = [
    (("Amara Okafor", "Amara"), [
        ("Dana Whitfield", "Dana", "Dee", "D.W.", "dana.w@example.org", "+1 415 555 0134",
         "Ms."),
        ("Kenji Watanabe", "Kenji", "Ken", "K.W.", "kenji.watanabe@example.net",
         "(415) 555-0199", "Mr."),
        ("Ana-María Pérez López", "Ana-María", "Anita", "A.P.", "anamaria@example.com",
         "415 555 0177", "Ms."),
        ("Siobhan O'Neill", "Siobhan", "Shiv", "S.O.", "siobhan.oneill@example.ie",
         "+353 1 555 0101", "Ms."),
        ("Tomás Ibarra", "Tomás", "Tomi", "T.I.", "tomas.ibarra@example.mx",
         "+52 55 5555 0102", "Mr."),
    ]),
    (("Grace Obi", "Grace"), [
        ("Hope Adeyemi", "Hope", "Hopey", "H.A.", "hope.adeyemi@example.org",
         "+44 20 5555 0110", "Ms."),
        ("Will Thornton", "Will", "Billy", "W.T.", "will.t@example.org", "+44 20 5555 0111",
         "Mr."),
        ("Joy Nakamura", "Joy", "Joyce", "J.N.", "joy.n@example.jp", "+81 3 5555 0112",
         "Ms."),
        ("Mark Lindqvist", "Mark", "Marky", "M.L.", "mark.lindqvist@example.se",
         "+46 8 555 0113", "Mr."),
        ("June Park", "June", "Junie", "J.P.", "june.park@example.kr", "+82 2 5555 0114",
         "Mx."),
    ]),
    (("Jamal Carter", "Jamal"), [
        ("Fatima Zahra El-Amrani", "Fatima", "Fati", "F.E.", "fatima.elamrani@example.ma",
         "+212 6 5555 0120", "Ms."),
        ("Priya Raman", "Priya", "Pri", "P.R.", "priya.raman@example.in",
         "+91 98 5555 0121", "Ms."),
        ("Nguyễn Thị Lan", "Lan", "Lanie", "N.L.", "lan.nguyen@example.vn",
         "+84 24 5555 0122", "Ms."),
        ("Oluwaseun Adebayo", "Seun", "Shay", "O.A.", "seun.adebayo@example.ng",
         "+234 1 555 0123", "Mr."),
        ("Zoë Brontë-Smith", "Zoë", "Zo", "Z.B.", "zoe.bs@example.co.uk",
         "+44 161 555 0124", "Mx."),
    ]),
    (("Lucía Morales", "Lucía"), [
        ("José Luis García", "José Luis", "Pepe", "J.L.G.", "joseluis.garcia@example.es",
         "+34 91 555 0130", "Sr."),
        ("Małgorzata Nowak", "Małgorzata", "Gosia", "M.N.", "gosia.nowak@example.pl",
         "+48 22 555 0131", "Ms."),
        ("João Silva", "João", "Jota", "J.S.", "joao.silva@example.br", "+55 11 5555 0132",
         "Mr."),
        ("Aiyana Begay", "Aiyana", "Ai", "A.B.", "aiyana.begay@example.us",
         "+1 505 555 0133", "Ms."),
        ("Ngozi Okeke", "Ngozi", "Zizi", "N.O.", "ngozi.okeke@example.ng",
         "+234 803 555 0135", "Ms."),
    ]),
]

# {S…} is the subject, {A…}, {B…}, {C…} other members, {F} the lead facilitator.
ORIGINAL_NOTES = [
    "Group opened with the confidentiality reminder and the ground rules. {A.first} shared "
    "that her week was difficult. {S.first} listened and later spoke about sleep. {F} "
    "reflected the theme of exhaustion. I {{hope}} the circle can return to rest next time.",
    "{S.first} arrived on time and acknowledged the agreement. {A.full} described a conflict "
    "at work; {B.first} offered a similar experience. {S.first} said they {{will}} try a "
    "breathing exercise before bed.",
    "Theme: grief anniversaries. {A.first}'s father died a year ago this week, and "
    "{B.first} cried while listening. {S.first} named the {{joy}} they still find in "
    "gardening. {F} invited each member to {{mark}} the date in their own way.",
    "{A.title} raised concern about privacy after seeing the group mentioned online. "
    "{F} reviewed the agreement with the circle. {S.first} agreed to the reminder.",
    "Check-in round. {A.nick} (as the circle calls {A.first}) was quiet; {B.full} spoke at "
    "length about a new job. {S.first} said the group helps them feel less alone.",
    "{S.first} disclosed increased anxiety. {A.first} and {B.first} both responded "
    "supportively. {C.first} left early for a family matter. {F} will follow up with "
    "{S.first} before the next session.",
    "note for the record: {A.lower} said she might not come next week. {S.first} asked "
    "whether the circle would still meet. {F} confirmed that it {{will}}.",
    "{S.first} reported that {A.upper} had contacted them outside the group about a "
    "personal matter; {F} reminded the circle of the outside-relationships clause.",
    "After the session {A.first} left a number for the carpool list ({A.phone}); this was "
    "removed from the circle board. {S.first} was reminded not to share contact details.",
    "{A.first} asked that her e-mail {A.email} not be shared with the circle. {S.first} "
    "agreed. {F} explained how the platform keeps addresses private.",
    "Interventions: psychoeducation on rumination. {A.initials} practised the exercise "
    "with {S.first}. {B.title} declined to join and that choice was respected.",
    "{S.first} reflected on {{hope}} and {{faith}} as themes of the week. {A.first} "
    "disagreed respectfully. {F} noted the group's growing trust.",
    "{A.unaccented} arrived late and apologised. {S.first} gave feedback to "
    "{B.first} about interrupting; {B.first} accepted it well.",
    "Process: the circle worked on speaking in I statements. {A.first} found this hard; "
    "{C.full} modelled it. {S.first} said: {{Will}} this get easier? {F} said yes.",
    "{S.first} shared a memory of {{May}} holidays with family. {A.first} and "
    "{B.surname} nodded. The group ended with a grounding exercise led by {F}.",
    "Attendance was full. {A.full} celebrated a month of sobriety and {B.first} thanked "
    "{A.first} for her honesty. {S.first} felt encouraged by {A.first}'s progress.",
    "{F} introduced the review of the agreement. {A.first} proposed a clause about phones; "
    "{S.first} supported it. {B.title} asked for time to think.",
    "Difficult session. {A.first} became tearful talking about her divorce; {S.first} sat "
    "with the discomfort. {B.nick} offered tissues. {F} checked in with everyone at close.",
    "{S.first} set a goal to call their sister. {A.first} shared a similar goal. {C.first} "
    "said the group felt like family now. I {{will}} keep this in mind for next week.",
    "Summary: {A.first}, {B.first} and {S.first} discussed boundaries with relatives. "
    "{C.title} was absent (excused). {F} closed with the confidentiality reminder.",
    "{{Mark}} the date: the circle meets again after the holiday. {A.first} will be "
    "travelling; {S.first} asked {A.first} to send {{joy}} to the group. {{Hope}} is the "
    "word {S.first} chose for the closing round.",
    "Everyone agreed the new clause {{will}} help. {A.first}'s worry about being seen in the "
    "waiting room was heard; {B.nick} and {S.first} offered to arrive separately. {{Will}} "
    "you remember to sign the new version, {S.first}? {F} asked.",
]

_SLOT = re.compile(r"\{([SABCF])(?:\.(\w+))?\}")


def _unaccented(name):
    return anyascii(name)


def original_records():
    """The first corpus, as corpus records."""
    records = []
    for number, template in enumerate(ORIGINAL_NOTES):
        for circle_number, (lead, members) in enumerate(ORIGINAL_CIRCLES):
            roster = [_member(f"c{circle_number}m{i}", full, first, [nick], email, phone)
                      for i, (full, first, nick, _i, email, phone, _t) in enumerate(members)]
            subject_index = number % len(members)
            others = [i for i in range(len(members)) if i != subject_index]
            cast = {"S": (subject_index, False), "A": (others[0], True),
                    "B": (others[1], True), "C": (others[2], True)}

            def render(match, cast=cast, members=members, lead=lead):
                who, attribute = match.group(1), match.group(2) or "first"
                if who == "F":
                    return "{{" + lead[1] + "}}"
                index, redact = cast[who]
                full, first, nick, initials, email, phone, title = members[index]
                value = {
                    "first": first, "full": full, "surname": full.split(" ")[-1],
                    "title": f"{title} {full.split(' ')[-1]}", "lower": first.lower(),
                    "upper": first.upper(), "nick": nick, "initials": initials,
                    "email": email, "phone": phone, "unaccented": _unaccented(first),
                }[attribute]
                return f"[[{value}]]" if redact else "{{" + value + "}}"

            text, redact, keep = parse_marked(_SLOT.sub(render, template))
            records.append({"id": f"original-{number:02d}-{circle_number}", "roster": roster,
                            "facilitator": {"full_name": lead[0], "display_name": lead[1]},
                            "subject": roster[subject_index]["member_id"], "text": text,
                            "must_redact": redact, "must_keep": keep})
    return records


# ---------------------------------------------------------------------------- generator

# (given name, pronoun, nicknames) and family names, per naming tradition. Family-first
# traditions say so; their display name is the given name.
POOLS = {
    "english": ([("Dana", "she", ["Dee"]), ("Kevin", "he", ["Kev"]),
                 ("Rachel", "she", ["Rach"]), ("Gareth", "he", []),
                 ("Bethany", "she", ["Beth"]), ("Callum", "he", ["Cal"]),
                 ("Imogen", "she", ["Immy"]), ("Theodore", "he", ["Teddy", "Theo"])],
                ["Whitfield", "Ashworth", "Pemberton", "Hargreaves", "Fairbanks",
                 "Thornbury", "Blakemore"], False),
    "irish": ([("Siobhán", "she", ["Shiv"]), ("Niamh", "she", []), ("Pádraig", "he",
                                                                      ["Paddy"]),
               ("Aoife", "she", []), ("Cillian", "he", [])],
              ["O'Sullivan", "MacCarthy", "Ó Briain", "Donnelly"], False),
    "spanish": ([("José Luis", "he", ["Pepe"]), ("Begoña", "she", ["Bego"]),
                 ("Íñigo", "he", []), ("Nuria", "she", []), ("Ramón", "he", ["Moncho"]),
                 ("María José", "she", ["Majo"])],
                ["Peña", "Núñez", "Ibáñez", "Muñoz Serrano", "García Márquez"], False),
    "portuguese": ([("João", "he", ["Joca"]), ("Conceição", "she", ["São"]),
                    ("Gonçalo", "he", []), ("Inês", "she", [])],
                   ["Gonçalves", "Magalhães", "Araújo"], False),
    "german": ([("Jürgen", "he", []), ("Günther", "he", []), ("Jörg", "he", []),
                ("Käthe", "she", []), ("Lüdia", "she", [])],
               ["Schröder", "Müller", "Strauß", "Höfler", "Krüger", "Weiß"], False),
    "nordic": ([("Bjørn", "he", []), ("Åsa", "she", []), ("Søren", "he", []),
                ("Øystein", "he", []), ("Sigrún", "she", [])],
               ["Sæther", "Løvik", "Ødegård", "Håkansson", "Aalto"], False),
    "polish": ([("Małgorzata", "she", ["Gosia"]), ("Łukasz", "he", []),
                ("Zbigniew", "he", ["Zbyszek"]), ("Agnieszka", "she", ["Aga"])],
               ["Wałęsa", "Wiśniewski", "Szczepańska", "Żółkiewska"], False),
    "dutch": ([("Joost", "he", []), ("Maartje", "she", []), ("Sanne", "she", [])],
              ["Achterberg", "van der Berg", "de Vries", "Verhoeven"], False),
    "french": ([("Hélène", "she", []), ("François", "he", []), ("Gaëlle", "she", []),
                ("Loïc", "he", [])],
               ["Lefèvre", "Dupré", "Bénard"], False),
    "turkish": ([("Çağla", "she", []), ("Şükrü", "he", []), ("Gökhan", "he", []),
                 ("Ayşe", "she", [])],
                ["Öztürk", "Çelik", "Yılmaz", "Şahin"], False),
    "vietnamese": ([("Thị Hoa", "she", []), ("Văn Minh", "he", []),
                    ("Thu Hà", "she", [])],
                   ["Nguyễn", "Trần", "Phạm"], True),
    "chinese": ([("Wei", "he", []), ("Fang", "she", []), ("Jie", "he", []),
                 ("Xiuying", "she", [])],
                ["Zhang", "Chen", "Liu", "Huang"], True),
    "japanese": ([("Haruto", "he", []), ("Yuki", "she", []), ("Aiko", "she", []),
                  ("Ren", "he", [])],
                 ["Satō", "Tanaka", "Suzuki", "Watanabe"], False),
    "korean": ([("Ji-woo", "she", []), ("Seo-yeon", "she", []), ("Min-jun", "he", [])],
               ["Kim", "Park", "Choi"], False),
    "indian": ([("Priya", "she", ["Pri"]), ("Arjun", "he", []), ("Lakshmi", "she", []),
                ("Rohan", "he", []), ("Ananya", "she", [])],
               ["Raman", "Venkataraman", "Subramanian", "Mehta", "Iyer"], False),
    "nigerian": ([("Oluwaseun", "he", ["Seun"]), ("Chiamaka", "she", ["Amaka"]),
                  ("Adaeze", "she", ["Ada"]), ("Babatunde", "he", ["Tunde"]),
                  ("Chukwuemeka", "he", ["Emeka"])],
                 ["Adebayo", "Okonkwo", "Nwosu", "Bakare", "Eze"], False),
    "arabic": ([("Fatima Zahra", "she", ["Fati"]), ("Youssef", "he", []),
                ("Layla", "she", []), ("Omar", "he", [])],
               ["El-Amrani", "Haddad", "Al-Sayed", "Abdelrahman"], False),
    "russian": ([("Dmitri", "he", ["Dima"]), ("Svetlana", "she", ["Sveta"]),
                 ("Yekaterina", "she", ["Katya"])],
                ["Volkov", "Ivanova", "Sokolova"], False),
    "greek": ([("Dimitris", "he", []), ("Eleni", "she", [])],
              ["Papadopoulos", "Georgiou"], False),
    "indigenous": ([("Aiyana", "she", []), ("Kalani", "he", []), ("Leilani", "she", [])],
                   ["Begay", "Kahananui", "Yazzie"], False),
    "hebrew": ([("Noa", "she", []), ("Yael", "she", []), ("Eitan", "he", [])],
               ["Ben-David", "Friedman", "Mizrahi"], False),
}
# Given names that are also ordinary words.
WORD_NAMES = [("Faith", "she"), ("Joy", "she"), ("Rose", "she"), ("Bill", "he"),
              ("Frank", "he"), ("Dawn", "she"), ("Sunny", "she"), ("Hunter", "he"),
              ("Will", "he"), ("Hope", "she"), ("Mark", "he"), ("Grace", "she"),
              ("Summer", "she"), ("Miles", "he"), ("Pat", "they")]
# The same words used as words, for a circle with a member of that name.
WORD_USES = {
    "Faith": ["{S.first} spoke about {{faith}} after the loss.",
              "It takes {{faith}} to come back after a relapse, {S.first} said."],
    "Joy": ["{S.first} described the {{joy}} of the first swim of the year.",
            "There was real {{joy}} in the room when {S.first} shared the news."],
    "Rose": ["{S.first} {{rose}} to get water and came back calmer.",
             "{S.first} brought a {{rose}} from the garden."],
    "Bill": ["{S.first} is worried about the gas {{bill}}.",
             "The {{bill}} for the repairs arrived on Monday, {S.first} said."],
    "Frank": ["{S.first} was {{frank}} about the relapse.",
              "It was a {{frank}} conversation and {S.first} stayed with it."],
    "Dawn": ["{S.first} has been waking before {{dawn}}.",
             "{S.first} walks the dog at {{dawn}} every day."],
    "Sunny": ["{S.first} spent a {{sunny}} afternoon with the grandchildren.",
              "It was {{sunny}} and the circle met outside; {S.first} chose the bench."],
    "Hunter": ["{S.first} said the {{hunter}} in the film frightened the children.",
               "{S.first} compared the worry to a {{hunter}} waiting in the dark."],
    "Will": ["{S.first} said {S.they} {{will}} call the clinic tomorrow.",
             "{S.first} thinks things {{will}} get easier after the move."],
    "Hope": ["I {{hope}} {S.first} keeps coming.", "{S.first} said there is {{hope}} now."],
    "Mark": ["{S.first} wants to {{mark}} the anniversary quietly.",
             "{S.first} got a good {{mark}} in the exam."],
    "Grace": ["{S.first} handled the question with {{grace}}.",
              "{S.first} said grief gave {S.them} no {{grace}} period."],
    "Summer": ["{S.first} is dreading the {{summer}} holidays.",
               "Last {{summer}} was the hardest, {S.first} said."],
    "Miles": ["{S.first} drives forty {{miles}} to come to the group.",
              "{S.first} walked three {{miles}} on Sunday."],
    "Pat": ["{S.first} said the dog likes a {{pat}} on the head.",
            "{S.first} gave the new member a {{pat}} on the back."],
}
TITLES = {"she": ["Ms.", "Mrs.", "Dr."], "he": ["Mr.", "Dr."], "they": ["Mx.", "Dr."]}
GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe",
                        "Ü": "Ue", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "æ": "ae",
                        "Æ": "Ae"})

# Sentences by pattern. {S} is the subject, {F} the facilitator, {A}/{B}/{C} other
# members, {R} a relative of the subject (same surname), {Q} a relative of the
# facilitator. {{…}} marks an ordinary word to keep. Pronouns: {A.they}, {A.their}.
SENTENCES = [
    "{A.first} shared that {A.their} week had been difficult.",
    "{S.first} listened closely and then spoke about sleep.",
    "{A.full} described a conflict at work, and {B.first} offered a similar experience.",
    "{F} reflected the theme of exhaustion back to the circle.",
    "{A.title} raised a worry about being recognised in the waiting room.",
    "Check-in: {A.first} was quiet, {B.first} talked at length about a new job.",
    "{S.first} said the group helps {S.them} feel less alone.",
    "{A.first}'s mother is unwell, and {B.first} cried while listening.",
    "{B.first} thanked {A.first} for {A.their} honesty.",
    "{A.surname} arrived late and apologised to the group.",
    "The {A.plural} have been through a hard year, {S.first} said.",
    "{S.first} mentioned that {A.surname_poss} car broke down again.",
    "{A.initials} practised the grounding exercise with {S.first}.",
    "{A.spaced} declined to join the role play, and that choice was respected.",
    "{A.initial} seemed tearful during the closing round.",
    "{S.first} read out a text {S.they} had received: \"tell {A.lower} i said hi\".",
    "{A.first} said that {B.upper} HAD PROMISED TO CALL.",
    "{S.first} recalled {A.first} shouting \"{B.upper}, PLEASE STOP\" last week.",
    "{A.translit} spoke about {A.their} grandmother's garden.",
    "{S.first} paired with {A.translit} for the listening exercise.",
    "{A.typo} arrived early and set out the chairs.",
    "{A.nick} (as everyone calls {A.first}) brought tea for the group.",
    "{A.first} asked that {A.their} e-mail {A.email} not be shared.",
    "After the session {A.first} left a number for the carpool list: {A.phone}.",
    "{S.first} set a goal to call {S.their} sister before the next session.",
    "{F} invited each member to name one thing {A.they} could let go of.",
    "{R.full} and {S.first} spoke about their family's move.",
    "{R.surname} said the move had been hard on everyone.",
    "{S.full} wanted to talk about the move first.",
    "{Q.surname} was absent this week; {F} said nothing more about it.",
    "{Q.first} asked {F} a question about the agreement.",
    "I {{hope}} the circle can return to rest next time.",
    "{S.first} said {S.they} {{will}} try a breathing exercise before bed.",
    "{S.first} spoke of the {{joy}} {S.they} still find in gardening.",
    "The circle closed at {{dawn}}-coloured light, with candles lit by {S.first}.",
    "{S.first} was {{frank}} about how hard the week had been.",
    "{S.first} described a {{sunny}} afternoon with {S.their} daughter.",
    "{S.first} worried about paying the {{bill}} for the heating.",
    "{{Will}} you remember to sign the new version, {S.first}?",
    "{{Mark}} the date: the circle meets again after the holiday.",
    "{S.first} talked about {{faith}} and what it means after a loss.",
    "{S.first} brought a {{rose}} from {S.their} garden for the table.",
    "{W.first} said {W.they} felt ready to share next week.",
    "{S.first} and {W.first} both talked about their fathers.",
    "{W.first}'s daughter started school this week.",
    "{W.upper} SAID IT WAS FINE, {S.first} remembered.",
    "The group laughed when {W.first} told a story about {W.their} dog.",
    "{A.first} and {B.full} stayed behind to stack the chairs.",
    "{S.first} told {A.first} that the advice had helped.",
    "{B.title}'s absence was noted; {F} will follow up.",
    "{S.first} said {A.first_poss} words stayed with {S.them} all week.",
]


def _pronouns(pronoun):
    return {"she": ("she", "her", "her"), "he": ("he", "him", "his"),
            "they": ("they", "them", "their")}[pronoun]


def _typo(name, rng):
    letters = list(name)
    if len(letters) < 5:
        return None
    i = rng.randrange(1, len(letters) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    elif kind == "drop":
        del letters[i]
    else:
        letters.insert(i, letters[i])
    typo = "".join(letters)
    return typo if typo != name else None


def _email(given, family, rng):
    local = re.sub(r"[^a-z]", "", anyascii(given).lower()) + rng.choice([".", "_", ""]) + \
        re.sub(r"[^a-z]", "", anyascii(family).lower())[: rng.choice([1, 3, 20])]
    return f"{local}@{rng.choice(['example.org', 'example.net', 'mail.example.com'])}"


def _phone(rng):
    digits = [str(rng.randrange(10)) for _ in range(7)]
    formats = [
        "+1 415 555 {0}{1}{2}{3}", "(212) 555-{0}{1}{2}{3}", "+44 20 7946 {0}{1}{2}{3}",
        "07700 9{0}{1} {2}{3}{4}", "+34 612 {0}{1}{2} {3}{4}{5}", "+49 30 {0}{1}{2}{3}{4}{5}",
        "+234 803 555 {0}{1}{2}{3}", "+91 98{0}{1}{2} {3}{4}{5}{6}{0}",
    ]
    return rng.choice(formats).format(*digits)


class _Person:
    def __init__(self, member_id, given, family, pronoun, nicknames, family_first, rng):
        self.member_id = member_id
        self.given, self.family, self.pronoun = given, family, pronoun
        self.full = f"{family} {given}" if family_first else f"{given} {family}"
        self.display = given
        self.nicknames = list(nicknames)
        self.email = _email(given, family, rng)
        self.phone = _phone(rng)
        self.title = rng.choice(TITLES[pronoun])
        self.family_first = family_first

    def record(self):
        return _member(self.member_id, self.full, self.display, self.nicknames, self.email,
                       self.phone)

    def surface(self, attribute, rng):
        they, them, their = _pronouns(self.pronoun)
        first = self.given
        surname = self.family
        words = re.findall(r"[^\W\d_]+", self.full)
        initials = [anyascii(w)[0].upper() for w in words
                    if w.lower() not in ("van", "der", "de", "el", "al")]
        values = {
            "first": first, "full": self.full, "surname": surname,
            "title": f"{self.title} {surname}", "lower": first.lower(),
            "upper": first.upper(), "nick": (self.nicknames or [first])[0],
            "initials": ".".join(initials[:1] + initials[-1:]) + ".",
            "spaced": ". ".join(initials[:1] + initials[-1:]) + ".",
            "initial": initials[0] + ".", "email": self.email, "phone": self.phone,
            "plural": surname + ("es" if surname.endswith("s") else "s"),
        }
        if attribute == "translit":
            variants = {anyascii(first), first.translate(GERMAN), anyascii(surname),
                        surname.translate(GERMAN)} - {first, surname}
            return rng.choice(sorted(variants)) if variants else first
        if attribute == "typo":
            for name in (first, surname):
                typo = _typo(name, rng)
                if typo:
                    return typo
            return first
        if attribute in ("surname_poss", "first_poss"):
            return values[attribute.split("_")[0]]
        if attribute in ("they", "them", "their"):
            return {"they": they, "them": them, "their": their}[attribute]
        return values[attribute]


def _pick_circle(rng, number):
    cultures = sorted(POOLS)
    used_given, used_family = set(), set()
    people = []

    def new_person(index, culture=None, family=None, word=None):
        culture = culture or rng.choice(cultures)
        givens, families, family_first = POOLS[culture]
        for _attempt in range(20):
            given, pronoun, nicknames = rng.choice(givens)
            if given not in used_given:
                break
        if word is not None:
            given, pronoun, nicknames = word[0], word[1], []
        family = family or rng.choice([f for f in families if f not in used_family]
                                      or families)
        used_given.add(given)
        used_family.add(family)
        return _Person(f"n{number}m{index}", given, family, pronoun, nicknames,
                       family_first, rng)

    size = rng.randrange(5, 9)
    for index in range(size):
        people.append(new_person(index))
    word_member = new_person(size, word=rng.choice(WORD_NAMES))
    people.append(word_member)
    facilitator = new_person(99)
    subject = people[0]
    relative = new_person(size + 1, culture=None, family=subject.family)
    people.append(relative)
    facilitator_relative = new_person(size + 2, family=facilitator.family)
    people.append(facilitator_relative)
    return people, subject, facilitator, relative, facilitator_relative, word_member


def generated_records(seed=2026, count=150):
    """``count`` generated notes; the same seed gives the same notes."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible corpus, not a secret)
    records = []
    slot = re.compile(r"\{([SFABCRQW])(?:\.(\w+))?\}")
    for number in range(count):
        people, subject, facilitator, relative, f_relative, word_member = _pick_circle(
            rng, number)
        others = [p for p in people if p not in (subject, relative, f_relative, word_member)]
        chosen = rng.sample(SENTENCES, rng.randrange(5, 10))
        chosen.insert(rng.randrange(len(chosen) + 1),
                      rng.choice(WORD_USES[word_member.given]))
        cast_others = rng.sample(others, 3)
        cast = {"A": cast_others[0], "B": cast_others[1], "C": cast_others[2], "R": relative,
                "Q": f_relative, "W": word_member}

        def render(match, cast=cast, subject=subject, facilitator=facilitator):
            who, attribute = match.group(1), match.group(2) or "first"
            if who == "S":
                if attribute in ("they", "them", "their"):
                    return subject.surface(attribute, rng)
                return "{{" + subject.surface(attribute, rng) + "}}"
            if who == "F":
                return "{{" + (facilitator.display if attribute == "first" else
                               facilitator.surface(attribute, rng)) + "}}"
            person = cast[who]
            value = person.surface(attribute, rng)
            if attribute in ("they", "them", "their"):
                return value
            # A surname alone shared with the subject or the facilitator: the text cannot
            # say whose it is, so it must go but does not count for recall.
            ambiguous = who in ("R", "Q") and attribute in ("surname", "plural", "title")
            suffix = "'s" if attribute.endswith("_poss") else ""
            return f"[[{'?' if ambiguous else ''}{value}]]{suffix}"

        marked = " ".join(slot.sub(render, sentence) for sentence in chosen)
        text, redact, keep = parse_marked(marked)
        roster = [p.record() for p in people]
        rng.shuffle(roster)
        records.append({"id": f"generated-{number:03d}", "roster": roster,
                        "facilitator": {"full_name": facilitator.full,
                                        "display_name": facilitator.display},
                        "subject": subject.member_id, "text": text,
                        "must_redact": redact, "must_keep": keep,
                        "seed": seed})
    return records


# ---------------------------------------------------------------------------- by hand

def handwritten_records(source):
    """Notes written by hand in ``source``: blocks separated by a line of ``---``; each
    block has header lines (``id:``, ``facilitator: Full Name | Display``, ``subject:``,
    and one ``member: id | Full Name | Display | nick, nick | e-mail | phone`` per
    member) and then the marked text."""
    records = []
    for block in re.split(r"^---\s*$", source, flags=re.MULTILINE):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        if not lines:
            continue
        header, body = {}, []
        roster = []
        for index, line in enumerate(lines):
            match = re.match(r"(id|facilitator|subject|member):\s*(.*)$", line)
            if match is None:
                body = lines[index:]
                break
            key, value = match.groups()
            if key == "member":
                parts = [p.strip() for p in value.split("|")] + [""] * 6
                roster.append(_member(parts[0], parts[1], parts[2],
                                      [n.strip() for n in parts[3].split(",") if n.strip()],
                                      parts[4], parts[5]))
            else:
                header[key] = value.strip()
        full, display = [p.strip() for p in header["facilitator"].split("|")]
        text, redact, keep = parse_marked(unicodedata.normalize("NFC", "\n".join(body)))
        records.append({"id": header["id"], "roster": roster,
                        "facilitator": {"full_name": full, "display_name": display},
                        "subject": header["subject"], "text": text, "must_redact": redact,
                        "must_keep": keep})
    return records
