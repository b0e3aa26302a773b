"""The people and meetings of `make bench-room` (bench/room.py), built through the real
actions: an organization with its admin; per circle a facilitator (with two-step sign-in,
as staff must have), the circle, its members, each fully onboarded (invitation accepted,
orientation, consent, the agreement signed, the online rules, relationships declared), and
two online meetings starting in five minutes (one for the evening peak, one for chat).
Every member belongs to exactly one circle. Then a signed-in session for each person, as
the browser would carry.

Usage: room_data.py org OUT.json            the organization and its admin
       room_data.py circles OUT.jsonl FIRST COUNT MEMBERS
                                            circles FIRST .. FIRST+COUNT-1, one JSON line each

The fast path: several of these processes build disjoint circles side by side, and they
store passwords with a cheap hasher. Nobody signs in with a password here (the sessions
are made directly), so that changes nothing the benchmark measures.
"""

import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from circlekeep.accounts.models import User  # noqa: E402
from circlekeep.meetings.actions import do_schedule_meetings  # noqa: E402
from circlekeep.orgs.actions import do_create_organization  # noqa: E402
from circlekeep.orgs.models import Organization  # noqa: E402
from circlekeep.testing import make_circle, make_member, make_staff, signed_in_client  # noqa: E402

ORG = "Evening Peak Collective"
ADMIN = "admin@bench.circlekeep.test"


def cookie(user):
    return signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value


def build_org(out):
    org = do_create_organization(name=ORG, country="US", region="CA")
    make_staff(org, ADMIN, "admin", name="Bea Admin")
    Path(out).write_text(json.dumps({"org": org.pk}))


def build_circles(out, first, count, members):
    org = Organization.objects.get(name=ORG)
    admin = User.objects.get(email=ADMIN)
    starts = timezone.now() + timedelta(minutes=5)
    with open(out, "w") as lines:
        for number in range(first, first + count):
            started = time.monotonic()
            lead = make_staff(org, f"facilitator-{number}@bench.circlekeep.test",
                              "facilitator", name=f"Facilitator {number}", actor=admin)
            circle = make_circle(org, f"Circle {number}", lead=lead, capacity=max(members, 2))
            people = [make_member(circle, f"member-{number}-{k}@bench.circlekeep.test",
                                  name=f"Member {number}-{k}", actor=lead).user
                      for k in range(members)]
            meetings = [do_schedule_meetings(circle, starts_at=starts, duration_minutes=120,
                                             recurrence="none", mode="online",
                                             actor=lead).meetings.get()
                        for _ in range(2)]
            lines.write(json.dumps({
                "circle": number, "peak": str(meetings[0].public_id),
                "chat": str(meetings[1].public_id), "facilitator": cookie(lead),
                "members": [cookie(person) for person in people]}) + "\n")
            lines.flush()
            print(f"  circle {number}: {members} members in "
                  f"{time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)


def main():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        if sys.argv[1] == "org":
            build_org(sys.argv[2])
        else:
            build_circles(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))


if __name__ == "__main__":
    main()
