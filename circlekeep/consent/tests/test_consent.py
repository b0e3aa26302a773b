"""Informed consent: documents per jurisdiction, consent given and withdrawn, minors."""

import json

import pytest
from django.test import Client

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.circles.actions import do_update_circle
from circlekeep.circles.models import Membership
from circlekeep.consent import actions
from circlekeep.consent.defaults import SECTION_KEYS
from circlekeep.consent.models import ConsentDocument, ConsentRecord
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.onboarding import progress as onboarding
from circlekeep.orgs.actions import do_change_org_policies
from circlekeep.orgs.models import Organization
from circlekeep.testing import (
    assert_events,
    audit_mark,
    just_signed_in,
    link_guardian,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def in_force(org):
    return Organization.objects.get(pk=org.pk).consent_document


def fresh(membership):
    return Membership.objects.select_related("circle__organization", "user").get(
        pk=membership.pk)


def document_fields(document, **changes):
    fields = {
        "title": document.title,
        "sections": {s["key"]: {"title": s["title"], "text": s["text"]}
                     for s in document.sections},
        "reporting_categories": list(document.reporting_categories),
        "guardian_sharing": document.guardian_sharing,
    }
    fields.update(changes)
    return fields


def test_defaults_ship_for_california_and_spain_with_their_reporting_duties(cast):
    california, spain = in_force(cast.org), in_force(cast.other_org)
    assert (california.jurisdiction, spain.jurisdiction) == ("US-CA", "ES-MD")
    for document in (california, spain):
        assert [s["key"] for s in document.sections] == list(SECTION_KEYS)
        assert len(document.reporting_categories) == 5
        assert document.guardian_sharing
    text = california.text
    for phrase in ("What this service is", "who sees it", "How long it is kept",
                   "The limits of confidentiality", "Imminent danger", "abuse or neglect of a "
                   "child", "elder or a dependent adult", "order from a court",
                   "withdraw this consent", "Minors and their guardians"):
        assert phrase in text, phrase
    assert "RGPD" in spain.text and "menor" in spain.text


def test_consent_records_the_exact_version_and_withdrawal_stops_participation(cast):
    record = ConsentRecord.objects.get(subject=cast.member)
    assert (record.document, record.role, record.text_sha256) == (
        in_force(cast.org), "self", in_force(cast.org).sha256)
    mark = audit_mark()
    with pytest.raises(ActionForbidden):
        actions.do_withdraw_consent(record, actor=cast.facilitator)
    actions.do_withdraw_consent(record, actor=cast.member)
    assert_events(mark, [("consent.withdrawn", cast.member, cast.member)])
    assert not onboarding.is_cleared(fresh(cast.membership))
    with pytest.raises(DomainError, match="already withdrawn"):
        actions.do_withdraw_consent(ConsentRecord.objects.get(pk=record.pk), actor=cast.member)
    # The history keeps both times; the member still reads their own record.
    page = signed_in_client(cast.member).get("/consent/").content.decode()
    assert "Read and consent" in page


def test_a_new_version_asks_for_consent_again(cast):
    old = in_force(cast.org)
    mark = audit_mark()
    new = actions.do_publish_consent_document(
        cast.org, actor=cast.admin, **document_fields(
            old, reporting_categories=[*old.reporting_categories, "A subpoena"]))
    assert_events(mark, [("consent.document.published", cast.admin, None)])
    assert (new.version, in_force(cast.org)) == (2, new)
    assert "- A subpoena" in new.text
    assert not onboarding.is_cleared(fresh(cast.membership))
    with pytest.raises(DomainError, match="has been replaced"):
        actions.do_give_consent(old, typed_name="Mina Tester", actor=cast.member)
    actions.do_give_consent(new, typed_name="Mina Tester", actor=cast.member)
    assert onboarding.is_cleared(fresh(cast.membership))


def test_publishing_checks_the_document(cast):
    old = in_force(cast.org)
    mark = audit_mark()
    with pytest.raises(DomainError, match="Nothing has changed"):
        actions.do_publish_consent_document(cast.org, actor=cast.admin, **document_fields(old))
    with pytest.raises(DomainError, match="List the situations"):
        actions.do_publish_consent_document(
            cast.org, actor=cast.admin, **document_fields(old, reporting_categories=[" "]))
    with pytest.raises(ActionForbidden):
        actions.do_publish_consent_document(
            cast.org, actor=cast.facilitator, **document_fields(old, title="Mine"))
    assert ConsentDocument.objects.filter(organization=cast.org).count() == 1
    assert_events(mark, [])


def test_a_typed_name_must_be_the_accounts_full_name(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    mark = audit_mark()
    with pytest.raises(DomainError, match="not the full name"):
        actions.do_give_consent(in_force(cast.org), typed_name="Someone Else", actor=nia.user)
    assert not ConsentRecord.objects.filter(subject=nia.user).exists()
    assert_events(mark, [])


def test_changing_jurisdiction_puts_that_jurisdictions_document_in_force(cast):
    mark = audit_mark()
    do_change_org_policies(cast.org, name=cast.org.name, country="ES", region="",
                           require_member_2fa=False, actor=cast.admin)
    document = in_force(cast.org)
    assert (document.jurisdiction, document.version) == ("ES", 1)
    assert_events(mark, [("org.policies.changed", cast.admin, None),
                         ("consent.document.published", cast.admin, None)])
    do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                           require_member_2fa=False, actor=cast.admin)
    assert in_force(cast.org).jurisdiction == "US-CA"


@pytest.fixture
def minor(cast):
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=10, allows_minors=True,
                     actor=cast.facilitator)
    return make_member(cast.circle, "kid@example.test", name="Kit", actor=cast.facilitator,
                       is_minor=True, status="onboarding")


def test_a_minor_needs_a_guardian_before_giving_assent(cast, minor):
    mark = audit_mark()
    with pytest.raises(DomainError, match="needs a guardian"):
        actions.do_give_consent(in_force(cast.org), typed_name="Kit Tester", actor=minor.user)
    assert not ConsentRecord.objects.filter(subject=minor.user).exists()
    assert_events(mark, [])


def test_a_guardian_consents_only_for_their_own_ward(cast, minor):
    guardian = link_guardian(minor, "gail@example.test", actor=cast.facilitator)
    stranger = make_member(cast.circle, "sam@example.test", name="Sam",
                           actor=cast.facilitator)
    mark = audit_mark()
    with pytest.raises(DomainError, match="whose guardian you are"):
        actions.do_give_consent(in_force(cast.org), typed_name="Sam Tester",
                                actor=stranger.user, ward=minor.user)
    with pytest.raises(DomainError, match="whose guardian you are"):
        actions.do_give_consent(in_force(cast.org), typed_name="Gail Guardian",
                                actor=guardian, ward=cast.member)
    assert_events(mark, [])
    assert not ConsentRecord.objects.filter(subject=minor.user).exists()


def test_a_minor_takes_part_with_the_guardians_consent_and_their_own_assent(cast, minor):
    guardian = link_guardian(minor, "gail@example.test", actor=cast.facilitator)
    document = in_force(cast.org)
    mark = audit_mark()
    actions.do_give_consent(document, typed_name="Gail Guardian", actor=guardian,
                            ward=minor.user)
    step = next(s for s in onboarding.progress(fresh(minor)).steps if s.key == "consent")
    assert not step.done and "give your own assent" in step.note
    actions.do_give_consent(document, typed_name="Kit Tester", actor=minor.user)
    assert_events(mark, [("consent.given", guardian, minor.user),
                         ("consent.given", minor.user, minor.user)])
    roles = set(ConsentRecord.objects.filter(subject=minor.user).values_list("role",
                                                                           flat=True))
    assert roles == {"guardian", "assent"}
    step = next(s for s in onboarding.progress(fresh(minor)).steps if s.key == "consent")
    assert step.done
    # The guardian's page shows the document, including what they may be told.
    page = signed_in_client(guardian).get(
        f"/consent/documents/{document.public_id}/").content.decode()
    assert "Minors and their guardians" in page and "attendance" in page


def test_consent_api_gives_lists_and_withdraws(cast):
    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
                                         proof=just_signed_in(cast.member))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    listing = client.get("/api/v1/consent").json()
    assert [row["document"]["jurisdiction"] for row in listing] == ["US-CA"]
    record = client.get("/api/v1/consent/records").json()[0]
    response = client.post(f"/api/v1/consent-records/{record['id']}/withdraw")
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    document = listing[0]["document"]["id"]
    response = client.post(f"/api/v1/consent-documents/{document}/consents",
                           data=json.dumps({"typed_name": "Mina Tester"}),
                           content_type="application/json")
    assert response.status_code == 201
    # Another organization's member cannot touch Mina's records.
    _token, other = do_create_api_token(cast.other_admin, name="t", days=1,
                                        actor=cast.other_admin,
                                        proof=just_signed_in(cast.other_admin))
    stranger = Client(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert stranger.post(f"/api/v1/consent-records/{record['id']}/withdraw").status_code == 404
    assert stranger.get(f"/api/v1/consent-documents/{document}").status_code == 404
