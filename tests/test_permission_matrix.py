"""Every route, every principal: the expected allow or deny.

Rows are keyed by URL name (pages) or by method and path (API, from the OpenAPI schema).
A route without a row fails ``test_every_route_has_a_row``, so no page or endpoint can be
added unchecked. Paths are callables run before each principal's request, so rows that
change state make a fresh object for every principal.
"""

import itertools
import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from circlekeep.agreements.actions import do_propose_change
from circlekeep.agreements.models import Signature
from circlekeep.api.main import api
from circlekeep.circles.actions import do_add_facilitator, do_invite_member
from circlekeep.circles.models import Facilitation
from circlekeep.consent.actions import do_give_consent
from circlekeep.consent.models import ConsentRecord
from circlekeep.orgs.models import Organization, StaffRole
from circlekeep.testing import make_api_token, make_staff, signed_in_client

PRINCIPALS = ["anonymous", "other_member", "member", "other_facilitator", "facilitator",
              "auditor", "other_admin", "admin"]
_counter = itertools.count()


def expect(default, **overrides):
    """Expected status for each principal: ``default`` unless overridden by name."""
    short = {"anon": "anonymous", "om": "other_member", "m": "member",
             "of": "other_facilitator", "f": "facilitator", "au": "auditor",
             "oa": "other_admin", "a": "admin"}
    result = dict.fromkeys(PRINCIPALS, default)
    for key, status in overrides.items():
        result[short.get(key, key)] = status
    return result


def signed_in_only(default, **overrides):
    return expect(default, anon=302, **overrides)


def circle_staff(ok, *, member=403, **overrides):
    """The circle's facilitator and the org admin may; its member is refused (403); all
    others cannot see it (404)."""
    return expect(404, **{"anon": 302, "f": ok, "a": ok, "m": member, **overrides})


def api_circle_staff(ok, *, member=403):
    return expect(404, anon=401, f=ok, a=ok, m=member)


def admin_only(ok, anon=302):
    return expect(404, anon=anon, a=ok)


def unique_email():
    return f"matrix{next(_counter)}@example.test"


def new_co_facilitation(c):
    staff = make_staff(c.org, unique_email(), "facilitator", name="Cody", actor=c.admin)
    return do_add_facilitator(c.circle, staff, actor=c.admin)


def auditor_role(c):
    return StaffRole.objects.get(user=c.auditor).public_id


def new_admin_token(c):
    return make_api_token(c.admin, days=9)[0].public_id


def mina_membership(c):
    return f"/circles/memberships/{c.membership.public_id}/onboarding/"


def current_version(c):
    return c.circle.agreement.current_version.public_id


def mina_signature(c):
    return Signature.objects.get(membership=c.membership).public_id


def new_proposal(c):
    return do_propose_change(c.circle.agreement, kind="add", title="Phones",
                             text="Phones stay off.", reason="Focus", actor=c.member).public_id


def org_document(c):
    return Organization.objects.get(pk=c.org.pk).consent_document.public_id


def mina_live_consent(c):
    """Mina's live consent record, given again if an earlier row withdrew it."""
    record = ConsentRecord.objects.filter(subject=c.member, withdrawn_at=None).first()
    if record is None:
        document = Organization.objects.get(pk=c.org.pk).consent_document
        record = do_give_consent(document, typed_name=c.member.full_name, actor=c.member)
    return record.public_id


def new_meeting(c):
    """A meeting of Mina's circle starting in half an hour (the opening ritual is open)."""
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.meetings.actions import do_schedule_meetings

    return do_schedule_meetings(c.circle, starts_at=timezone.now() + timedelta(minutes=30),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=c.facilitator).meetings.get().public_id


def room_meeting(c):
    """A meeting of Mina's circle starting in five minutes: its online room is open."""
    if "room_meeting_id" not in c.__dict__:
        from datetime import timedelta

        from django.utils import timezone

        from circlekeep.meetings.actions import do_schedule_meetings

        c.__dict__["room_meeting_id"] = do_schedule_meetings(
            c.circle, starts_at=timezone.now() + timedelta(minutes=5), duration_minutes=60,
            recurrence="none", mode="online", actor=c.facilitator).meetings.get().public_id
    return c.__dict__["room_meeting_id"]


def training(c):
    """The organization's training programme, set up once per cast."""
    if "training" not in c.__dict__:
        from circlekeep.training.actions import do_set_up_programme

        c.__dict__["training"] = do_set_up_programme(c.org, actor=c.admin)
    return c.__dict__["training"]


def training_module(c):
    return training(c).modules.get(key="agreement").public_id


def frans_certificate(c):
    """Fran passes every module once; her attempt at the last and her certificate."""
    if "certificate" not in c.__dict__:
        from circlekeep.training.actions import do_submit_quiz

        for module in training(c).modules.filter(set="initial"):
            attempt = do_submit_quiz(module, answers=[q["answer"] for q in module.questions],
                                     actor=c.facilitator)
        c.__dict__["attempt"] = attempt
        c.__dict__["certificate"] = c.facilitator.training_certificates.get()
    return c.__dict__["certificate"]


def frans_attempt(c):
    frans_certificate(c)
    return c.__dict__["attempt"].public_id


def cast_meeting(c):
    if "meeting_id" not in c.__dict__:
        c.__dict__["meeting_id"] = new_meeting(c)
    return c.__dict__["meeting_id"]


def signed_note(c):
    """Mina's signed progress note from a meeting that has begun."""
    if "note_id" in c.__dict__:
        return c.__dict__["note_id"]
    note = _written_note(c)
    from circlekeep.notes.actions import do_sign_progress_note

    do_sign_progress_note(note, actor=c.facilitator)
    c.__dict__["note_id"] = note.public_id
    return note.public_id


def unsigned_note(c):
    """Mina's progress note, written and not yet signed."""
    if "unsigned_id" not in c.__dict__:
        c.__dict__["unsigned_id"] = _written_note(c).public_id
    return c.__dict__["unsigned_id"]


def draft_addendum(c, fresh=False):
    """A draft addendum to Mina's signed note (a new one for rows that use it up)."""
    from circlekeep.notes.actions import do_draft_addendum
    from circlekeep.notes.models import ProgressNote

    if fresh or "addendum_id" not in c.__dict__:
        note = ProgressNote.objects.select_related(
            "group_note", "membership__user", "membership__circle").get(
            public_id=signed_note(c))
        draft = do_draft_addendum(note, body="Mina called later.", actor=c.facilitator)
        if fresh:
            return draft.public_id
        c.__dict__["addendum_id"] = draft.public_id
    return c.__dict__["addendum_id"]


def _written_note(c):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.circles.models import Membership
    from circlekeep.meetings.actions import do_acknowledge_ritual, do_record_attendance
    from circlekeep.meetings.models import Meeting
    from circlekeep.notes.actions import do_write_group_note
    from circlekeep.notes.models import ProgressNote

    meeting = Meeting.objects.get(public_id=new_meeting(c))
    membership = Membership.objects.get(pk=c.membership.pk)
    do_acknowledge_ritual(meeting, membership, actor=c.facilitator)
    do_record_attendance(meeting, membership, status="present", actor=c.facilitator)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now()
                                                 - timedelta(minutes=5))
    meeting.refresh_from_db()
    do_write_group_note(meeting, body="The circle met.", sections={}, actor=c.facilitator)
    note = ProgressNote.objects.select_related(
        "group_note", "membership__user", "membership__circle").get(group_note__meeting=meeting)
    return note


def new_authorization(c):
    from datetime import timedelta

    from django.utils import timezone

    from circlekeep.disclosures.actions import do_sign_authorization

    return do_sign_authorization(
        c.membership, recipient="Dr. Lee", information=["attendance"], purpose="Care",
        expires_on=timezone.localdate() + timedelta(days=30), typed_name="Mina Tester",
        actor=c.member).public_id


def new_disclosure(c):
    from circlekeep.disclosures.actions import do_record_disclosure
    from circlekeep.disclosures.models import Authorization

    authorization = Authorization.objects.get(public_id=new_authorization(c))
    return do_record_disclosure(authorization, information=["attendance"], summary="Dates",
                                actor=c.facilitator).public_id


def new_concern(c, acknowledged=False):
    from circlekeep.incidents.actions import do_acknowledge_concern, do_report_concern

    concern = do_report_concern(c.circle, kind="accidental", body="A slip",
                                visibility="facilitators", actor=c.member)
    if acknowledged:
        do_acknowledge_concern(concern, actor=c.facilitator)
    return concern


def new_decision(c):
    from circlekeep.incidents.actions import do_decide_concern

    return do_decide_concern(new_concern(c, acknowledged=True), membership=c.membership,
                             step="reminder", reasons="A reminder", actor=c.facilitator
                             ).public_id


def cast_incident(c):
    if "incident" not in c.__dict__:
        from django.utils import timezone

        from circlekeep.incidents.actions import do_draft_notification, do_record_privacy_incident

        incident = do_record_privacy_incident(c.org, title="Lost phone", exposed="Names",
                                              discovered_at=timezone.now(), actor=c.admin)
        c.__dict__["incident"] = incident
        c.__dict__["notification"] = do_draft_notification(
            incident, kind="authority", recipient="Regulator", draft="Draft", actor=c.admin)
    return c.__dict__["incident"].public_id


def every_calendar_feed(c):
    """A live calendar feed for each principal (once per test), so that each may rename
    and revoke their own."""
    if "feeds" not in c.__dict__:
        from circlekeep.meetings.actions import do_create_calendar_feed

        c.__dict__["feeds"] = [do_create_calendar_feed(user, actor=user)
                               for user in c.principals().values() if user is not None]
    return f"{V1}/me/calendar-feed"


def minas_notification(c):
    """A notification of Mina's (a meeting added to her circle), unread, once per test."""
    if "minas_notification" not in c.__dict__:
        from circlekeep.notify.models import Notification

        new_meeting(c)
        c.__dict__["minas_notification"] = Notification.objects.filter(
            recipient=c.member).latest("id").public_id
    return c.__dict__["minas_notification"]


def new_member_invitation(c):
    invitation, _ = do_invite_member(c.circle, email=unique_email(), actor=c.facilitator)
    return invitation


@dataclass
class Row:
    route: str  # URL name, or "METHOD /api/v1/path/{param}"
    method: str
    path: object  # callable(cast) -> str
    expected: dict
    data: dict = field(default_factory=dict)


def page(name, path, expected, method="GET", data=None):
    return Row(name, method, path, expected, data or {})


def endpoint(method, template, path, expected, data=None):
    return Row(f"{method} {template}", method, path, expected, data or {})


ORG = "/org/{}/"
WEB = [
    page("home", lambda c: "/", signed_in_only(200)),
    page("healthz", lambda c: "/healthz", expect(200)),
    page("set-language", lambda c: "/i18n/setlang/", expect(302), "POST", {"language": "es"}),
    page("accounts:login", lambda c: "/accounts/sign-in/", expect(302, anon=200)),
    page("accounts:logout", lambda c: "/accounts/sign-out/", expect(302), "POST"),
    page("accounts:keep-session", lambda c: "/accounts/session/keep/",
         signed_in_only(204), "POST"),
    page("accounts:logout-everywhere", lambda c: "/accounts/sign-out-everywhere/",
         expect(302), "POST"),
    page("accounts:otp-verify", lambda c: "/accounts/two-step/verify/",
         expect(302, m=200, om=200)),
    page("accounts:reauthenticate", lambda c: "/accounts/two-step/confirm-its-you/",
         signed_in_only(200)),
    page("accounts:reauthenticate", lambda c: "/accounts/two-step/confirm-its-you/",
         signed_in_only(200), "POST", {"password": ""}),
    page("accounts:otp-setup", lambda c: "/accounts/two-step/setup/",
         expect(302, m=200, om=200)),
    page("accounts:otp-backup-codes", lambda c: "/accounts/two-step/backup-codes/",
         expect(200, anon=302, m=302, om=302), "POST"),
    page("accounts:otp-disable", lambda c: "/accounts/two-step/turn-off/", expect(302), "POST"),
    page("accounts:profile", lambda c: "/accounts/profile/", signed_in_only(200)),
    page("accounts:profile", lambda c: "/accounts/profile/", signed_in_only(200), "POST",
         {"display_name": ""}),
    page("accounts:security", lambda c: "/accounts/security/", signed_in_only(200)),
    page("accounts:password-change", lambda c: "/accounts/security/password/",
         signed_in_only(200)),
    page("accounts:password-reset", lambda c: "/accounts/password-reset/", expect(200)),
    page("accounts:password-reset-sent", lambda c: "/accounts/password-reset/sent/",
         expect(200)),
    page("accounts:password-reset-confirm", lambda c: "/accounts/password-reset/MQ/bad-token/",
         expect(200)),
    page("accounts:password-reset-done", lambda c: "/accounts/password-reset/done/",
         expect(200)),
    page("accounts:invitation-accept", lambda c: "/accounts/invitations/accept/", expect(404)),
    page("accounts:invitation-link", lambda c: "/accounts/invitations/no-such-token/",
         expect(404)),
    page("accounts:api-tokens", lambda c: "/accounts/tokens/", signed_in_only(200)),
    page("accounts:api-token-revoke",
         lambda c: f"/accounts/tokens/{new_admin_token(c)}/revoke/",
         admin_only(302), "POST"),
    page("accounts:api-token-revoke",
         lambda c: f"/accounts/tokens/{new_admin_token(c)}/revoke/", admin_only(200)),
    page("orgs:settings", lambda c: ORG.format(c.org.public_id) + "settings/", admin_only(200)),
    page("orgs:settings", lambda c: ORG.format(c.org.public_id) + "settings/", admin_only(200),
         "POST", {"name": ""}),
    page("orgs:staff", lambda c: ORG.format(c.org.public_id) + "staff/", admin_only(200)),
    page("orgs:staff", lambda c: ORG.format(c.org.public_id) + "staff/", admin_only(200),
         "POST", {"email": "bad"}),
    page("circles:invitations",
         lambda c: f"/circles/organizations/{c.org.public_id}/invitations/",
         admin_only(200)),
    page("circles:organization-circles",
         lambda c: f"/circles/organizations/{c.org.public_id}/", admin_only(200)),
    page("orgs:staff-role-change",
         lambda c: f"/org/staff/{StaffRole.objects.get(user=c.auditor).public_id}/role/",
         admin_only(302), "POST", {"role": "auditor"}),
    page("orgs:staff-role-remove",
         lambda c: "/org/staff/{}/remove/".format(StaffRole.objects.get(
             user=make_staff(c.org, unique_email(), "auditor", name="T", actor=c.admin)
         ).public_id), admin_only(302), "POST"),
    page("orgs:staff-role-remove", lambda c: f"/org/staff/{auditor_role(c)}/remove/",
         admin_only(200)),
    page("orgs:staff-otp-reset",
         lambda c: f"/org/staff/{auditor_role(c)}/reset-two-step/",
         admin_only(200)),
    page("orgs:staff-otp-reset",
         lambda c: f"/org/staff/{auditor_role(c)}/reset-two-step/",
         admin_only(200), "POST", {"reason": ""}),
    page("circles:invitation-revoke",
         lambda c: f"/circles/invitations/{new_member_invitation(c).public_id}/revoke/",
         circle_staff(302, member=404), "POST"),
    page("circles:create", lambda c: "/circles/new/",
         expect(200, anon=302, m=403, om=403, au=403)),
    page("circles:create", lambda c: "/circles/new/",
         expect(200, anon=302, m=403, om=403, au=403), "POST", {"name": ""}),
    page("circles:detail", lambda c: f"/circles/{c.circle.public_id}/",
         circle_staff(200, member=200)),
    page("circles:edit", lambda c: f"/circles/{c.circle.public_id}/edit/", circle_staff(200)),
    page("circles:edit", lambda c: f"/circles/{c.circle.public_id}/edit/", circle_staff(200),
         "POST", {"name": ""}),
    page("circles:member-invite", lambda c: f"/circles/{c.circle.public_id}/invite/",
         circle_staff(200)),
    page("circles:member-invite", lambda c: f"/circles/{c.circle.public_id}/invite/",
         circle_staff(200), "POST", {"email": "not-an-email"}),
    page("circles:facilitator-add",
         lambda c: f"/circles/{c.circle.public_id}/facilitators/add/", circle_staff(200)),
    page("circles:facilitator-add",
         lambda c: f"/circles/{c.circle.public_id}/facilitators/add/", circle_staff(200),
         "POST", {"user": "nobody"}),
    page("circles:facilitator-remove",
         lambda c: f"/circles/facilitations/{new_co_facilitation(c).public_id}/remove/",
         circle_staff(302), "POST"),
    page("circles:membership", lambda c: f"/circles/memberships/{c.membership.public_id}/",
         circle_staff(200, member=200)),
    page("circles:membership", lambda c: f"/circles/memberships/{c.membership.public_id}/",
         circle_staff(200), "POST", {"status": "nonsense"}),
    page("circles:guardian-invite",
         lambda c: f"/circles/memberships/{c.membership.public_id}/guardian/",
         circle_staff(200)),
    # Erasure is for the organization's admins; the facilitator sees the member, not this.
    page("custody:member-erase",
         lambda c: f"/circles/memberships/{c.membership.public_id}/erase/",
         circle_staff(200, f=403)),
    page("custody:member-erase",
         lambda c: f"/circles/memberships/{c.membership.public_id}/erase/",
         circle_staff(200, f=403), "POST", {"reason": ""}),
    page("circles:membership-leave",
         lambda c: f"/circles/memberships/{c.membership.public_id}/leave/",
         circle_staff(403, member=302), "POST"),
    page("circles:membership-leave",
         lambda c: f"/circles/memberships/{c.membership.public_id}/leave/",
         circle_staff(403, member=200)),
    # Onboarding: the member's own steps; the circle's staff see them and answer, decide.
    page("onboarding:checklist", mina_membership, circle_staff(200, member=200)),
    page("onboarding:orientation", lambda c: mina_membership(c) + "orientation/",
         circle_staff(200, member=200)),
    page("onboarding:orientation", lambda c: mina_membership(c) + "orientation/",
         circle_staff(403, member=302), "POST"),
    page("onboarding:questions", lambda c: mina_membership(c) + "questions/",
         circle_staff(200, member=200)),
    page("onboarding:questions", lambda c: mina_membership(c) + "questions/",
         circle_staff(200, member=200), "POST", {"text": ""}),
    page("onboarding:questions-settled",
         lambda c: mina_membership(c) + "questions/settled/", circle_staff(403, member=302),
         "POST"),
    page("onboarding:online-rules", lambda c: mina_membership(c) + "online-rules/",
         circle_staff(200, member=200)),
    page("onboarding:online-rules", lambda c: mina_membership(c) + "online-rules/",
         circle_staff(403, member=302), "POST"),
    page("onboarding:relationships", lambda c: mina_membership(c) + "relationships/",
         circle_staff(200, member=200)),
    page("onboarding:relationships", lambda c: mina_membership(c) + "relationships/",
         circle_staff(403, member=403), "POST"),
    page("onboarding:screening-decision",
         lambda c: mina_membership(c) + "relationships/decision/", circle_staff(302), "POST"),
    # Agreements: the circle reads, checks and co-writes; the staff decide and review.
    page("agreements:circle", lambda c: f"/agreements/circles/{c.circle.public_id}/",
         circle_staff(200, member=200)),
    page("agreements:check", lambda c: f"/agreements/circles/{c.circle.public_id}/check/",
         circle_staff(200, member=200)),
    page("agreements:check", lambda c: f"/agreements/circles/{c.circle.public_id}/check/",
         circle_staff(200, member=200), "POST", {"text": "Some text"}),
    page("agreements:propose", lambda c: f"/agreements/circles/{c.circle.public_id}/propose/",
         circle_staff(200, member=200)),
    page("agreements:propose", lambda c: f"/agreements/circles/{c.circle.public_id}/propose/",
         circle_staff(200, member=200), "POST", {"kind": ""}),
    page("agreements:review", lambda c: f"/agreements/circles/{c.circle.public_id}/review/",
         circle_staff(302), "POST"),
    page("agreements:cadence", lambda c: f"/agreements/circles/{c.circle.public_id}/cadence/",
         circle_staff(302), "POST", {"days": "14"}),
    page("agreements:version", lambda c: f"/agreements/versions/{current_version(c)}/",
         circle_staff(200, member=200)),
    page("agreements:sign", lambda c: f"/agreements/versions/{current_version(c)}/sign/",
         circle_staff(302, member=302), "POST", {"typed_name": ""}),
    page("agreements:signature-pdf",
         lambda c: f"/agreements/signatures/{mina_signature(c)}/pdf/",
         circle_staff(200, member=200)),
    page("agreements:proposal", lambda c: f"/agreements/proposals/{new_proposal(c)}/",
         circle_staff(200, member=200)),
    page("agreements:proposal", lambda c: f"/agreements/proposals/{new_proposal(c)}/",
         circle_staff(200, member=200), "POST", {"text": ""}),
    page("agreements:proposal-decide",
         lambda c: f"/agreements/proposals/{new_proposal(c)}/decide/", circle_staff(302),
         "POST"),
    page("agreements:template", lambda c: f"/agreements/templates/{c.org.public_id}/",
         admin_only(200)),
    page("agreements:template", lambda c: f"/agreements/templates/{c.org.public_id}/",
         admin_only(200), "POST", {"clauses": ""}),
    # Consent: members and their guardians read and give; records are the signer's own.
    page("consent:mine", lambda c: "/consent/", signed_in_only(200)),
    page("consent:document", lambda c: f"/consent/documents/{org_document(c)}/",
         expect(200, anon=302, oa=404)),
    page("consent:document", lambda c: f"/consent/documents/{org_document(c)}/",
         expect(403, anon=302, oa=404, m=200, om=200), "POST", {"typed_name": ""}),
    page("consent:withdraw", lambda c: f"/consent/records/{mina_live_consent(c)}/withdraw/",
         expect(404, anon=302, m=302), "POST"),
    page("consent:withdraw", lambda c: f"/consent/records/{mina_live_consent(c)}/withdraw/",
         expect(404, anon=302, m=200)),
    page("consent:manage", lambda c: f"/consent/organizations/{c.org.public_id}/",
         admin_only(200)),
    page("consent:manage", lambda c: f"/consent/organizations/{c.org.public_id}/",
         admin_only(200), "POST", {"title": ""}),
    # Meetings: the circle's staff run them; a cleared member sees them and acknowledges.
    page("meetings:circle", lambda c: f"/meetings/circles/{c.circle.public_id}/",
         circle_staff(200, member=200)),
    page("meetings:circle", lambda c: f"/meetings/circles/{c.circle.public_id}/",
         circle_staff(200), "POST", {"date": ""}),
    page("meetings:detail", lambda c: f"/meetings/{cast_meeting(c)}/",
         circle_staff(200, member=200)),
    page("meetings:ritual", lambda c: f"/meetings/{cast_meeting(c)}/ritual/",
         circle_staff(200, member=200)),
    page("meetings:ritual", lambda c: f"/meetings/{new_meeting(c)}/ritual/",
         circle_staff(403, member=302), "POST"),
    # The online room: the circle's facilitators and cleared members; an admin runs the
    # organisation, not the circle, and is refused with the reason.
    page("rooms:room", lambda c: f"/meetings/{room_meeting(c)}/room/",
         circle_staff(200, member=200, a=403)),
    page("meetings:acknowledge-member",
         lambda c: f"/meetings/{new_meeting(c)}/ritual/{c.membership.public_id}/",
         circle_staff(302), "POST"),
    page("meetings:attendance",
         lambda c: f"/meetings/{cast_meeting(c)}/attendance/{c.membership.public_id}/",
         circle_staff(302), "POST", {"status": "excused"}),
    page("meetings:pledge",
         lambda c: f"/meetings/{cast_meeting(c)}/pledges/{c.membership.public_id}/",
         circle_staff(302), "POST", {"reason": "first_meeting"}),
    page("meetings:agenda-add", lambda c: f"/meetings/{cast_meeting(c)}/agenda/",
         circle_staff(302, member=302), "POST", {"title": "A topic"}),
    page("meetings:cancel", lambda c: f"/meetings/{new_meeting(c)}/cancel/",
         circle_staff(302), "POST"),
    page("meetings:cancel", lambda c: f"/meetings/{cast_meeting(c)}/cancel/?series=1",
         circle_staff(200)),
    page("meetings:move", lambda c: f"/meetings/{cast_meeting(c)}/move/", circle_staff(200)),
    page("meetings:move", lambda c: f"/meetings/{cast_meeting(c)}/move/", circle_staff(200),
         "POST", {"date": ""}),
    page("meetings:history",
         lambda c: f"/meetings/memberships/{c.membership.public_id}/attendance/",
         circle_staff(200, member=200)),
    page("meetings:calendar", lambda c: "/meetings/calendar/", signed_in_only(200)),
    page("meetings:calendar", lambda c: "/meetings/calendar/", signed_in_only(200), "POST",
         {"do": "create"}),
    page("calendar-feed", lambda c: "/calendar/no-such-secret.ics", expect(404)),
    # Everyone's own week and month: what it lists is tested in meetings' test_schedule.
    page("meetings:schedule", lambda c: "/meetings/schedule/?view=month", signed_in_only(200)),
    # Notes: written and signed by the staff; a member reads their own signed note.
    page("notes:write", lambda c: f"/notes/meetings/{cast_meeting(c)}/", circle_staff(200)),
    page("notes:write", lambda c: f"/notes/meetings/{cast_meeting(c)}/", circle_staff(200),
         "POST", {"body": ""}),
    page("notes:autosave", lambda c: f"/notes/meetings/{cast_meeting(c)}/autosave/",
         circle_staff(204), "POST", {"body": "A draft"}),
    page("notes:progress", lambda c: f"/notes/progress/{signed_note(c)}/",
         circle_staff(200, member=200)),
    page("notes:adjust", lambda c: f"/notes/progress/{signed_note(c)}/redactions/",
         circle_staff(302), "POST"),
    page("notes:sign", lambda c: f"/notes/progress/{signed_note(c)}/sign/",
         circle_staff(302), "POST"),
    page("notes:cosign", lambda c: f"/notes/progress/{signed_note(c)}/cosign/",
         circle_staff(302), "POST"),
    page("notes:addendum", lambda c: f"/notes/progress/{signed_note(c)}/addenda/",
         circle_staff(302), "POST", {"body": ""}),
    page("notes:addendum-review", lambda c: f"/notes/addenda/{draft_addendum(c)}/",
         circle_staff(200, member=404)),
    page("notes:adjust", lambda c: f"/notes/addenda/{draft_addendum(c)}/redactions/",
         circle_staff(302, member=404), "POST"),
    page("notes:phrase-preview",
         lambda c: f"/notes/progress/{unsigned_note(c)}/phrases/preview/",
         circle_staff(200), "POST", {"phrase": "Mina"}),
    page("notes:phrase-add", lambda c: f"/notes/progress/{unsigned_note(c)}/phrases/",
         circle_staff(302), "POST", {"phrase": ""}),
    page("notes:phrase-restore",
         lambda c: f"/notes/progress/{unsigned_note(c)}/phrases/0/restore/",
         circle_staff(302), "POST"),
    page("notes:addendum-add",
         lambda c: f"/notes/addenda/{draft_addendum(c, fresh=True)}/add/",
         circle_staff(302, member=404), "POST"),
    page("notes:addendum-discard",
         lambda c: f"/notes/addenda/{draft_addendum(c, fresh=True)}/discard/",
         circle_staff(302, member=404), "POST"),
    page("notes:mine", lambda c: "/notes/mine/", signed_in_only(200)),
    page("notes:export",
         lambda c: f"/notes/memberships/{c.membership.public_id}/record.pdf",
         circle_staff(200, member=200)),
    # Disclosures: the member authorizes and revokes; the staff record releases.
    page("disclosures:mine", lambda c: "/disclosures/", signed_in_only(200)),
    page("disclosures:membership",
         lambda c: f"/disclosures/memberships/{c.membership.public_id}/",
         circle_staff(200, member=200)),
    page("disclosures:membership",
         lambda c: f"/disclosures/memberships/{c.membership.public_id}/",
         circle_staff(403, member=200), "POST", {"recipient": ""}),
    page("disclosures:legal",
         lambda c: f"/disclosures/memberships/{c.membership.public_id}/legal/",
         circle_staff(200)),
    page("disclosures:legal",
         lambda c: f"/disclosures/memberships/{c.membership.public_id}/legal/",
         circle_staff(200), "POST", {"basis": ""}),
    page("disclosures:revoke",
         lambda c: f"/disclosures/authorizations/{new_authorization(c)}/revoke/",
         circle_staff(403, member=302), "POST"),
    page("disclosures:record",
         lambda c: f"/disclosures/authorizations/{new_authorization(c)}/disclose/",
         circle_staff(302), "POST", {"summary": ""}),
    page("disclosures:suspend", lambda c: f"/disclosures/{new_disclosure(c)}/suspend/",
         circle_staff(302), "POST", {"legal_reason": ""}),
    # Concerns: members report; the circle's staff (admins, for the facilitator) handle.
    page("incidents:report", lambda c: f"/incidents/circles/{c.circle.public_id}/report/",
         circle_staff(200, member=200)),
    page("incidents:report", lambda c: f"/incidents/circles/{c.circle.public_id}/report/",
         circle_staff(200, member=200), "POST", {"kind": ""}),
    page("incidents:circle", lambda c: f"/incidents/circles/{c.circle.public_id}/",
         circle_staff(200)),
    page("incidents:concern",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/",
         circle_staff(200, member=200)),
    page("incidents:acknowledge",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/acknowledge/",
         circle_staff(302), "POST"),
    page("incidents:assess",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/assess/",
         circle_staff(302), "POST", {"text": ""}),
    page("incidents:raise",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/raise/",
         circle_staff(302), "POST", {"meeting": ""}),
    page("incidents:decide",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/decide/",
         circle_staff(302), "POST"),
    page("incidents:close",
         lambda c: f"/incidents/concerns/{new_concern(c).public_id}/close/",
         circle_staff(302), "POST", {"text": ""}),
    page("incidents:respond", lambda c: f"/incidents/decisions/{new_decision(c)}/respond/",
         circle_staff(403, member=302), "POST", {"text": "I hear it."}),
    page("incidents:privacy-list",
         lambda c: f"/incidents/organizations/{c.org.public_id}/privacy/", admin_only(200)),
    page("incidents:privacy-list",
         lambda c: f"/incidents/organizations/{c.org.public_id}/privacy/", admin_only(200),
         "POST", {"title": ""}),
    page("incidents:privacy", lambda c: f"/incidents/privacy/{cast_incident(c)}/",
         admin_only(200)),
    page("incidents:privacy-affected",
         lambda c: f"/incidents/privacy/{cast_incident(c)}/affected/", admin_only(302),
         "POST"),
    page("incidents:privacy-notify",
         lambda c: f"/incidents/privacy/{cast_incident(c)}/notifications/", admin_only(302),
         "POST"),
    page("incidents:privacy-sent",
         lambda c: "/incidents/privacy/{}/notifications/{}/sent/".format(
             cast_incident(c), c.__dict__["notification"].public_id), admin_only(302),
         "POST"),
    page("audit:my-access", lambda c: "/audit/mine/", signed_in_only(200)),
    page("audit:head", lambda c: "/audit/head.json", signed_in_only(200)),
    page("audit:trail", lambda c: "/audit/", expect(200, anon=302, m=403, om=403)),
    page("audit:export", lambda c: "/audit/export.csv",
         expect(403, anon=302, a=200, au=200, oa=200)),
    page("audit:security", lambda c: "/audit/security/",
         expect(403, anon=302, a=200, au=200, oa=200)),
    page("api:openapi-json", lambda c: "/api/v1/openapi.json", expect(200)),
    page("notify:list", lambda c: "/notifications/", signed_in_only(200)),
    page("notify:read-all", lambda c: "/notifications/read-all/", signed_in_only(302),
         "POST"),
    page("notify:preferences", lambda c: "/notifications/settings/", signed_in_only(200)),
    page("notify:preferences", lambda c: "/notifications/settings/", signed_in_only(200),
         "POST", {"email_kinds": "no-such-kind"}),
    # Only Mina's own notification is hers to mark; to everyone else it does not exist.
    page("notify:read", lambda c: f"/notifications/{minas_notification(c)}/read/",
         expect(404, anon=302, m=302), "POST"),
    page("api:openapi-view", lambda c: "/api/v1/docs", expect(200)),
    page("api:api-root", lambda c: "/api/v1/", expect(404)),
]

def _training_rows():
    trainees = expect(404, anon=302, f=200, of=200, a=200)
    return [
        page("training:home", lambda c: "/training/",
             expect(404, anon=302, f=302, of=302, a=302, oa=302)),
        page("training:verify", lambda c: "/training/verify/", expect(200)),
        page("training:verify", lambda c: "/training/verify/", expect(200), "POST",
             {"code": "AAAA-BBBB"}),
        page("training:programme", lambda c: f"/training/{c.org.public_id}/", trainees),
        page("training:set-up", lambda c: f"/training/{c.org.public_id}/set-up/",
             expect(404, anon=302, f=403, of=403, a=302), "POST"),
        page("training:settings", lambda c: f"/training/{training(c).organization.public_id}"
             "/settings/", expect(404, anon=302, f=403, of=403, a=200)),
        page("training:settings", lambda c: f"/training/{training(c).organization.public_id}"
             "/settings/", expect(404, anon=302, f=403, of=403, a=200), "POST",
             {"pass_mark": "10"}),
        # Only admins and certified facilitators confirm someone's practice.
        page("training:practice", lambda c: f"/training/{training(c).organization.public_id}"
             "/practice/", expect(404, anon=302, a=200)),
        page("training:hours", lambda c: f"/training/{training(c).organization.public_id}"
             "/hours.csv", trainees),
        page("training:module", lambda c: f"/training/modules/{training_module(c)}/", trainees),
        page("training:module", lambda c: f"/training/modules/{training_module(c)}/", trainees,
             "POST", {"q1": "9"}),
        page("training:module-edit", lambda c: f"/training/modules/{training_module(c)}/edit/",
             expect(404, anon=302, f=403, of=403, a=200)),
        page("training:module-edit", lambda c: f"/training/modules/{training_module(c)}/edit/",
             expect(404, anon=302, f=403, of=403, a=200), "POST",
             {"language": "en", "title": "", "reading": "x"}),
        page("training:attempt", lambda c: f"/training/attempts/{frans_attempt(c)}/",
             expect(404, anon=302, f=200)),
        page("training:certificate-pdf",
             lambda c: f"/training/certificates/{frans_certificate(c).public_id}.pdf",
             expect(404, anon=302, f=200, a=200)),
    ]


WEB += _training_rows()

def feedback_round(c):
    """An open round of Mina's circle, opened once per cast."""
    if "feedback_round" not in c.__dict__:
        from circlekeep.feedback.tests.helpers import open_round

        c.__dict__["feedback_round"] = open_round(c.circle, c.facilitator).public_id
    return c.__dict__["feedback_round"]


def new_feedback_round(c):
    from circlekeep.feedback.tests.helpers import open_round

    return open_round(c.circle, c.facilitator).public_id


def concern_key(c):
    """Today's key for anonymous concerns in Mina's circle."""
    from circlekeep.feedback.actions import concern_keys_for, utc_today

    return next(k for k in concern_keys_for(c.member)
                if k.circle_id == c.circle.pk and k.day == utc_today()).public_id


def _feedback_rows():
    runners = expect(404, anon=302, f=200, a=200, m=403)
    seen = expect(404, anon=302, f=200, a=200, m=200)
    return [
        page("feedback:waiting", lambda c: "/feedback/tokens/", signed_in_only(200)),
        page("feedback:circle", lambda c: f"/feedback/circles/{c.circle.public_id}/", seen),
        page("feedback:circle", lambda c: f"/feedback/circles/{c.circle.public_id}/",
             expect(404, anon=302, f=200, a=200, m=403), "POST", {"title": ""}),
        page("feedback:round", lambda c: f"/feedback/rounds/{feedback_round(c)}/", seen),
        page("feedback:close", lambda c: f"/feedback/rounds/{feedback_round(c)}/close/",
             runners),
        page("feedback:close", lambda c: f"/feedback/rounds/{new_feedback_round(c)}/close/",
             expect(404, anon=302, f=302, a=302, m=403), "POST"),
        # An open round takes no summary yet (a message, back to the round).
        page("feedback:summary", lambda c: f"/feedback/rounds/{feedback_round(c)}/summary/",
             expect(404, anon=302, f=302, a=302, m=403), "POST", {"summary": "Themes"}),
        page("feedback:token", lambda c: f"/feedback/rounds/{feedback_round(c)}/token/",
             expect(404, anon=302, f=403, a=403, m=400), "POST"),
        # Concern tokens: the circle's cleared members and its facilitators (not the
        # organization's admins, who do not hold its tokens); nothing signed here.
        page("feedback:concern_token",
             lambda c: f"/feedback/concern-keys/{concern_key(c)}/token/",
             expect(404, anon=302, f=400, m=400), "POST"),
    ]


WEB += _feedback_rows()

V1 = "/api/v1"
API = [
    endpoint("GET", "/me", lambda c: f"{V1}/me", expect(200, anon=401)),
    endpoint("PUT", "/me", lambda c: f"{V1}/me", expect(400, anon=401),
             {"display_name": "", "language": "en", "time_zone": "UTC"}),
    endpoint("POST", "/me/sign-out-everywhere", lambda c: f"{V1}/me/sign-out-everywhere",
             expect(200, anon=401)),
    # Two-step settings, backup codes and new tokens need a fresh sign-in on the web: a
    # token is refused for everyone (403 "do this on the web, signed in").
    endpoint("POST", "/me/two-step/setup", lambda c: f"{V1}/me/two-step/setup",
             expect(403, anon=401)),
    endpoint("POST", "/me/two-step/confirm", lambda c: f"{V1}/me/two-step/confirm",
             expect(403, anon=401), {"code": "000000"}),
    endpoint("POST", "/me/two-step/backup-codes", lambda c: f"{V1}/me/two-step/backup-codes",
             expect(403, anon=401)),
    endpoint("POST", "/me/two-step/turn-off", lambda c: f"{V1}/me/two-step/turn-off",
             expect(403, anon=401)),
    endpoint("GET", "/tokens", lambda c: f"{V1}/tokens", expect(200, anon=401)),
    endpoint("POST", "/tokens", lambda c: f"{V1}/tokens", expect(403, anon=401),
             {"name": "script", "days": 7}),
    endpoint("POST", "/tokens/{token_id}/revoke",
             lambda c: f"{V1}/tokens/{new_admin_token(c)}/revoke",
             admin_only(200, anon=401)),
    endpoint("POST", "/invitations/accept", lambda c: f"{V1}/invitations/accept", expect(404),
             {"token": "no-such-token"}),
    endpoint("POST", "/invitations/{invitation_id}/revoke",
             lambda c: f"{V1}/invitations/{new_member_invitation(c).public_id}/revoke",
             api_circle_staff(200, member=404)),
    endpoint("GET", "/organizations", lambda c: f"{V1}/organizations", expect(200, anon=401)),
    endpoint("PUT", "/organizations/{org_id}", lambda c: f"{V1}/organizations/{c.org.public_id}",
             admin_only(200, anon=401),
             {"name": "Riverside Collective", "country": "US", "region": "CA"}),
    endpoint("GET", "/organizations/{org_id}/staff",
             lambda c: f"{V1}/organizations/{c.org.public_id}/staff", admin_only(200, anon=401)),
    endpoint("GET", "/organizations/{org_id}/invitations",
             lambda c: f"{V1}/organizations/{c.org.public_id}/invitations",
             admin_only(200, anon=401)),
    endpoint("POST", "/organizations/{org_id}/staff-invitations",
             lambda c: f"{V1}/organizations/{c.org.public_id}/staff-invitations",
             admin_only(201, anon=401), {"email": "new-staff@example.test", "role": "auditor"}),
    endpoint("PUT", "/staff/{role_id}",
             lambda c: f"{V1}/staff/{StaffRole.objects.get(user=c.auditor).public_id}",
             admin_only(200, anon=401), {"role": "auditor"}),
    endpoint("POST", "/staff/{role_id}/reset-two-step",
             lambda c: f"{V1}/staff/{auditor_role(c)}/reset-two-step",
             admin_only(400, anon=401), {"reason": ""}),
    endpoint("POST", "/staff/{role_id}/remove",
             lambda c: "{}/staff/{}/remove".format(V1, StaffRole.objects.get(
                 user=make_staff(c.org, unique_email(), "auditor", name="T", actor=c.admin)
             ).public_id), admin_only(204, anon=401)),
    endpoint("GET", "/me/access-log", lambda c: f"{V1}/me/access-log", expect(200, anon=401)),
    endpoint("GET", "/audit/events", lambda c: f"{V1}/audit/events",
             expect(200, anon=401, m=403, om=403)),
    endpoint("GET", "/audit/security-report",
             lambda c: f"{V1}/audit/security-report?since=2026-01-01",
             expect(403, anon=401, a=200, au=200, oa=200)),
    endpoint("GET", "/circles", lambda c: f"{V1}/circles", expect(200, anon=401)),
    endpoint("POST", "/circles", lambda c: f"{V1}/circles",
             expect(404, anon=401, f=201, of=201, a=201, au=403),
             {"name": "New", "kind": "therapy", "mode": "online", "capacity": 8,
              "organization_id": "ORG"}),
    endpoint("GET", "/circles/{circle_id}", lambda c: f"{V1}/circles/{c.circle.public_id}",
             api_circle_staff(200, member=200)),
    endpoint("PUT", "/circles/{circle_id}", lambda c: f"{V1}/circles/{c.circle.public_id}",
             api_circle_staff(200),
             {"name": "Tuesday circle", "kind": "peer_support", "mode": "online",
              "capacity": 10}),
    endpoint("GET", "/circles/{circle_id}/members",
             lambda c: f"{V1}/circles/{c.circle.public_id}/members", api_circle_staff(200)),
    endpoint("POST", "/circles/{circle_id}/invitations",
             lambda c: f"{V1}/circles/{c.circle.public_id}/invitations", api_circle_staff(400),
             {"email": "not-an-email"}),
    endpoint("POST", "/circles/{circle_id}/facilitators",
             lambda c: f"{V1}/circles/{c.circle.public_id}/facilitators", api_circle_staff(400),
             {"user_id": "AUDITOR"}),
    endpoint("POST", "/facilitations/{facilitation_id}/remove",
             lambda c: f"{V1}/facilitations/{new_co_facilitation(c).public_id}/remove",
             api_circle_staff(204)),
    endpoint("GET", "/memberships", lambda c: f"{V1}/memberships", expect(200, anon=401)),
    endpoint("GET", "/memberships/{membership_id}",
             lambda c: f"{V1}/memberships/{c.membership.public_id}",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/memberships/{membership_id}/erase-protected",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/erase-protected",
             expect(404, anon=401, a=400, f=403, m=403), {"reason": "", "confirmation": "x"}),
    endpoint("POST", "/memberships/{membership_id}/status",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/status",
             api_circle_staff(400), {"status": "nonsense"}),
    endpoint("POST", "/memberships/{membership_id}/guardian-invitations",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/guardian-invitations",
             api_circle_staff(400), {"email": "parent@example.test"}),
]

API_ONBOARDING = "/memberships/{membership_id}/onboarding"


def mina_api(c, suffix=""):
    return f"{V1}/memberships/{c.membership.public_id}/onboarding{suffix}"


API += [
    endpoint("GET", API_ONBOARDING, mina_api, api_circle_staff(200, member=200)),
    endpoint("POST", API_ONBOARDING + "/orientation", lambda c: mina_api(c, "/orientation"),
             api_circle_staff(403, member=400)),
    endpoint("GET", API_ONBOARDING + "/questions", lambda c: mina_api(c, "/questions"),
             api_circle_staff(200, member=200)),
    endpoint("POST", API_ONBOARDING + "/questions", lambda c: mina_api(c, "/questions"),
             api_circle_staff(400, member=400), {"text": ""}),
    endpoint("POST", API_ONBOARDING + "/questions/settled",
             lambda c: mina_api(c, "/questions/settled"), api_circle_staff(403, member=400)),
    endpoint("POST", API_ONBOARDING + "/online-rules", lambda c: mina_api(c, "/online-rules"),
             api_circle_staff(403, member=400)),
    endpoint("GET", API_ONBOARDING + "/relationships", lambda c: mina_api(c, "/relationships"),
             api_circle_staff(200, member=200)),
    endpoint("POST", API_ONBOARDING + "/relationships",
             lambda c: mina_api(c, "/relationships"), api_circle_staff(403, member=400),
             {"declarations": []}),
    endpoint("POST", API_ONBOARDING + "/relationships/decision",
             lambda c: mina_api(c, "/relationships/decision"),
             api_circle_staff(400, member=403), {"decision": "maybe", "plan": ""}),
    endpoint("GET", "/circles/{circle_id}/agreement",
             lambda c: f"{V1}/circles/{c.circle.public_id}/agreement",
             api_circle_staff(200, member=200)),
    endpoint("GET", "/agreement-versions/{version_id}",
             lambda c: f"{V1}/agreement-versions/{current_version(c)}",
             api_circle_staff(200, member=200)),
    endpoint("GET", "/agreement-versions/{version_id}/diff",
             lambda c: f"{V1}/agreement-versions/{current_version(c)}/diff"
                       f"?against={current_version(c)}",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/agreement-versions/{version_id}/signatures",
             lambda c: f"{V1}/agreement-versions/{current_version(c)}/signatures",
             api_circle_staff(403, member=400), {"typed_name": ""}),
    endpoint("GET", "/agreement-signatures/{signature_id}/pdf",
             lambda c: f"{V1}/agreement-signatures/{mina_signature(c)}/pdf",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/circles/{circle_id}/agreement/check",
             lambda c: f"{V1}/circles/{c.circle.public_id}/agreement/check",
             api_circle_staff(200, member=200), {"text": "Some text"}),
    endpoint("POST", "/circles/{circle_id}/agreement/proposals",
             lambda c: f"{V1}/circles/{c.circle.public_id}/agreement/proposals",
             api_circle_staff(400, member=400), {"kind": "nonsense", "reason": ""}),
    endpoint("GET", "/agreement-proposals/{proposal_id}",
             lambda c: f"{V1}/agreement-proposals/{new_proposal(c)}",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/agreement-proposals/{proposal_id}/comments",
             lambda c: f"{V1}/agreement-proposals/{new_proposal(c)}/comments",
             api_circle_staff(400, member=400), {"text": ""}),
    endpoint("POST", "/agreement-proposals/{proposal_id}/decision",
             lambda c: f"{V1}/agreement-proposals/{new_proposal(c)}/decision",
             api_circle_staff(400), {"decision": "maybe", "reason": ""}),
    endpoint("POST", "/circles/{circle_id}/agreement/reviews",
             lambda c: f"{V1}/circles/{c.circle.public_id}/agreement/reviews",
             api_circle_staff(201)),
    endpoint("PUT", "/circles/{circle_id}/agreement/cadence",
             lambda c: f"{V1}/circles/{c.circle.public_id}/agreement/cadence",
             api_circle_staff(400), {"days": 0}),
    endpoint("GET", "/organizations/{org_id}/agreement-template",
             lambda c: f"{V1}/organizations/{c.org.public_id}/agreement-template",
             admin_only(200, anon=401)),
    endpoint("PUT", "/organizations/{org_id}/agreement-template",
             lambda c: f"{V1}/organizations/{c.org.public_id}/agreement-template",
             admin_only(400, anon=401), {"clauses": [], "ladder": []}),
    endpoint("GET", "/consent", lambda c: f"{V1}/consent", expect(200, anon=401)),
    endpoint("GET", "/consent/records", lambda c: f"{V1}/consent/records",
             expect(200, anon=401)),
    endpoint("GET", "/consent-documents/{document_id}",
             lambda c: f"{V1}/consent-documents/{org_document(c)}",
             expect(200, anon=401, oa=404)),
    endpoint("POST", "/consent-documents/{document_id}/consents",
             lambda c: f"{V1}/consent-documents/{org_document(c)}/consents",
             expect(400, anon=401, oa=404), {"typed_name": ""}),
    endpoint("POST", "/consent-records/{record_id}/withdraw",
             lambda c: f"{V1}/consent-records/{mina_live_consent(c)}/withdraw",
             expect(404, anon=401, m=200)),
    endpoint("POST", "/organizations/{org_id}/consent-documents",
             lambda c: f"{V1}/organizations/{c.org.public_id}/consent-documents",
             admin_only(400, anon=401),
             {"title": "", "sections": {}, "reporting_categories": [],
              "guardian_sharing": ""}),
]

API += [
    endpoint("GET", "/circles/{circle_id}/meetings",
             lambda c: f"{V1}/circles/{c.circle.public_id}/meetings",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/circles/{circle_id}/meetings",
             lambda c: f"{V1}/circles/{c.circle.public_id}/meetings",
             api_circle_staff(400, member=403),
             {"starts_at": "2020-01-01T10:00:00Z", "mode": "online"}),
    endpoint("GET", "/meetings/{meeting_id}", lambda c: f"{V1}/meetings/{cast_meeting(c)}",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/meetings/{meeting_id}/acknowledgements",
             lambda c: f"{V1}/meetings/{new_meeting(c)}/acknowledgements",
             api_circle_staff(403, member=201), {}),
    endpoint("POST", "/meetings/{meeting_id}/attendance",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/attendance",
             api_circle_staff(204, member=403),
             {"membership_id": "MEMBERSHIP", "status": "excused"}),
    endpoint("POST", "/meetings/{meeting_id}/cancel",
             lambda c: f"{V1}/meetings/{new_meeting(c)}/cancel",
             api_circle_staff(200, member=403), {}),
    endpoint("GET", "/me/progress-notes", lambda c: f"{V1}/me/progress-notes",
             expect(200, anon=401)),
    endpoint("GET", "/progress-notes/{note_id}",
             lambda c: f"{V1}/progress-notes/{signed_note(c)}",
             api_circle_staff(200, member=200)),
    endpoint("GET", "/meetings/{meeting_id}/notes",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/notes", api_circle_staff(200)),
    endpoint("PUT", "/meetings/{meeting_id}/notes",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/notes", api_circle_staff(400),
             {"body": ""}),
    endpoint("POST", "/progress-notes/{note_id}/sign",
             lambda c: f"{V1}/progress-notes/{signed_note(c)}/sign", api_circle_staff(400)),
    endpoint("POST", "/progress-notes/{note_id}/cosign",
             lambda c: f"{V1}/progress-notes/{signed_note(c)}/cosign",
             expect(404, anon=401, m=403, f=400, a=204)),
    endpoint("POST", "/progress-notes/{note_id}/addenda",
             lambda c: f"{V1}/progress-notes/{signed_note(c)}/addenda", api_circle_staff(400),
             {"body": ""}),
    endpoint("POST", "/addenda/{addendum_id}/add",
             lambda c: f"{V1}/addenda/{draft_addendum(c, fresh=True)}/add",
             api_circle_staff(200, member=404)),
    endpoint("POST", "/addenda/{addendum_id}/discard",
             lambda c: f"{V1}/addenda/{draft_addendum(c, fresh=True)}/discard",
             api_circle_staff(204, member=404)),
    endpoint("GET", "/memberships/{membership_id}/record.pdf",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/record.pdf",
             api_circle_staff(200, member=200)),
]

# The review of each text a member will read: a progress note before it is signed, an
# addendum before it is added. A member knows of their note (403) but not of a draft (404).
for _prefix, _item, _member in (("progress-notes", unsigned_note, 403),
                                ("addenda", draft_addendum, 404)):
    _base = "/" + _prefix + "/{item_id}"

    def _url(suffix, item=_item, prefix=_prefix):
        return lambda c: f"{V1}/{prefix}/{item(c)}{suffix}"

    API += [
        endpoint("GET", _base + "/review", _url("/review"),
                 api_circle_staff(200, member=_member)),
        endpoint("POST", _base + "/redactions", _url("/redactions"),
                 api_circle_staff(200, member=_member), {}),
        endpoint("POST", _base + "/phrases/preview", _url("/phrases/preview"),
                 api_circle_staff(400, member=_member), {"phrase": ""}),
        endpoint("POST", _base + "/phrases", _url("/phrases"),
                 api_circle_staff(400, member=_member), {"phrase": ""}),
        endpoint("POST", _base + "/phrases/{group}/restore", _url("/phrases/0/restore"),
                 api_circle_staff(400, member=_member)),
    ]

API += [
    endpoint("POST", "/circles/{circle_id}/concerns",
             lambda c: f"{V1}/circles/{c.circle.public_id}/concerns",
             api_circle_staff(400, member=400),
             {"kind": "nonsense", "body": "x", "visibility": "facilitators"}),
    endpoint("GET", "/concerns/{concern_id}",
             lambda c: f"{V1}/concerns/{new_concern(c).public_id}",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/concerns/{concern_id}/acknowledge",
             lambda c: f"{V1}/concerns/{new_concern(c).public_id}/acknowledge",
             api_circle_staff(200, member=403)),
    endpoint("POST", "/concerns/{concern_id}/decisions",
             lambda c: f"{V1}/concerns/{new_concern(c, acknowledged=True).public_id}"
                       "/decisions",
             api_circle_staff(400, member=403),
             {"membership_id": "MEMBERSHIP", "step": "nonsense", "reasons": "x"}),
    endpoint("POST", "/concern-decisions/{decision_id}/response",
             lambda c: f"{V1}/concern-decisions/{new_decision(c)}/response",
             api_circle_staff(403, member=204), {"text": "I hear it."}),
    endpoint("POST", "/concerns/{concern_id}/close",
             lambda c: f"{V1}/concerns/{new_concern(c, acknowledged=True).public_id}/close",
             api_circle_staff(200, member=403), {"text": "Resolved together."}),
    endpoint("POST", "/memberships/{membership_id}/authorizations",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/authorizations",
             api_circle_staff(403, member=400),
             {"recipient": "", "information": [], "purpose": "", "expires_on": "2030-01-01",
              "typed_name": ""}),
    endpoint("POST", "/authorizations/{authorization_id}/revoke",
             lambda c: f"{V1}/authorizations/{new_authorization(c)}/revoke",
             api_circle_staff(403, member=200)),
    endpoint("POST", "/memberships/{membership_id}/legal-disclosures",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/legal-disclosures",
             api_circle_staff(400, member=403),
             {"basis": "", "recipient": "x", "information": ["safety"], "summary": "x",
              "reason": "x"}),
    endpoint("GET", "/me/disclosures", lambda c: f"{V1}/me/disclosures",
             expect(200, anon=401)),
]

API += [
    endpoint("POST", "/meetings/{meeting_id}/pledges",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/pledges",
             api_circle_staff(400, member=403),
             {"membership_id": "MEMBERSHIP", "reason": "nonsense"}),
    endpoint("GET", "/meetings/{meeting_id}/agenda",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/agenda",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/meetings/{meeting_id}/agenda",
             lambda c: f"{V1}/meetings/{cast_meeting(c)}/agenda",
             api_circle_staff(201, member=201), {"title": "A topic"}),
    endpoint("POST", "/meetings/{meeting_id}/move",
             lambda c: f"{V1}/meetings/{new_meeting(c)}/move",
             api_circle_staff(400, member=403), {"starts_at": "2020-01-01T10:00:00Z"}),
    # Everyone's own calendar; what it lists is tested in meetings' test_schedule.
    endpoint("GET", "/me/meetings", lambda c: f"{V1}/me/meetings?start=2030-01-01&end=2030-02-01",
             expect(200, anon=401)),
    # A calendar feed is personal: everyone signed in manages their own, nobody another's.
    endpoint("GET", "/me/calendar-feed", lambda c: f"{V1}/me/calendar-feed",
             expect(200, anon=401)),
    endpoint("POST", "/me/calendar-feed", lambda c: f"{V1}/me/calendar-feed",
             expect(201, anon=401)),
    endpoint("PUT", "/me/calendar-feed", every_calendar_feed, expect(200, anon=401),
             {"title": "Book club"}),
    endpoint("POST", "/me/calendar-feed/revoke", lambda c: every_calendar_feed(c) + "/revoke",
             expect(200, anon=401)),
    # Disclosures: the member's own authorizations; the circle's staff record releases.
    endpoint("GET", "/me/authorizations", lambda c: f"{V1}/me/authorizations",
             expect(200, anon=401)),
    endpoint("GET", "/memberships/{membership_id}/authorizations",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/authorizations",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/authorizations/{authorization_id}/disclosures",
             lambda c: f"{V1}/authorizations/{new_authorization(c)}/disclosures",
             api_circle_staff(400, member=403), {"information": ["attendance"], "summary": ""}),
    # The member reads their own in the accounting (/me/disclosures); this list is empty.
    endpoint("GET", "/memberships/{membership_id}/disclosures",
             lambda c: f"{V1}/memberships/{c.membership.public_id}/disclosures",
             api_circle_staff(200, member=200)),
    endpoint("POST", "/disclosures/{disclosure_id}/suspension",
             lambda c: f"{V1}/disclosures/{new_disclosure(c)}/suspension",
             api_circle_staff(400, member=403), {"legal_reason": "", "ends_on": "2030-01-01"}),
    # Concerns: only the people who handle one assess it or raise it in the group.
    endpoint("POST", "/concerns/{concern_id}/assessment",
             lambda c: f"{V1}/concerns/{new_concern(c, acknowledged=True).public_id}"
                       "/assessment",
             api_circle_staff(200, member=403), {"text": "A slip, not a pattern."}),
    endpoint("POST", "/concerns/{concern_id}/raise",
             lambda c: f"{V1}/concerns/{new_concern(c, acknowledged=True).public_id}/raise",
             api_circle_staff(200, member=403), {"meeting_id": "MEETING"}),
    # Privacy incidents: the organization's admins alone.
    endpoint("GET", "/organizations/{org_id}/privacy-incidents",
             lambda c: f"{V1}/organizations/{c.org.public_id}/privacy-incidents",
             admin_only(200, anon=401)),
    endpoint("POST", "/organizations/{org_id}/privacy-incidents",
             lambda c: f"{V1}/organizations/{c.org.public_id}/privacy-incidents",
             admin_only(400, anon=401),
             {"title": "", "discovered_at": "2030-01-01T00:00:00Z", "exposed": "Names"}),
    endpoint("GET", "/privacy-incidents/{incident_id}",
             lambda c: f"{V1}/privacy-incidents/{cast_incident(c)}", admin_only(200, anon=401)),
    endpoint("POST", "/privacy-incidents/{incident_id}/affected",
             lambda c: f"{V1}/privacy-incidents/{cast_incident(c)}/affected",
             admin_only(400, anon=401),
             {"reader_id": "AUDITOR", "since": "2030-01-02T00:00:00Z",
              "until": "2030-01-01T00:00:00Z"}),
    endpoint("POST", "/privacy-incidents/{incident_id}/notifications",
             lambda c: f"{V1}/privacy-incidents/{cast_incident(c)}/notifications",
             admin_only(400, anon=401), {"kind": "nonsense", "recipient": "x", "draft": "x"}),
    endpoint("POST", "/privacy-incidents/{incident_id}/notifications/{notification_id}/sent",
             lambda c: "{}/privacy-incidents/{}/notifications/{}/sent".format(
                 V1, cast_incident(c), c.__dict__["notification"].public_id),
             admin_only(200, anon=401)),
]

API += [
    endpoint("GET", "/me/notifications", lambda c: f"{V1}/me/notifications",
             expect(200, anon=401)),
    endpoint("POST", "/me/notifications/read-all", lambda c: f"{V1}/me/notifications/read-all",
             expect(200, anon=401)),
    endpoint("POST", "/me/notifications/{notification_id}/read",
             lambda c: f"{V1}/me/notifications/{minas_notification(c)}/read",
             expect(404, anon=401, m=200)),
    endpoint("GET", "/me/notification-settings", lambda c: f"{V1}/me/notification-settings",
             expect(200, anon=401)),
    endpoint("PUT", "/me/notification-settings", lambda c: f"{V1}/me/notification-settings",
             expect(400, anon=401), {"email": {"no-such-kind": True}}),
]

API += [
    endpoint("GET", "/organizations/{org_id}/training",
             lambda c: f"{V1}/organizations/{training(c).organization.public_id}/training",
             expect(404, anon=401, f=200, of=200, a=200)),
    endpoint("POST", "/organizations/{org_id}/training",
             lambda c: f"{V1}/organizations/{c.org.public_id}/training",
             expect(404, anon=401, f=403, of=403, a=201)),
    endpoint("PUT", "/organizations/{org_id}/training",
             lambda c: f"{V1}/organizations/{training(c).organization.public_id}/training",
             expect(404, anon=401, f=403, of=403, a=400),
             {"required": True, "pass_mark": 10, "retake_after_hours": 1, "valid_months": 24,
              "grace_days": 30, "co_facilitations": 0, "sign_off": False}),
    endpoint("GET", "/training/modules/{module_id}",
             lambda c: f"{V1}/training/modules/{training_module(c)}",
             expect(404, anon=401, f=200, of=200, a=200)),
    endpoint("PUT", "/training/modules/{module_id}",
             lambda c: f"{V1}/training/modules/{training_module(c)}",
             expect(404, anon=401, f=403, of=403, a=400),
             {"language": "xx", "title": "T", "reading": "R"}),
    endpoint("POST", "/training/modules/{module_id}/attempts",
             lambda c: f"{V1}/training/modules/{training_module(c)}/attempts",
             expect(404, anon=401, f=400, of=400, a=400), {"answers": []}),
    # Fran is not certified: only the admin may confirm her practice (the kind is wrong).
    endpoint("POST", "/organizations/{org_id}/training/practice",
             lambda c: f"{V1}/organizations/{training(c).organization.public_id}"
             "/training/practice", expect(404, anon=401, a=400),
             {"trainee_id": "FACILITATOR", "kind": "nonsense", "on": "2026-11-20"}),
    endpoint("POST", "/training/certificates/verify",
             lambda c: f"{V1}/training/certificates/verify", expect(200),
             {"code": "AAAA-BBBB-CCCC-DDDD"}),
]

API += [
    endpoint("GET", "/circles/{circle_id}/feedback-rounds",
             lambda c: f"{V1}/circles/{c.circle.public_id}/feedback-rounds",
             expect(404, anon=401, f=200, a=200, m=200)),
    endpoint("POST", "/circles/{circle_id}/feedback-rounds",
             lambda c: f"{V1}/circles/{c.circle.public_id}/feedback-rounds",
             expect(404, anon=401, f=400, a=400, m=403),
             {"title": "", "questions": [{"kind": "rating", "prompt": "How was it?"}]}),
    endpoint("GET", "/feedback-rounds/{round_id}",
             lambda c: f"{V1}/feedback-rounds/{feedback_round(c)}",
             expect(404, anon=401, f=200, a=200, m=200)),
    endpoint("POST", "/feedback-rounds/{round_id}/close",
             lambda c: f"{V1}/feedback-rounds/{new_feedback_round(c)}/close",
             expect(404, anon=401, f=200, a=200, m=403)),
    endpoint("PUT", "/feedback-rounds/{round_id}/summary",
             lambda c: f"{V1}/feedback-rounds/{feedback_round(c)}/summary",
             expect(404, anon=401, f=400, a=400, m=403), {"summary": "Themes"}),
    endpoint("POST", "/feedback-rounds/{round_id}/tokens",
             lambda c: f"{V1}/feedback-rounds/{feedback_round(c)}/tokens",
             expect(404, anon=401, f=403, a=403, m=400), {"blinded": "AAAA"}),
    # Without credentials by design: the key to check, and sending an entry with a token.
    endpoint("GET", "/feedback-rounds/{round_id}/key",
             lambda c: f"{V1}/feedback-rounds/{feedback_round(c)}/key", expect(200)),
    endpoint("POST", "/feedback/entries", lambda c: f"{V1}/feedback/entries", expect(400),
             {"round_id": "00000000-0000-0000-0000-000000000000", "token": "AAAA",
              "signature": "AAAA", "answers": {"q1": 3}}),
    # Each person's own list of the days' concern keys (empty for one who holds none).
    endpoint("GET", "/concern-keys", lambda c: f"{V1}/concern-keys", expect(200, anon=401)),
    endpoint("POST", "/concern-keys/{key_id}/tokens",
             lambda c: f"{V1}/concern-keys/{concern_key(c)}/tokens",
             expect(404, anon=401, f=400, m=400), {"blinded": "AAAA"}),
    # Without credentials by design: a circle's key for a day, and sending a concern.
    endpoint("GET", "/circles/{circle_id}/concern-keys/{day}",
             lambda c: f"{V1}/circles/{c.circle.public_id}/concern-keys/"
             f"{concern_key_day(c)}", expect(200)),
    endpoint("POST", "/anonymous-concerns", lambda c: f"{V1}/anonymous-concerns", expect(400),
             {"key_id": "00000000-0000-0000-0000-000000000000", "token": "AAAA",
              "signature": "AAAA", "kind": "intentional", "body": "x"}),
]


def concern_key_day(c):
    from circlekeep.feedback.actions import utc_today

    concern_key(c)
    return utc_today().isoformat()

ROWS = WEB + API
API_OPERATION_NAMES_COVERED_BY_SCHEMA = "api:"
API_NON_OPERATIONS = {"api:openapi-json", "api:openapi-view", "api:api-root"}


def url_names(patterns=None, namespace=""):
    """Every named URL pattern, as "namespace:name"."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            ns = ":".join(p for p in (namespace, inner) if p)
            yield from url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def api_operations():
    schema = api.get_openapi_schema()
    prefix = "/api/v1"
    for path, operations in schema["paths"].items():
        for method in operations:
            yield f"{method.upper()} {path.removeprefix(prefix)}"


def routes_without_rows():
    covered = {row.route for row in ROWS}
    missing = []
    for name in url_names():
        is_api_operation = (name.startswith(API_OPERATION_NAMES_COVERED_BY_SCHEMA)
                            and name not in API_NON_OPERATIONS)
        if not is_api_operation and name not in covered:
            missing.append(name)
    missing += [op for op in api_operations() if op not in covered]
    return missing


def test_every_route_has_a_row():
    assert routes_without_rows() == []


def test_a_new_route_without_a_row_is_caught(settings):
    import sys
    import types

    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("matrix_extra_urls")
    module.urlpatterns = [path("", include("config.urls")),
                          path("unchecked/", lambda request: None, name="unchecked")]
    sys.modules["matrix_extra_urls"] = module
    settings.ROOT_URLCONF = "matrix_extra_urls"
    clear_url_caches()
    try:
        assert routes_without_rows() == ["unchecked"]
    finally:
        del sys.modules["matrix_extra_urls"]
        clear_url_caches()


def _client_for(cast, principal, is_api):
    user = cast.principals()[principal]
    if not is_api:
        return signed_in_client(user), {}
    client = Client()
    if user is None:
        return client, {}
    return client, make_api_token(user, name="matrix")[1]


def _resolve_placeholders(cast, data):
    replacements = {"ORG": str(cast.org.public_id), "AUDITOR": str(cast.auditor.public_id),
                    "FACILITATOR": str(cast.facilitator.public_id),
                    "MEMBERSHIP": str(cast.membership.public_id)}
    if "MEETING" in data.values():
        replacements["MEETING"] = str(cast_meeting(cast))
    return {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in data.items()}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.route}")
def test_route_allows_and_denies_as_expected(cast, row):
    is_api = row.route.split(" ", 1)[-1].startswith("/") and " " in row.route
    outcomes = {}
    for principal in PRINCIPALS:
        client, headers = _client_for(cast, principal, is_api)
        url = row.path(cast)
        data = _resolve_placeholders(cast, row.data)
        if row.method == "GET":
            response = client.get(url, **headers)
        elif is_api:
            response = client.generic(row.method, url, data=json.dumps(data),
                                      content_type="application/json", **headers)
        else:
            response = client.post(url, data, **headers)
        outcomes[principal] = response.status_code
    assert outcomes == row.expected


def test_malformed_and_unknown_ids_are_404_not_500(cast):
    admin = signed_in_client(cast.admin)
    for url in ("/circles/not-a-uuid/", "/circles/00000000-0000-0000-0000-000000000000/",
                "/org/123/settings/", "/circles/memberships/%27%3B--/"):
        assert admin.get(url).status_code == 404
    _token, headers = make_api_token(cast.admin)
    for url in ("/api/v1/circles/not-a-uuid", "/api/v1/memberships/1",
                "/api/v1/circles/00000000-0000-0000-0000-000000000000/members"):
        assert Client().get(url, **headers).status_code == 404


def test_the_cast_has_the_roles_the_matrix_assumes(cast):
    assert Facilitation.objects.get(circle=cast.circle, role="lead").user == cast.facilitator
    assert StaffRole.objects.get(user=cast.other_admin).organization == cast.other_org
