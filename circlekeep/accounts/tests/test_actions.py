import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts import actions
from circlekeep.accounts.models import ApiToken, Guardianship, Invitation, User
from circlekeep.circles import actions as circle_actions
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.orgs import actions as org_actions
from circlekeep.orgs.models import StaffRole
from circlekeep.testing import (
    PASSWORD,
    assert_events,
    audit_mark,
    invitation_token_from_mail,
    just_signed_in,
    make_member,
    totp_now,
)

pytestmark = pytest.mark.django_db


def test_it_invites_staff_by_email_with_a_single_use_token(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = org_actions.do_invite_staff(cast.org, email="Nia@Example.test",
                                                    role="facilitator", actor=cast.admin)
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    assert invitation.user.is_active is False
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert invitation_token_from_mail(mailoutbox, "Nia@Example.test") == token
    assert_events(mark, [("account.invitation.sent", cast.admin, invitation.user)])


def test_invitation_email_names_the_organization_but_no_circle(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    from circlekeep.circles.actions import do_invite_member

    with django_capture_on_commit_callbacks(execute=True):
        do_invite_member(cast.circle, email="new@example.test", actor=cast.facilitator)
    body = mailoutbox[-1].subject + mailoutbox[-1].body
    assert cast.org.name in body
    assert cast.circle.name not in body


def test_only_org_admins_invite_staff(cast):
    with pytest.raises(ActionForbidden):
        org_actions.do_invite_staff(cast.org, email="x@example.test", role="admin",
                                actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        org_actions.do_invite_staff(cast.org, email="x@example.test", role="admin",
                                actor=cast.other_admin)
    assert not Invitation.objects.filter(email="x@example.test").exists()


@pytest.mark.parametrize("email,role,message", [
    ("not-an-address", "facilitator", "valid e-mail"),
    ("x@example.test", "overlord", "Choose a role"),
    ("fran@riverside.test", "auditor", "already on the staff"),
])
def test_staff_invitation_rejects_bad_input(cast, email, role, message):
    before = Invitation.objects.count()
    with pytest.raises(DomainError, match=message):
        org_actions.do_invite_staff(cast.org, email=email, role=role, actor=cast.admin)
    assert Invitation.objects.count() == before


def test_a_second_pending_staff_invitation_is_refused(cast):
    org_actions.do_invite_staff(cast.org, email="x@example.test", role="auditor", actor=cast.admin)
    with pytest.raises(DomainError, match="pending staff invitation"):
        org_actions.do_invite_staff(cast.org, email="x@example.test", role="auditor",
                                actor=cast.admin)


def test_accepting_a_staff_invitation_creates_the_account_and_role(cast):
    invitation, _ = org_actions.do_invite_staff(cast.org, email="nia@example.test",
                                            role="facilitator", actor=cast.admin)
    mark = audit_mark()
    user = actions.do_accept_invitation(invitation, acting_user=None, display_name="Nia",
                                        pronouns="she/her", language="es",
                                        time_zone="Europe/Madrid", password=PASSWORD)
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)
    assert (user.display_name, user.language, user.time_zone) == ("Nia", "es", "Europe/Madrid")
    assert StaffRole.objects.get(user=user, organization=cast.org).role == "facilitator"
    assert_events(mark, [("account.invitation.accepted", user, user),
                         ("org.staff.role.granted", None, user)])


def _expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()


def test_expired_used_and_withdrawn_invitations_do_nothing(cast):
    expired, _ = org_actions.do_invite_staff(cast.org, email="a@example.test", role="auditor",
                                         actor=cast.admin)
    _expire(expired)
    with pytest.raises(DomainError, match="expired"):
        actions.do_accept_invitation(expired, acting_user=None, display_name="A",
                                     password=PASSWORD)
    used, _ = org_actions.do_invite_staff(cast.org, email="b@example.test", role="auditor",
                                      actor=cast.admin)
    actions.do_accept_invitation(used, acting_user=None, display_name="B", password=PASSWORD)
    with pytest.raises(DomainError, match="already been used"):
        actions.do_accept_invitation(used, acting_user=None, display_name="B2",
                                     password=PASSWORD)
    withdrawn, _ = org_actions.do_invite_staff(cast.org, email="c@example.test", role="auditor",
                                           actor=cast.admin)
    actions.do_revoke_invitation(withdrawn, actor=cast.admin)
    with pytest.raises(DomainError, match="withdrawn"):
        actions.do_accept_invitation(withdrawn, acting_user=None, display_name="C",
                                     password=PASSWORD)
    assert not User.objects.filter(email__in=["a@example.test", "c@example.test"],
                                   is_active=True).exists()
    assert User.objects.get(email="b@example.test").display_name == "B"


def test_an_invitation_for_an_existing_account_needs_that_account_signed_in(cast):
    from circlekeep.circles.actions import do_invite_member

    invitation, _ = do_invite_member(cast.other_circle, email=cast.member.email,
                                     actor=cast.other_facilitator)
    with pytest.raises(DomainError, match="different account"):
        actions.do_accept_invitation(invitation, acting_user=cast.other_member)
    with pytest.raises(DomainError, match="different account"):
        actions.do_accept_invitation(invitation, acting_user=None)
    assert Membership.objects.get(circle=cast.other_circle, user=cast.member).status == "invited"
    actions.do_accept_invitation(invitation, acting_user=cast.member)
    assert Membership.objects.get(circle=cast.other_circle,
                                  user=cast.member).status == "onboarding"


def test_a_new_invitee_must_not_be_signed_in_as_someone_else(cast):
    invitation, _ = org_actions.do_invite_staff(cast.org, email="d@example.test", role="auditor",
                                            actor=cast.admin)
    with pytest.raises(DomainError, match="different account"):
        actions.do_accept_invitation(invitation, acting_user=cast.member, display_name="D",
                                     password=PASSWORD)


@pytest.mark.parametrize("fields,message", [
    ({"display_name": "", "password": PASSWORD}, "Choose how you want to be shown"),
    ({"display_name": "D", "password": "short"}, "too short"),
    ({"display_name": "D", "password": "password1234"}, "too common"),
    ({"display_name": "D", "password": PASSWORD, "language": "fr"}, "English or Spanish"),
    ({"display_name": "D", "password": PASSWORD, "time_zone": "Mars/Olympus"}, "time zone"),
])
def test_accepting_rejects_a_bad_profile_or_password(cast, fields, message):
    invitation, _ = org_actions.do_invite_staff(cast.org, email="e@example.test", role="auditor",
                                            actor=cast.admin)
    with pytest.raises(DomainError, match=message):
        actions.do_accept_invitation(invitation, acting_user=None, **fields)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.get(email="e@example.test").is_active


def test_revoking_a_member_invitation_frees_the_place(cast):
    from circlekeep.circles.actions import do_invite_member

    invitation, _ = do_invite_member(cast.circle, email="g@example.test", actor=cast.facilitator)
    mark = audit_mark()
    actions.do_revoke_invitation(invitation, actor=cast.facilitator)
    membership = Membership.objects.get(circle=cast.circle, user=invitation.user)
    assert membership.status == "revoked"
    assert_events(mark, [("account.invitation.revoked", cast.facilitator, invitation.user),
                         ("circle.member.status.changed", cast.facilitator, invitation.user)])
    with pytest.raises(DomainError, match="already withdrawn"):
        actions.do_revoke_invitation(invitation, actor=cast.facilitator)


def test_only_the_circles_staff_revoke_its_invitations(cast):
    from circlekeep.circles.actions import do_invite_member

    invitation, _ = do_invite_member(cast.circle, email="h@example.test", actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        actions.do_revoke_invitation(invitation, actor=cast.other_facilitator)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_guardian_invitation_links_guardian_and_minor(cast):
    from circlekeep.circles.actions import do_update_circle

    do_update_circle(cast.circle, name=cast.circle.name, kind=cast.circle.kind,
                     mode=cast.circle.mode, capacity=10, allows_minors=True,
                     actor=cast.facilitator)
    minor = make_member(cast.circle, "kid@example.test", name="Kid", actor=cast.facilitator,
                        is_minor=True, status="onboarding")
    mark = audit_mark()
    invitation, _ = circle_actions.do_invite_guardian(minor, email="parent@example.test",
                                               actor=cast.facilitator)
    guardian = actions.do_accept_invitation(invitation, acting_user=None, display_name="Pat",
                                            password=PASSWORD)
    assert Guardianship.objects.filter(guardian=guardian, ward=minor.user).exists()
    assert_events(mark, [("account.invitation.sent", cast.facilitator, minor.user),
                         ("account.invitation.accepted", guardian, guardian),
                         ("account.guardian.linked", guardian, minor.user)])


def test_guardians_are_only_for_minors_and_never_themselves(cast):
    with pytest.raises(DomainError, match="Only a minor"):
        circle_actions.do_invite_guardian(cast.membership, email="p@example.test",
                                   actor=cast.facilitator)
    with pytest.raises(ActionForbidden):
        circle_actions.do_invite_guardian(cast.membership, email="p@example.test",
                                   actor=cast.other_facilitator)


def test_profile_changes_are_audited_with_field_names_only(cast):
    from circlekeep.audit.models import AuditEvent

    mark = audit_mark()
    actions.do_update_profile(cast.member, display_name="M.", pronouns="they/them",
                              language="es", time_zone="America/Mexico_City", actor=cast.member)
    assert_events(mark, [("account.profile.changed", cast.member, cast.member)])
    event = AuditEvent.objects.get(sequence__gt=mark)
    assert event.data == {"fields": ["display_name", "pronouns", "language", "time_zone"]}
    with pytest.raises(ActionForbidden):
        actions.do_update_profile(cast.member, display_name="X", pronouns="", language="en",
                                  time_zone="UTC", actor=cast.facilitator)


def test_changing_password_needs_the_current_one(cast):
    with pytest.raises(DomainError, match="current password"):
        actions.do_change_password(cast.member, old_password="wrong", new_password="x" * 20,
                                   actor=cast.member, proof=just_signed_in(cast.member))
    mark = audit_mark()
    actions.do_change_password(cast.member, old_password=PASSWORD,
                               new_password="another-long-passphrase", actor=cast.member,
                               proof=just_signed_in(cast.member))
    assert User.objects.get(pk=cast.member.pk).check_password("another-long-passphrase")
    assert_events(mark, [("account.password.changed", cast.member, cast.member)])


def test_totp_enrollment_rejects_a_wrong_code_and_accepts_the_right_one(cast):
    user = cast.member
    device = actions.do_start_totp_enrollment(user, actor=user, proof=just_signed_in(user))
    with pytest.raises(DomainError, match="not right"):
        actions.do_confirm_totp(user, "000000" if totp_now(device) != "000000" else "111111",
                                actor=user, proof=just_signed_in(user))
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    mark = audit_mark()
    device, codes = actions.do_confirm_totp(user, totp_now(device), actor=user,
                                            proof=just_signed_in(user))
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert_events(mark, [("account.otp.enrolled", user, user)])


def test_a_totp_code_cannot_be_used_twice(cast):
    device = TOTPDevice.objects.get(user=cast.facilitator, confirmed=True)
    code = totp_now(device, ahead=1)  # this step's code was spent on enrolment
    assert actions.do_verify_second_factor(cast.facilitator, code) is not None
    mark = audit_mark()
    assert actions.do_verify_second_factor(cast.facilitator, code) is None
    assert_events(mark, [("account.otp.failed", cast.facilitator, cast.facilitator)])


def test_a_backup_code_works_once(cast):
    codes = actions.do_regenerate_backup_codes(cast.facilitator, actor=cast.facilitator,
                                               proof=just_signed_in(cast.facilitator))
    assert actions.do_verify_second_factor(cast.facilitator, codes[0]) is not None
    assert actions.do_verify_second_factor(cast.facilitator, codes[0]) is None
    assert StaticToken.objects.filter(device__user=cast.facilitator).count() == 9


def test_staff_cannot_turn_off_two_factor_but_members_can(cast):
    with pytest.raises(DomainError, match="requires two-step"):
        actions.do_disable_two_factor(cast.facilitator, actor=cast.facilitator,
                                      proof=just_signed_in(cast.facilitator))
    from circlekeep.testing import enroll_totp

    enroll_totp(cast.member)
    epoch = cast.member.session_epoch
    mark = audit_mark()
    actions.do_disable_two_factor(cast.member, actor=cast.member,
                                  proof=just_signed_in(cast.member))
    assert not TOTPDevice.objects.filter(user=cast.member).exists()
    assert User.objects.get(pk=cast.member.pk).session_epoch == epoch + 1
    assert_events(mark, [("account.otp.disabled", cast.member, cast.member)])


def test_sign_out_everywhere_changes_the_session_hash(cast):
    before = cast.member.get_session_auth_hash()
    mark = audit_mark()
    actions.do_sign_out_everywhere(cast.member, actor=cast.member)
    assert User.objects.get(pk=cast.member.pk).get_session_auth_hash() != before
    assert_events(mark, [("account.signed_out_everywhere", cast.member, cast.member)])


def test_api_tokens_are_stored_hashed_and_expire(cast):
    mark = audit_mark()
    token, secret = actions.do_create_api_token(cast.admin, name="reports", days=30,
                                                actor=cast.admin, proof=just_signed_in(cast.admin))
    assert secret.startswith("ck_") and secret not in token.token_hash
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    assert 29 <= (token.expires_at - timezone.now()).days <= 30
    assert_events(mark, [("account.api_token.created", cast.admin, cast.admin)])
    for days in (0, 91, "soon"):
        with pytest.raises(DomainError, match="expire within 1 to 90 days"):
            actions.do_create_api_token(cast.admin, name="x", days=days, actor=cast.admin,
                                        proof=just_signed_in(cast.admin))
    with pytest.raises(DomainError, match="name"):
        actions.do_create_api_token(cast.admin, name=" ", days=30, actor=cast.admin,
                                    proof=just_signed_in(cast.admin))
    mark = audit_mark()
    actions.do_revoke_api_token(token, actor=cast.admin)
    assert_events(mark, [("account.api_token.revoked", cast.admin, cast.admin)])
    with pytest.raises(DomainError, match="already revoked"):
        actions.do_revoke_api_token(token, actor=cast.admin)
    with pytest.raises(ActionForbidden):
        actions.do_revoke_api_token(token, actor=cast.member)


def test_sign_in_records_last_login_and_failures(cast):
    mark = audit_mark()
    actions.do_record_sign_in(cast.member)
    actions.do_record_failed_sign_in("MINA@example.test")
    actions.do_record_failed_sign_in("nobody@example.test")
    assert User.objects.get(pk=cast.member.pk).last_login is not None
    assert_events(mark, [("account.signed_in", cast.member, cast.member),
                         ("account.sign_in.failed", None, cast.member),
                         ("account.sign_in.failed", None, None)])


def test_regenerating_backup_codes_replaces_the_old_ones(cast):
    old = actions.do_regenerate_backup_codes(cast.facilitator, actor=cast.facilitator,
                                             proof=just_signed_in(cast.facilitator))
    mark = audit_mark()
    new = actions.do_regenerate_backup_codes(cast.facilitator, actor=cast.facilitator,
                                             proof=just_signed_in(cast.facilitator))
    assert set(old).isdisjoint(new)
    assert actions.do_verify_second_factor(cast.facilitator, old[0]) is None
    assert_events(mark,
                  [("account.otp.backup_codes.generated", cast.facilitator, cast.facilitator),
                   ("account.otp.failed", cast.facilitator, cast.facilitator)])
    with pytest.raises(DomainError, match="Turn on two-step"):
        actions.do_regenerate_backup_codes(cast.member, actor=cast.member,
                                           proof=just_signed_in(cast.member))


def test_a_reset_password_is_validated_and_audited(cast):
    with pytest.raises(DomainError, match="too short"):
        actions.do_reset_password(cast.member, new_password="short")
    mark = audit_mark()
    actions.do_reset_password(cast.member, new_password="a-brand-new-passphrase")
    assert User.objects.get(pk=cast.member.pk).check_password("a-brand-new-passphrase")
    assert_events(mark, [("account.password.reset", cast.member, cast.member)])


def test_sign_out_is_recorded(cast):
    mark = audit_mark()
    actions.do_record_sign_out(cast.member)
    assert_events(mark, [("account.signed_out", cast.member, cast.member)])


def test_a_lockout_is_recorded_against_the_account(cast):
    mark = audit_mark()
    actions.do_record_lockout("mina@example.test")
    actions.do_record_lockout("nobody@example.test")
    assert_events(mark, [("account.locked_out", None, cast.member),
                         ("account.locked_out", None, None)])


def test_backup_codes_are_not_stored_in_clear(cast):
    codes = actions.do_regenerate_backup_codes(cast.facilitator, actor=cast.facilitator,
                                               proof=just_signed_in(cast.facilitator))
    stored = set(StaticToken.objects.filter(device__user=cast.facilitator)
                 .values_list("token", flat=True))
    assert len(stored) == 10 and stored.isdisjoint(codes)
    assert actions.do_verify_second_factor(cast.facilitator, codes[3].upper()) is not None


def test_an_admin_resets_a_lost_two_step_sign_in(cast):
    epoch = cast.facilitator.session_epoch
    mark = audit_mark()
    org_actions.do_reset_two_factor(cast.facilitator, actor=cast.admin,
                                reason="Lost phone; confirmed by a call")
    assert not TOTPDevice.objects.filter(user=cast.facilitator).exists()
    assert User.objects.get(pk=cast.facilitator.pk).session_epoch == epoch + 1
    assert_events(mark, [("account.otp.reset", cast.admin, cast.facilitator)])
    with pytest.raises(DomainError, match="no two-step sign-in"):
        org_actions.do_reset_two_factor(cast.facilitator, actor=cast.admin, reason="again")


@pytest.mark.parametrize("who", ["facilitator", "auditor", "member", "other_admin"])
def test_only_an_admin_of_the_persons_organization_resets_it(cast, who):
    with pytest.raises(ActionForbidden):
        org_actions.do_reset_two_factor(cast.other_facilitator, actor=getattr(cast, who),
                                    reason="x")
    assert TOTPDevice.objects.filter(user=cast.other_facilitator).exists()


def test_an_organization_where_the_person_is_only_a_member_cannot_reset_it(cast):
    """Fran is staff in Riverside and a member of a Harbor circle: the reset would change
    how she signs in to Riverside, so Harbor's admin may not do it."""
    from circlekeep.testing import make_member

    make_member(cast.other_org_circle, "fran@riverside.test", name="Fran",
                actor=cast.other_admin, status="onboarding")
    with pytest.raises(ActionForbidden):
        org_actions.do_reset_two_factor(cast.facilitator, actor=cast.other_admin, reason="x")
    assert TOTPDevice.objects.filter(user=cast.facilitator).exists()


def test_a_reset_needs_a_reason_and_is_not_for_oneself(cast):
    with pytest.raises(DomainError, match="Give the reason"):
        org_actions.do_reset_two_factor(cast.facilitator, actor=cast.admin, reason=" ")
    with pytest.raises(ActionForbidden):
        org_actions.do_reset_two_factor(cast.admin, actor=cast.admin, reason="mine")


# Re-authentication and API tokens ------------------------------------------------------------


def _sensitive_calls():
    return {
        "change_password": lambda u, p: actions.do_change_password(
            u, old_password=PASSWORD, new_password="another-long-passphrase", actor=u,
            proof=p),
        "start_totp": lambda u, p: actions.do_start_totp_enrollment(u, actor=u, proof=p),
        "confirm_totp": lambda u, p: actions.do_confirm_totp(u, "123456", actor=u, proof=p),
        "backup_codes": lambda u, p: actions.do_regenerate_backup_codes(u, actor=u, proof=p),
        "disable_two_step": lambda u, p: actions.do_disable_two_factor(u, actor=u, proof=p),
        "create_token": lambda u, p: actions.do_create_api_token(u, name="x", days=1, actor=u,
                                                                 proof=p),
    }


def _proofs(cast):
    from circlekeep.accounts.reauth import RecentSignIn

    now = time.time()
    return {
        # What an API endpoint, or a view that forgot the check, has to pass.
        "none": (cast.member, None, "Do this on the web, signed in"),
        "stale": (cast.member, RecentSignIn(cast.member.pk, now - 11 * 60, False),
                  "Confirm it's you first"),
        "someone_elses": (cast.member, RecentSignIn(cast.other_member.pk, now, False),
                          "Confirm it's you first"),
        "without_second_step": (cast.facilitator, RecentSignIn(cast.facilitator.pk, now, False),
                                "Confirm it's you first"),
    }


@pytest.mark.parametrize("proof_kind", ["none", "stale", "someone_elses", "without_second_step"])
@pytest.mark.parametrize("call", sorted(_sensitive_calls()))
def test_sensitive_changes_refuse_without_a_recent_sign_in_and_change_nothing(
        cast, call, proof_kind):
    user, proof, message = _proofs(cast)[proof_kind]
    password, devices = user.password, TOTPDevice.objects.filter(user=user).count()
    mark = audit_mark()
    with pytest.raises(ActionForbidden, match=message):
        _sensitive_calls()[call](user, proof)
    assert_events(mark, [])
    assert User.objects.get(pk=user.pk).password == password
    assert TOTPDevice.objects.filter(user=user).count() == devices
    assert not ApiToken.objects.filter(user=user).exists()


def test_confirming_it_is_you_is_recorded(cast):
    mark = audit_mark()
    actions.do_record_reauthentication(cast.facilitator, second_factor=True)
    actions.do_record_failed_reauthentication(cast.member)
    assert_events(mark, [("account.reauthenticated", cast.facilitator, cast.facilitator),
                         ("account.reauthentication.failed", cast.member, cast.member)])


def _live_tokens(user, *names):
    from circlekeep.testing import make_api_token

    return [make_api_token(user, name=name)[0] for name in names]


@pytest.mark.parametrize("cause", ["sign_out_everywhere", "change_password", "reset_password",
                                   "disable_two_step", "admin_reset"])
def test_every_credential_reset_revokes_all_live_tokens_and_tells_the_person(
        cast, cause, mailoutbox, django_capture_on_commit_callbacks):
    from circlekeep.testing import enroll_totp, make_api_token

    user = cast.facilitator if cause == "admin_reset" else cast.member
    if cause == "disable_two_step":
        enroll_totp(user)
    tokens = _live_tokens(user, "backup script", "dashboard")
    expired, _headers = make_api_token(user, name="old one")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    theirs = _live_tokens(cast.other_member, "not Mina's")[0]
    actor = cast.admin if cause == "admin_reset" else user
    first_event = {
        "sign_out_everywhere": lambda: actions.do_sign_out_everywhere(user, actor=user),
        "change_password": lambda: actions.do_change_password(
            user, old_password=PASSWORD, new_password="another-long-passphrase", actor=user,
            proof=just_signed_in(user)),
        "reset_password": lambda: actions.do_reset_password(
            user, new_password="another-long-passphrase"),
        "disable_two_step": lambda: actions.do_disable_two_factor(
            user, actor=user, proof=just_signed_in(user)),
        "admin_reset": lambda: org_actions.do_reset_two_factor(user, actor=cast.admin,
                                                           reason="Lost phone"),
    }
    event_type = {"sign_out_everywhere": "account.signed_out_everywhere",
                  "change_password": "account.password.changed",
                  "reset_password": "account.password.reset",
                  "disable_two_step": "account.otp.disabled",
                  "admin_reset": "account.otp.reset"}[cause]
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        revoked = first_event[cause]()
    assert [t.name for t in revoked] == ["backup script", "dashboard"]
    assert_events(mark, [(event_type, actor, user),
                         ("account.api_token.revoked", actor, user),
                         ("account.api_token.revoked", actor, user)])
    assert all(ApiToken.objects.get(pk=t.pk).revoked_at for t in tokens)
    assert ApiToken.objects.get(pk=expired.pk).revoked_at is None  # already dead
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    [mail] = mailoutbox
    assert mail.to == [user.email]
    assert "backup script" in mail.body and "dashboard" in mail.body
    assert "old one" not in mail.body
    for circle in ("Tuesday circle", "Thursday circle"):
        assert circle not in mail.body and circle not in mail.subject


def test_no_tokens_no_email(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_sign_out_everywhere(cast.member, actor=cast.member) == []
    assert mailoutbox == []


def test_the_revocation_email_speaks_the_persons_language(
        cast, mailoutbox, django_capture_on_commit_callbacks):
    actions.do_update_profile(cast.member, display_name="Mina", pronouns="", language="es",
                              time_zone="UTC", actor=cast.member)
    _live_tokens(cast.member, "informes")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_sign_out_everywhere(cast.member, actor=cast.member)
    [mail] = mailoutbox
    assert "informes" in mail.body and "Cerraste la sesión en todas partes" in mail.body


def test_a_token_records_the_second_step_and_its_limit(cast):
    from circlekeep.accounts.reauth import RecentSignIn

    mark = audit_mark()
    token, _secret = actions.do_create_api_token(cast.admin, name="  nightly\n export ",
                                                 actor=cast.admin,
                                                 proof=just_signed_in(cast.admin))
    assert token.name == "nightly export" and token.second_factor is True
    assert token.expires_at - token.created_at == timedelta(days=90)  # days left out
    assert_events(mark, [("account.api_token.created", cast.admin, cast.admin)])
    proof = RecentSignIn(cast.member.pk, time.time(), False)
    token, _secret = actions.do_create_api_token(cast.member, name="m", days=5,
                                                 actor=cast.member, proof=proof)
    assert token.second_factor is False
