"""An organization's trail holds its own events, never another organization's about a
shared person; events about a concern follow the concern's visibility."""

import pytest
from django.test import Client
from django.utils import timezone

from circlekeep.accounts.actions import do_record_failed_sign_in
from circlekeep.audit.models import AuditEvent
from circlekeep.circles.actions import do_invite_member
from circlekeep.incidents.actions import do_report_concern
from circlekeep.testing import make_api_token, signed_in_client
from circlekeep.vault import reveal

pytestmark = pytest.mark.django_db


def riverside_history(cast):
    """Mina's history in Riverside: a suspension with a reason, and a facilitator's read
    of it with a reason of its own."""
    from circlekeep.circles.actions import do_change_membership_status

    do_change_membership_status(cast.membership, "suspended", actor=cast.facilitator,
                                reason="Riverside private reason")
    change = cast.membership.changes.latest("changed_at", "pk")
    reveal(change, "reason", actor=cast.facilitator, reason="Riverside session prep")


def everything_b_sees(cast):
    oscar = signed_in_client(cast.other_admin)
    _t, api = make_api_token(cast.other_admin)
    today = timezone.localdate().isoformat()
    return "\n".join([
        oscar.get("/audit/").content.decode(),
        b"".join(oscar.get("/audit/export.csv").streaming_content).decode(),
        oscar.get("/audit/security/").content.decode(),
        Client().get("/api/v1/audit/events", **api).content.decode(),
        Client().get("/api/v1/audit/security-report", {"since": today}, **api).content.decode(),
    ])


def test_another_organization_sees_nothing_of_a_persons_history_after_inviting_them(cast):
    riverside_history(cast)
    do_invite_member(cast.other_org_circle, email="mina@example.test", actor=cast.other_admin)
    seen = everything_b_sees(cast)
    for trace in ("Tuesday circle", "Fran", "Riverside session prep", "Riverside",
                  str(cast.circle.public_id), str(cast.membership.public_id)):
        assert trace not in seen


def test_a_person_in_two_organizations_has_two_separate_histories(cast):
    from circlekeep.testing import make_member

    riverside_history(cast)
    make_member(cast.other_org_circle, "mina@example.test", name="Mina", actor=cast.other_admin)
    seen = everything_b_sees(cast)
    assert "Harbor circle" in seen  # B's own events about her are there
    for trace in ("Tuesday circle", "Fran", "Riverside session prep"):
        assert trace not in seen
    assert AuditEvent.objects.filter(subject=cast.member, organization=cast.org).exists()


def test_account_security_events_reach_the_organizations_a_person_belongs_to(cast):
    do_invite_member(cast.other_org_circle, email="mina@example.test", actor=cast.other_admin)
    do_record_failed_sign_in("mina@example.test")
    riverside = rows(signed_in_client(cast.admin).get("/audit/"))
    harbor = rows(signed_in_client(cast.other_admin).get("/audit/"))
    assert "Sign-in failed" in riverside
    assert "Sign-in failed" not in harbor  # an invitation is not belonging


def rows(response):
    """The trail table's rows (the filter form lists every event type)."""
    page = response.content.decode()
    return page[page.find("<tbody>"):page.find("</tbody>")] if "<tbody>" in page else ""


def concern_about_fran(cast):
    return do_report_concern(cast.circle, kind="boundaries", body="Fran shared my story",
                             visibility="facilitators", about_facilitator=True,
                             actor=cast.member)


def test_a_facilitator_does_not_see_the_trail_of_a_concern_about_them(cast):
    concern = concern_about_fran(cast)
    reveal(concern, "body", actor=cast.admin, reason="Handling it")
    fran = signed_in_client(cast.facilitator)
    trail = rows(fran.get("/audit/"))
    assert "Concern reported" not in trail and "Mina (member)" not in trail
    _t, auth = make_api_token(cast.facilitator)
    api = Client().get("/api/v1/audit/events", **auth).json()
    assert not [e for e in api["events"] if e["event_type"].startswith("concern.")]
    assert fran.get(f"/concerns/{concern.public_id}/").status_code == 404
    # The admins who handle it see who reported it.
    assert "Mina" in rows(signed_in_client(cast.admin).get(
        "/audit/?event_type=concern.reported"))


def test_an_auditor_sees_that_a_concern_was_reported_not_by_whom(cast):
    concern_about_fran(cast)
    audrey = signed_in_client(cast.auditor)
    trail = rows(audrey.get("/audit/?event_type=concern.reported"))
    assert "Concern reported" in trail and "Mina" not in trail
    export = b"".join(audrey.get("/audit/export.csv").streaming_content).decode()
    row = next(line for line in export.splitlines() if "concern.reported" in line)
    assert str(cast.member.public_id) not in row and "withheld" in row


def test_another_organizations_admin_stays_unnamed_in_account_events(cast):
    """Fran is staff in Riverside and a member in Harbor. Riverside's admin resets her
    two-step sign-in: Harbor sees her tokens ended, not who did it or why."""
    from circlekeep.orgs.actions import do_reset_two_factor
    from circlekeep.testing import make_member

    make_member(cast.other_org_circle, "fran@riverside.test", name="Fran",
                actor=cast.other_admin, status="onboarding")
    make_api_token(cast.facilitator)
    do_reset_two_factor(cast.facilitator, actor=cast.admin, reason="Lost phone, checked ID")
    harbor = rows(signed_in_client(cast.other_admin).get("/audit/"))
    assert "Ada" not in harbor and "Lost phone" not in harbor
    assert "API token revoked" in harbor
    riverside = rows(signed_in_client(cast.admin).get("/audit/?event_type=account.otp.reset"))
    assert "Ada" in riverside and "Lost phone" in riverside
    # The person sees who did it (her own page; she must set up two-step sign-in first).
    from circlekeep.trail.access import my_events, present_events

    own = present_events(cast.facilitator, my_events(cast.facilitator))
    assert {e.actor_id for e in own if e.event_type == "account.api_token.revoked"} == {
        cast.admin.pk}


def test_an_admin_who_facilitates_does_not_see_the_trail_of_a_concern_about_them(cast):
    from circlekeep.testing import make_circle, make_member, make_staff

    circle = make_circle(cast.org, "Admin's circle", lead=cast.admin)
    ida = make_member(circle, "ida@example.test", name="Ida", actor=cast.admin)
    do_report_concern(circle, kind="boundaries", body="The lead shared my story",
                      visibility="facilitators", about_facilitator=True, actor=ida.user)
    trail = rows(signed_in_client(cast.admin).get("/audit/?event_type=concern.reported"))
    assert "Concern reported" not in trail and "Ida" not in trail
    _t, auth = make_api_token(cast.admin)
    api = Client().get("/api/v1/audit/events", **auth).json()
    assert not [e for e in api["events"] if e["event_type"].startswith("concern.")]
    # The organization's other admins, who handle it, see it and who reported it.
    other_admin = make_staff(cast.org, "abe@riverside.test", "admin", name="Abe",
                             actor=cast.admin)
    assert "Ida" in rows(signed_in_client(other_admin).get(
        "/audit/?event_type=concern.reported"))
