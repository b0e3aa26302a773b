"""The fixed cast for tests and demo-like fixtures, built only through real actions.

Two organizations. In the first: an admin (Ada), two facilitators (Fran leads the "Tuesday
circle", Felix leads the "Thursday circle"), an auditor (Audrey), a member of Fran's circle
(Mina) and a member of Felix's circle (Otto). In the second organization: its admin (Oscar)
and his circle. Staff have two-step sign-in set up, as they must.
"""

import re
from dataclasses import dataclass

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts.actions import (
    do_accept_invitation,
    do_confirm_totp,
    do_create_api_token,
    do_start_totp_enrollment,
)
from circlekeep.accounts.middleware import IDLE_KEY, SEEN_KEY
from circlekeep.accounts.reauth import SESSION_KEY as REAUTH_KEY
from circlekeep.accounts.reauth import RecentSignIn
from circlekeep.agreements.actions import do_sign_agreement
from circlekeep.circles.actions import (
    do_change_membership_status,
    do_create_circle,
    do_invite_guardian,
    do_invite_member,
)
from circlekeep.circles.models import Membership
from circlekeep.consent.actions import do_give_consent
from circlekeep.feedback import actions as feedback_actions
from circlekeep.feedback import blindrsa
from circlekeep.feedback import client as token_client
from circlekeep.incidents.actions import do_report_anonymous_concern
from circlekeep.onboarding.actions import (
    do_accept_online_rules,
    do_declare_relationships,
    do_read_orientation,
    do_settle_questions,
)
from circlekeep.orgs.actions import do_create_organization, do_invite_staff

PASSWORD = "a-long-test-passphrase"


def totp_now(device, ahead=0):
    """The code an authenticator app shows for ``device`` now, or ``ahead`` steps later.

    A code is accepted once per time step, so a test that signs in right after enrolling
    uses the next step's code (django-otp tolerates one step of clock drift).
    """
    import time

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def make_staff(organization, email, role, *, name, actor=None, enroll=True):
    invitation, _token = do_invite_staff(organization, email=email, role=role, actor=actor)
    user = do_accept_invitation(invitation, acting_user=None, display_name=name,
                                password=PASSWORD)
    if enroll:
        enroll_totp(user)
    return user


def just_signed_in(user):
    """The proof a page gets from a person who signed in a moment ago, with the second
    step if they have it: what set-up code passes to actions that need one."""
    import time

    from django_otp import user_has_device

    return RecentSignIn(user_id=user.pk, at=time.time(), second_factor=user_has_device(user))


def enroll_totp(user):
    device = do_start_totp_enrollment(user, actor=user, proof=just_signed_in(user))
    device, _codes = do_confirm_totp(user, totp_now(device), actor=user,
                                     proof=just_signed_in(user))
    return device


def make_api_token(user, *, name="t", days=1):
    """An API token made on the web by ``user`` just after signing in; returns
    (token, the ``Authorization`` header for the test client)."""
    token, secret = do_create_api_token(user, name=name, days=days, actor=user,
                                        proof=just_signed_in(user))
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_member(circle, email, *, name, actor, status="active", is_minor=False,
                guardian=None, full_name=None):
    """A member brought to ``status`` through the real actions. An active member has done
    every onboarding step (a minor needs ``guardian``, an account that will consent)."""
    invitation, _token = do_invite_member(circle, email=email, actor=actor, is_minor=is_minor)
    if status == "invited":
        return Membership.objects.get(circle=circle, user=invitation.user, status="invited")
    if invitation.user.is_active:
        user = do_accept_invitation(invitation, acting_user=invitation.user)
    else:
        user = do_accept_invitation(invitation, acting_user=None, display_name=name,
                                    full_name=full_name or f"{name} Tester",
                                    password=PASSWORD)
    membership = Membership.objects.get(circle=circle, user=user, status="onboarding")
    if status != "onboarding":
        if guardian is not None:
            link_guardian(membership, guardian, actor=actor)
        membership = complete_onboarding(membership)
        if status != "active":
            membership = do_change_membership_status(membership, status, actor=actor,
                                                     reason="Set up by a test")
    return membership


def link_guardian(membership, guardian_email, *, actor, name="Gail", full_name=None,
                  pronouns=""):
    """Invite and accept a guardian for a minor member; returns the guardian."""
    invitation, _token = do_invite_guardian(membership, email=guardian_email, actor=actor)
    if invitation.user.is_active:
        return do_accept_invitation(invitation, acting_user=invitation.user)
    return do_accept_invitation(invitation, acting_user=None, display_name=name,
                                full_name=full_name or f"{name} Guardian", pronouns=pronouns,
                                password=PASSWORD)


def complete_onboarding(membership):
    """Every onboarding step, done by the member (and their guardian) through the actions;
    the last one makes the membership active."""
    from circlekeep.accounts.models import Guardianship
    from circlekeep.agreements.models import Agreement
    from circlekeep.consent.models import ConsentRecord
    from circlekeep.orgs.models import Organization

    user = membership.user
    do_read_orientation(membership, actor=user)
    do_settle_questions(membership, actor=user)
    document = Organization.objects.get(pk=membership.circle.organization_id).consent_document
    if user.is_minor:
        for link in Guardianship.objects.filter(
                ward=user, organization=membership.circle.organization_id).select_related(
                "guardian"):
            if not ConsentRecord.objects.filter(document=document, subject=user,
                                                role="guardian", withdrawn_at=None).exists():
                do_give_consent(document, typed_name=link.guardian.full_name,
                                actor=link.guardian, ward=user)
    if not ConsentRecord.objects.filter(document=document, subject=user,
                                        role__in=("self", "assent"), withdrawn_at=None).exists():
        do_give_consent(document, typed_name=user.full_name, actor=user)
    version = Agreement.objects.get(circle=membership.circle).current_version
    do_sign_agreement(version, typed_name=user.full_name, actor=user)
    if membership.circle.mode != "in_person":
        do_accept_online_rules(membership, actor=user)
    do_declare_relationships(membership, declarations=[], actor=user)
    return Membership.objects.get(pk=membership.pk)


def make_circle(organization, name, *, lead, actor=None, **fields):
    defaults = {"kind": "peer_support", "mode": "online", "capacity": 10,
                "allows_minors": False}
    defaults.update(fields)
    return do_create_circle(organization, name=name, lead=lead, actor=actor or lead, **defaults)


@dataclass
class Cast:
    org: object
    other_org: object
    admin: object
    facilitator: object
    other_facilitator: object
    auditor: object
    member: object
    other_member: object
    other_admin: object
    circle: object
    other_circle: object
    other_org_circle: object
    membership: object
    other_membership: object

    def principals(self):
        """The eight principals of the permission matrix (None is anonymous)."""
        return {
            "anonymous": None,
            "other_member": self.other_member,
            "member": self.member,
            "other_facilitator": self.other_facilitator,
            "facilitator": self.facilitator,
            "auditor": self.auditor,
            "other_admin": self.other_admin,
            "admin": self.admin,
        }


def build_cast() -> Cast:
    org = do_create_organization(name="Riverside Collective", country="US", region="CA")
    other_org = do_create_organization(name="Harbor Clinic", country="ES", region="MD")
    admin = make_staff(org, "ada@riverside.test", "admin", name="Ada")
    facilitator = make_staff(org, "fran@riverside.test", "facilitator", name="Fran",
                             actor=admin)
    other_facilitator = make_staff(org, "felix@riverside.test", "facilitator", name="Felix",
                                   actor=admin)
    auditor = make_staff(org, "audrey@riverside.test", "auditor", name="Audrey", actor=admin)
    other_admin = make_staff(other_org, "oscar@harbor.test", "admin", name="Oscar")
    circle = make_circle(org, "Tuesday circle", lead=facilitator)
    other_circle = make_circle(org, "Thursday circle", lead=other_facilitator)
    other_org_circle = make_circle(other_org, "Harbor circle", lead=other_admin)
    membership = make_member(circle, "mina@example.test", name="Mina", actor=facilitator)
    other_membership = make_member(other_circle, "otto@example.test", name="Otto",
                                   actor=other_facilitator)
    return Cast(
        org=org, other_org=other_org, admin=admin, facilitator=facilitator,
        other_facilitator=other_facilitator, auditor=auditor, member=membership.user,
        other_member=other_membership.user, other_admin=other_admin, circle=circle,
        other_circle=other_circle, other_org_circle=other_org_circle, membership=membership,
        other_membership=other_membership,
    )


def signed_in_client(user, *, verified=None, signed_in_ago=0) -> Client:
    """A test client with a session for ``user``, past two-step sign-in if they have it,
    that signed in ``signed_in_ago`` seconds ago (what re-authentication looks at)."""
    import time

    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import SessionStore

    client = Client()
    if user is None:
        return client
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "circlekeep.accounts.backends.EmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SEEN_KEY] = int(time.time())
    session[IDLE_KEY] = int(settings.IDLE_TIMEOUT_MEMBER.total_seconds())
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if verified is None:
        verified = device is not None
    if verified and device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[REAUTH_KEY] = {"user": user.pk, "at": time.time() - signed_in_ago,
                           "second_factor": bool(verified and device is not None)}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def audit_mark() -> int:
    """The newest audit sequence number, to compare against after an action."""
    from circlekeep.audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return last or 0


def assert_events(mark, expected):
    """Assert the exact audit events written since ``mark``, in order.

    ``expected`` is a list of (event_type, actor, subject); actor and subject are users
    or None.
    """
    from circlekeep.audit.models import AuditEvent

    actual = [
        (e.event_type, e.actor_id, e.subject_id)
        for e in AuditEvent.objects.filter(sequence__gt=mark).order_by("sequence")
    ]
    wanted = [(t, a.pk if a else None, s.pk if s else None) for t, a, s in expected]
    assert actual == wanted, f"audit events {actual} != expected {wanted}"


def invitation_token_from_mail(outbox, email):
    """The token in the newest invitation e-mail sent to ``email``."""
    import re

    for message in reversed(outbox):
        if email in message.to:
            match = re.search(r"/accounts/invitations/([A-Za-z0-9_-]+)/", message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"no invitation e-mail to {email}")


def run_on_own_loop(coroutine):
    """Run ``coroutine`` to the end on an event loop in a thread of its own: a browser test
    earlier in the same process leaves Playwright's loop marked as running in this one, and
    ``asyncio.run`` refuses to start under it. Its exception is raised here; the database
    connections it used are closed."""
    import asyncio
    import threading

    failures = []

    def target():
        from channels.db import database_sync_to_async
        from django.db import connections

        try:
            asyncio.run(coroutine)
        except BaseException as error:  # handed back to the caller below
            failures.append(error)
        finally:
            # The database connections opened for the coroutine's ORM calls (and this
            # thread's own) are closed here, or PostgreSQL cannot drop the test database.
            asyncio.run(database_sync_to_async(connections.close_all)())
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


RANDOM_ATTRIBUTES = re.compile(
    r'(name="csrfmiddlewaretoken" value|nonce|integrity)="[^"]*"')


def page_of(response) -> str:
    """The page's HTML without the random values it carries (CSRF tokens, nonces, hashes).

    A test that asserts a short name such as "Dee" is absent must not fail because a random
    token happened to contain those letters; every other attribute and all text stay.
    """
    return RANDOM_ATTRIBUTES.sub(r'\1=""', response.content.decode())


class ConcernToken:
    """What a person's browser holds for today's anonymous concerns in a circle: the day's
    key, and a token blinded, signed by the server and unblinded."""

    def __init__(self, person, circle, *, receive=True, day=None):
        import base64
        import os

        day = day or feedback_actions.utc_today()
        self.person = person
        self.key = next(k for k in feedback_actions.concern_keys_for(person)
                        if k.circle_id == circle.pk and k.day == day)
        self.public = blindrsa.load_public_key(bytes(self.key.public_key))
        self.prepared = token_client.prepare(
            feedback_actions.CONCERN_TOKEN_MESSAGE.format(key=self.key.public_id).encode()
            + base64.b64encode(os.urandom(32)))
        self.blinded, self.inverse = token_client.blind(self.public, self.prepared)
        self.signature = None
        if receive:
            self.receive()

    def receive(self):
        blind_signature = feedback_actions.do_issue_concern_token(self.key, actor=self.person,
                                                         blinded=self.blinded)
        self.signature = token_client.finalize(self.public, blind_signature, self.inverse)
        return self

    def send(self, **fields):
        """Spend it on a concern, as the cookie-less end does."""
        report = {"kind": "intentional", "body": "Someone posted about our circle online."}
        report.update(fields)
        return do_report_anonymous_concern(self.key, prepared=self.prepared,
                                           signature=self.signature, **report)

    def json(self, **fields):
        """The body a browser sends to ``POST /api/v1/anonymous-concerns``."""
        import base64

        body = {"key_id": str(self.key.public_id),
                "token": base64.b64encode(self.prepared).decode(),
                "signature": base64.b64encode(self.signature).decode(),
                "kind": "intentional", "body": "Someone posted about our circle online."}
        body.update(fields)
        return body


def enough_token_holders(circle):
    """Add members to ``circle`` who hold today's concern token until enough do for the
    day's key to take anonymous reports (CONCERN_MIN_HOLDERS)."""
    from circlekeep.circles.models import Facilitation

    lead = Facilitation.objects.filter(circle=circle).first().user
    key = next(k for k in feedback_actions.concern_keys_for(lead)
               if k.circle_id == circle.pk and k.day == feedback_actions.utc_today())
    missing = feedback_actions.CONCERN_MIN_HOLDERS - feedback_actions.concern_token_holders(key)
    start = Membership.objects.filter(circle=circle).count()
    for n in range(start, start + max(missing, 0)):
        holder = make_member(circle, f"holder{n}@example.test", name=f"Holder {n}",
                             actor=lead).user
        ConcernToken(holder, circle)


def report_anonymously(person, circle, **fields):
    """A fully anonymous concern, sent as a person's browser does: with their token for the
    circle's day, and no account, in a circle where enough members hold that day's token."""
    token = ConcernToken(person, circle)
    enough_token_holders(circle)
    return token.send(**fields)
