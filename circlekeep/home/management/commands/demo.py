"""Load the demo organization once, then print how to sign in."""

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from circlekeep.accounts.actions import do_change_password, do_update_profile
from circlekeep.agreements.actions import do_adopt_proposal, do_propose_change
from circlekeep.circles.actions import do_add_facilitator
from circlekeep.circles.models import Membership
from circlekeep.incidents.actions import do_acknowledge_concern, do_report_concern
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.onboarding.actions import do_ask_question, do_read_orientation
from circlekeep.orgs.actions import do_create_organization
from circlekeep.orgs.models import Organization
from circlekeep.testing import (
    complete_onboarding,
    enroll_totp,
    link_guardian,
    make_circle,
    make_member,
    make_staff,
    totp_now,
)
from circlekeep.training.actions import do_set_up_programme, do_submit_quiz

ORG_NAME = "Riverside Wellness Collective"
# The organization meets in Los Angeles: every weekly series is at 18:00 there.
DEMO_TIME_ZONE = "America/Los_Angeles"
DOMAIN = "demo.circlekeep.test"
PASSWORD = "circlekeep-demo-2026"

STAFF = [
    ("admin", "Jordan", "they/them", "admin"),
    ("amara", "Dr. Amara Okafor", "she/her", "facilitator"),
    ("miguel", "Miguel Hernández", "he/him", "facilitator"),
]
# (local part, display name, full name, pronouns, language, circles, status)
MEMBERS = [
    ("rosa", "Rosa", "Rosa Delgado", "she/her", "es", ("therapy", "grief", "young"), "active"),
    ("dana", "Dana", "Dana Whitfield", "she/her", "en", ("therapy",), "active"),
    ("kenji", "K.W.", "Kenji Watanabe", "", "en", ("therapy",), "active"),
    ("priya", "Priya", "Priya Raman", "she/her", "en", ("therapy",), "active"),
    ("tomas", "Tomás", "Tomás Ibarra", "él", "es", ("therapy",), "active"),
    ("leila", "Leila", "Leila Haddad", "", "en", ("therapy",), "onboarding"),
    ("siobhan", "Siobhan", "Siobhan O'Neill", "she/her", "en", ("grief",), "active"),
    ("jamal", "Jamal", "Jamal Carter", "he/him", "en", ("grief",), "active"),
    ("ana-maria", "Ana-María", "Ana-María Pérez", "she/her", "en", ("grief",), "active"),
    ("lucia", "Lucía", "Lucía Morales", "ella", "es", ("grief",), "active"),
    ("wei", "Wei", "Wei Chen", "", "en", ("grief",), "onboarding"),
    ("noah", "Noah", "Noah Goldberg", "he/him", "en", ("young",), "active"),
    ("aiyana", "Aiyana", "Aiyana Begay", "she/her", "en", ("young",), "active"),
    ("mateo", "Mateo", "Mateo Ruiz", "él", "es", ("young",), "active"),
    ("fatima", "Fatima", "Fatima Zahra", "she/her", "en", ("young",), "active"),
]
MINOR = "noah"
GUARDIAN = ("ruth", "Ruth", "Ruth Goldberg", "she/her")


def email(local):
    return f"{local}@{DOMAIN}"


class Command(BaseCommand):
    help = "Create the demo organization (once) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--code", metavar="EMAIL",
                            help="Print the current two-step code of a demo staff account.")

    def handle(self, *args, code=None, **options):
        if code:
            return self.print_code(code)
        if not Organization.objects.filter(name=ORG_NAME).exists():
            self.stdout.write("Loading the demo organization…")
            # The demo's invitations are accepted at once; nobody needs their e-mails.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                self.load()
        self.print_sign_ins()

    def print_code(self, address):
        if not address.endswith("@" + DOMAIN):
            raise CommandError("Codes are printed for demo accounts only.")
        device = TOTPDevice.objects.filter(user__email__iexact=address, confirmed=True).first()
        if device is None:
            raise CommandError(f"{address} has no authenticator.")
        self.stdout.write(totp_now(device))

    def load(self):

        org = do_create_organization(name=ORG_NAME, country="US", region="CA",
                                     time_zone=DEMO_TIME_ZONE)
        staff = {}
        admin = None
        for local, name, pronouns, role in STAFF:
            user = make_staff(org, email(local), role, name=name, actor=admin, enroll=False)
            self.set_pronouns_and_password(user, pronouns)
            enroll_totp(user)
            staff[local] = user
            admin = admin or user
        amara, miguel = staff["amara"], staff["miguel"]
        circles = {
            "therapy": make_circle(org, "Wednesday evening group", lead=amara, actor=admin,
                                   kind="therapy", mode="in_person", capacity=8),
            "grief": make_circle(org, "Grief and loss peer circle", lead=miguel, actor=admin,
                                 kind="peer_support", mode="online", capacity=12),
            "young": make_circle(org, "Young adults circle", lead=amara, actor=admin,
                                 kind="peer_support", mode="hybrid", capacity=10,
                                 allows_minors=True),
        }
        do_add_facilitator(circles["therapy"], miguel, actor=admin)
        for local, name, full_name, pronouns, language, keys, status in MEMBERS:
            for index, key in enumerate(keys):
                circle = circles[key]
                lead = circle.facilitations.get(role="lead").user
                minor = local == MINOR
                # Everyone starts onboarding in their own language, so that Spanish
                # speakers consent to and sign the Spanish texts.
                membership = make_member(circle, email(local), name=name, actor=lead,
                                         status="onboarding", is_minor=minor,
                                         full_name=full_name)
                if index == 0:
                    self.set_pronouns_and_password(membership.user, pronouns, language)
                if minor:
                    # A minor takes part once the guardian has consented.
                    guardian = link_guardian(membership, email(GUARDIAN[0]), actor=lead,
                                             name=GUARDIAN[1], full_name=GUARDIAN[2],
                                             pronouns=GUARDIAN[3])
                    self.set_pronouns_and_password(guardian, GUARDIAN[3])
                if status == "active":
                    complete_onboarding(membership)
        self.schedule(circles, amara, miguel)
        # Leila is part-way through onboarding, with a question waiting for Dr. Okafor.
        leila = Membership.objects.get(user__email=email("leila"))
        do_read_orientation(leila, actor=leila.user)
        do_ask_question(leila, text="Will anyone at my work find out that I come here?",
                        actor=leila.user)
        self.waiting_work(circles, amara, miguel)
        self.training(org, admin, amara)
        self.feedback(circles["therapy"], amara)

    def feedback(self, circle, amara):
        """Anonymous feedback in the Wednesday evening group: a round closed with its five
        entries released and a summary shared, and an open one for its members to answer
        (each member's browser receives its token at sign-in)."""
        import base64
        import os

        from circlekeep.feedback import actions as feedback
        from circlekeep.feedback import blindrsa, client

        questions = [
            {"kind": "rating", "prompt": "I feel safe saying what I think in this group."},
            {"kind": "rating", "prompt": "What is said here stays here."},
            {"kind": "text", "prompt": "What would make the group better for you?"}]
        past = feedback.do_open_round(circle, actor=amara, about="circle",
                                      title="Autumn check-in", questions=questions)
        public = blindrsa.load_public_key(bytes(past.public_key))
        answers = [(4, 5, "More time at the end to settle before leaving."),
                   (5, 5, ""), (3, 4, "Starting on time would help."),
                   (4, 4, "I would like a reminder of the ground rules each week."),
                   (5, 5, "Nothing, it works for me.")]
        cleared = [m.user for m in circle.memberships.cleared().select_related("user")]
        for member, (safe, kept, text) in zip(cleared, answers, strict=False):
            prepared = client.prepare(feedback.TOKEN_MESSAGE.format(
                round=past.public_id).encode() + base64.b64encode(os.urandom(32)))
            blinded, inverse = client.blind(public, prepared)
            signature = client.finalize(public, feedback.do_issue_token(
                past, actor=member, blinded=blinded), inverse)
            feedback.do_submit_entry(past, prepared=prepared, signature=signature,
                                     answers={"q1": safe, "q2": kept, "q3": text})
        feedback.do_close_round(past, actor=amara)
        feedback.do_share_summary(
            past, actor=amara, summary="Most of you feel safe speaking here and trust that "
            "what is said stays in the group. Several asked for a calmer ending and for the "
            "ground rules to be read each week: we will do both from next Wednesday.")
        feedback.do_open_round(circle, actor=amara, about="circle", title="Winter check-in",
                               questions=questions, days_open=14)

    def training(self, org, admin, amara):
        """The organization's training, not yet required: Amara holds a certificate,
        Miguel has the modules to take."""
        programme = do_set_up_programme(org, actor=admin)
        for module in programme.modules.filter(set="initial"):
            do_submit_quiz(module, answers=[q["answer"] for q in module.questions],
                           actor=amara)

    def waiting_work(self, circles, amara, miguel):
        """Something on each home's queue: the young adults adopted a change to their
        agreement that everyone signs again, another proposal waits for Dr. Okafor, and a
        concern Rosa raised in the grief circle has been received."""
        def member(local):
            return Membership.objects.get(user__email=email(local)).user

        adopted = do_propose_change(
            circles["young"].agreement, kind="add", title="Check-in before leaving",
            text="Anyone leaving early tells a facilitator first.",
            reason="Some of us worry when someone leaves without a word.",
            actor=member("fatima"))
        do_adopt_proposal(adopted, reason="The circle agreed at the last meeting.", actor=amara)
        do_propose_change(
            circles["young"].agreement, kind="add", title="Cameras on when we can",
            text="In online meetings, we keep our cameras on when we are able to.",
            reason="It helps us feel we are together.", actor=member("aiyana"))
        rosa = Membership.objects.filter(user__email=email("rosa")).first().user
        concern = do_report_concern(
            circles["grief"], kind="accidental", visibility="facilitators", actor=rosa,
            body="Someone mentioned another member's loss in the group chat outside.")
        do_acknowledge_concern(concern, actor=miguel)

    def schedule(self, circles, amara, miguel):
        """A weekly series for each circle at 18:00 Los Angeles time (the Wednesday evening
        group on Wednesdays), a therapy-group meeting starting within the hour so that the
        opening ritual can be tried at once, and an online meeting of the grief circle
        starting in ten minutes, so that its online room is open at once (it opens a quarter
        of an hour before)."""
        import zoneinfo
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        here = zoneinfo.ZoneInfo(DEMO_TIME_ZONE)
        now = timezone.now()
        today = now.astimezone(here).date()

        def evening(days):
            return datetime.combine(today + timedelta(days=days), time(18), tzinfo=here)

        wednesday = (2 - today.weekday()) % 7 or 7
        soon = (now + timedelta(minutes=45)).replace(second=0, microsecond=0)
        until = (now + timedelta(weeks=12)).date()
        do_schedule_meetings(circles["therapy"], starts_at=soon, duration_minutes=90,
                             recurrence="none", mode="in_person", place="Room 4, 12 Elm St",
                             actor=amara)
        do_schedule_meetings(circles["grief"], starts_at=(now + timedelta(minutes=10)).replace(
            second=0, microsecond=0), duration_minutes=90, recurrence="none", mode="online",
            actor=miguel)
        for key, lead, mode, days in (("therapy", amara, "in_person", wednesday),
                                      ("grief", miguel, "online", 2),
                                      ("young", amara, "online", 4)):
            first = evening(days)
            do_schedule_meetings(circles[key], starts_at=first, duration_minutes=90,
                                 recurrence="weekly", until=until, mode=mode,
                                 place="Room 4, 12 Elm St" if mode == "in_person" else "",
                                 actor=lead)

    def set_pronouns_and_password(self, user, pronouns, language="en"):
        from circlekeep.testing import PASSWORD as TEST_PASSWORD
        from circlekeep.testing import just_signed_in

        do_update_profile(user, display_name=user.display_name, pronouns=pronouns,
                          language=language, time_zone=DEMO_TIME_ZONE, actor=user)
        do_change_password(user, old_password=TEST_PASSWORD, new_password=PASSWORD, actor=user,
                           proof=just_signed_in(user))

    def print_sign_ins(self):
        w = self.stdout.write
        w("")
        w(f"Demo sign-ins (password for every account: {PASSWORD})")
        w(f"  org admin     {email('admin')}")
        w(f"  facilitator   {email('amara')}   (leads two circles)")
        w(f"  facilitator   {email('miguel')}")
        w(f"  member        {email('rosa')}    (in three circles, Spanish)")
        w(f"  member        {email('dana')}")
        w(f"  member        {email('leila')}   (onboarding; signs as Leila Haddad)")
        w(f"  guardian      {email(GUARDIAN[0])}    (of Noah, a minor)")
        w("Staff sign in with a two-step code. Print the current one with:")
        w(f"  make code WHO={email('amara')}")
        w("")
