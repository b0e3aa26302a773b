import pytest

from circlekeep.accounts.actions import do_accept_invitation
from circlekeep.circles import actions
from circlekeep.circles.models import Circle, Facilitation, Membership, MembershipChange
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.testing import assert_events, audit_mark, make_circle, make_member

pytestmark = pytest.mark.django_db


def test_a_facilitator_creates_a_circle_they_lead(cast):
    mark = audit_mark()
    circle = actions.do_create_circle(cast.org, name="Monday", kind="therapy", mode="hybrid",
                                      capacity=8, allows_minors=True, actor=cast.facilitator)
    lead = Facilitation.objects.get(circle=circle)
    assert (lead.user, lead.role) == (cast.facilitator, "lead")
    # Its agreement starts as version 1, copied from the organization's template.
    assert circle.agreement.current_version.number == 1
    assert_events(mark, [("circle.created", cast.facilitator, None),
                         ("circle.facilitator.added", cast.facilitator, cast.facilitator),
                         ("agreement.version.created", cast.facilitator, None)])


def test_an_admin_names_the_lead_but_a_facilitator_cannot(cast):
    circle = actions.do_create_circle(cast.org, name="Friday", kind="therapy", mode="online",
                                      capacity=8, lead=cast.other_facilitator, actor=cast.admin)
    assert circle.facilitations.get().user == cast.other_facilitator
    with pytest.raises(ActionForbidden):
        actions.do_create_circle(cast.org, name="Sat", kind="therapy", mode="online",
                                 capacity=8, lead=cast.other_facilitator, actor=cast.facilitator)


@pytest.mark.parametrize("who", ["member", "auditor", "other_admin"])
def test_members_auditors_and_outsiders_cannot_create_circles(cast, who):
    with pytest.raises(ActionForbidden):
        actions.do_create_circle(cast.org, name="X", kind="therapy", mode="online", capacity=8,
                                 actor=getattr(cast, who))
    assert not Circle.objects.filter(name="X").exists()


@pytest.mark.parametrize("fields,message", [
    ({"name": ""}, "needs a name"),
    ({"kind": "book_club"}, "therapy group or a peer-support"),
    ({"mode": "carrier_pigeon"}, "in person, online or hybrid"),
    ({"capacity": 1}, "between 2 and 100"),
    ({"capacity": 101}, "between 2 and 100"),
    ({"capacity": "many"}, "between 2 and 100"),
])
def test_circle_fields_are_validated(cast, fields, message):
    data = {"name": "Good", "kind": "therapy", "mode": "online", "capacity": 8}
    data.update(fields)
    with pytest.raises(DomainError, match=message):
        actions.do_create_circle(cast.org, actor=cast.facilitator, **data)
    assert not Circle.objects.filter(name="Good").exists()


def test_an_auditor_cannot_lead_a_circle(cast):
    with pytest.raises(DomainError, match="Only the organization's facilitators"):
        actions.do_create_circle(cast.org, name="Y", kind="therapy", mode="online",
                                 capacity=8, lead=cast.auditor, actor=cast.admin)


def test_inviting_a_member_holds_a_place(cast):
    mark = audit_mark()
    invitation, _ = actions.do_invite_member(cast.circle, email="z@example.test",
                                             actor=cast.facilitator)
    membership = Membership.objects.get(circle=cast.circle, user=invitation.user)
    assert membership.status == "invited"
    assert list(membership.changes.values_list("to_status", flat=True)) == ["invited"]
    assert_events(mark, [("circle.member.invited", cast.facilitator, invitation.user),
                         ("account.invitation.sent", cast.facilitator, invitation.user)])


def test_a_full_circle_refuses_invitations(cast):
    small = make_circle(cast.org, "Small", lead=cast.facilitator, capacity=2)
    make_member(small, "one@example.test", name="One", actor=cast.facilitator)
    actions.do_invite_member(small, email="two@example.test", actor=cast.facilitator)
    with pytest.raises(DomainError, match="full"):
        actions.do_invite_member(small, email="three@example.test", actor=cast.facilitator)
    assert Membership.objects.filter(circle=small).count() == 2


def test_a_second_membership_in_the_same_circle_is_refused(cast):
    with pytest.raises(DomainError, match="already a member"):
        actions.do_invite_member(cast.circle, email="MINA@example.test", actor=cast.facilitator)
    assert Membership.objects.filter(circle=cast.circle, user=cast.member).count() == 1


def test_someone_who_left_may_be_invited_again(cast):
    actions.do_change_membership_status(cast.membership, "left", actor=cast.member)
    actions.do_invite_member(cast.circle, email=cast.member.email, actor=cast.facilitator)
    assert Membership.objects.filter(circle=cast.circle, user=cast.member).count() == 2


def test_a_facilitator_cannot_be_a_member_of_their_circle(cast):
    with pytest.raises(DomainError, match="facilitates the circle"):
        actions.do_invite_member(cast.circle, email=cast.facilitator.email,
                                 actor=cast.facilitator)


def test_minors_only_join_circles_that_allow_them(cast):
    with pytest.raises(DomainError, match="does not accept minors"):
        actions.do_invite_member(cast.circle, email="kid@example.test", is_minor=True,
                                 actor=cast.facilitator)
    young = make_circle(cast.org, "Young", lead=cast.facilitator, allows_minors=True)
    make_member(young, "kid@example.test", name="Kid", actor=cast.facilitator, is_minor=True,
                status="onboarding")
    # The invitation reads the same as any other (it must not reveal the account's age);
    # the minor is told when they try to accept it.
    invitation, _token = actions.do_invite_member(cast.circle, email="kid@example.test",
                                                  actor=cast.facilitator)
    with pytest.raises(DomainError, match="for adults only"):
        do_accept_invitation(invitation, acting_user=invitation.user)
    assert invitation.user.memberships.get(circle=cast.circle).status == "invited"


@pytest.mark.parametrize("who", ["other_facilitator", "member", "auditor", "other_admin"])
def test_only_the_circles_staff_invite_members(cast, who):
    with pytest.raises(ActionForbidden):
        actions.do_invite_member(cast.circle, email="q@example.test", actor=getattr(cast, who))


def test_the_membership_life_cycle_keeps_its_history(cast):
    m = cast.membership
    mark = audit_mark()
    actions.do_change_membership_status(m, "suspended", actor=cast.facilitator,
                                        reason="Shared a story outside")
    actions.do_change_membership_status(m, "active", actor=cast.admin)
    actions.do_change_membership_status(m, "revoked", actor=cast.facilitator, reason="Again")
    from circlekeep import vault

    changes = list(MembershipChange.objects.filter(membership=m))
    reasons = vault.reveal_many(changes, "reason", actor=cast.facilitator, reason="test")
    history = [(c.from_status, c.to_status, str(r))
               for c, r in zip(changes, reasons, strict=True)]
    assert history[-3:] == [("active", "suspended", "Shared a story outside"),
                            ("suspended", "active", ""), ("active", "revoked", "Again")]
    assert_events(mark, [("circle.member.status.changed", cast.facilitator, cast.member),
                         ("circle.member.status.changed", cast.admin, cast.member),
                         ("circle.member.status.changed", cast.facilitator, cast.member),
                         ("vault.revealed", cast.facilitator, cast.member)])


def test_suspension_and_revocation_need_a_reason(cast):
    for status in ("suspended", "revoked"):
        with pytest.raises(DomainError, match="Give a reason"):
            actions.do_change_membership_status(cast.membership, status, actor=cast.facilitator)
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"


@pytest.mark.parametrize(("to_status", "refusal"), [
    ("invited", DomainError), ("active", DomainError), ("bogus", DomainError),
    ("onboarding", ActionForbidden),  # accepting is the member's own act, whatever the state
])
def test_impossible_transitions_are_refused(cast, to_status, refusal):
    with pytest.raises(refusal):
        actions.do_change_membership_status(cast.membership, to_status, actor=cast.facilitator)
    assert Membership.objects.get(pk=cast.membership.pk).status == "active"


def test_only_the_member_leaves_and_only_staff_suspend(cast):
    with pytest.raises(ActionForbidden):
        actions.do_change_membership_status(cast.membership, "left", actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_change_membership_status(cast.membership, "suspended", actor=cast.member,
                                            reason="me")
    with pytest.raises(ActionForbidden):
        actions.do_change_membership_status(cast.membership, "suspended",
                                            actor=cast.other_facilitator, reason="x")
    mark = audit_mark()
    actions.do_change_membership_status(cast.membership, "left", actor=cast.member)
    assert_events(mark, [("circle.member.status.changed", cast.member, cast.member)])


def test_capacity_cannot_drop_below_the_members(cast):
    make_member(cast.circle, "two@example.test", name="Two", actor=cast.facilitator)
    actions.do_invite_member(cast.circle, email="three@example.test", actor=cast.facilitator)
    with pytest.raises(DomainError, match="more members than that"):
        actions.do_update_circle(cast.circle, name="T", kind="therapy", mode="online",
                                 capacity=2, allows_minors=False, actor=cast.facilitator)
    mark = audit_mark()
    actions.do_update_circle(cast.circle, name="T", kind="therapy", mode="online",
                             capacity=3, allows_minors=False, actor=cast.facilitator)
    assert Circle.objects.get(pk=cast.circle.pk).capacity == 3
    assert_events(mark, [("circle.changed", cast.facilitator, None)])


def test_co_facilitators_come_from_the_staff_and_not_the_roster(cast):
    mark = audit_mark()
    f = actions.do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.facilitator)
    assert_events(mark, [("circle.facilitator.added", cast.facilitator, cast.other_facilitator)])
    with pytest.raises(DomainError, match="already facilitates"):
        actions.do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.facilitator)
    with pytest.raises(DomainError, match="facilitators and admins"):
        actions.do_add_facilitator(cast.circle, cast.member, actor=cast.facilitator)
    with pytest.raises(DomainError, match="facilitators and admins"):
        actions.do_add_facilitator(cast.circle, cast.other_admin, actor=cast.facilitator)
    mark = audit_mark()
    actions.do_remove_facilitator(f, actor=cast.facilitator)
    assert_events(mark, [("circle.facilitator.removed", cast.facilitator,
                          cast.other_facilitator)])
    lead = Facilitation.objects.get(circle=cast.circle, role="lead")
    with pytest.raises(DomainError, match="lead facilitator cannot be removed"):
        actions.do_remove_facilitator(lead, actor=cast.admin)


def test_a_co_facilitator_can_run_the_circle(cast):
    actions.do_add_facilitator(cast.circle, cast.other_facilitator, actor=cast.admin)
    actions.do_change_membership_status(cast.membership, "suspended",
                                        actor=cast.other_facilitator, reason="Paused")
    assert Membership.objects.get(pk=cast.membership.pk).status == "suspended"
