"""Onboarding: the checklist, the private questions, relationship screening, and the gate."""

import json

import pytest
from django.urls import reverse

from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change, do_sign_agreement
from circlekeep.circles.actions import do_change_membership_status, do_update_circle
from circlekeep.circles.models import (
    Membership,
    OnboardingMessage,
    RelationshipDeclaration,
    RelationshipScreening,
)
from circlekeep.consent.actions import do_give_consent, do_withdraw_consent
from circlekeep.consent.models import ConsentRecord
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.onboarding import progress as onboarding
from circlekeep.onboarding.actions import (
    do_accept_online_rules,
    do_answer_question,
    do_ask_question,
    do_decide_screening,
    do_declare_relationships,
    do_read_orientation,
    do_settle_questions,
)
from circlekeep.orgs.models import Organization
from circlekeep.testing import (
    assert_events,
    audit_mark,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def joining(cast, email="nia@example.test", name="Nia", circle=None):
    return make_member(circle or cast.circle, email, name=name, actor=cast.facilitator,
                       status="onboarding")


def token_client(user):
    from django.test import Client

    from circlekeep.accounts.actions import do_create_api_token
    from circlekeep.testing import just_signed_in

    _token, secret = do_create_api_token(user, name="t", days=1, actor=user,
                                         proof=just_signed_in(user))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def keys(membership):
    return [step.key for step in onboarding.progress(membership).remaining]


def test_a_new_member_does_every_step_in_order_and_the_last_one_activates(cast):
    nia = joining(cast)
    user = nia.user
    assert keys(nia) == ["orientation", "questions", "consent", "agreement", "online_rules",
                         "relationships"]
    document = Organization.objects.get(pk=cast.org.pk).consent_document
    version = cast.circle.agreement.current_version
    mark = audit_mark()
    do_read_orientation(nia, actor=user)
    do_ask_question(nia, text="Will my employer find out I attend?", actor=user)
    do_answer_question(nia, text="No. Attendance stays in the circle.", actor=cast.facilitator)
    do_settle_questions(nia, actor=user)
    do_give_consent(document, typed_name="nia  tester", actor=user)
    do_sign_agreement(version, typed_name="Nia Tester", actor=user)
    do_accept_online_rules(nia, actor=user)
    assert Membership.objects.get(pk=nia.pk).status == "onboarding"
    do_declare_relationships(nia, declarations=[], actor=user)
    assert_events(mark, [
        ("circle.onboarding.orientation_read", user, user),
        ("circle.onboarding.question_asked", user, user),
        ("circle.onboarding.question_answered", cast.facilitator, user),
        ("circle.onboarding.questions_settled", user, user),
        ("consent.given", user, user),
        ("agreement.signed", user, user),
        ("circle.onboarding.online_rules_accepted", user, user),
        ("circle.onboarding.relationships_declared", user, user),
        ("circle.member.status.changed", user, user),
    ])
    nia.refresh_from_db()
    assert nia.status == "active"
    assert onboarding.is_cleared(nia)


def test_in_person_circles_have_no_online_rules_step(cast):
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode="in_person", capacity=10, allows_minors=False, actor=cast.facilitator)
    nia = joining(cast)
    assert "online_rules" not in keys(nia)
    with pytest.raises(DomainError, match="meets in person"):
        do_accept_online_rules(nia, actor=nia.user)


def test_staff_cannot_activate_a_member_who_has_not_finished(cast):
    nia = joining(cast)
    do_read_orientation(nia, actor=nia.user)
    mark = audit_mark()
    with pytest.raises(DomainError, match=r"not finished onboarding\. Still to do: Ask their"):
        do_change_membership_status(nia, "active", actor=cast.facilitator)
    assert Membership.objects.get(pk=nia.pk).status == "onboarding"
    assert_events(mark, [])


def test_only_the_member_takes_their_steps(cast):
    nia = joining(cast)
    for step in (do_read_orientation, do_settle_questions, do_accept_online_rules):
        with pytest.raises(ActionForbidden):
            step(nia, actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        do_declare_relationships(nia, declarations=[], actor=cast.member)
    with pytest.raises(ActionForbidden):
        do_answer_question(nia, text="Hello", actor=cast.other_facilitator)


def test_questions_must_be_answered_before_the_member_moves_on(cast):
    nia = joining(cast)
    with pytest.raises(DomainError, match="has not asked anything"):
        do_answer_question(nia, text="Hello", actor=cast.facilitator)
    with pytest.raises(DomainError, match="Write your question"):
        do_ask_question(nia, text="   ", actor=nia.user)
    do_ask_question(nia, text="Can I bring a friend?", actor=nia.user)
    with pytest.raises(DomainError, match="not answered your last question"):
        do_settle_questions(nia, actor=nia.user)
    assert "questions" in keys(nia)
    do_answer_question(nia, text="No, the circle is closed.", actor=cast.facilitator)
    do_settle_questions(nia, actor=nia.user)
    assert "questions" not in keys(nia)
    with pytest.raises(DomainError, match="already said"):
        do_settle_questions(nia, actor=nia.user)


def test_the_question_thread_is_private_to_the_member_and_the_facilitators(cast):
    nia = joining(cast)
    do_ask_question(nia, text="Is my diagnosis shared with the group?", actor=nia.user)
    url = f"/circles/memberships/{nia.public_id}/onboarding/questions/"
    assert "diagnosis" in signed_in_client(nia.user).get(url).content.decode()
    assert "diagnosis" in signed_in_client(cast.facilitator).get(url).content.decode()
    for outsider in (cast.member, cast.other_member, cast.other_facilitator, cast.auditor):
        assert signed_in_client(outsider).get(url).status_code == 404
    # Stored sealed; each read is in Nia's access log.
    message = OnboardingMessage.objects.get(membership=nia, kind="question")
    assert "diagnosis" not in message.body.envelope
    from circlekeep.audit.models import AuditEvent

    assert AuditEvent.objects.filter(event_type="vault.revealed", subject=nia.user,
                                     actor=cast.facilitator).exists()


def test_a_bad_declaration_changes_nothing(cast):
    nia = joining(cast)
    mark = audit_mark()
    for bad, message in (([("Mina", "enemy", "")], "what kind"),
                         ([(" ", "friend", "")], "Write the name"),
                         ([("Mina", "friend", ""), ("  mina ", "family", "")], "each person once"),
                         ([("M" * 121, "friend", "")], "at most 120")):
        with pytest.raises(DomainError, match=message):
            do_declare_relationships(nia, declarations=bad, actor=nia.user)
    assert not RelationshipScreening.objects.filter(membership=nia).exists()
    assert_events(mark, [])


def test_a_declaration_stores_whom_it_names_only_sealed(cast):
    """The person named is inside the sealed text; the row keeps a keyed digest of the
    pair, never the person, and a name that matches nobody is kept as typed."""
    nia = joining(cast)
    do_declare_relationships(nia, actor=nia.user, declarations=[
        ("mina", "former_partner", "We separated last year"),
        ("Someone Else", "friend", "")])
    stored = list(RelationshipDeclaration.objects.filter(screening__membership=nia))
    assert [d.other_id for d in stored] == [None, None]
    for d in stored:
        assert "former_partner" not in d.details.envelope
        assert str(cast.member.public_id) not in d.details.envelope
    assert sorted(bool(d.pair_digest) for d in stored) == [False, True]
    page = signed_in_client(cast.facilitator).get(
        f"/circles/memberships/{nia.public_id}/onboarding/relationships/").content.decode()
    assert "Mina" in page and "Someone Else" in page and "no one in the circle matched" in page
    own = signed_in_client(nia.user).get(
        f"/circles/memberships/{nia.public_id}/onboarding/relationships/").content.decode()
    assert "mina" in own and "no one in the circle matched" not in own


def test_a_joining_member_sees_no_roster_while_declaring(cast):
    nia = joining(cast)
    page = signed_in_client(nia.user).get(
        f"/circles/memberships/{nia.public_id}/onboarding/relationships/").content.decode()
    assert "Mina" not in page and "Person 1: their name" in page
    api = token_client(nia.user).get(
        f"/api/v1/memberships/{nia.public_id}/onboarding/relationships").json()
    assert "people" not in api and "Mina" not in json.dumps(api)


def test_a_conflict_waits_for_the_facilitators_decision(cast):
    nia = joining(cast)
    do_declare_relationships(nia, actor=nia.user, declarations=[
        ("Mina Tester", "former_partner", "We separated last year"),
        ("Fran", "coworker", "")])
    assert "relationships" in keys(nia)
    mark = audit_mark()
    do_decide_screening(nia, decision="refer", plan="A Thursday circle fits better.",
                        actor=cast.facilitator)
    assert "relationships" in keys(nia)
    assert "fits better" in str(onboarding.progress(nia).remaining[-1].note)
    do_decide_screening(nia, decision="proceed", plan="Seat apart; check in after week 1.",
                        actor=cast.facilitator)
    assert "relationships" not in keys(nia)
    assert_events(mark, [("circle.onboarding.screening_decided", cast.facilitator, nia.user),
                         ("circle.onboarding.screening_decided", cast.facilitator, nia.user)])
    with pytest.raises(DomainError, match="plan or reason"):
        do_decide_screening(nia, decision="proceed", plan=" ", actor=cast.facilitator)


def test_the_facilitator_sees_mutual_declarations_and_no_other_member_sees_any(cast):
    nia = joining(cast)
    omar = joining(cast, "omar@example.test", "Omar")
    do_declare_relationships(nia, actor=nia.user,
                             declarations=[("Omar", "family", "He is my cousin")])
    do_declare_relationships(omar, actor=omar.user,
                             declarations=[("Nia", "family", "")])
    page = signed_in_client(cast.facilitator).get(
        f"/circles/memberships/{omar.public_id}/onboarding/relationships/").content.decode()
    assert "He is my cousin" in page and "declared by both" in page
    url = f"/circles/memberships/{nia.public_id}/onboarding/relationships/"
    for other in (omar.user, cast.member, cast.other_member):
        assert signed_in_client(other).get(url).status_code == 404
    api = token_client(cast.member).get(
        f"/api/v1/memberships/{nia.public_id}/onboarding/relationships")
    assert api.status_code == 404
    # Omar reads only what he declared himself, not what Nia said about him.
    own = signed_in_client(omar.user).get(
        f"/circles/memberships/{omar.public_id}/onboarding/relationships/").content.decode()
    assert "He is my cousin" not in own


def test_being_named_by_someone_else_does_not_hold_back_ones_own_step(cast):
    """Were it to, the person named would learn that someone in the circle knows them."""
    nia = joining(cast)
    omar = joining(cast, "omar@example.test", "Omar")
    do_declare_relationships(omar, actor=omar.user, declarations=[])
    do_declare_relationships(nia, actor=nia.user, declarations=[("Omar", "friend", "")])
    assert "relationships" not in keys(omar)
    page = signed_in_client(cast.facilitator).get(
        f"/circles/memberships/{omar.public_id}/onboarding/relationships/").content.decode()
    assert "Nia" in page  # the facilitator still sees who named him


def test_erasure_blanks_the_digest_of_whom_a_declaration_named(cast):
    from circlekeep.custody.actions import do_destroy_member_keys

    nia = joining(cast)
    do_declare_relationships(nia, actor=nia.user, declarations=[("Mina", "friend", "")])
    do_destroy_member_keys(nia.user, organization=cast.org, actor=cast.admin,
                           reason="Asked", confirmation="Nia")
    declaration = RelationshipDeclaration.objects.get(screening__membership=nia)
    assert declaration.pair_digest == ""


def test_rotating_the_circles_key_keeps_mutual_declarations_recognised(cast):
    from circlekeep.vault.actions import do_rotate_data_key

    nia = joining(cast)
    omar = joining(cast, "omar@example.test", "Omar")
    do_declare_relationships(nia, actor=nia.user, declarations=[("Omar", "family", "")])
    do_declare_relationships(omar, actor=omar.user, declarations=[("Nia", "family", "")])
    before = set(RelationshipDeclaration.objects.values_list("pair_digest", flat=True))
    do_rotate_data_key(cast.circle, actor=None)
    after = set(RelationshipDeclaration.objects.values_list("pair_digest", flat=True))
    assert len(after) == 1 and after != before
    page = signed_in_client(cast.facilitator).get(
        f"/circles/memberships/{omar.public_id}/onboarding/relationships/").content.decode()
    assert "declared by both" in page


def test_older_declarations_are_sealed_by_the_command(cast, settings):
    from django.core.management import call_command

    from circlekeep.onboarding.actions import do_seal_legacy_declarations

    nia = joining(cast)
    do_declare_relationships(nia, actor=nia.user, declarations=[("Someone", "friend", "x")])
    # As an older installation stored it: whom it named, in clear.
    settings.GUARD_ACTION_WRITES = False
    RelationshipDeclaration.objects.update(other=cast.member, pair_digest="")
    settings.GUARD_ACTION_WRITES = True
    from circlekeep.onboarding.checks import check_declarations_sealed

    assert [w.id for w in check_declarations_sealed()] == ["circles.W001"]
    mark = audit_mark()
    do_seal_legacy_declarations()
    assert_events(mark, [("vault.revealed", None, nia.user),
                         ("circle.onboarding.declarations_sealed", None, None)])
    call_command("onboarding", "seal-declarations")  # nothing left: changes nothing
    declaration = RelationshipDeclaration.objects.get()
    assert declaration.other_id is None and declaration.pair_digest
    assert check_declarations_sealed() == []
    page = signed_in_client(cast.facilitator).get(
        f"/circles/memberships/{nia.public_id}/onboarding/relationships/").content.decode()
    assert "Mina" in page


def test_relationships_are_declared_once(cast):
    nia = joining(cast)
    do_declare_relationships(nia, declarations=[], actor=nia.user)
    with pytest.raises(DomainError, match="already answered"):
        do_declare_relationships(nia, declarations=[("Mina", "friend", "")],
                                 actor=nia.user)


def test_withdrawing_consent_stops_participation_at_once_and_consenting_again_restores_it(cast):
    membership = Membership.objects.select_related("circle__organization", "user").get(
        pk=cast.membership.pk)
    assert onboarding.is_cleared(membership)
    record = ConsentRecord.objects.get(subject=cast.member, withdrawn_at=None)
    do_withdraw_consent(record, actor=cast.member)
    membership = Membership.objects.select_related("circle__organization", "user").get(
        pk=membership.pk)
    assert not onboarding.is_cleared(membership)
    with pytest.raises(DomainError, match="Your consent is needed"):
        onboarding.check_cleared(membership)
    # The member still reads their own membership and circle page, without meeting details.
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=10, allows_minors=False,
                     meeting_details="Room 4, 12 Elm Street, Tuesdays 18:00",
                     actor=cast.facilitator)
    client = signed_in_client(cast.member)
    assert client.get(f"/circles/memberships/{membership.public_id}/").status_code == 200
    page = client.get(f"/circles/{cast.circle.public_id}/").content.decode()
    assert "Elm Street" not in page and "Your consent is needed" in page
    api = token_client(cast.member)
    circle_api = f"/api/v1/circles/{cast.circle.public_id}"
    assert api.get(circle_api).json()["meeting_details"] is None
    document = Organization.objects.get(pk=cast.org.pk).consent_document
    do_give_consent(document, typed_name="Mina Tester", actor=cast.member)
    assert onboarding.is_cleared(membership)
    assert "Elm Street" in client.get(f"/circles/{cast.circle.public_id}/").content.decode()
    assert "Elm Street" in api.get(circle_api).json()["meeting_details"]


def test_meeting_details_are_for_cleared_members_only(cast):
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=10, allows_minors=False,
                     meeting_details="Join at the clinic's room 4", actor=cast.facilitator)
    nia = joining(cast)
    page = signed_in_client(nia.user).get(f"/circles/{cast.circle.public_id}/")
    assert "room 4" not in page.content.decode()
    assert "finished onboarding" in page.content.decode()
    assert "room 4" in signed_in_client(cast.member).get(
        f"/circles/{cast.circle.public_id}/").content.decode()
    with pytest.raises(DomainError, match="has not finished onboarding"):
        onboarding.check_cleared(nia)


def test_a_new_agreement_version_holds_participation_until_the_member_signs_again(cast):
    agreement = cast.circle.agreement
    proposal = do_propose_change(agreement, kind="add", title="Phones",
                                 text="Phones stay off.", reason="Focus", actor=cast.member)
    version = do_adopt_proposal(proposal, reason="Agreed by all", actor=cast.facilitator)
    membership = Membership.objects.select_related("circle__organization", "user").get(
        pk=cast.membership.pk)
    state = onboarding.progress(membership)
    assert not state.cleared and "read and sign the new version" in state.hold
    page = signed_in_client(cast.member).get("/").content.decode()
    assert "read and sign the new version" in page
    do_sign_agreement(version, typed_name="Mina Tester", actor=cast.member)
    assert onboarding.is_cleared(membership)


def test_the_roster_shows_each_members_progress(cast):
    nia = joining(cast)
    do_read_orientation(nia, actor=nia.user)
    page = signed_in_client(cast.facilitator).get(
        f"/circles/{cast.circle.public_id}/").content.decode()
    assert "1 of 6 steps" in page
    assert "Cleared to take part" in page  # Mina, who has done everything


def test_the_onboarding_api_lists_the_steps_and_takes_them(cast):
    nia = joining(cast)
    client, headers = token_client(nia.user), {}
    base = f"/api/v1/memberships/{nia.public_id}/onboarding"
    body = client.get(base, **headers).json()
    assert [s["key"] for s in body["steps"]][:2] == ["orientation", "questions"]
    assert client.post(base + "/orientation", **headers).json()["steps"][0]["done"] is True
    response = client.post(base + "/relationships", data=json.dumps({"declarations": [
        {"name": "Otto", "kind": "rival"}]}), content_type="application/json", **headers)
    assert response.status_code == 400
    assert "what kind" in response.json()["detail"]
    response = client.post(base + "/relationships", data=json.dumps({"declarations": []}),
                           content_type="application/json", **headers)
    assert response.status_code == 201



def test_a_minors_dashboard_pauses_when_the_guardian_withdraws(cast):
    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=10, allows_minors=True,
                     actor=cast.facilitator)
    kit = make_member(cast.circle, "kit@example.test", name="Kit", actor=cast.facilitator,
                      is_minor=True, guardian="gail@example.test")
    assert kit.status == "active"
    client = signed_in_client(kit.user)
    assert "Your consent is needed" not in client.get("/").content.decode()
    guardian = ConsentRecord.objects.get(subject=kit.user, role="guardian")
    do_withdraw_consent(guardian, actor=guardian.signer)
    assert "Your consent is needed" in client.get("/").content.decode()
    assert not onboarding.is_cleared(Membership.objects.select_related(
        "circle__organization", "user").get(pk=kit.pk))


def test_the_facilitator_reads_onboarding_about_the_member_not_to_them(cast):
    nia = make_member(cast.circle, "nia@example.test", name="Nia", actor=cast.facilitator,
                      status="onboarding")
    url = reverse("onboarding:checklist", args=[nia.public_id])
    own = signed_in_client(nia.user).get(url).content.decode()
    assert "Give your consent" in own
    staff = signed_in_client(cast.facilitator).get(url).content.decode()
    assert "Give their consent" in staff and "Ask their questions, or say they have none" in staff
    assert "Give your consent" not in staff and "Tell your facilitator" not in staff
    with pytest.raises(DomainError, match="Give their consent"):
        do_change_membership_status(nia, "active", actor=cast.facilitator, reason="")
