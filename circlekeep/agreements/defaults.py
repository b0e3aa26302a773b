"""The organization template's starting text: the ground rules good group work agrees on.

Admins edit it; each circle's first version is copied from it. Every organization gets
both texts, clause for clause, so that each member reads and signs in their own language;
Spanish-speaking organizations (country ES) edit the Spanish one, others the English.
"""

LADDER_STEPS = ("reminder", "private_conversation", "written_warning", "suspension",
                "revocation")

CLAUSES_EN = [
    ("What is said here stays here",
     "What members share in the circle, and who attends, stays in the circle. We do not "
     "repeat it to anyone outside, including partners, family and friends."),
    ("What I may share outside",
     "I may talk about my own experience and what I learned about myself. I do not share "
     "anyone else's name, story or identifying detail, not even vaguely and not online."),
    ("Listening",
     "We listen without interrupting and let each person finish."),
    ("Respect",
     "We respect different opinions and backgrounds. There is no judgment here."),
    ("Speaking for myself",
     "I speak in \"I\" statements about my own experience, not about others."),
    ("Relationships outside the circle",
     "If I already know someone in the circle, I tell the facilitator privately. If members "
     "meet outside the circle, we do not discuss other members or what was shared here."),
    ("Online meetings",
     "No recording, no screenshots and no photos. I do not share the access link. I join "
     "from a private place, use headphones where others could overhear, and avoid public "
     "Wi-Fi. Circlekeep never records a meeting; recording one on my own device (a screen "
     "recorder, a phone, another app) breaks this agreement and is handled as a breach."),
    ("Limits of confidentiality",
     "The facilitator must break confidentiality where the law requires it: imminent harm "
     "to self or others, abuse or neglect of a child, an elder or a dependent adult, or a "
     "court order. Members are asked, not legally bound, to keep confidentiality."),
]

LADDER_EN = {
    "reminder": "A reminder of this agreement, to the person or to the whole circle.",
    "private_conversation": "A private conversation with the facilitator.",
    "written_warning": "A written warning that names what happened and what must change.",
    "suspension": "Suspension from the circle until a set date.",
    "revocation": "Revocation of membership.",
}

CLAUSES_ES = [
    ("Lo que se dice aquí, se queda aquí",
     "Lo que los miembros comparten en el círculo, y quién asiste, se queda en el círculo. "
     "No lo contamos a nadie de fuera, tampoco a parejas, familia ni amistades."),
    ("Lo que puedo compartir fuera",
     "Puedo hablar de mi propia experiencia y de lo que aprendí sobre mí. No comparto el "
     "nombre, la historia ni ningún detalle identificable de otra persona, ni siquiera de "
     "forma vaga ni en internet."),
    ("Escuchar",
     "Escuchamos sin interrumpir y dejamos que cada persona termine."),
    ("Respeto",
     "Respetamos las opiniones y orígenes distintos. Aquí no se juzga."),
    ("Hablar por mí",
     "Hablo en primera persona de mi propia experiencia, no de la de otros."),
    ("Relaciones fuera del círculo",
     "Si ya conozco a alguien del círculo, se lo digo en privado a quien facilita. Si nos "
     "vemos fuera del círculo, no hablamos de otros miembros ni de lo compartido aquí."),
    ("Reuniones en línea",
     "No se graba, no se hacen capturas ni fotos. No comparto el enlace de acceso. Me uno "
     "desde un lugar privado, uso auriculares si otras personas pueden oír y evito redes "
     "wifi públicas. Circlekeep nunca graba una reunión; grabarla con mi propio dispositivo "
     "(un grabador de pantalla, un teléfono, otra aplicación) rompe este acuerdo y se trata "
     "como una falta."),
    ("Límites de la confidencialidad",
     "Quien facilita debe romper la confidencialidad cuando la ley lo exige: riesgo "
     "inminente para la persona o para otros, abuso o abandono de un menor, de una persona "
     "mayor o dependiente, o una orden judicial. A los miembros se les pide, sin obligación "
     "legal, que guarden la confidencialidad."),
]

LADDER_ES = {
    "reminder": "Un recordatorio de este acuerdo, a la persona o a todo el círculo.",
    "private_conversation": "Una conversación privada con quien facilita.",
    "written_warning": "Una advertencia por escrito que nombra lo ocurrido y lo que debe "
                       "cambiar.",
    "suspension": "Suspensión del círculo hasta una fecha fijada.",
    "revocation": "Baja definitiva del círculo.",
}


TEXTS = {"en": (CLAUSES_EN, LADDER_EN), "es": (CLAUSES_ES, LADDER_ES)}


def template_in(language):
    """(clauses, ladder) of the default template in ``language``."""
    clauses, ladder = TEXTS[language]
    return ([{"title": title, "text": text} for title, text in clauses],
            [{"step": step, "text": ladder[step]} for step in LADDER_STEPS])


def default_template(country):
    """(clauses, ladder, translations) for a new organization in ``country``: its own
    language's text and {language: {"clauses", "ladder"}} for every other."""
    language = "es" if (country or "").upper() == "ES" else "en"
    clauses, ladder = template_in(language)
    translations = {}
    for other in TEXTS:
        if other != language:
            other_clauses, other_ladder = template_in(other)
            translations[other] = {"clauses": other_clauses, "ladder": other_ladder}
    return clauses, ladder, translations
