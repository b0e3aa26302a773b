"""Each room action's rule and its audit events (metadata only), called directly as the
websocket consumer calls them."""

import os
from base64 import urlsafe_b64encode
from datetime import timedelta

import pytest
from django.utils import timezone

from circlekeep.audit.models import AuditEvent
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.meetings.actions import do_schedule_meetings
from circlekeep.meetings.models import Acknowledgement, Attendance
from circlekeep.rooms import actions
from circlekeep.rooms.models import Presence
from circlekeep.testing import assert_events, audit_mark, make_member

pytestmark = pytest.mark.django_db


def device():
    def b64(n):
        return urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()

    return {"id": b64(16), "sign": b64(32), "dh": b64(32)}


@pytest.fixture
def meeting(cast):
    return do_schedule_meetings(cast.circle, starts_at=timezone.now() + timedelta(minutes=5),
                                duration_minutes=60, recurrence="none", mode="online",
                                actor=cast.facilitator).meetings.get()


def enter(meeting, user):
    return actions.do_enter_room(meeting, device=device(), channel_name="test!x",
                                 actor=user)[0]


def test_entering_asking_and_admission_record_acknowledgement_and_attendance(cast, meeting):
    mark = audit_mark()
    fran = enter(meeting, cast.facilitator)
    mina = enter(meeting, cast.member)
    assert (fran.status, mina.status) == ("admitted", "opening")
    actions.do_ask_to_enter(mina, actor=cast.member)
    actions.do_admit(mina, by=fran, actor=cast.facilitator)
    assert_events(mark, [
        ("room.entered", cast.facilitator, None),
        ("room.entered", cast.member, cast.member),
        ("meeting.ritual.acknowledged", cast.member, cast.member),
        ("room.asked", cast.member, cast.member),
        ("meeting.attendance.recorded", cast.facilitator, cast.member),
        ("room.admitted", cast.facilitator, cast.member),
    ])
    assert Acknowledgement.objects.filter(meeting=meeting, membership=cast.membership).exists()
    assert Attendance.objects.get(meeting=meeting, membership=cast.membership).status == "present"
    event = AuditEvent.objects.filter(event_type="room.entered").last()
    assert set(event.data) <= {"role", "other_devices"}


def test_only_the_facilitator_admits_turns_away_removes_mutes_locks_and_ends(cast, meeting):
    second = make_member(cast.circle, "noor@example.test", name="Noor",
                         actor=cast.facilitator).user
    fran = enter(meeting, cast.facilitator)
    mina = enter(meeting, cast.member)
    noor = enter(meeting, second)
    actions.do_ask_to_enter(noor, actor=second)
    for attempt in (lambda: actions.do_admit(noor, by=mina, actor=cast.member),
                    lambda: actions.do_turn_away(noor, by=mina, actor=cast.member),
                    lambda: actions.do_lock(mina, locked=True, actor=cast.member),
                    lambda: actions.do_end_room(mina, actor=cast.member),
                    lambda: actions.do_record_roster(mina, version=9, devices=1,
                                                     actor=cast.member),
                    # Someone else's device is not theirs to use.
                    lambda: actions.do_admit(noor, by=fran, actor=cast.member)):
        with pytest.raises(ActionForbidden):
            attempt()
    assert Presence.objects.get(pk=noor.pk).status == "waiting"

    mark = audit_mark()
    actions.do_turn_away(noor, by=fran, actor=cast.facilitator)
    actions.do_ask_to_enter(mina, actor=cast.member)
    actions.do_admit(mina, by=fran, actor=cast.facilitator)
    actions.do_mute(mina, muted=True, by=fran, actor=cast.facilitator)
    actions.do_record_roster(fran, version=1, devices=2, actor=cast.facilitator)
    with pytest.raises(DomainError):
        actions.do_record_roster(fran, version=1, devices=2, actor=cast.facilitator)
    actions.do_remove(mina, by=fran, actor=cast.facilitator)
    actions.do_lock(fran, locked=True, actor=cast.facilitator)
    ended = actions.do_end_room(fran, actor=cast.facilitator)
    assert_events(mark, [
        ("room.refused", cast.facilitator, second),
        ("meeting.ritual.acknowledged", cast.member, cast.member),
        ("room.asked", cast.member, cast.member),
        ("meeting.attendance.recorded", cast.facilitator, cast.member),
        ("room.admitted", cast.facilitator, cast.member),
        ("room.muted", cast.facilitator, cast.member),
        ("room.roster.signed", cast.facilitator, None),
        ("room.removed", cast.facilitator, cast.member),
        ("room.locked", cast.facilitator, None),
        ("room.ended", cast.facilitator, None),
    ])
    assert [p.pk for p in ended] == [fran.pk]


def test_a_second_device_is_kept_or_replaced_and_leaving_is_recorded(cast, meeting):
    phone = enter(meeting, cast.member)
    laptop, others = actions.do_enter_room(meeting, device=device(), channel_name="t!y",
                                           actor=cast.member)
    assert others == [phone]
    mark = audit_mark()
    gone = actions.do_keep_device(laptop, keep_this=True, actor=cast.member)
    actions.do_leave(laptop, actor=cast.member)
    actions.do_leave(laptop, actor=cast.member)  # once only
    assert [p.pk for p in gone] == [phone.pk]
    assert_events(mark, [("room.device.replaced", cast.member, cast.member),
                         ("room.left", cast.member, cast.member)])
    assert Presence.objects.get(pk=phone.pk).status == "replaced"


def test_a_device_with_keys_in_the_wrong_form_changes_nothing(cast, meeting):
    mark = audit_mark()
    for bad in (None, {}, {"id": "short", "sign": "x", "dh": "y"},
                {**device(), "sign": "!" * 43}, {**device(), "id": 5}):
        with pytest.raises(DomainError):
            actions.do_enter_room(meeting, device=bad, channel_name="t!z",
                                  actor=cast.member)
    assert_events(mark, [])
    assert not Presence.objects.exists()


def test_the_trail_names_the_capacity_each_person_acted_in(cast, meeting):
    """The room remembers what it already read (facilitator, staff role, member) for the
    audit writer; each event's role is what circles.access.role_label says without it."""
    from circlekeep.accounts.models import User
    from circlekeep.circles.access import role_label
    from circlekeep.testing import make_staff

    auditor_member = make_staff(cast.org, "aud2@riverside.test", "auditor", name="Aud",
                                actor=cast.admin)
    User.objects.filter(pk=auditor_member.pk).update(full_name="Aud Tester")  # to sign
    auditor_member.refresh_from_db()
    make_member(cast.circle, "aud2@riverside.test", name="Aud", actor=cast.facilitator)
    mark = audit_mark()
    fran = enter(meeting, cast.facilitator)
    mina = enter(meeting, cast.member)
    aud = enter(meeting, auditor_member)
    for person, presence in ((cast.member, mina), (auditor_member, aud)):
        actions.do_ask_to_enter(presence, actor=person)
        actions.do_admit(presence, by=fran, actor=cast.facilitator)
    events = list(AuditEvent.objects.filter(sequence__gt=mark).select_related("actor"))
    assert {e.actor_role for e in events if e.actor_id == cast.facilitator.pk} == {"facilitator"}
    assert {e.actor_role for e in events if e.actor_id == cast.member.pk} == {"member"}
    assert {e.actor_role for e in events if e.actor_id == auditor_member.pk} == {"auditor"}
    for event in events:
        assert event.actor_role == role_label(event.actor, organization=cast.org,
                                              circle=cast.circle)
