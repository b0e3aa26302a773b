"""Default informed-consent documents: California (United States) and Spain (EU), each in
English and Spanish.

They are starting points that an organization's admins review and edit; they are not
legal advice. Other jurisdictions start from the generic text, marked for review. Every
default ships in both languages so that each member reads, and consents to, the text in
their own language; the organization's language is the version admins edit.
"""

SECTION_KEYS = ("service", "information", "retention", "limits", "withdrawal")

US_CA = {
    "language": "en",
    "title": "Informed consent to take part in a group (California)",
    "sections": {
        "service": ("What this service is",
                    "You are joining a therapy or peer-support group run by this "
                    "organization. Groups meet in person or online with a trained "
                    "facilitator. Taking part is voluntary."),
        "information": ("How your information is used and who sees it",
                        "Your facilitators keep brief, encrypted notes about your "
                        "participation. Your notes never name other members. Only your "
                        "facilitators see them; organization staff may read them only "
                        "with a recorded reason that you can see in your access log. "
                        "Information is shared outside the organization only with your "
                        "written authorization or where the law requires it."),
        "retention": ("How long it is kept",
                      "Records are kept for seven years after your last meeting (for a "
                      "minor, until one year after they turn 18, if longer), then "
                      "destroyed."),
        "limits": ("The limits of confidentiality",
                   "Facilitators must disclose information without your consent in the "
                   "situations below. Other members are asked to keep what is said in the "
                   "group confidential, but the law does not bind them as it binds "
                   "professionals."),
        "withdrawal": ("Your right to withdraw",
                       "You may withdraw this consent at any time. Your participation stops "
                       "at once; you can still read and export your own information."),
    },
    "reporting_categories": [
        "Imminent danger of serious harm to yourself",
        "A serious threat of violence against a reasonably identifiable person (duty to "
        "warn and protect)",
        "Known or suspected abuse or neglect of a child",
        "Known or suspected abuse of an elder or a dependent adult",
        "An order from a court",
    ],
    "guardian_sharing": (
        "For a member under 18: the guardian is told about attendance, safety concerns and "
        "the general progress of participation. What the minor says in the group is not "
        "shared with the guardian unless there is a risk of serious harm or the law "
        "requires it."),
}

ES = {
    "language": "es",
    "title": "Consentimiento informado para participar en un grupo (España)",
    "sections": {
        "service": ("Qué es este servicio",
                    "Vas a participar en un grupo terapéutico o de apoyo mutuo organizado "
                    "por esta entidad. Los grupos se reúnen en persona o en línea con una "
                    "persona facilitadora formada. La participación es voluntaria."),
        "information": ("Cómo se usan tus datos y quién los ve",
                        "Quien facilita guarda notas breves y cifradas sobre tu "
                        "participación, que nunca nombran a otros miembros. Solo las ven "
                        "tus facilitadores; el personal de la entidad solo puede leerlas "
                        "con un motivo registrado que verás en tu registro de accesos. El "
                        "tratamiento se basa en tu consentimiento (RGPD, art. 9.2.a) y "
                        "puedes ejercer tus derechos de acceso, rectificación, supresión, "
                        "limitación y portabilidad."),
        "retention": ("Cuánto tiempo se conservan",
                      "Los datos se conservan cinco años desde tu última reunión y después "
                      "se destruyen."),
        "limits": ("Los límites de la confidencialidad",
                   "Quien facilita debe comunicar información sin tu consentimiento en las "
                   "situaciones siguientes. A los demás miembros se les pide que guarden la "
                   "confidencialidad del grupo, pero la ley no les obliga como a los "
                   "profesionales."),
        "withdrawal": ("Tu derecho a retirar el consentimiento",
                       "Puedes retirar este consentimiento en cualquier momento. Tu "
                       "participación se detiene de inmediato; podrás seguir consultando y "
                       "exportando tu propia información."),
    },
    "reporting_categories": [
        "Riesgo inminente de daño grave para ti",
        "Riesgo grave para la vida o la integridad de otra persona",
        "Sospecha de maltrato o desprotección de un menor",
        "Sospecha de maltrato de una persona mayor o con discapacidad",
        "Un requerimiento judicial",
    ],
    "guardian_sharing": (
        "Si el miembro es menor de edad: se informa a su representante legal de la "
        "asistencia, de los riesgos para su seguridad y de la evolución general de su "
        "participación. Lo que el menor cuente en el grupo no se comparte con su "
        "representante salvo riesgo de daño grave o cuando la ley lo exija."),
}

US_CA_ES = {
    "language": "es",
    "title": "Consentimiento informado para participar en un grupo (California)",
    "sections": {
        "service": ("Qué es este servicio",
                    "Vas a participar en un grupo terapéutico o de apoyo mutuo organizado "
                    "por esta organización. Los grupos se reúnen en persona o en línea con "
                    "una persona facilitadora formada. La participación es voluntaria."),
        "information": ("Cómo se usa tu información y quién la ve",
                        "Quien facilita guarda notas breves y cifradas sobre tu "
                        "participación, que nunca nombran a otros miembros. Solo las ven "
                        "tus facilitadores; el personal de la organización solo puede "
                        "leerlas con un motivo registrado que verás en tu registro de "
                        "accesos. La información solo se comparte fuera de la organización "
                        "con tu autorización por escrito o cuando la ley lo exige."),
        "retention": ("Cuánto tiempo se conserva",
                      "Los registros se conservan siete años desde tu última reunión (si "
                      "eres menor de edad, hasta un año después de cumplir 18, si es más "
                      "tiempo) y después se destruyen."),
        "limits": ("Los límites de la confidencialidad",
                   "Quien facilita debe comunicar información sin tu consentimiento en las "
                   "situaciones siguientes. A los demás miembros se les pide que guarden la "
                   "confidencialidad del grupo, pero la ley no les obliga como a los "
                   "profesionales."),
        "withdrawal": ("Tu derecho a retirar el consentimiento",
                       "Puedes retirar este consentimiento en cualquier momento. Tu "
                       "participación se detiene de inmediato; podrás seguir consultando y "
                       "exportando tu propia información."),
    },
    "reporting_categories": [
        "Peligro inminente de daño grave para ti",
        "Una amenaza grave de violencia contra una persona razonablemente identificable "
        "(deber de advertir y proteger)",
        "Abuso o negligencia, conocidos o sospechados, hacia un menor",
        "Abuso, conocido o sospechado, hacia una persona mayor o un adulto dependiente",
        "Una orden judicial",
    ],
    "guardian_sharing": (
        "Si el miembro es menor de 18 años: se informa a su tutor o tutora de la asistencia, "
        "de los riesgos para su seguridad y de la evolución general de su participación. Lo "
        "que el menor cuente en el grupo no se comparte con su tutor o tutora salvo riesgo "
        "de daño grave o cuando la ley lo exija."),
}

ES_EN = {
    "language": "en",
    "title": "Informed consent to take part in a group (Spain)",
    "sections": {
        "service": ("What this service is",
                    "You are joining a therapy or peer-support group run by this "
                    "organization. Groups meet in person or online with a trained "
                    "facilitator. Taking part is voluntary."),
        "information": ("How your data is used and who sees it",
                        "Your facilitators keep brief, encrypted notes about your "
                        "participation, which never name other members. Only your "
                        "facilitators see them; the organization's staff may read them only "
                        "with a recorded reason that you can see in your access log. The "
                        "processing is based on your consent (GDPR, art. 9.2.a) and you may "
                        "exercise your rights of access, rectification, erasure, restriction "
                        "and portability."),
        "retention": ("How long it is kept",
                      "Data is kept for five years after your last meeting, then destroyed."),
        "limits": ("The limits of confidentiality",
                   "Facilitators must disclose information without your consent in the "
                   "situations below. Other members are asked to keep what is said in the "
                   "group confidential, but the law does not bind them as it binds "
                   "professionals."),
        "withdrawal": ("Your right to withdraw consent",
                       "You may withdraw this consent at any time. Your participation stops "
                       "at once; you can still read and export your own information."),
    },
    "reporting_categories": [
        "Imminent risk of serious harm to yourself",
        "A serious risk to another person's life or safety",
        "Suspected abuse or lack of protection of a minor",
        "Suspected abuse of an older person or a person with a disability",
        "A court order",
    ],
    "guardian_sharing": (
        "For a member under the age of majority: their legal representative is told about "
        "attendance, risks to their safety and the general progress of their participation. "
        "What the minor says in the group is not shared with their representative unless "
        "there is a risk of serious harm or the law requires it."),
}

GENERIC = {
    **US_CA,
    "title": "Informed consent to take part in a group (review for your jurisdiction)",
}

GENERIC_ES = {
    **US_CA_ES,
    "title": "Consentimiento informado para participar en un grupo (revísalo para tu "
             "jurisdicción)",
}

# Each jurisdiction's default in every shipped language; the first is the language the
# organization publishes and edits in.
DEFAULTS = {
    "US-CA": {"en": US_CA, "es": US_CA_ES},
    "ES": {"es": ES, "en": ES_EN},
}
GENERIC_DEFAULTS = {"en": GENERIC, "es": GENERIC_ES}


def default_documents(jurisdiction):
    """The default for a jurisdiction, {language: document}, the organization's language
    first: exact match, then the country, then generic."""
    country = jurisdiction.split("-", 1)[0]
    return DEFAULTS.get(jurisdiction) or DEFAULTS.get(country) or GENERIC_DEFAULTS


def default_document(jurisdiction, language=None):
    """One language's default for a jurisdiction (the organization's language unless
    ``language`` is given and shipped)."""
    documents = default_documents(jurisdiction)
    return documents.get(language) or next(iter(documents.values()))
