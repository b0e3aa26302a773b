"""Whom a relationship declaration names, without storing it in clear.

A joining member types the names of people they already know; the names are matched
here, privately, against the circle's facilitators and the members who have accepted
their place. The member never learns whether a name matched (nobody is shown a roster
before they have joined), and the database holds whom a declaration names only inside the
sealed declaration, plus a keyed digest of the pair under the circle's key, so that two
declarations naming each other can be recognised without either being readable.
"""

from django.db.models import Q

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.lib.names import name_forms, normalize_name


def circle_people(circle, *, excluding):
    """The people a member may name: the circle's facilitators and the members who have
    accepted a live place in it (an invited address is nobody yet)."""
    from circlekeep.accounts.models import User
    from circlekeep.circles.models import Membership

    return User.objects.filter(
        Q(facilitations__circle=circle)
        | Q(memberships__circle=circle,
            memberships__status__in=Membership.ACCEPTED_STATUSES)
    ).exclude(pk=excluding.pk).distinct()


def match_declared_name(typed, people):
    """The one person ``typed`` names, or None when nobody or more than one person fits."""
    wanted = normalize_name(typed)
    if not wanted:
        return None
    fits = [person for person in people
            if wanted in name_forms(person.display_name, person.full_name,
                                    *person.other_names.split(","))]
    return fits[0] if len(fits) == 1 else None


def pair_digest(circle, one, other) -> str:
    """The same for (A, B) and (B, A): a declaration and its mirror share it."""
    first, second = sorted([str(one.public_id), str(other.public_id)])
    return vault.keyed_digest(circle, f"relationship-pair:{first}:{second}")


def declarations_naming(membership):
    """Declarations by other live members of the circle that name this member: the
    digest of (author, member) is computed for each and compared."""
    from circlekeep.circles.models import Membership, RelationshipDeclaration

    candidates = (RelationshipDeclaration.objects.filter(
        screening__membership__circle=membership.circle,
        screening__membership__status__in=Membership.LIVE_STATUSES)
        .exclude(screening__membership=membership).exclude(pair_digest="")
        .select_related("screening__membership__user"))
    return [d for d in candidates
            if d.pair_digest == pair_digest(membership.circle, d.screening.membership.user,
                                            membership.user)]


def refresh_pair_digests(circle):
    """Recompute a circle's digests after its key was rotated, from the sealed
    declarations themselves (which hold whom they name)."""
    import json

    from circlekeep.accounts.models import User
    from circlekeep.circles.models import RelationshipDeclaration

    rows = list(RelationshipDeclaration.objects.filter(screening__membership__circle=circle)
                .exclude(pair_digest="").select_related("screening__membership__user",
                                                        "screening__membership__circle"))
    texts = vault.reveal_many(rows, "details", actor=None,
                              reason=audit_reasons.code("onboarding.relationships.rekey"))
    for row, text in zip(rows, texts, strict=True):
        named = json.loads(text).get("match") if text and not text.erased else None
        person = User.objects.filter(public_id=named).first() if named else None
        digest = pair_digest(circle, row.screening.membership.user, person) if person else ""
        RelationshipDeclaration.objects.filter(pk=row.pk).update(pair_digest=digest)


def declarations_for_screening(membership, viewer, *, is_self):
    """What the screening page shows, with the sealed details revealed (each read is
    recorded): the member sees what they typed; the circle's staff also see whom each
    name matched, the declarations by others that name the member, and which are mutual.
    """
    import json

    from circlekeep.accounts.models import User
    from circlekeep.circles.models import RelationshipDeclaration

    own = list(RelationshipDeclaration.objects.filter(screening__membership=membership)
               .select_related("screening__membership__user",
                               "screening__membership__circle"))
    others = [] if is_self else declarations_naming(membership)
    declarations = own + others
    why = (audit_reasons.code("onboarding.relationships.own") if is_self
           else audit_reasons.code("onboarding.relationships.screen"))
    texts = vault.reveal_many(declarations, "details", actor=viewer, reason=why)
    kinds = dict(RelationshipDeclaration.Kind.choices)
    matched = {}
    for declaration, text in zip(declarations, texts, strict=True):
        declaration.by_member = declaration.screening.membership_id == membership.pk
        declaration.declared_by = declaration.screening.membership.user.display_name
        if text.erased:
            declaration.kind_label, declaration.note_text, declaration.about = text, "", ""
            declaration.match_id = None
            continue
        data = json.loads(text)
        declaration.kind_label = kinds.get(data["kind"], data["kind"])
        declaration.note_text = data["note"]
        declaration.typed_name = data.get("name", "")
        declaration.match_id = data.get("match")
        if declaration.match_id:
            matched[declaration.match_id] = None
    if not is_self and matched:
        for person in User.objects.filter(public_id__in=list(matched)):
            matched[str(person.public_id)] = person.display_name
    for declaration in declarations:
        if declaration.kind_label and getattr(declaration, "typed_name", None) is not None:
            if is_self or not declaration.by_member:
                declaration.about = (declaration.typed_name if is_self
                                     else membership.user.display_name)
            elif declaration.match_id and matched.get(declaration.match_id):
                declaration.about = matched[declaration.match_id]
            else:
                declaration.about = declaration.typed_name
        declaration.unmatched = (not is_self and declaration.by_member
                                 and not declaration.match_id)
    digests = {d.pair_digest for d in others}
    for declaration in declarations:
        declaration.mutual = bool(declaration.pair_digest) and (
            (declaration.by_member and declaration.pair_digest in digests)
            or (not declaration.by_member
                and any(o.pair_digest == declaration.pair_digest for o in own)))
    return declarations
