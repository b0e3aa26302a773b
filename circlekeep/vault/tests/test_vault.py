import base64
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from circlekeep import vault
from circlekeep.circles.actions import do_change_membership_status
from circlekeep.circles.models import MembershipChange
from circlekeep.custody.actions import do_destroy_member_keys
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.keyfiles import new_kek
from circlekeep.testing import assert_events, audit_mark, make_member
from circlekeep.vault import crypto
from circlekeep.vault.actions import do_rewrap_data_keys, do_rotate_data_key
from circlekeep.vault.checks import check_keyring
from circlekeep.vault.fields import Sealed
from circlekeep.vault.models import DataKey

pytestmark = pytest.mark.django_db


def suspend(cast, membership, reason):
    lead = membership.circle.facilitations.get(role="lead").user
    do_change_membership_status(membership, "suspended", actor=lead, reason=reason)
    return MembershipChange.objects.filter(membership=membership).latest("pk")


def test_protected_text_is_stored_sealed_and_revealed_with_an_access_event(cast):
    change = suspend(cast, cast.membership, "Talked about Otto at work")
    assert "Otto" not in change.reason.envelope and change.reason.envelope.startswith("v1:")
    assert str(change.reason) == "[sealed]" and "Otto" not in repr(change)
    mark = audit_mark()
    text = vault.reveal(change, "reason", actor=cast.admin, reason="Reviewing the suspension")
    assert text == "Talked about Otto at work" and not text.erased
    assert_events(mark, [("vault.revealed", cast.admin, cast.member)])
    from circlekeep.audit.models import AuditEvent

    event = AuditEvent.objects.get(sequence__gt=mark)
    assert event.reason == "Reviewing the suspension" and event.circle == cast.circle
    assert event.data == {"field": "circles.MembershipChange.reason", "records": 1}


def test_plain_text_cannot_be_saved_into_a_protected_field(cast):
    change = MembershipChange.objects.filter(membership=cast.membership).first()
    change.reason = "in the clear"
    with pytest.raises(TypeError, match="must be sealed"):
        MembershipChange.objects.filter(pk=change.pk).update(reason="in the clear")


def test_ciphertext_moved_to_another_row_fails_clearly(cast):
    first = suspend(cast, cast.membership, "First reason")
    do_change_membership_status(cast.membership, "active", actor=cast.facilitator)
    second = suspend(cast, cast.membership, "Second reason")
    second.reason = Sealed(first.reason.envelope)
    with pytest.raises(crypto.VaultError, match="sealed for a different record"):
        vault.reveal(second, "reason", actor=cast.facilitator, reason="x")


def test_one_access_event_per_person_when_many_records_are_read(cast):
    suspend(cast, cast.membership, "One")
    do_change_membership_status(cast.membership, "active", actor=cast.facilitator)
    suspend(cast, cast.membership, "Two")
    changes = list(MembershipChange.objects.filter(membership=cast.membership))
    mark = audit_mark()
    texts = vault.reveal_many(changes, "reason", actor=cast.facilitator, reason="history")
    assert [t for t in texts if t] == ["One", "Two"]
    assert_events(mark, [("vault.revealed", cast.facilitator, cast.member)])


def test_erasing_a_member_makes_their_protected_text_unreadable_for_good(cast):
    mine = suspend(cast, cast.membership, "Mina's private reason")
    theirs = suspend(cast, cast.other_membership, "Otto's reason")
    mark = audit_mark()
    assert do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                                  reason="Member's request", confirmation="Mina") == 1
    assert_events(mark, [("vault.keys.destroyed", cast.admin, cast.member)])
    mine.refresh_from_db()
    text = vault.reveal(mine, "reason", actor=cast.admin, reason="check")
    assert text.erased and "Mina" not in text
    assert vault.reveal(theirs, "reason", actor=cast.admin, reason="check") == "Otto's reason"
    assert MembershipChange.objects.filter(pk=mine.pk).exists()  # the record itself stays
    assert DataKey.objects.get(user=cast.member).wrapped in (b"", memoryview(b""))
    # New protected text for the member gets a fresh key; the old stays unreadable.
    do_change_membership_status(cast.membership, "active", actor=cast.facilitator)
    later = suspend(cast, cast.membership, "After the erasure")
    assert vault.reveal(later, "reason", actor=cast.admin, reason="x") == "After the erasure"
    assert vault.reveal(mine, "reason", actor=cast.admin, reason="x").erased


def test_erasure_needs_an_admin_of_the_persons_organization_and_a_reason(cast):
    suspend(cast, cast.membership, "secret")
    for actor in (cast.facilitator, cast.other_admin, cast.member, cast.auditor):
        for organization in (cast.org, cast.other_org):
            with pytest.raises(ActionForbidden):
                do_destroy_member_keys(cast.member, organization=organization, actor=actor,
                                       reason="x", confirmation="Mina")
    with pytest.raises(ActionForbidden):  # only the operator erases every share at once
        do_destroy_member_keys(cast.member, actor=cast.admin, reason="x", confirmation="Mina")
    with pytest.raises(DomainError, match="Give the reason"):
        do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                               reason=" ", confirmation="Mina")
    assert DataKey.objects.get(user=cast.member).destroyed_at is None


@pytest.mark.parametrize("typed", ["", "Min", "Otto", "ada@riverside.test"])
def test_erasure_needs_the_persons_name_typed(cast, typed):
    suspend(cast, cast.membership, "secret")
    with pytest.raises(DomainError) as error:
        do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                               reason="Asked in writing", confirmation=typed)
    assert error.value.field == "confirmation"
    assert DataKey.objects.get(user=cast.member).destroyed_at is None


@pytest.mark.parametrize("typed", ["mina", "  Mina  ", "MINA@example.test", "Mina Tester"])
def test_erasure_accepts_the_name_in_any_case_or_the_address(cast, typed):
    suspend(cast, cast.membership, "secret")
    do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                           reason="Asked in writing", confirmation=typed)
    assert DataKey.objects.get(user=cast.member).destroyed_at is not None


def test_rotating_a_data_key_re_encrypts_the_members_text(cast):
    change = suspend(cast, cast.membership, "Keep me readable")
    old_envelope = change.reason.envelope
    old_key = DataKey.objects.get(user=cast.member)
    mark = audit_mark()
    assert do_rotate_data_key(cast.member, actor=None) == 1
    assert_events(mark, [("vault.data_key.rotated", None, cast.member)])
    change.refresh_from_db()
    assert change.reason.envelope != old_envelope
    assert vault.reveal(change, "reason", actor=cast.admin, reason="x") == "Keep me readable"
    old_key.refresh_from_db()
    assert old_key.destroyed_at is not None and old_key.retired_at is not None
    with pytest.raises(ActionForbidden):
        do_rotate_data_key(cast.member, actor=cast.admin)


def test_rotating_the_kek_rewraps_every_data_key_without_touching_text(cast, settings):
    change = suspend(cast, cast.membership, "Still here")
    suspend(cast, cast.other_membership, "Also here")
    old_kek = settings.VAULT_KEYRING["current"]
    ring = {"current": "kek-new", "keys": {**settings.VAULT_KEYRING["keys"],
                                           "kek-new": base64.b64decode(new_kek())}, "path": None}
    settings.VAULT_KEYRING = ring
    envelope = change.reason.envelope
    keys = list(DataKey.objects.values_list("key_id", flat=True))
    mark = audit_mark()
    # Interrupted after one key: the rest is picked up on the next run.
    assert do_rewrap_data_keys(keys[:1]) == 1
    assert do_rewrap_data_keys(keys) == len(keys) - 1
    assert do_rewrap_data_keys(keys) == 0
    assert_events(mark, [("vault.kek.rotated", None, None), ("vault.kek.rotated", None, None)])
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {"kek-new"}
    del ring["keys"][old_kek]  # the old key can now be retired
    change.refresh_from_db()
    assert change.reason.envelope == envelope
    assert vault.reveal(change, "reason", actor=cast.admin, reason="x") == "Still here"


def test_the_rotate_kek_command_adds_a_key_and_shows_progress(cast, settings, tmp_path,
                                                              capsys):
    suspend(cast, cast.membership, "text")
    path = tmp_path / "keyring.json"
    keys = {k: base64.b64encode(v).decode() for k, v in settings.VAULT_KEYRING["keys"].items()}
    path.write_text(json.dumps({"current": settings.VAULT_KEYRING["current"], "keys": keys}))
    settings.VAULT_KEYRING = {**settings.VAULT_KEYRING, "keys": dict(
        settings.VAULT_KEYRING["keys"]), "path": path}
    call_command("vault", "rotate-kek", "--new-key")
    out = capsys.readouterr().out
    current = json.loads(path.read_text())["current"]
    assert "re-wrapped" in out and current in out
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {current}


def test_a_wrong_kek_is_a_clear_start_up_error(cast, settings):
    suspend(cast, cast.membership, "text")
    assert check_keyring() == []
    kek_id = settings.VAULT_KEYRING["current"]
    settings.VAULT_KEYRING = {"current": kek_id, "keys": {kek_id: base64.b64decode(new_kek())},
                              "path": None}
    errors = check_keyring()
    assert [e.id for e in errors] == ["vault.E001"]
    assert "not the one these data keys were wrapped with" in errors[0].msg
    settings.VAULT_KEYRING = {"current": "other", "keys": {"other": base64.b64decode(new_kek())},
                              "path": None}
    assert "is not in the vault keyring" in check_keyring()[0].msg


def test_the_erase_command_is_a_dry_run_unless_for_real(cast, capsys):
    suspend(cast, cast.membership, "text")
    call_command("vault", "erase-member", "mina@example.test", "--reason", "request")
    assert "Dry run" in capsys.readouterr().out
    assert DataKey.objects.get(user=cast.member).destroyed_at is None
    call_command("vault", "erase-member", "mina@example.test", "--reason", "request",
                 "--for-real")
    assert DataKey.objects.get(user=cast.member).destroyed_at is not None
    with pytest.raises(CommandError, match="No account"):
        call_command("vault", "erase-member", "nobody@example.test", "--reason", "x")


def test_member_pages_show_the_reason_to_the_member_and_record_it(cast):
    from circlekeep.audit.models import AuditEvent
    from circlekeep.testing import signed_in_client

    suspend(cast, cast.membership, "A pause after the last meeting")
    page = signed_in_client(cast.member).get(
        f"/circles/memberships/{cast.membership.public_id}/").content.decode()
    assert "A pause after the last meeting" in page
    event = AuditEvent.objects.filter(event_type="vault.revealed").latest("sequence")
    assert (event.actor, event.subject) == (cast.member, cast.member)


def test_a_new_member_gets_their_own_key(cast):
    other = make_member(cast.circle, "new@example.test", name="New", actor=cast.facilitator)
    suspend(cast, other, "x")
    suspend(cast, cast.membership, "y")
    assert DataKey.objects.filter(scope="member").count() == 2


def test_the_web_server_refuses_to_start_with_the_wrong_kek(cast, settings):
    from django.core.exceptions import ImproperlyConfigured

    from circlekeep.vault.checks import refuse_to_start_without_working_keys

    suspend(cast, cast.membership, "text")
    refuse_to_start_without_working_keys()  # the right keyring starts
    kek_id = settings.VAULT_KEYRING["current"]
    settings.VAULT_KEYRING = {"current": kek_id, "keys": {kek_id: base64.b64decode(new_kek())},
                              "path": None}
    with pytest.raises(ImproperlyConfigured, match="not the one"):
        refuse_to_start_without_working_keys()


def test_ciphertext_is_bound_to_its_field_and_key(cast):
    from django.db import transaction

    from circlekeep.vault.keys import current_key_for, dek_for
    from circlekeep.vault.sealing import _aad

    change = suspend(cast, cast.membership, "Bound to one field")
    key_id, nonce, body = crypto.parse_envelope(change.reason.envelope)
    with transaction.atomic():
        dek = dek_for(current_key_for("member", cast.member, cast.org.pk))
    assert crypto.decrypt(dek, nonce, body, _aad(change, "reason", key_id)) == \
        "Bound to one field"
    for wrong in (_aad(change, "notes", key_id),
                  _aad(change, "reason", uuid.uuid4())):
        with pytest.raises(crypto.InvalidTag):
            crypto.decrypt(dek, nonce, body, wrong)


def test_an_admin_erases_a_member_from_the_page_and_the_api(cast):
    from django.test import Client

    from circlekeep.accounts.actions import do_create_api_token
    from circlekeep.testing import just_signed_in, signed_in_client

    change = suspend(cast, cast.membership, "Private reason")
    admin = signed_in_client(cast.admin)
    url = f"/circles/memberships/{cast.membership.public_id}/erase/"
    assert "This field is required." in admin.post(url, {"reason": ""}).content.decode()
    page = admin.post(url, {"reason": "Asked", "confirmation": "Otto"}).content.decode()
    assert "not the person&#x27;s name" in page
    assert DataKey.objects.get(user=cast.member).destroyed_at is None
    response = admin.post(url, {"reason": "The member asked to be forgotten",
                                "confirmation": "Mina"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert vault.reveal(change, "reason", actor=cast.admin, reason="x").erased
    page = signed_in_client(cast.member).get(
        f"/circles/memberships/{cast.membership.public_id}/").content.decode()
    assert "This information was erased." in page and "Private reason" not in page
    other = suspend(cast, cast.other_membership, "Otto's reason")
    _token, secret = do_create_api_token(cast.admin, name="t", days=1, actor=cast.admin,
                                         proof=just_signed_in(cast.admin))
    response = Client().post(
        f"/api/v1/memberships/{cast.other_membership.public_id}/erase-protected",
        data=json.dumps({"reason": "Request"}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 422  # the typed name is required
    response = Client().post(
        f"/api/v1/memberships/{cast.other_membership.public_id}/erase-protected",
        data=json.dumps({"reason": "Request", "confirmation": "Felix"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400 and response.json()["field"] == "confirmation"
    response = Client().post(
        f"/api/v1/memberships/{cast.other_membership.public_id}/erase-protected",
        data=json.dumps({"reason": "Request", "confirmation": "Otto"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 204
    other.refresh_from_db()
    assert vault.reveal(other, "reason", actor=cast.admin, reason="x").erased
