"""Tokens for anonymous concerns: each circle has a key per day (UTC); whoever may report
in the circle holds one token a day, fetched days ahead; a token is spent once, only on
its own day, only under its own key."""

import base64
import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.test import Client

from circlekeep.audit.models import HeldAuditEvent
from circlekeep.feedback import actions, blindrsa
from circlekeep.feedback.models import ConcernIssuance, ConcernKey, ConcernSpend
from circlekeep.feedback.tests.helpers import at_once
from circlekeep.incidents.models import Concern
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.testing import (
    ConcernToken,
    assert_events,
    audit_mark,
    enough_token_holders,
    make_member,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def today():
    return actions.utc_today()


def test_the_first_ask_makes_the_days_keys_and_a_token_is_signed_once_per_person(cast):
    mark = audit_mark()
    keys = actions.concern_keys_for(cast.member)
    days = [today() + timedelta(days=n) for n in range(actions.CONCERN_DAYS_AHEAD + 1)]
    assert [(k.circle, k.day) for k in keys] == [(cast.circle, d) for d in days]
    assert_events(mark, [("feedback.concern_key.made", None, None)] * len(days))
    # Everyone in the circle gets the same keys; nobody's ask makes another.
    assert actions.concern_keys_for(cast.facilitator) == keys
    assert ConcernKey.objects.count() == len(days)
    assert all(k.fingerprint == blindrsa.fingerprint(bytes(k.public_key)) for k in keys)

    token = ConcernToken(cast.member, cast.circle, receive=False)
    mark = audit_mark()
    first = actions.do_issue_concern_token(token.key, actor=cast.member, blinded=token.blinded)
    # Its event is held with its day only, naming nobody: who holds a day's token is the
    # set that day's anonymous reports hide in.
    assert_events(mark, [])
    [held] = HeldAuditEvent.objects.all()
    assert (held.event_type, held.data_json) == ("feedback.concern_token.issued",
                                                 f'{{"day":"{today().isoformat()}"}}')
    # A retry with the same blinded token: the same signature, no event.
    assert actions.do_issue_concern_token(token.key, actor=cast.member,
                                          blinded=token.blinded) == first
    assert HeldAuditEvent.objects.count() == 1
    other = ConcernToken(cast.member, cast.circle, receive=False)
    with pytest.raises(DomainError, match="another browser"):
        other.receive()
    assert ConcernIssuance.objects.count() == 1


def test_a_days_key_is_made_once(cast):
    mark = audit_mark()
    key = actions.do_make_concern_key(cast.circle, day=today())
    assert_events(mark, [("feedback.concern_key.made", None, None)])
    with pytest.raises(IntegrityError):
        actions.do_make_concern_key(cast.circle, day=today())
    assert list(ConcernKey.objects.all()) == [key]
    # The private half is wrapped by the vault's key-encryption key, never stored in clear.
    assert blindrsa.public_key_bytes(actions._unwrap_key(key)) == bytes(key.public_key)
    assert b"PRIVATE" not in bytes(key.private_key)


def test_an_anonymous_concern_appends_nothing_to_the_trail_until_its_day_is_over(cast):
    from circlekeep.incidents.actions import do_report_anonymous_concern

    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    mark = audit_mark()
    concern = do_report_anonymous_concern(token.key, prepared=token.prepared,
                                          signature=token.signature, kind="boundaries",
                                          body="Stories were retold at a party.")
    assert_events(mark, [])
    held = HeldAuditEvent.objects.get(event_type="concern.reported")
    assert held.target_id == str(concern.public_id)


def test_only_those_who_may_report_in_the_circle_receive_its_tokens(cast):
    key = next(k for k in actions.concern_keys_for(cast.member) if k.day == today())
    blinded = ConcernToken(cast.member, cast.circle, receive=False).blinded
    for stranger in (cast.other_member, cast.other_facilitator, cast.other_admin,
                     cast.auditor):
        with pytest.raises(ActionForbidden):
            actions.do_issue_concern_token(key, actor=stranger, blinded=blinded)
        assert all(k.circle != cast.circle for k in actions.concern_keys_for(stranger))
    newcomer = make_member(cast.circle, "nia@example.test", name="Nia",
                           actor=cast.facilitator, status="onboarding").user
    with pytest.raises(ActionForbidden):
        actions.do_issue_concern_token(key, actor=newcomer, blinded=blinded)
    assert not ConcernIssuance.objects.exists()
    # The page's token end answers a stranger as if the key did not exist.
    response = signed_in_client(cast.other_member).post(
        f"/feedback/concern-keys/{key.public_id}/token/",
        {"blinded": base64.b64encode(blinded).decode()}, content_type="application/json")
    assert response.status_code == 404


def test_a_person_in_two_organizations_holds_a_token_for_each_circle(cast):
    make_member(cast.other_org_circle, cast.member.email, name="Mina", actor=cast.other_admin)
    circles = {k.circle for k in actions.concern_keys_for(cast.member)}
    assert circles == {cast.circle, cast.other_org_circle}
    here, there = (ConcernToken(cast.member, c) for c in (cast.circle, cast.other_org_circle))
    assert here.key != there.key
    enough_token_holders(cast.circle)
    enough_token_holders(cast.other_org_circle)
    here.send()
    there.send()
    assert Concern.objects.filter(reporter=None).count() == 2
    assert {c.circle for c in Concern.objects.all()} == {cast.circle, cast.other_org_circle}


def test_a_token_is_spent_once_on_its_own_day_under_its_own_key(cast):
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    # A token for tomorrow is not taken today.
    tomorrow = ConcernToken(cast.member, cast.circle, day=today() + timedelta(days=1))
    with pytest.raises(DomainError, match="another day"):
        tomorrow.send()
    # Another circle's token named under this circle's key: its message names the other key.
    theirs = ConcernToken(cast.other_member, cast.other_circle)
    with pytest.raises(DomainError, match="not issued under this key"):
        actions.spend_concern_token(token.key, prepared=theirs.prepared,
                                    signature=theirs.signature)
    # A signature made up, or a prepared message changed after signing.
    with pytest.raises(DomainError, match="not issued under this key"):
        actions.spend_concern_token(token.key, prepared=token.prepared,
                                    signature=bytes(len(token.signature)))
    with pytest.raises(DomainError, match="not issued under this key"):
        actions.spend_concern_token(token.key, prepared=token.prepared[:-1] + b"x",
                                    signature=token.signature)
    assert not ConcernSpend.objects.exists()
    concern = token.send(kind="accidental", body="A name was said at the café.")
    assert (concern.reporter, concern.visibility, concern.circle) == (None, "anonymous",
                                                                      cast.circle)
    assert concern.reported_at.time().isoformat() == "00:00:00"
    with pytest.raises(DomainError, match="already used"):
        token.send()
    assert Concern.objects.count() == 1 and ConcernSpend.objects.count() == 1


def test_bad_reports_are_refused_and_leave_the_token_unspent(cast):
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    for fields, field in (({"kind": "gossip"}, "kind"), ({"body": "  "}, "body"),
                          ({"raise_in_group": "named"}, "raise_in_group"),
                          ({"affected": [cast.other_membership]}, "affected")):
        with pytest.raises(DomainError) as refused:
            token.send(**fields)
        assert refused.value.field == field
    assert not ConcernSpend.objects.exists()
    token.send()
    assert Concern.objects.count() == 1


def test_the_cookieless_end_explains_what_is_wrong(cast):
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    anonymous = Client()
    url = "/api/v1/anonymous-concerns"
    cases = [
        ({"key_id": "7d0c2a91-5e4b-4c3f-8a1d-2b9e6f0c4d17"}, "key_id"),
        ({"token": "not base64!"}, "token"),
        ({"affected": ["not-an-id"]}, "affected"),
        ({"affected": [str(cast.other_membership.public_id)]}, "affected"),
        ({"kind": "gossip"}, "kind"),
    ]
    for change, field in cases:
        response = anonymous.post(url, token.json(**change), content_type="application/json")
        assert response.status_code == 400 and response.json()["field"] == field, change
    assert anonymous.post(url, token.json(body="x" * 4001),
                          content_type="application/json").status_code == 422
    assert anonymous.post(url, b"\xff\xfe", content_type="application/json").status_code \
        in (400, 422)
    assert not Concern.objects.exists()
    response = anonymous.post(url, token.json(affected=[str(cast.membership.public_id)]),
                              content_type="application/json")
    assert response.status_code == 201
    assert list(Concern.objects.get().affected.all()) == [cast.membership]


def test_everyone_reads_the_same_key_for_a_circle_and_day_without_cookies(cast):
    keys = actions.concern_keys_for(cast.member)
    url = f"/api/v1/circles/{cast.circle.public_id}/concern-keys/{today().isoformat()}"
    seen = [Client().get(url), signed_in_client(cast.member).get(url),
            signed_in_client(cast.facilitator).get(url)]
    assert all(r.status_code == 200 and not r.cookies for r in seen)
    bodies = [r.json() for r in seen]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["id"] == str(keys[0].public_id)
    assert bodies[0]["fingerprint"] == keys[0].fingerprint
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert Client().get(url.replace(today().isoformat(), yesterday)).status_code == 404
    assert Client().get(url.replace(today().isoformat(), "someday")).status_code == 422


def test_the_page_and_the_api_list_the_keys_still_to_fetch(cast):
    from circlekeep.testing import make_api_token

    page = signed_in_client(cast.member)
    waiting = [k for k in page.get("/feedback/tokens/").json()["rounds"] if "circle" in k]
    assert [k["day"] for k in waiting] == [
        (today() + timedelta(days=n)).isoformat() for n in range(actions.CONCERN_DAYS_AHEAD + 1)]
    assert {k["circle"] for k in waiting} == {str(cast.circle.public_id)}
    assert all(k["prefix"] == f"circlekeep-concern:v1:{k['id']}:" for k in waiting)
    ConcernToken(cast.member, cast.circle)
    left = [k["day"] for k in page.get("/feedback/tokens/").json()["rounds"] if "circle" in k]
    assert today().isoformat() not in left and len(left) == actions.CONCERN_DAYS_AHEAD
    _token, auth = make_api_token(cast.member)
    listed = Client(**auth).get("/api/v1/concern-keys").json()
    assert [(k["day"], k["token_held"]) for k in listed] == [
        ((today() + timedelta(days=n)).isoformat(), n == 0)
        for n in range(actions.CONCERN_DAYS_AHEAD + 1)]


def test_a_days_key_takes_reports_only_once_enough_members_hold_its_token(cast):
    """Among fewer holders a report could be told apart; the circle's facilitators, who
    know whether they sent it, do not count."""
    tokens = [ConcernToken(cast.member, cast.circle),
              ConcernToken(cast.facilitator, cast.circle)]
    others = [make_member(cast.circle, f"m{n}@example.test", name=f"M{n}",
                          actor=cast.facilitator).user
              for n in range(actions.CONCERN_MIN_HOLDERS - 1)]
    tokens += [ConcernToken(person, cast.circle) for person in others[:-1]]
    assert actions.concern_token_holders(tokens[0].key) == actions.CONCERN_MIN_HOLDERS - 1
    with pytest.raises(DomainError, match="Fewer than 5 members hold today's token"):
        tokens[0].send()
    assert not ConcernSpend.objects.exists() and not Concern.objects.exists()
    ConcernToken(others[-1], cast.circle)
    tokens[0].send()
    tokens[1].send()  # a facilitator's report counts like anyone's once the set is large
    assert Concern.objects.count() == 2


def test_without_a_valid_token_the_cookieless_end_tells_nothing_about_members(cast):
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    forged = token.json(signature=base64.b64encode(bytes(len(token.signature))).decode())
    answers = {Client().post("/api/v1/anonymous-concerns", dict(forged, affected=[ids]),
                             content_type="application/json").json()["detail"]
               for ids in (str(cast.membership.public_id), str(cast.other_membership.public_id),
                           "7d0c2a91-5e4b-4c3f-8a1d-2b9e6f0c4d17")}
    assert answers == {"This token was not issued under this key."}


def test_past_days_keys_are_deleted_with_their_tokens_and_spends(cast):
    token = ConcernToken(cast.member, cast.circle)
    enough_token_holders(cast.circle)
    token.send()
    assert ConcernKey.objects.count() == actions.CONCERN_DAYS_AHEAD + 1
    mark = audit_mark()
    assert actions.do_retire_concern_keys(today=today()) == 0
    out = io.StringIO()
    tomorrow = today() + timedelta(days=1)
    assert actions.do_retire_concern_keys(today=tomorrow) == 1
    assert_events(mark, [("feedback.concern_keys.retired", None, None)])
    assert not ConcernKey.objects.filter(day__lt=tomorrow).exists()
    assert not ConcernSpend.objects.exists() and not ConcernIssuance.objects.exists()
    for back, key in enumerate(ConcernKey.objects.all(), start=3):
        ConcernKey.objects.filter(pk=key.pk).update(day=today() - timedelta(days=back))
    call_command("feedback", "close", stdout=out)
    assert f"{actions.CONCERN_DAYS_AHEAD} past days' concern keys deleted" in out.getvalue()
    assert Concern.objects.count() == 1  # the concern stays; only its token's traces go


@pytest.mark.django_db(transaction=True)
def test_the_same_concern_token_sent_four_times_at_once_makes_one_concern(live_cast):
    token = ConcernToken(live_cast.member, live_cast.circle)
    enough_token_holders(live_cast.circle)
    outcomes = at_once(4, token.send)
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused", "refused", "refused"], \
        outcomes
    assert Concern.objects.count() == 1 and ConcernSpend.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_tokens_asked_for_at_once_by_one_person_give_one(live_cast):
    tokens = [ConcernToken(live_cast.member, live_cast.circle, receive=False)
              for _ in range(4)]
    queue = list(tokens)
    lock = threading.Lock()

    def ask():
        with lock:
            token = queue.pop()
        return token.receive()

    outcomes = at_once(4, ask)
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused", "refused", "refused"], \
        outcomes
    assert ConcernIssuance.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_first_asks_of_a_day_made_at_once_make_one_key_per_day(live_cast):
    outcomes = at_once(3, lambda: [k.pk for k in actions.concern_keys_for(live_cast.member)])
    assert [kind for kind, _ in outcomes] == ["ok"] * 3, outcomes
    assert len({tuple(keys) for _, keys in outcomes}) == 1
    assert ConcernKey.objects.count() == actions.CONCERN_DAYS_AHEAD + 1
