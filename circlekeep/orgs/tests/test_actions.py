import pytest

from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.orgs import actions
from circlekeep.orgs.models import Organization, StaffRole
from circlekeep.testing import assert_events, audit_mark, make_staff

pytestmark = pytest.mark.django_db


def test_the_operator_creates_organizations(cast):
    mark = audit_mark()
    org = actions.do_create_organization(name="Lakeside", country="us", region="wa")
    assert (org.country, org.region) == ("US", "WA")
    # It starts with an agreement template and, for a jurisdiction without a default of its
    # own, the generic consent document marked for review.
    assert org.agreement_template.clauses
    assert org.consent_document.jurisdiction == "US-WA"
    assert "review for your jurisdiction" in org.consent_document.title
    assert_events(mark, [("org.created", None, None),
                         ("agreement.template.created", None, None),
                         ("consent.document.published", None, None)])
    with pytest.raises(ActionForbidden):
        actions.do_create_organization(name="Mine", country="US", actor=cast.admin)
    with pytest.raises(DomainError, match="two-letter"):
        actions.do_create_organization(name="Bad", country="USA")
    with pytest.raises(DomainError, match="needs a name"):
        actions.do_create_organization(name="  ", country="US")
    assert not Organization.objects.filter(name__in=["Mine", "Bad"]).exists()


def test_admins_change_policies_with_old_and_new_values_in_the_trail(cast):
    from circlekeep.audit.models import AuditEvent

    mark = audit_mark()
    actions.do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                                   require_member_2fa=True, actor=cast.admin)
    assert Organization.objects.get(pk=cast.org.pk).require_member_2fa
    assert_events(mark, [("org.policies.changed", cast.admin, None)])
    assert AuditEvent.objects.get(sequence__gt=mark).data == {
        "changes": {"require_member_2fa": {"old": False, "new": True}}}


def test_admins_set_the_longest_api_token_lifetime_within_bounds(cast):
    from circlekeep.audit.models import AuditEvent

    assert cast.org.api_token_max_days == 90  # the default
    for days in (0, 366, -5, "30", True):
        with pytest.raises(DomainError, match="from 1 to 365"):
            actions.do_change_org_policies(cast.org, name=cast.org.name, country="US",
                                           region="CA", require_member_2fa=False,
                                           api_token_max_days=days, actor=cast.admin)
    assert Organization.objects.get(pk=cast.org.pk).api_token_max_days == 90
    mark = audit_mark()
    actions.do_change_org_policies(cast.org, name=cast.org.name, country="US", region="CA",
                                   require_member_2fa=False, api_token_max_days=7,
                                   actor=cast.admin)
    assert Organization.objects.get(pk=cast.org.pk).api_token_max_days == 7
    assert_events(mark, [("org.policies.changed", cast.admin, None)])
    assert AuditEvent.objects.get(sequence__gt=mark).data == {
        "changes": {"api_token_max_days": {"old": 90, "new": 7}}}


@pytest.mark.parametrize("who", ["facilitator", "auditor", "member", "other_admin"])
def test_only_the_orgs_admins_change_its_policies(cast, who):
    with pytest.raises(ActionForbidden):
        actions.do_change_org_policies(cast.org, name="Taken", country="US", region="",
                                       require_member_2fa=True, actor=getattr(cast, who))
    assert Organization.objects.get(pk=cast.org.pk).name == "Riverside Collective"


def test_it_changes_a_staff_role(cast):
    role = StaffRole.objects.get(user=cast.auditor)
    mark = audit_mark()
    actions.do_change_staff_role(role, "facilitator", actor=cast.admin)
    assert StaffRole.objects.get(pk=role.pk).role == "facilitator"
    assert_events(mark, [("org.staff.role.changed", cast.admin, cast.auditor)])
    with pytest.raises(DomainError, match="Choose a role"):
        actions.do_change_staff_role(role, "king", actor=cast.admin)


def test_an_organization_keeps_at_least_one_admin(cast):
    role = StaffRole.objects.get(user=cast.admin)
    with pytest.raises(DomainError, match="at least one admin"):
        actions.do_change_staff_role(role, "auditor", actor=cast.admin)
    with pytest.raises(DomainError, match="at least one admin"):
        actions.do_remove_staff_role(role, actor=cast.admin)
    assert StaffRole.objects.get(pk=role.pk).role == "admin"


def test_a_facilitator_with_circles_cannot_become_auditor_or_leave(cast):
    role = StaffRole.objects.get(user=cast.facilitator)
    with pytest.raises(DomainError, match="Hand their circles"):
        actions.do_change_staff_role(role, "auditor", actor=cast.admin)
    with pytest.raises(DomainError, match="Hand their circles"):
        actions.do_remove_staff_role(role, actor=cast.admin)


def test_it_removes_a_staff_role(cast):
    user = make_staff(cast.org, "tmp@riverside.test", "auditor", name="Tmp", actor=cast.admin)
    role = StaffRole.objects.get(user=user)
    mark = audit_mark()
    actions.do_remove_staff_role(role, actor=cast.admin)
    assert not StaffRole.objects.filter(user=user).exists()
    assert_events(mark, [("org.staff.role.removed", cast.admin, user)])


def test_an_admin_cannot_reach_into_another_organization(cast):
    role = StaffRole.objects.get(user=cast.auditor)
    with pytest.raises(ActionForbidden):
        actions.do_change_staff_role(role, "admin", actor=cast.other_admin)
    with pytest.raises(ActionForbidden):
        actions.do_remove_staff_role(role, actor=cast.other_admin)
    assert StaffRole.objects.get(pk=role.pk).role == "auditor"


def test_an_admin_grants_a_staff_role_once(cast):
    mark = audit_mark()
    role = actions.do_grant_staff_role(cast.org, cast.member, "auditor", actor=cast.admin)
    assert (role.user, role.role) == (cast.member, "auditor")
    assert_events(mark, [("org.staff.role.granted", cast.admin, cast.member)])
    with pytest.raises(DomainError, match="already has a staff role"):
        actions.do_grant_staff_role(cast.org, cast.member, "admin", actor=cast.admin)
    with pytest.raises(DomainError, match="Choose a role"):
        actions.do_grant_staff_role(cast.org, cast.other_member, "boss", actor=cast.admin)
    with pytest.raises(ActionForbidden):
        actions.do_grant_staff_role(cast.org, cast.other_member, "admin", actor=cast.facilitator)
