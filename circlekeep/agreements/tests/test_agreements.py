"""The circle's agreement: co-writing, versions, signatures bound to the text, reviews."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.agreements import actions
from circlekeep.agreements.agenda import agenda_items, review_due
from circlekeep.agreements.models import Agreement, AgreementVersion, Proposal, Signature
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.onboarding import progress as onboarding
from circlekeep.testing import (
    assert_events,
    audit_mark,
    just_signed_in,
    make_circle,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def agreement_of(circle):
    return Agreement.objects.select_related("circle", "circle__organization",
                                            "current_version").get(circle=circle)


def api_client(user):
    _token, secret = do_create_api_token(user, name="t", days=1, actor=user,
                                         proof=just_signed_in(user))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_new_circle_starts_from_the_template_with_every_ground_rule(cast):
    version = agreement_of(cast.circle).current_version
    text = version.text
    for phrase in ("stays in the circle", "anyone else's name", "without interrupting",
                   "no judgment", "\"I\" statements", "Relationships outside the circle",
                   "No recording, no screenshots", "public Wi-Fi", "Limits of confidentiality",
                   "Reminder:", "Private conversation:", "Written warning:", "Suspension:",
                   "Revocation of membership:"):
        assert phrase in text, phrase
    assert version.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert version.ladder_steps == ["reminder", "private_conversation", "written_warning",
                                    "suspension", "revocation"]


def test_members_co_write_and_the_facilitator_adopts_into_a_new_version(cast):
    agreement = agreement_of(cast.circle)
    old = agreement.current_version
    mark = audit_mark()
    proposal = actions.do_propose_change(
        agreement, kind="change", clause_key="c3", title="Listening",
        text="We listen without interrupting and without phones.", reason="Phones distract",
        actor=cast.member)
    actions.do_comment_on_proposal(proposal, text="I agree", actor=cast.member)
    version = actions.do_adopt_proposal(proposal, reason="The circle agreed",
                                        actor=cast.facilitator)
    assert_events(mark, [
        ("agreement.proposal.created", cast.member, None),
        ("agreement.proposal.commented", cast.member, None),
        ("agreement.version.created", cast.facilitator, None),
        ("agreement.proposal.adopted", cast.facilitator, None),
    ])
    agreement.refresh_from_db()
    assert (version.number, agreement.current_version) == (2, version)
    assert "without phones" in version.text and "without phones" not in old.text
    assert AgreementVersion.objects.get(pk=old.pk).text == old.text  # still readable
    # The circle sees the decision and its reason.
    page = signed_in_client(cast.member).get(
        f"/agreements/proposals/{proposal.public_id}/").content.decode()
    assert "The circle agreed" in page and "Adopted" in page
    # A diff between the two versions marks what changed.
    diff = signed_in_client(cast.member).get(
        f"/agreements/versions/{version.public_id}/?against={old.public_id}").content.decode()
    assert "<ins>" in diff and "without phones" in diff and "<del>" in diff
    # Every member must sign again.
    membership = Membership.objects.select_related("circle__organization", "user").get(
        pk=cast.membership.pk)
    assert not onboarding.progress(membership).signed_current


def test_adding_and_removing_clauses(cast):
    agreement = agreement_of(cast.circle)
    add = actions.do_propose_change(agreement, kind="add", title="Arriving late",
                                    text="Come in quietly.", reason="It happens",
                                    actor=cast.member)
    v2 = actions.do_adopt_proposal(add, reason="Yes", actor=cast.facilitator)
    assert v2.clauses[-1] == {"key": "c9", "title": "Arriving late", "text": "Come in quietly."}
    agreement.refresh_from_db()
    remove = actions.do_propose_change(agreement, kind="remove", clause_key="c9",
                                       reason="Not needed after all", actor=cast.member)
    v3 = actions.do_adopt_proposal(remove, reason="Fine", actor=cast.facilitator)
    assert [c["key"] for c in v3.clauses] == [f"c{n}" for n in range(1, 9)]


def test_a_declined_proposal_tells_the_circle_why_and_changes_nothing(cast):
    agreement = agreement_of(cast.circle)
    proposal = actions.do_propose_change(agreement, kind="remove", clause_key="c1",
                                         reason="Too strict", actor=cast.member)
    mark = audit_mark()
    with pytest.raises(DomainError, match="your reason"):
        actions.do_decline_proposal(proposal, reason=" ", actor=cast.facilitator)
    actions.do_decline_proposal(proposal, reason="This is the heart of the circle.",
                                actor=cast.facilitator)
    assert_events(mark, [("agreement.proposal.declined", cast.facilitator, None)])
    agreement.refresh_from_db()
    assert agreement.current_version.number == 1
    with pytest.raises(DomainError, match="already decided"):
        actions.do_adopt_proposal(proposal, reason="Changed my mind", actor=cast.facilitator)
    with pytest.raises(DomainError, match="comments are closed"):
        actions.do_comment_on_proposal(proposal, text="Late", actor=cast.member)


def test_proposals_are_checked_and_bad_ones_change_nothing(cast):
    agreement = agreement_of(cast.circle)
    cases = [
        ({"kind": "rewrite"}, "add, change or remove"),
        ({"kind": "change", "clause_key": "c99", "title": "X", "text": "Y"}, "Choose the clause"),
        ({"kind": "add", "title": "", "text": "Y"}, "title and its text"),
        ({"kind": "change", "clause_key": "c1", "title": agreement.current_version.clauses[0][
            "title"], "text": agreement.current_version.clauses[0]["text"]}, "same as"),
        ({"kind": "remove", "clause_key": "c1"}, "Say why"),
    ]
    mark = audit_mark()
    for fields, message in cases:
        fields = {"reason": "Because", **fields}
        if message == "Say why":
            fields["reason"] = ""
        with pytest.raises(DomainError, match=message):
            actions.do_propose_change(agreement, actor=cast.member, **fields)
    assert not Proposal.objects.exists()
    assert_events(mark, [])


def test_nobody_proposes_on_another_circles_agreement(cast):
    other = agreement_of(cast.other_circle)
    for outsider in (cast.member, cast.auditor, cast.other_admin):
        with pytest.raises(ActionForbidden):
            actions.do_propose_change(other, kind="remove", clause_key="c1", reason="x",
                                      actor=outsider)
    response = api_client(cast.member).post(
        f"/api/v1/circles/{cast.other_circle.public_id}/agreement/proposals",
        data=json.dumps({"kind": "remove", "clause_key": "c1", "reason": "x"}),
        content_type="application/json")
    assert response.status_code == 404
    assert not Proposal.objects.exists()


def test_a_member_still_onboarding_reads_but_does_not_propose(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    with pytest.raises(ActionForbidden, match="Only active members"):
        actions.do_propose_change(agreement_of(cast.circle), kind="remove", clause_key="c1",
                                  reason="x", actor=nia.user)
    page = signed_in_client(nia.user).get(f"/agreements/circles/{cast.circle.public_id}/")
    assert page.status_code == 200 and "Type your full name to sign" in page.content.decode()


def test_a_signature_binds_the_exact_text_the_typed_name_and_the_time(cast):
    signature = Signature.objects.get(membership=cast.membership)
    version = signature.version
    assert signature.text_sha256 == version.sha256
    assert signature.typed_name == "Mina Tester"
    assert abs(signature.signed_at - timezone.now()) < timedelta(minutes=5)


def test_signing_bad_input_is_refused_and_changes_nothing(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    agreement = agreement_of(cast.circle)
    v1 = agreement.current_version
    mark = audit_mark()
    with pytest.raises(DomainError, match="not the full name on your account"):
        actions.do_sign_agreement(v1, typed_name="Mina Tester", actor=nia.user)
    with pytest.raises(ActionForbidden, match="Only members of this circle"):
        actions.do_sign_agreement(v1, typed_name="Otto Tester", actor=cast.other_member)
    with pytest.raises(DomainError, match="already signed version 1"):
        actions.do_sign_agreement(v1, typed_name="Mina Tester", actor=cast.member)
    assert_events(mark, [])
    proposal = actions.do_propose_change(agreement, kind="add", title="T", text="Text.",
                                         reason="r", actor=cast.member)
    actions.do_adopt_proposal(proposal, reason="ok", actor=cast.facilitator)
    mark = audit_mark()
    with pytest.raises(DomainError, match="Version 1 has been replaced by version 2"):
        actions.do_sign_agreement(v1, typed_name="Nia Tester", actor=nia.user)
    assert not Signature.objects.filter(membership=nia).exists()
    assert_events(mark, [])


def test_a_member_without_a_full_name_is_told_to_add_one(cast):
    from circlekeep.accounts.actions import do_update_profile

    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    do_update_profile(nia.user, display_name="Nia", pronouns="", language="en",
                      time_zone="UTC", full_name="", actor=nia.user)
    with pytest.raises(DomainError, match="Add your full name"):
        actions.do_sign_agreement(agreement_of(cast.circle).current_version,
                                  typed_name="Nia", actor=nia.user)


def test_the_signed_pdf_checks_out_and_a_changed_one_does_not(cast):
    signature = Signature.objects.get(membership=cast.membership)
    client = signed_in_client(cast.member)
    response = client.get(f"/agreements/signatures/{signature.public_id}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data == client.get(f"/agreements/signatures/{signature.public_id}/pdf/").content
    check = f"/agreements/circles/{cast.circle.public_id}/check/"
    # Anyone in the circle checks it: here the facilitator.
    page = signed_in_client(cast.facilitator).post(check, {"document": SimpleUploadedFile(
        "a.pdf", data, content_type="application/pdf")}).content.decode()
    assert "It matches version 1 exactly" in page
    middle = len(data) // 2
    tampered = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1:]
    page = client.post(check, {"document": SimpleUploadedFile("a.pdf", tampered)})
    assert "has been changed" in page.content.decode()
    # The same PDF is not a copy of another circle's agreement.
    other = signed_in_client(cast.other_member).post(
        f"/agreements/circles/{cast.other_circle.public_id}/check/",
        {"document": SimpleUploadedFile("a.pdf", data)}).content.decode()
    assert "not a signed copy of this circle" in other
    # Other members never download Mina's signature.
    assert signed_in_client(cast.other_member).get(
        f"/agreements/signatures/{signature.public_id}/pdf/").status_code == 404


def test_pasted_text_is_checked_against_every_versions_hash(cast):
    agreement = agreement_of(cast.circle)
    text = agreement.current_version.text
    client = api_client(cast.member)
    url = f"/api/v1/circles/{cast.circle.public_id}/agreement/check"
    windows = text.replace("\n", "\r\n") + "\r\n\r\n"
    body = client.post(url, data=json.dumps({"text": windows}),
                       content_type="application/json").json()
    assert body == {"matches": True, "sha256": agreement.current_version.sha256,
                    "version": 1, "in_force": True}
    body = client.post(url, data=json.dumps({"text": text.replace("stays", "goes")}),
                       content_type="application/json").json()
    assert body["matches"] is False and body["version"] is None


def test_a_review_is_due_after_the_cadence_and_goes_on_the_agenda(cast):
    agreement = agreement_of(cast.circle)
    assert agreement.review_every_days == 7
    assert not review_due(agreement)
    later = timezone.now() + timedelta(days=8)
    assert [i.kind for i in agenda_items(agreement, now=later)] == ["agreement_review"]
    mark = audit_mark()
    actions.do_set_review_cadence(agreement, days=14, actor=cast.facilitator)
    assert not review_due(agreement, now=later)
    with pytest.raises(DomainError, match="1 to 365"):
        actions.do_set_review_cadence(agreement, days=0, actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_record_review(agreement, actor=cast.member)
    Agreement.objects.filter(pk=agreement.pk).update(
        last_reviewed_at=timezone.now() - timedelta(days=15))
    agreement.refresh_from_db()
    assert review_due(agreement)
    page = signed_in_client(cast.member).get(
        f"/agreements/circles/{cast.circle.public_id}/").content.decode()
    assert "due for review" in page
    assert "due for review" in signed_in_client(cast.member).get("/").content.decode()
    actions.do_record_review(agreement, actor=cast.facilitator)
    assert not review_due(agreement)
    assert_events(mark, [("agreement.cadence.changed", cast.facilitator, None),
                         ("agreement.reviewed", cast.facilitator, None)])


def test_a_new_version_asks_the_circle_to_recommit_at_the_next_meeting(cast):
    agreement = agreement_of(cast.circle)
    proposal = actions.do_propose_change(agreement, kind="add", title="T", text="Text.",
                                         reason="r", actor=cast.member)
    actions.do_adopt_proposal(proposal, reason="ok", actor=cast.facilitator)
    agreement.refresh_from_db()
    assert [i.kind for i in agenda_items(agreement)] == ["recommit"]


def test_admins_edit_the_template_that_new_circles_start_from(cast):
    mark = audit_mark()
    with pytest.raises(DomainError, match="must escalate"):
        actions.do_update_template(cast.org, clauses=[{"title": "A", "text": "B"}],
                                   ladder=[{"step": "revocation", "text": "Out"},
                                           {"step": "reminder", "text": "Remind"}],
                                   actor=cast.admin)
    with pytest.raises(ActionForbidden):
        actions.do_update_template(cast.org, clauses=[{"title": "A", "text": "B"}],
                                   ladder=[{"step": "reminder", "text": "R"}],
                                   actor=cast.facilitator)
    actions.do_update_template(cast.org, clauses=[{"title": "Only rule", "text": "Be kind."}],
                               ladder=[{"step": "reminder", "text": "A word."},
                                       {"step": "revocation", "text": "Leave."}],
                               actor=cast.admin)
    assert_events(mark, [("agreement.template.changed", cast.admin, None)])
    circle = make_circle(cast.org, "Friday", lead=cast.facilitator)
    version = agreement_of(circle).current_version
    assert [c["title"] for c in version.clauses] == ["Only rule"]
    assert version.ladder_steps == ["reminder", "revocation"]
    # Existing circles keep their own agreement.
    assert agreement_of(cast.circle).current_version.number == 1
    assert len(agreement_of(cast.circle).current_version.clauses) == 8


def test_the_template_page_parses_clauses_and_the_ladder(cast):
    client = signed_in_client(cast.admin)
    url = f"/agreements/templates/{cast.org.public_id}/"
    assert "## What is said here stays here" in client.get(url).content.decode()
    response = client.post(url, {"clauses": "## One\nFirst.\n\n## Two\nSecond.",
                                 "ladder_reminder": "Remind.", "ladder_revocation": "Out."})
    assert response.status_code == 302
    template = cast.org.__class__.objects.get(pk=cast.org.pk).agreement_template
    assert template.clauses == [{"title": "One", "text": "First."},
                                {"title": "Two", "text": "Second."}]
    assert [e["step"] for e in template.ladder] == ["reminder", "revocation"]


def test_spanish_organizations_start_in_spanish(cast):
    circle = make_circle(cast.other_org, "Círculo", lead=cast.other_admin)
    text = agreement_of(circle).current_version.text
    assert text.startswith("Acuerdo del círculo, versión 1")
    assert "Lo que se dice aquí, se queda aquí" in text


def test_the_facilitator_proposes_adopts_and_sees_who_has_signed_through_the_pages(cast):
    client = signed_in_client(cast.member)
    url = f"/agreements/circles/{cast.circle.public_id}/propose/"
    response = client.post(url, {"kind": "add", "title": "Tea", "text": "We share tea.",
                                 "reason": "Warmth"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    staff = signed_in_client(cast.facilitator)
    staff.post(f"/agreements/proposals/{proposal.public_id}/decide/",
               {"decision": "adopt", "reason": "Lovely"})
    page = staff.get(f"/agreements/circles/{cast.circle.public_id}/").content.decode()
    assert "Version 2" in page and "not signed yet" in page
    mine = client.get(f"/agreements/circles/{cast.circle.public_id}/").content.decode()
    assert "sign it again" in mine
    current = Agreement.objects.get(circle=cast.circle).current_version
    client.post(f"/agreements/versions/{current.public_id}/sign/", {"typed_name": "Mina Tester"})
    assert Signature.objects.filter(membership=cast.membership, version__number=2).exists()


def test_adopting_tells_the_facilitator_how_many_must_sign_again_first(cast):
    agreement = agreement_of(cast.circle)
    proposal = actions.do_propose_change(agreement, kind="add", title="Tea", text="We share tea.",
                                         reason="Warmth", actor=cast.member)
    page = signed_in_client(cast.facilitator).get(
        f"/agreements/proposals/{proposal.public_id}/").content.decode()
    decide = page[page.index('id="decide"'):]
    # Mina is the circle's one member; the notice comes before the decision is recorded.
    assert "1 member will need to sign it again before taking part in the next meeting" \
        in decide
    assert decide.index("will need to sign it again") < decide.index("Record decision")
    member_page = signed_in_client(cast.member).get(
        f"/agreements/proposals/{proposal.public_id}/").content.decode()
    assert "will need to sign it again" not in member_page


def test_the_hash_is_behind_details_for_members(cast):
    page = signed_in_client(cast.member).get(
        f"/agreements/circles/{cast.circle.public_id}/").content.decode()
    version = agreement_of(cast.circle).current_version
    details = page[page.index("<details"):page.index("</details>")]
    assert "<summary>Details</summary>" in details and version.sha256 in details
    assert page.count(version.sha256) == 1
