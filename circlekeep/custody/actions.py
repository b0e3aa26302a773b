"""Erasing what one organization holds about a person (crypto-shredding their keys there).

It sits above the domain apps: the vault's core knows keys and ciphertext, not people, and
who may erase whom (``circles.access.may_erase_person``) is a rule about organizations and
memberships.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit
from circlekeep.accounts.models import FormDraft
from circlekeep.circles.access import may_erase_person, organizations_of
from circlekeep.lib.actions import ActionForbidden, DomainError, action
from circlekeep.lib.emails import send_templated_email
from circlekeep.orgs.actions import check_typed_reason
from circlekeep.orgs.models import StaffRole
from circlekeep.vault import crypto
from circlekeep.vault.actions import owned_records, reseal
from circlekeep.vault.keys import owner_of
from circlekeep.vault.models import DataKey

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.orgs.models import Organization


def check_may_erase(actor, user, organization):
    """The system, or an admin of ``organization`` while it holds information about the
    person (see ``orgs.access.may_erase_person``)."""
    if actor is not None and not may_erase_person(actor, user, organization):
        raise ActionForbidden(_("Only an admin of the person's organization may erase their "
                                "information."))


def check_erasure_confirmed(user, confirmation):
    """Erasure cannot be undone, so the person's name is typed, not clicked."""
    typed = " ".join((confirmation or "").split()).casefold()
    names = {" ".join(n.split()).casefold()
             for n in (user.display_name, user.full_name, user.email) if n}
    if not typed:
        raise DomainError(_("Type the person's name to confirm."), field="confirmation")
    if typed not in names:
        raise DomainError(_("That is not the person's name. Type it exactly as shown to "
                            "confirm."), field="confirmation")


def _reseal_elsewhere(user, legacy_keys, keep_organization):
    """Move the person's text that other organizations hold off keys made before keys
    were kept per organization, so that destroying those keys touches only
    ``keep_organization``'s share. Returns how many values moved."""
    legacy = {k.key_id: k for k in legacy_keys}
    moved = 0
    for model, field_name, rows in owned_records("member", user):
        field = model._meta.get_field(field_name)
        for row in rows.select_for_update():
            if owner_of(row, field.organization_path) == keep_organization:
                continue
            key_id, _nonce, _body = crypto.parse_envelope(getattr(row, field_name).envelope)
            key = legacy.get(key_id)
            if key is None:
                continue
            reseal(row, field_name, key)
            row.save(update_fields=[field_name])
            moved += 1
    return moved


def _clear_derived(user, organization_id):
    """Blank what models derive from a person's protected text (for example a keyed
    digest of whom a declaration names): it goes with the text."""
    for model, field_name, rows in owned_records("member", user, include_empty=True):
        derived = getattr(model, "ERASE_ALSO_CLEARS", ())
        if not derived:
            continue
        field = model._meta.get_field(field_name)
        if organization_id is not None:
            rows = rows.filter(**{field.organization_path: organization_id})
        rows.update(**dict.fromkeys(derived, ""))


@action
def do_destroy_member_keys(user: User, *, actor: User | None, reason: str,
                           organization: Organization | None = None,
                           confirmation: str | None = None):
    """Crypto-shred what ``organization`` holds about a person: every protected field of
    theirs there becomes unreadable for good, backups included. Another organization's
    share is never touched. Only the operator (``actor=None``) may erase every
    organization's share at once (``organization=None``).

    Records without protected text stay as they are; the audit trail keeps its metadata.
    The person, and the admins of the other organizations that hold information about
    them, are told.
    """
    if organization is None and actor is not None:
        raise ActionForbidden(_("Erasure is for one organization's share of a person's "
                                "information."))
    check_may_erase(actor, user, organization)
    if actor is not None:
        check_erasure_confirmed(user, confirmation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the erasure, such as the member's request."),
                          field="reason")
    check_typed_reason(reason)
    live = DataKey.objects.select_for_update().filter(user=user, scope="member",
                                                      destroyed_at=None)
    moved = 0
    if organization is not None:
        legacy = list(live.filter(organization=None))
        if legacy:
            moved = _reseal_elsewhere(user, legacy, organization.pk)
        keys = list(live.filter(Q(organization=organization) | Q(organization=None)))
    else:
        keys = list(live)
    now = timezone.now()
    for key in keys:
        key.wrapped, key.destroyed_at = b"", now
        key.save(update_fields=["wrapped", "destroyed_at"])
    _clear_derived(user, organization.pk if organization is not None else None)
    # A form kept over a sign-in, sealed apart from the member's keys, may hold what is
    # erased: it goes too (it is only ever a short-lived copy).
    FormDraft.objects.filter(user=user).delete()
    audit.record("vault.keys.destroyed", actor=actor, target=user, subject=user, reason=reason,
                 organization=organization, data={"keys": len(keys), "moved": moved})
    if organization is not None:
        _tell_about_erasure(user, organization, others=[
            o for o in organizations_of(user) if o.pk != organization.pk], actor=actor)
    return len(keys)


def _tell_about_erasure(user, organization, *, others, actor):
    """The person learns which organization erased its share; each other organization
    holding information about them learns (in its trail and by e-mail to its admins) that
    its own share was not touched, without learning which organization acted."""
    if user.is_active and user.email:
        send_templated_email("erasure-done", to=user.email, language=user.language,
                             context={"organization_name": organization.name})
    for other in others:
        audit.record("vault.erasure.elsewhere", actor=None, target=user, subject=user,
                     organization=other)
        for admin in StaffRole.objects.filter(organization=other, role=StaffRole.Role.ADMIN,
                                              user__is_active=True).select_related("user"):
            send_templated_email("erasure-elsewhere", to=admin.user.email,
                                 language=admin.user.language, context={})
