"""State changes for anonymous feedback: opening a round with its own key, handing each
cleared member one token, taking an entry that names nobody, and closing the round,
which destroys the key and releases the entries only when there are enough of them.

``do_submit_entry`` has no actor: the request that carries it has no account, no cookie
and no log line (settings.NO_TRACE_PATHS), and its audit event is held with nothing but
its day, to join the trail in random order with the rest of that day's
(``audit.record(anonymous=True)``).
"""

import hashlib
import json
import random
from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.accounts.models import User
from circlekeep.audit.reasons import code
from circlekeep.feedback import blindrsa
from circlekeep.feedback.access import (
    check_may_open_round,
    check_may_run_round,
    concern_token_circles,
    may_answer,
    may_hold_concern_token,
)
from circlekeep.feedback.models import (
    MAX_ANSWER,
    MAX_QUESTIONS,
    RATING_SCALE,
    RELEASE_THRESHOLD,
    ConcernIssuance,
    ConcernKey,
    ConcernSpend,
    Entry,
    Round,
    Spend,
)
from circlekeep.lib.actions import ActionForbidden, DomainError, action, required_text
from circlekeep.notify.actions import notify
from circlekeep.vault import crypto as vault_crypto
from circlekeep.vault.keys import current_key_for

DAYS_OPEN = (1, 30)
PAD_TO = 2048
TOKEN_MESSAGE = "circlekeep-feedback:v1:{round}:"
CONCERN_TOKEN_MESSAGE = "circlekeep-concern:v1:{key}:"
# Concern tokens are fetched for today and the week ahead (UTC): a day's tokens are then
# held by everyone who opened Circlekeep in the week before it (with a weekly meeting,
# nearly everyone), and most were handed out on earlier days, so a token's fetch does not
# date its use.
CONCERN_DAYS_AHEAD = 6
# A day's key takes anonymous concerns only once this many people who do not facilitate
# the circle hold its token: among fewer, a report could be told apart.
CONCERN_MIN_HOLDERS = RELEASE_THRESHOLD
KINDS = ("rating", "text")


def clean_questions(questions):
    """[{"kind", "prompt"}] → the stored list with keys; DomainError on anything else."""
    if not isinstance(questions, list) or not questions:
        raise DomainError(_("Ask at least one question."), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise DomainError(_("Ask at most %(count)d questions.") % {"count": MAX_QUESTIONS},
                          field="questions")
    cleaned = []
    for number, question in enumerate(questions, start=1):
        kind = question.get("kind") if isinstance(question, dict) else None
        if kind not in KINDS:
            raise DomainError(_("Each question is a rating or an open question."),
                              field="questions")
        prompt = required_text(question.get("prompt"), "questions",
                               _("Each question needs its words."), limit=300)
        cleaned.append({"key": f"q{number}", "kind": kind, "prompt": prompt})
    return cleaned


def _wrap_key(round_, key):
    # The vault's key-encryption key wraps the private key of a round (or a concern key);
    # its AAD names the round.
    round_.private_key, round_.private_key_kek = vault_crypto.wrap(
        blindrsa.private_key_bytes(key), round_.public_id)


def _unwrap_key(round_):
    return blindrsa.load_private_key(vault_crypto.unwrap(
        bytes(round_.private_key), round_.public_id, round_.private_key_kek))


@action
def do_open_round(circle, *, actor, about, title, questions, days_open=7):
    if about not in Round.About.values:
        raise DomainError(_("Choose what the feedback is about."), field="about")
    check_may_open_round(actor, circle, about)
    title = required_text(title, "title", _("Give the round a title."), limit=120)
    questions = clean_questions(questions)
    try:
        days_open = int(days_open)
    except (TypeError, ValueError):
        days_open = 0
    if not DAYS_OPEN[0] <= days_open <= DAYS_OPEN[1]:
        raise DomainError(_("Keep the round open for %(low)d to %(high)d days.")
                          % {"low": DAYS_OPEN[0], "high": DAYS_OPEN[1]}, field="days_open")
    now = timezone.now()
    key = blindrsa.new_private_key()
    public = blindrsa.public_key_bytes(key)
    round_ = Round(circle=circle, about=about, title=title, questions=questions,
                   opened_by=actor, opens_at=now, closes_at=now + timedelta(days=days_open),
                   public_key=public, fingerprint=blindrsa.fingerprint(public))
    _wrap_key(round_, key)
    round_.save()
    if about == Round.About.FACILITATOR:
        round_.excluded.set(User.objects.filter(facilitations__circle=circle))
    # The circle's data key exists before the first entry arrives, so that no key row is
    # ever created at the moment someone sends one.
    current_key_for("circle", circle)
    audit.record("feedback.round.opened", actor=actor, target=round_, circle=circle,
                 data={"about": about, "fingerprint": round_.fingerprint,
                       "closes_at": round_.closes_at.isoformat(),
                       "questions": len(questions)})
    from circlekeep.circles.models import Membership

    members = [m.user for m in Membership.objects.filter(circle=circle).cleared()
               .select_related("user")]
    # The link leads to the circle's rounds, not to the round: opening a notification is
    # recorded, and the round's own page is where answering begins.
    notify("feedback.open", members, organization=circle.organization,
           link=f"/feedback/circles/{circle.public_id}/")
    return round_


def _sign_once(issuances, *, actor, blinded, private_key):
    """Sign ``blinded`` for ``actor`` once: ``issuances`` is the holder's issuance set.
    Returns (signature, new) where ``new`` says whether this call issued it; a retry with
    the same blinded message gets the same signature back."""
    digest = hashlib.sha256(blinded).hexdigest()
    existing = issuances.filter(member=actor).first()
    if existing is None:
        try:
            signature = blindrsa.blind_sign(private_key(), blinded)
        except blindrsa.BlindSignError:
            raise DomainError(_("That is not a blinded token for this key.")) from None
        try:
            with transaction.atomic():
                existing = issuances.create(member=actor, blinded_digest=digest,
                                            blind_signature=signature)
        except IntegrityError:
            existing = issuances.get(member=actor)
        else:
            return bytes(existing.blind_signature), True
    if existing.blinded_digest != digest:
        raise DomainError(_("You already received this token in another browser; "
                            "send from there."))
    return bytes(existing.blind_signature), False


@action
def do_issue_token(round_, *, actor, blinded: bytes):
    """Sign the member's blinded token: once per member per round. A retry with the same
    blinded message gets the same signature back."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if not round_.is_open_at(timezone.now()) or not round_.private_key:
        raise DomainError(_("This feedback round is not open."))
    if not may_answer(actor, round_):
        raise ActionForbidden(_("Only the circle's cleared members receive its token."))
    signature, new = _sign_once(round_.issuances, actor=actor, blinded=blinded,
                                private_key=lambda: _unwrap_key(round_))
    if new:
        audit.record("feedback.token.issued", actor=actor, target=round_,
                     circle=round_.circle)
    return signature


def padded(text: str) -> str:
    """``text`` with spaces to the next multiple of PAD_TO characters (JSON ignores them),
    so that the ciphertext's length does not tell a short answer from a long one."""
    return text + " " * (-len(text) % PAD_TO)


def _clean_answers(round_, answers):
    if not isinstance(answers, dict):
        raise DomainError(_("Send the answers as a list of questions and replies."))
    known = {q["key"]: q for q in round_.questions}
    if set(answers) - set(known):
        raise DomainError(_("Some answers are to questions this round does not ask."))
    cleaned = {}
    for key, question in known.items():
        value = answers.get(key)
        if value in (None, ""):
            continue
        if question["kind"] == "rating":
            if isinstance(value, str) and value.isascii() and value.isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or \
                    not RATING_SCALE[0] <= value <= RATING_SCALE[1]:
                raise DomainError(_("A rating is a whole number from %(low)d to %(high)d.")
                                  % {"low": RATING_SCALE[0], "high": RATING_SCALE[1]})
            cleaned[key] = value
        else:
            if not isinstance(value, str):
                raise DomainError(_("An open answer is text."))
            value = value.strip()
            if len(value) > MAX_ANSWER:
                raise DomainError(_("Keep each answer under %(limit)d characters.")
                                  % {"limit": MAX_ANSWER})
            if value:
                cleaned[key] = value
    if not cleaned:
        raise DomainError(_("Answer at least one question."))
    return cleaned


@action
def do_submit_entry(round_, *, prepared: bytes, signature: bytes, answers):
    """Take an entry spent with a token: no actor, no time, one entry per token."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if not round_.is_open_at(timezone.now()):
        raise DomainError(_("This feedback round is closed; entries are no longer taken."))
    expected = TOKEN_MESSAGE.format(round=round_.public_id).encode()
    message = prepared[blindrsa.PREFIX_LENGTH:]
    if not message.startswith(expected) or \
            not blindrsa.verify(blindrsa.load_public_key(bytes(round_.public_key)), prepared,
                                signature):
        raise DomainError(_("This token was not issued for this round."))
    answers = _clean_answers(round_, answers)
    try:
        with transaction.atomic():
            Spend.objects.create(round=round_, nullifier=hashlib.sha256(prepared).hexdigest())
    except IntegrityError:
        raise DomainError(_("This token was already used: one entry per member.")) from None
    entry = Entry(round=round_)
    vault.seal(entry, "answers", padded(json.dumps(answers, sort_keys=True,
                                                   ensure_ascii=False)))
    entry.save()
    audit.record("feedback.entry.submitted", actor=None, target=round_, circle=round_.circle,
                 anonymous=True)


@action
def do_close_round(round_, *, actor):
    """Close the round: destroy its key (unspent tokens die) and release its entries, in
    random order, when at least RELEASE_THRESHOLD came; fewer are destroyed unread.
    ``actor`` is None when the schedule closes it."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.is_closed:
        return round_
    if actor is not None:
        check_may_run_round(actor, round_)
    pending = list(Entry.objects.filter(round=round_, released=False))
    released = len(pending) >= RELEASE_THRESHOLD
    if released:
        texts = [str(t) for t in vault.reveal_many(pending, "answers", actor=actor,
                                                   reason=code("feedback.release"))
                 if not t.erased]
        random.SystemRandom().shuffle(texts)
        Entry.objects.filter(pk__in=[e.pk for e in pending]).delete()
        for text in texts:
            entry = Entry(round=round_, released=True)
            vault.seal(entry, "answers", text)
            entry.save()
    else:
        Entry.objects.filter(pk__in=[e.pk for e in pending]).delete()
    # With the key gone no token can be checked again: what was spent has no use left.
    Spend.objects.filter(round=round_).delete()
    round_.private_key, round_.private_key_kek = None, ""
    round_.closed_at = timezone.now()
    round_.entry_count = len(pending) if released else None
    round_.released = released
    round_.save(update_fields=["private_key", "private_key_kek", "closed_at", "entry_count",
                               "released"])
    audit.record("feedback.round.closed", actor=actor, target=round_, circle=round_.circle,
                 data={"released": released, "entries": round_.entry_count})
    return round_


def close_due_rounds(now=None) -> int:
    """Close every round whose time is up (a scheduler runs ``manage.py feedback close``)."""
    now = now or timezone.now()
    due = list(Round.objects.filter(closed_at__isnull=True, closes_at__lte=now))
    for round_ in due:
        do_close_round(round_, actor=None)
    return len(due)


@action
def do_share_summary(round_, *, actor, summary):
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    check_may_run_round(actor, round_)
    if not round_.is_closed:
        raise DomainError(_("Share a summary once the round has closed."))
    summary = required_text(summary, "summary", _("Write the summary to share."))
    vault.seal(round_, "summary", summary)
    round_.summary_shared_at = timezone.now()
    round_.save(update_fields=["summary", "summary_shared_at"])
    audit.record("feedback.summary.shared", actor=actor, target=round_, circle=round_.circle)
    return round_


def utc_today():
    return timezone.now().astimezone(UTC).date()


def concern_days(today=None):
    today = today or utc_today()
    return [today + timedelta(days=n) for n in range(CONCERN_DAYS_AHEAD + 1)]


@action
def do_make_concern_key(circle, *, day):
    """A circle's key for anonymous concerns on ``day``: made when the first token for that
    day is asked for. Raises IntegrityError when another request made it first."""
    key = blindrsa.new_private_key()
    public = blindrsa.public_key_bytes(key)
    concern_key = ConcernKey(circle=circle, day=day, public_key=public,
                             fingerprint=blindrsa.fingerprint(public))
    _wrap_key(concern_key, key)
    concern_key.save()
    audit.record("feedback.concern_key.made", actor=None, target=circle, circle=circle,
                 data={"day": day.isoformat(), "fingerprint": concern_key.fingerprint})
    return concern_key


def concern_keys_for(user, today=None):
    """The concern keys of every circle where ``user`` holds tokens, for today and the days
    ahead, made where missing (each in its own transaction)."""
    days = concern_days(today)
    circles = list(concern_token_circles(user))
    have = {(k.circle_id, k.day): k for k in ConcernKey.objects.filter(
        circle__in=circles, day__in=days).select_related("circle")}
    for circle in circles:
        for day in days:
            if (circle.pk, day) in have:
                continue
            try:
                have[circle.pk, day] = do_make_concern_key(circle, day=day)
            except IntegrityError:
                have[circle.pk, day] = ConcernKey.objects.select_related("circle").get(
                    circle=circle, day=day)
    return sorted(have.values(), key=lambda k: (k.day, k.circle_id))


@action
def do_issue_concern_token(concern_key, *, actor, blinded: bytes):
    """Sign the blinded token of someone who may report in the key's circle: once per
    person per circle per day."""
    concern_key = ConcernKey.objects.select_for_update().select_related("circle").get(
        pk=concern_key.pk)
    if concern_key.day < utc_today():
        raise DomainError(_("This day is over; its token can no longer be given."))
    if not may_hold_concern_token(actor, concern_key.circle):
        raise ActionForbidden(_("Only the circle's cleared members and facilitators receive "
                                "its tokens."))
    signature, new = _sign_once(concern_key.issuances, actor=actor, blinded=blinded,
                                private_key=lambda: _unwrap_key(concern_key))
    if new:
        # Held with its day only, naming nobody: who holds a day's token is the set an
        # anonymous report of that day hides in, and a trail naming them would shrink it
        # for anyone who reads the trail.
        audit.record("feedback.concern_token.issued", actor=None, target=concern_key.circle,
                     circle=concern_key.circle, anonymous=True,
                     data={"day": concern_key.day.isoformat()})
    return signature


def check_concern_token(concern_key, *, prepared: bytes, signature: bytes):
    """DomainError unless the token was signed under ``concern_key``, today's key (UTC).
    Checked before anything else about the report is looked at, so that the cookie-less
    end tells nothing to someone without a token."""
    if concern_key.day != utc_today():
        raise DomainError(_("This token is for another day. Reload the page and send again: "
                            "your browser holds today's token too."))
    expected = CONCERN_TOKEN_MESSAGE.format(key=concern_key.public_id).encode()
    message = prepared[blindrsa.PREFIX_LENGTH:]
    if not message.startswith(expected) or not blindrsa.verify(
            blindrsa.load_public_key(bytes(concern_key.public_key)), prepared, signature):
        raise DomainError(_("This token was not issued under this key."))


def concern_token_holders(concern_key) -> int:
    """How many people who do not facilitate the key's circle hold its token."""
    from circlekeep.circles.models import Facilitation

    return concern_key.issuances.exclude(member__in=Facilitation.objects.filter(
        circle=concern_key.circle_id).values("user")).count()


def spend_concern_token(concern_key, *, prepared: bytes, signature: bytes):
    """Check and use up a concern token, inside the action that takes the concern. The key
    must be today's (UTC), held by at least CONCERN_MIN_HOLDERS members; a token works
    once."""
    concern_key = ConcernKey.objects.select_for_update().get(pk=concern_key.pk)
    check_concern_token(concern_key, prepared=prepared, signature=signature)
    if concern_token_holders(concern_key) < CONCERN_MIN_HOLDERS:
        raise DomainError(_("Fewer than %(count)d members hold today's token for this circle "
                            "yet, so an anonymous report could be told apart. Send it known "
                            "only to the facilitators, or try again in a day or two.")
                          % {"count": CONCERN_MIN_HOLDERS})
    try:
        with transaction.atomic():
            ConcernSpend.objects.create(key=concern_key,
                                        nullifier=hashlib.sha256(prepared).hexdigest())
    except IntegrityError:
        raise DomainError(_("Today's token for this circle is already used: one anonymous "
                            "report per person per circle per day. Send it tomorrow, or "
                            "now known only to the facilitators.")) from None
    return concern_key.circle


@action
def do_retire_concern_keys(*, today=None):
    """Delete the keys of days that are over, with their tokens and spends: no token of
    theirs is taken any more, and who received one is no longer worth keeping."""
    today = today or utc_today()
    old = ConcernKey.objects.filter(day__lt=today)
    ConcernSpend.objects.filter(key__in=old).delete()
    ConcernIssuance.objects.filter(key__in=old).delete()
    count, _detail = old.delete()
    if count:
        audit.record("feedback.concern_keys.retired", actor=None, target=None,
                     data={"keys": count, "before": today.isoformat()})
    return count
