"""Erasure is one organization's share of a person, never another organization's."""

import json

import pytest
from django.core import mail
from django.test import Client

from circlekeep import vault
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.actions import do_change_membership_status, do_invite_member
from circlekeep.custody.actions import do_destroy_member_keys
from circlekeep.lib.actions import ActionForbidden
from circlekeep.testing import make_api_token, make_member, signed_in_client
from circlekeep.vault.models import DataKey

pytestmark = pytest.mark.django_db


def suspend(membership, reason):
    lead = membership.circle.facilitations.get(role="lead").user
    do_change_membership_status(membership, "suspended", actor=lead, reason=reason)
    return membership.changes.latest("changed_at", "pk")


def reveal(change, actor):
    change.refresh_from_db()
    return vault.reveal(change, "reason", actor=actor, reason="check")


def test_a_pending_invitation_does_not_let_another_organization_erase(cast):
    """The critical finding: B invites A's member, then erases them everywhere."""
    in_a = suspend(cast.membership, "Said in Riverside")
    invitation, _token = do_invite_member(cast.other_org_circle, email="mina@example.test",
                                          actor=cast.other_admin)
    pending = invitation.user.memberships.get(circle=cast.other_org_circle)
    with pytest.raises(ActionForbidden):
        do_destroy_member_keys(cast.member, organization=cast.other_org,
                               actor=cast.other_admin, reason="x", confirmation="Mina")
    oscar = signed_in_client(cast.other_admin)
    url = f"/circles/memberships/{pending.public_id}/erase/"
    assert oscar.get(url).status_code == 403
    assert oscar.post(url, {"reason": "x", "confirmation": "Mina"}).status_code == 403
    _t, auth = make_api_token(cast.other_admin)
    response = Client().post(
        f"/api/v1/memberships/{pending.public_id}/erase-protected",
        data=json.dumps({"reason": "x", "confirmation": "Mina"}),
        content_type="application/json", **auth)
    assert response.status_code == 403
    assert reveal(in_a, cast.admin) == "Said in Riverside"
    assert not DataKey.objects.filter(user=cast.member).exclude(destroyed_at=None).exists()


def test_erasing_in_one_organization_leaves_the_other_organizations_share(
        cast, django_capture_on_commit_callbacks):
    in_a = suspend(cast.membership, "Said in Riverside")
    in_b_membership = make_member(cast.other_org_circle, "mina@example.test", name="Mina",
                                  actor=cast.other_admin)
    in_b = suspend(in_b_membership, "Said in Harbor")
    assert DataKey.objects.filter(user=cast.member, destroyed_at=None).count() == 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_destroy_member_keys(cast.member, organization=cast.other_org,
                               actor=cast.other_admin, reason="Asked to be forgotten",
                               confirmation="Mina")
    assert reveal(in_b, cast.other_admin).erased
    assert reveal(in_a, cast.admin) == "Said in Riverside"
    # The person is told, and so are the admins of the organization that kept its share,
    # without learning which organization acted or why.
    to = {m.to[0]: m for m in mail.outbox}
    assert "Harbor Clinic" in to["mina@example.test"].body
    assert "Harbor" not in to["ada@riverside.test"].body + to["ada@riverside.test"].subject
    assert "Asked to be forgotten" not in "".join(m.body for m in mail.outbox)
    told = AuditEvent.objects.get(event_type="vault.erasure.elsewhere")
    assert (told.organization_id, told.subject_id, told.actor_id) == (
        cast.org.pk, cast.member.pk, None)
    erased = AuditEvent.objects.get(event_type="vault.keys.destroyed")
    assert erased.organization_id == cast.other_org.pk


def test_erasure_moves_other_organizations_text_off_a_key_made_before_keys_were_per_organization(
        cast, settings):
    """A key from before keys were kept per organization protects both shares: erasing one
    organization's share must re-seal the other's first."""
    in_a = suspend(cast.membership, "Riverside text")
    in_b = suspend(make_member(cast.other_org_circle, "mina@example.test", name="Mina",
                               actor=cast.other_admin), "Harbor text")
    # Both shares as an older installation sealed them: under one key with no organization
    # (set up directly, as that installation's data would be).
    settings.GUARD_ACTION_WRITES = False
    DataKey.objects.filter(user=cast.member, organization=cast.other_org).delete()
    DataKey.objects.filter(user=cast.member).update(organization=None)
    key = DataKey.objects.get(user=cast.member)
    from django.db import transaction

    from circlekeep.vault import crypto
    from circlekeep.vault.keys import dek_for
    from circlekeep.vault.sealing import _aad

    with transaction.atomic():
        in_b.reason = vault.fields.Sealed(crypto.encrypt(
            dek_for(key), key.key_id, "Harbor text", _aad(in_b, "reason", key.key_id)))
        type(in_b).objects.filter(pk=in_b.pk).update(reason=in_b.reason)
    assert reveal(in_b, cast.other_admin) == "Harbor text"
    settings.GUARD_ACTION_WRITES = True
    do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                           reason="Request", confirmation="Mina")
    assert reveal(in_a, cast.admin).erased
    assert reveal(in_b, cast.other_admin) == "Harbor text"
    key.refresh_from_db()
    assert key.destroyed_at is not None


def test_the_operator_may_erase_one_organizations_share_from_the_command(cast, capsys):
    from django.core.management import call_command

    in_a = suspend(cast.membership, "Riverside text")
    in_b = suspend(make_member(cast.other_org_circle, "mina@example.test", name="Mina",
                               actor=cast.other_admin), "Harbor text")
    call_command("vault", "erase-member", "mina@example.test", "--reason", "request",
                 "--organization", str(cast.other_org.public_id), "--for-real")
    assert "Harbor Clinic" in capsys.readouterr().out
    assert reveal(in_b, cast.other_admin).erased
    assert reveal(in_a, cast.admin) == "Riverside text"


def test_erasure_deletes_the_forms_kept_for_the_person(cast):
    from circlekeep.accounts.actions import do_keep_form_draft
    from circlekeep.accounts.models import FormDraft

    do_keep_form_draft(cast.member, path="/agreements/x/", fields={"text": ["Mine"]})
    do_keep_form_draft(cast.facilitator, path="/notes/x/", fields={"body": ["Fran's"]})
    do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                           reason="Request", confirmation="Mina")
    assert list(FormDraft.objects.values_list("user", flat=True)) == [cast.facilitator.pk]
