"""API endpoints for anonymous feedback. Two take no credentials at all, by design: the
round's key (fetched again right before sending, to check it is the one the token came
under) and sending an entry, which carries only the round, the token and the answers."""

import base64
import binascii
from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from circlekeep.circles.access import access_circle
from circlekeep.feedback import actions
from circlekeep.feedback.access import (
    access_concern_key,
    access_round,
    check_may_run_round,
    concern_key_for_circle_day,
    may_run_round,
    round_for_spend,
    rounds_visible_to,
)
from circlekeep.feedback.models import ConcernIssuance, Round
from circlekeep.feedback.results import read_answers, summarize
from circlekeep.lib.actions import DomainError

router = Router(tags=["feedback"])


class FeedbackQuestionIn(Schema):
    kind: str = Field(description='"rating" (a mark from 1 to 5) or "text"')
    prompt: str = Field(max_length=300)


class FeedbackQuestionOut(FeedbackQuestionIn):
    key: str


class RoundIn(Schema):
    title: str = Field(max_length=120)
    about: str = Field("circle", description='"circle" or "facilitator" (admins only)')
    questions: list[FeedbackQuestionIn] = Field(max_length=8)
    days_open: int = 7

    model_config = {"json_schema_extra": {"example": {
        "title": "Autumn check-in", "about": "circle", "days_open": 7,
        "questions": [{"kind": "rating", "prompt": "I feel safe saying what I think here."},
                      {"kind": "text", "prompt": "What would make the circle better?"}]}}}


class ResultOut(Schema):
    key: str
    kind: str
    prompt: str
    answered: int
    counts: list[int] | None = Field(None, description="How many gave each mark, 1 to 5")
    average: float | None = None
    texts: list[str] | None = None


class RoundOut(Schema):
    id: UUID
    circle_id: UUID
    title: str
    about: str
    questions: list[FeedbackQuestionOut]
    opens_at: datetime
    closes_at: datetime
    closed: bool
    fingerprint: str
    entries: int | None = Field(None, description="How many, once released (at least 5)")
    released: bool
    results: list[ResultOut] | None = Field(None, description="For those who run the round, "
                                            "once released")


class KeyOut(Schema):
    id: UUID
    public_key: str = Field(description="SubjectPublicKeyInfo DER, base64")
    fingerprint: str


class ConcernKeyPublicOut(KeyOut):
    day: date = Field(description="The day (UTC) on which its tokens are taken")


class ConcernKeyOut(ConcernKeyPublicOut):
    circle_id: UUID
    token_held: bool = Field(description="Whether you already received its token")


class BlindedTokenIn(Schema):
    blinded: str = Field(description="The blinded token (RFC 9474), base64", max_length=2000)

    model_config = {"json_schema_extra": {"example": {"blinded": "AAEC…"}}}


class BlindSignatureOut(Schema):
    blind_signature: str


class EntryIn(Schema):
    round_id: UUID
    token: str = Field(description="The prepared message the token signs, base64",
                       max_length=400)
    signature: str = Field(description="The unblinded signature, base64", max_length=2000)
    answers: dict[str, int | str] = Field(description="Question key → mark or text")

    model_config = {"json_schema_extra": {"example": {
        "round_id": "2b6a1f0e-4c1d-4f59-9f1e-0a4c7e3b9d21", "token": "…", "signature": "…",
        "answers": {"q1": 4, "q2": "More time for newcomers."}}}}


class SummaryIn(Schema):
    summary: str = Field(max_length=4000)

    model_config = {"json_schema_extra": {"example": {
        "summary": "Most of you feel safe speaking; several asked for more time."}}}


def decode_base64(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise DomainError(_("%(field)s is not base64.") % {"field": field}, field=field) \
            from None


def round_to_dict(user, round_: Round) -> dict:
    data = {"id": round_.public_id, "circle_id": round_.circle.public_id,
            "title": round_.title, "about": round_.about, "questions": round_.questions,
            "opens_at": round_.opens_at, "closes_at": round_.closes_at,
            "closed": round_.is_closed, "fingerprint": round_.fingerprint,
            "entries": round_.entry_count, "released": round_.released}
    if round_.released and may_run_round(user, round_):
        data["results"] = summarize(round_, read_answers(round_, actor=user, api=True))
    return data


@router.get("/circles/{circle_id}/feedback-rounds", response=list[RoundOut])
def list_rounds(request, circle_id: str):
    circle = access_circle(request.auth, circle_id)
    return [round_to_dict(request.auth, r) for r in
            rounds_visible_to(request.auth).filter(circle=circle).select_related("circle")]


@router.post("/circles/{circle_id}/feedback-rounds", response={201: RoundOut})
def open_round(request, circle_id: str, body: RoundIn):
    circle = access_circle(request.auth, circle_id)
    round_ = actions.do_open_round(circle, actor=request.auth, about=body.about,
                                   title=body.title,
                                   questions=[q.model_dump() for q in body.questions],
                                   days_open=body.days_open)
    return Status(201, round_to_dict(request.auth, round_))


@router.get("/feedback-rounds/{round_id}", response=RoundOut)
def get_round(request, round_id: str):
    return round_to_dict(request.auth, access_round(request.auth, round_id))


@router.post("/feedback-rounds/{round_id}/close", response=RoundOut)
def close_round(request, round_id: str):
    round_ = access_round(request.auth, round_id)
    check_may_run_round(request.auth, round_)
    return round_to_dict(request.auth, actions.do_close_round(round_, actor=request.auth))


@router.put("/feedback-rounds/{round_id}/summary", response=RoundOut)
def share_summary(request, round_id: str, body: SummaryIn):
    round_ = access_round(request.auth, round_id)
    actions.do_share_summary(round_, actor=request.auth, summary=body.summary)
    return round_to_dict(request.auth, round_)


@router.post("/feedback-rounds/{round_id}/tokens", response=BlindSignatureOut)
def issue_token(request, round_id: str, body: BlindedTokenIn):
    round_ = access_round(request.auth, round_id)
    signature = actions.do_issue_token(round_, actor=request.auth,
                                       blinded=decode_base64(body.blinded, "blinded"))
    return {"blind_signature": base64.b64encode(signature).decode()}


@router.get("/feedback-rounds/{round_id}/key", response=KeyOut, auth=None)
def round_key(request, round_id: str):
    """Public, without cookies: an open round's key, to check before sending that the
    token came under the one key the whole circle shares (404 once it is closed)."""
    round_ = round_for_spend(round_id)
    if not round_.is_open_at(timezone.now()):
        raise Http404
    return {"id": round_.public_id,
            "public_key": base64.b64encode(bytes(round_.public_key)).decode(),
            "fingerprint": round_.fingerprint}


@router.post("/feedback/entries", response={201: dict}, auth=None)
def send_entry(request, body: EntryIn):
    """Without an account, cookies or a log line: an entry, spent with a token."""
    try:
        round_ = round_for_spend(body.round_id)
    except Http404:
        raise DomainError(_("No feedback round has that id."), field="round_id") from None
    actions.do_submit_entry(round_, prepared=decode_base64(body.token, "token"),
                            signature=decode_base64(body.signature, "signature"),
                            answers=body.answers)
    return Status(201, {})


def _key_to_dict(key, **extra):
    return {"id": key.public_id, "public_key": base64.b64encode(bytes(key.public_key)).decode(),
            "fingerprint": key.fingerprint, **extra}


@router.get("/concern-keys", response=list[ConcernKeyOut])
def concern_keys(request):
    """The days' keys for anonymous concerns in the circles where you may report, today and
    the days ahead: fetch a token under each (``POST /concern-keys/{id}/tokens``) well before
    you need it, then send with ``POST /anonymous-concerns``."""
    held = set(ConcernIssuance.objects.filter(member=request.auth)
               .values_list("key_id", flat=True))
    return [_key_to_dict(k, circle_id=k.circle.public_id, day=k.day, token_held=k.pk in held)
            for k in actions.concern_keys_for(request.auth)]


@router.post("/concern-keys/{key_id}/tokens", response=BlindSignatureOut)
def issue_concern_token(request, key_id: str, body: BlindedTokenIn):
    concern_key = access_concern_key(request.auth, key_id)
    signature = actions.do_issue_concern_token(concern_key, actor=request.auth,
                                               blinded=decode_base64(body.blinded, "blinded"))
    return {"blind_signature": base64.b64encode(signature).decode()}


@router.get("/circles/{circle_id}/concern-keys/{day}", response=ConcernKeyPublicOut, auth=None)
def circle_concern_key(request, circle_id: str, day: date):
    """Public, without cookies: a circle's concern key for a day, asked for by what everyone
    in the circle shares (the circle and the day), to check before sending that the token
    came under the one key the whole circle has that day. 404 for days that are over."""
    key = concern_key_for_circle_day(circle_id, day)
    if key is None or key.day < actions.utc_today():
        raise Http404
    return _key_to_dict(key, day=key.day)
