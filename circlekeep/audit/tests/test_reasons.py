"""Audit reasons are stored as codes and shown in each reader's language; events that
carried English text before codes still verify and are shown translated too."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from circlekeep import audit
from circlekeep.accounts.actions import do_revoke_invitation, do_update_profile
from circlekeep.audit import reasons
from circlekeep.audit.models import AuditEvent
from circlekeep.audit.verify import verify
from circlekeep.circles.actions import do_change_membership_status, do_invite_member
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import DomainError
from circlekeep.lib.roles import role_label
from circlekeep.testing import signed_in_client

pytestmark = pytest.mark.django_db


def member_reads_own_history(cast):
    """A change with a reason (sealed), then the member reads their history."""
    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="Paused at the member's request")
    signed_in_client(cast.member).get(
        reverse("circles:membership", args=[cast.membership.public_id]))


def newest_read():
    return AuditEvent.objects.filter(event_type="vault.revealed").order_by("-sequence").first()


def test_a_read_stores_the_reason_code_not_words(cast):
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                      time_zone="UTC", actor=cast.member)
    member_reads_own_history(cast)
    assert newest_read().reason == "circles.history.own"
    assert verify().ok


def test_the_reason_is_shown_in_each_reader_language(cast):
    member_reads_own_history(cast)
    event = newest_read()
    with translation.override("en"):
        assert event.reason_label == "Member viewing their own membership history"
    with translation.override("es"):
        assert event.reason_label == "El miembro consulta su propio historial de membresía"


def test_the_member_access_page_speaks_spanish_and_the_auditor_english(cast):
    member_reads_own_history(cast)
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                      time_zone="UTC", actor=cast.member)
    mine = signed_in_client(cast.member).get(reverse("audit:my-access")).content.decode()
    assert "El miembro consulta su propio historial de membresía" in mine
    trail = signed_in_client(cast.auditor).get(reverse("audit:trail")).content.decode()
    assert "Member viewing their own membership history" in trail
    assert "circles.history.own" not in trail


def test_an_event_from_before_codes_still_verifies_and_is_translated(cast):
    with transaction.atomic():
        audit.record("vault.revealed", actor=cast.facilitator, target=cast.membership,
                     subject=cast.member, circle=cast.circle,
                     reason="Facilitator exporting a member's record",
                     data={"field": "notes.ProgressNote.body", "records": 1})
    assert verify().ok
    with translation.override("es"):
        assert newest_read().reason_label == "Facilitador exportando el expediente de un miembro"


def test_a_typed_reason_is_shown_as_typed():
    assert reasons.label("Confirmed by phone with the member") == (
        "Confirmed by phone with the member")


def test_an_unknown_code_fails_where_it_is_written():
    with pytest.raises(ValueError, match="Unknown audit reason"):
        reasons.code("notes.read.everything")


def test_roles_are_shown_in_the_reader_language(cast):
    member_reads_own_history(cast)
    do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                      time_zone="UTC", actor=cast.member)
    mine = signed_in_client(cast.member).get(reverse("audit:my-access")).content.decode()
    assert "Fran <span class=\"muted\">(Facilitación)</span>" in mine
    with translation.override("es"):
        assert role_label("co") == "Persona cofacilitadora"
        assert role_label("guardian") == "Persona tutora"
    with translation.override("en"):
        assert role_label("co") == "Co-facilitator"


def test_a_reason_with_parameters_is_shown_in_each_language():
    stored = reasons.code("incidents.suspended", date="2026-12-10")
    assert stored == 'incidents.suspended {"date":"2026-12-10"}'
    with translation.override("en"):
        assert reasons.label(stored) == "Suspended until 2026-12-10 after a concern."
    with translation.override("es"):
        assert reasons.label(stored) == "Suspensión hasta el 2026-12-10 tras una inquietud."


def test_a_withdrawn_invitation_reads_in_the_facilitator_language(cast):
    invitation, _token = do_invite_member(cast.circle, email="ines@example.test",
                                          actor=cast.facilitator)
    do_revoke_invitation(invitation, actor=cast.facilitator)
    membership = Membership.objects.get(user__email="ines@example.test")
    do_update_profile(cast.facilitator, display_name="Fran", pronouns="", language="es",
                      time_zone="UTC", actor=cast.facilitator)
    page = signed_in_client(cast.facilitator).get(
        reverse("circles:membership", args=[membership.public_id])).content.decode()
    assert "Invitación retirada" in page
    assert "circles.invitation.withdrawn" not in page



@pytest.mark.parametrize("typed", ['incidents.suspended {"until": "soon"}',
                                   'incidents.suspended {"date": "2030-01-01"}',
                                   "incidents.revoked", " notes.progress.own "])
def test_a_typed_reason_cannot_pass_for_the_systems_words(cast, typed):
    """The member would read "Revoked after a concern." (or the page would fail) instead
    of what the facilitator wrote."""
    with pytest.raises(DomainError) as refused:
        do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                    reason=typed)
    assert refused.value.field == "reason"
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"


def test_a_stored_reason_whose_parameters_do_not_fit_is_shown_as_stored(cast):
    """Events already in the trail (or typed where no check applies) must not break the
    trail or a member's history for every reader."""
    stored = 'incidents.suspended {"until": "soon"}'
    with transaction.atomic():
        audit.record("vault.revealed", actor=cast.facilitator, target=cast.membership,
                     circle=cast.circle, subject=cast.member, reason=stored)
    assert reasons.label(stored) == stored
    trail = signed_in_client(cast.auditor)
    trail.raise_request_exception = False
    page = trail.get(reverse("audit:trail"))
    assert page.status_code == 200 and "soon" in page.content.decode()


def test_typed_reasons_for_resets_erasures_and_removals_cannot_pass_for_the_systems(cast):
    """The person reads these reasons in "who has seen my information", the auditor in the
    trail: "Member exporting their own record" must never stand for an admin's erasure."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from circlekeep.custody.actions import do_destroy_member_keys
    from circlekeep.orgs.actions import do_remove_staff_role, do_reset_two_factor
    from circlekeep.orgs.models import StaffRole

    typed = "notes.record.export.own"
    with pytest.raises(DomainError) as refused:
        do_reset_two_factor(cast.facilitator, actor=cast.admin, reason=typed)
    assert refused.value.field == "reason"
    assert TOTPDevice.objects.filter(user=cast.facilitator).exists()
    with pytest.raises(DomainError) as refused:
        do_destroy_member_keys(cast.member, organization=cast.org, actor=cast.admin,
                               reason=typed, confirmation="Mina")
    assert refused.value.field == "reason"
    assert not AuditEvent.objects.filter(event_type="vault.keys.destroyed").exists()
    role = StaffRole.objects.get(user=cast.auditor, organization=cast.org)
    with pytest.raises(DomainError) as refused:
        do_remove_staff_role(role, actor=cast.admin, reason=typed)
    assert refused.value.field == "reason"
    assert StaffRole.objects.filter(pk=role.pk).exists()
