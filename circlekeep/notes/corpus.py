"""A corpus of fictional group notes for measuring the redactor.

Four circles with rosters from many cultures (one of them full of names that are also
everyday words) and twenty notes written as facilitators write them. Each note is
rendered once for each circle, from the point of view of one member (the subject), so the
corpus holds 80 notes. In the rendered text, ``[[…]]`` marks a span that must be
redacted (another member's name or contact) and ``{{…}}`` a span that must be kept (the
subject's and the facilitators' names, and ordinary words that happen to be names).
"""

import re
from dataclasses import dataclass

from circlekeep.notes.redaction import Person


@dataclass
class Member:
    first: str
    full: str
    title: str
    nick: str = ""
    initials: str = ""
    email: str = ""
    phone: str = ""
    unaccented: str = ""

    @property
    def surname(self):
        return self.full.split(" ")[-1]

    def person(self):
        return Person(display_name=self.first, full_name=self.full,
                      nicknames=[self.nick] if self.nick else [],
                      initials=[self.initials] if self.initials else [],
                      email=self.email, phone=self.phone)


CIRCLES = [
    {
        "facilitators": [Member("Amara", "Amara Okafor", "Dr."),
                         Member("Miguel", "Miguel Hernández", "Mr.")],
        "members": [
            Member("Dana", "Dana Whitfield", "Ms.", nick="Dee", initials="D.W.",
                   email="dana.w@example.org", phone="+1 415 555 0134"),
            Member("Kenji", "Kenji Watanabe", "Mr.", nick="Ken", initials="K.W.",
                   email="kenji.watanabe@example.net", phone="(415) 555-0199"),
            Member("Ana-María", "Ana-María Pérez López", "Ms.", nick="Anita",
                   initials="A.P.", email="anamaria@example.com", phone="415 555 0177",
                   unaccented="Ana-Maria"),
            Member("Siobhan", "Siobhan O'Neill", "Ms.", nick="Shiv", initials="S.O.",
                   email="siobhan.oneill@example.ie", phone="+353 1 555 0101"),
            Member("Tomás", "Tomás Ibarra", "Mr.", nick="Tomi", initials="T.I.",
                   email="tomas.ibarra@example.mx", phone="+52 55 5555 0102",
                   unaccented="Tomas"),
        ],
    },
    {
        "facilitators": [Member("Grace", "Grace Obi", "Ms.")],
        "members": [
            Member("Hope", "Hope Adeyemi", "Ms.", nick="Hopey", initials="H.A.",
                   email="hope.adeyemi@example.org", phone="+44 20 5555 0110"),
            Member("Will", "Will Thornton", "Mr.", nick="Billy", initials="W.T.",
                   email="will.t@example.org", phone="+44 20 5555 0111"),
            Member("Joy", "Joy Nakamura", "Ms.", nick="Joyce", initials="J.N.",
                   email="joy.n@example.jp", phone="+81 3 5555 0112"),
            Member("Mark", "Mark Lindqvist", "Mr.", nick="Marky", initials="M.L.",
                   email="mark.lindqvist@example.se", phone="+46 8 555 0113"),
            Member("June", "June Park", "Mx.", nick="Junie", initials="J.P.",
                   email="june.park@example.kr", phone="+82 2 5555 0114"),
        ],
    },
    {
        "facilitators": [Member("Jamal", "Jamal Carter", "Mr.")],
        "members": [
            Member("Fatima", "Fatima Zahra El-Amrani", "Ms.", nick="Fati", initials="F.E.",
                   email="fatima.elamrani@example.ma", phone="+212 6 5555 0120"),
            Member("Priya", "Priya Raman", "Ms.", nick="Pri", initials="P.R.",
                   email="priya.raman@example.in", phone="+91 98 5555 0121"),
            Member("Lan", "Nguyễn Thị Lan", "Ms.", nick="Lanie", initials="N.L.",
                   email="lan.nguyen@example.vn", phone="+84 24 5555 0122",
                   unaccented="Nguyen"),
            Member("Seun", "Oluwaseun Adebayo", "Mr.", nick="Shay", initials="O.A.",
                   email="seun.adebayo@example.ng", phone="+234 1 555 0123"),
            Member("Zoë", "Zoë Brontë-Smith", "Mx.", nick="Zo", initials="Z.B.",
                   email="zoe.bs@example.co.uk", phone="+44 161 555 0124",
                   unaccented="Zoe"),
        ],
    },
    {
        "facilitators": [Member("Lucía", "Lucía Morales", "Sra.")],
        "members": [
            Member("José Luis", "José Luis García", "Sr.", nick="Pepe", initials="J.L.G.",
                   email="joseluis.garcia@example.es", phone="+34 91 555 0130",
                   unaccented="Jose Luis"),
            Member("Małgorzata", "Małgorzata Nowak", "Ms.", nick="Gosia", initials="M.N.",
                   email="gosia.nowak@example.pl", phone="+48 22 555 0131"),
            Member("João", "João Silva", "Mr.", nick="Jota", initials="J.S.",
                   email="joao.silva@example.br", phone="+55 11 5555 0132",
                   unaccented="Joao"),
            Member("Aiyana", "Aiyana Begay", "Ms.", nick="Ai", initials="A.B.",
                   email="aiyana.begay@example.us", phone="+1 505 555 0133"),
            Member("Ngozi", "Ngozi Okeke", "Ms.", nick="Zizi", initials="N.O.",
                   email="ngozi.okeke@example.ng", phone="+234 803 555 0135"),
        ],
    },
]

# {S…} is the subject, {A…}, {B…}, {C…} other members, {F} the lead facilitator.
# Attributes: first, full, surname, title (title and surname), lower, upper, nick,
# initials, email, phone, unaccented. Literal {{…}} marks ordinary words to keep.
NOTES = [
    "Group opened with the confidentiality reminder and the ground rules. {A.first} shared "
    "that her week was difficult. {S.first} listened and later spoke about sleep. {F} "
    "reflected the theme of exhaustion. I {{hope}} the circle can return to rest next time.",
    "{S.first} arrived on time and acknowledged the agreement. {A.full} described a conflict "
    "at work; {B.first} offered a similar experience. {S.first} said they {{will}} try a "
    "breathing exercise before bed.",
    "Theme: grief anniversaries. {A.first}'s father died a year ago this week, and "
    "{B.first} cried while listening. {S.first} named the {{joy}} they still find in "
    "gardening. {F} invited each member to {{mark the date}} in their own way.",
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


def _render_slot(member, attribute, *, redact):
    attribute = attribute or "first"
    values = {
        "first": member.first, "full": member.full, "surname": member.surname,
        "title": f"{member.title} {member.surname}", "lower": member.first.lower(),
        "upper": member.first.upper(), "nick": member.nick or member.first,
        "initials": member.initials or member.first, "email": member.email,
        "phone": member.phone, "unaccented": member.unaccented or member.first,
    }
    value = values[attribute]
    kind = {"email": "email", "phone": "phone"}.get(attribute, "name")
    return (f"[[{kind}:{value}]]" if redact else "{{" + value + "}}")


@dataclass
class Case:
    text: str
    others: list
    keep: list
    redact: list  # (start, end, kind)
    keep_spans: list  # (start, end)


_MARK = re.compile(r"\[\[(name|email|phone):(.+?)\]\]|\{\{(.+?)\}\}")


def _parse(marked):
    text, redact, keep, last = [], [], [], 0
    position = 0
    for match in _MARK.finditer(marked):
        chunk = marked[last:match.start()]
        text.append(chunk)
        position += len(chunk)
        if match.group(1):
            value = match.group(2)
            redact.append((position, position + len(value), match.group(1)))
        else:
            value = match.group(3)
            keep.append((position, position + len(value)))
        text.append(value)
        position += len(value)
        last = match.end()
    text.append(marked[last:])
    return "".join(text), redact, keep


def cases():
    """Every note for every circle: 88 cases."""
    result = []
    for number, template in enumerate(NOTES):
        for circle in CIRCLES:
            members = circle["members"]
            subject = members[number % len(members)]
            others = [m for m in members if m is not subject]
            a, b, c = others[0], others[1], others[2]
            lead = circle["facilitators"][0]
            cast = {"S": (subject, False), "A": (a, True), "B": (b, True), "C": (c, True),
                    "F": (lead, False)}

            def render(match, cast=cast):
                member, redact = cast[match.group(1)]
                return _render_slot(member, match.group(2), redact=redact)

            marked = _SLOT.sub(render, template)
            text, redact, keep = _parse(marked)
            result.append(Case(text, [m.person() for m in others],
                               [subject.person()] + [f.person() for f in
                                                     circle["facilitators"]],
                               redact, keep))
    return result


def measure(find_spans):
    """(recall on the spans that must go, precision of what was removed, misses, extras)."""
    gold_total = found = predicted = 0
    misses, extras = [], []
    for case in cases():
        gold = {(s, e) for s, e, _kind in case.redact}
        spans = {(span.start, span.end) for span in find_spans(case.text, case.others,
                                                               case.keep)}
        gold_total += len(gold)
        found += len(gold & spans)
        predicted += len(spans)
        misses += [case.text[s:e] + " | " + case.text for s, e in gold - spans]
        extras += [case.text[s:e] + " | " + case.text for s, e in spans - gold]
    recall = found / gold_total if gold_total else 1.0
    precision = (predicted - len(extras)) / predicted if predicted else 1.0
    return recall, precision, misses, extras
