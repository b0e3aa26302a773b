"""Authorizations, releases under them, disclosures under a legal duty, the accounting."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from circlekeep.disclosures import actions
from circlekeep.disclosures.models import Authorization, Disclosure
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.testing import assert_events, audit_mark, make_member, signed_in_client

pytestmark = pytest.mark.django_db


def in_a_year():
    return timezone.localdate() + timedelta(days=365)


def authorize(cast, **changes):
    fields = {"recipient": "Dr. Lee, St. Mary's Clinic", "information": ["attendance"],
              "purpose": "Coordinating my care", "expires_on": in_a_year(),
              "typed_name": "Mina Tester"}
    fields.update(changes)
    return actions.do_sign_authorization(cast.membership, actor=cast.member, **fields)


def test_a_member_signs_and_revokes_and_nothing_is_released_after(cast):
    mark = audit_mark()
    authorization = authorize(cast)
    actions.do_record_disclosure(authorization, information=["attendance"],
                                 summary="Attended 4 of 5 meetings", actor=cast.facilitator)
    actions.do_revoke_authorization(authorization, actor=cast.member)
    assert_events(mark, [
        ("disclosure.authorization.signed", cast.member, cast.member),
        ("disclosure.recorded", cast.facilitator, cast.member),
        ("disclosure.authorization.revoked", cast.member, cast.member)])
    mark = audit_mark()
    with pytest.raises(DomainError, match="revoked this authorization"):
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="Again", actor=cast.facilitator)
    assert Disclosure.objects.count() == 1
    assert_events(mark, [])


def test_a_release_outside_the_scope_or_after_expiry_is_refused(cast):
    authorization = authorize(cast)
    with pytest.raises(DomainError, match="does not cover: Progress notes"):
        actions.do_record_disclosure(authorization, information=["progress_notes"],
                                     summary="Notes", actor=cast.facilitator)
    Authorization.objects.filter(pk=authorization.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1))
    authorization.refresh_from_db()
    with pytest.raises(DomainError, match="expired on"):
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="Late", actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="x", actor=cast.other_facilitator)
    assert not Disclosure.objects.exists()


def test_signing_an_authorization_checks_every_part(cast):
    mark = audit_mark()
    for changes, message in (
            ({"recipient": " "}, "who receives"),
            ({"information": ["diagnosis"]}, "what information"),
            ({"purpose": ""}, "what the information is for"),
            ({"expires_on": timezone.localdate()}, "expiry date in the future"),
            ({"typed_name": "Someone"}, "not the full name")):
        with pytest.raises(DomainError, match=message):
            authorize(cast, **changes)
    with pytest.raises(ActionForbidden):
        actions.do_sign_authorization(cast.membership, actor=cast.facilitator,
                                      recipient="x", information=["attendance"],
                                      purpose="x", expires_on=in_a_year(), typed_name="Fran")
    assert not Authorization.objects.exists()
    assert_events(mark, [])


def test_a_legal_disclosure_needs_a_basis_confirmation_and_no_other_member(
        cast, django_capture_on_commit_callbacks):
    pat = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    fields = {"basis": "danger", "recipient": "County crisis team",
              "information": ["safety"], "summary": "Stated a plan to harm himself tonight.",
              "reason": "Imminent risk; duty to protect.", "confirmed": True}
    mark = audit_mark()
    for changes, message in (({"basis": ""}, "legal basis"),
                             ({"basis": "other_law"}, "Name the law"),
                             ({"confirmed": False}, "Confirm that the law requires"),
                             ({"summary": "Mina told Pat about it."}, "another member")):
        with pytest.raises(DomainError, match=message):
            actions.do_record_legal_disclosure(pat, actor=cast.facilitator,
                                               **{**fields, **changes})
    assert_events(mark, [])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        disclosure = actions.do_record_legal_disclosure(pat, actor=cast.facilitator, **fields)
    assert_events(mark, [("disclosure.legal.recorded", cast.facilitator, pat.user)])
    assert [m.to for m in mail.outbox] == [[cast.admin.email]]
    assert "Pat" not in mail.outbox[0].body and "harm" not in mail.outbox[0].body
    assert "harm" not in disclosure.summary.envelope
    accounting = signed_in_client(pat.user).get("/disclosures/").content.decode()
    assert "County crisis team" in accounting and "Imminent danger" in accounting


def test_the_accounting_covers_six_years_and_honours_a_legal_suspension(cast):
    authorization = authorize(cast, information=["attendance", "participation"])
    recent = actions.do_record_disclosure(authorization, information=["participation"],
                                          summary="Engaged and steady",
                                          actor=cast.facilitator)
    old = actions.do_record_disclosure(authorization, information=["attendance"],
                                       summary="Old release", actor=cast.facilitator)
    Disclosure.objects.filter(pk=old.pk).update(
        disclosed_at=timezone.now() - timedelta(days=365 * 7))
    assert list(actions.accounting_for(cast.member)) == [recent]
    mark = audit_mark()
    with pytest.raises(DomainError, match="legal reason"):
        actions.do_suspend_accounting(recent, legal_reason=" ",
                                      ends_on=in_a_year(), actor=cast.facilitator)
    actions.do_suspend_accounting(recent, legal_reason="Police request under 45 CFR "
                                  "164.528(a)(2)", ends_on=in_a_year(), actor=cast.facilitator)
    assert_events(mark, [("disclosure.accounting.suspended", cast.facilitator, cast.member)])
    assert list(actions.accounting_for(cast.member)) == []
    assert list(actions.accounting_for(cast.member, today=in_a_year())) == [recent]


def test_other_members_never_see_an_authorization_or_a_disclosure(cast):
    authorization = authorize(cast)
    pat = make_member(cast.circle, "pat@example.test", name="Pat", actor=cast.facilitator)
    client = signed_in_client(pat.user)
    assert client.get(f"/disclosures/memberships/{cast.membership.public_id}/").status_code \
        == 404
    assert client.post(f"/disclosures/authorizations/{authorization.public_id}/revoke/") \
        .status_code == 404
    assert "St. Mary" not in client.get("/disclosures/").content.decode()


def test_a_release_summary_naming_another_member_is_refused_with_the_notes_preview(cast):
    authorization = authorize(cast)
    pat = make_member(cast.circle, "priya@example.test", name="Priya", actor=cast.facilitator,
                      full_name="Priya Raman")
    make_member(cast.circle, "faith@example.test", name="Faith", actor=cast.facilitator,
                full_name="Faith Odhiambo")
    mark = audit_mark()
    with pytest.raises(DomainError, match="names or contacts another member"):
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="Priya drove her home twice.",
                                     actor=cast.facilitator)
    with pytest.raises(DomainError, match="may name another member"):
        actions.do_record_disclosure(authorization, information=["attendance"],
                                     summary="Faith is what keeps her going.",
                                     actor=cast.facilitator)
    assert_events(mark, [])
    assert not Disclosure.objects.exists()
    fran = signed_in_client(cast.facilitator)
    response = fran.post(f"/disclosures/authorizations/{authorization.public_id}/disclose/",
                         {"information": ["attendance"],
                          "summary": "Attended; Priya drove her home twice."})
    page = response.content.decode()
    assert response.status_code == 200 and "<del>Priya</del>" in page
    assert 'data-testid="summary-preview"' in page and not Disclosure.objects.exists()
    # A flagged word confirmed as not a member: the release is recorded, and so is the
    # confirmation.
    fran.post(f"/disclosures/authorizations/{authorization.public_id}/disclose/",
              {"information": ["attendance"], "summary": "Faith is what keeps her going.",
               "keep_flag": "0-5"})
    assert_events(mark, [("disclosure.recorded", cast.facilitator, cast.member)])
    from circlekeep.audit.models import AuditEvent

    assert AuditEvent.objects.get(event_type="disclosure.recorded").data[
        "flags_confirmed"] == 1
    assert pat.user.display_name == "Priya"


def test_a_legal_summary_shows_the_same_preview_when_refused(cast):
    pat = make_member(cast.circle, "pat@example.test", name="Dana", actor=cast.facilitator,
                      full_name="Dana Whitfield")
    response = signed_in_client(cast.facilitator).post(
        f"/disclosures/memberships/{cast.membership.public_id}/legal/",
        {"basis": "danger", "recipient": "Crisis team", "information": ["safety"],
         "summary": "Threatened Whitfield.", "reason": "Risk", "confirmed": "on"})
    page = response.content.decode()
    assert "<del>Whitfield</del>" in page and "names or contacts another member" in page
    assert not Disclosure.objects.exists() and pat.user.display_name == "Dana"
