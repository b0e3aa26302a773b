"""Feedback pages: a circle's rounds and opening one; a round's page (answering, for a
member; its status and results, for the people who run it); closing it; sharing a
summary; and the two JSON ends a member's browser uses to receive its token."""

import base64
import binascii
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circlekeep import vault
from circlekeep.audit.reasons import code
from circlekeep.circles.access import access_circle, may_manage_circle
from circlekeep.feedback import actions
from circlekeep.feedback.access import (
    access_concern_key,
    access_round,
    check_may_run_round,
    may_answer,
    may_ask_about_facilitator,
    may_run_round,
    rounds_visible_to,
    rounds_waiting_for_token,
)
from circlekeep.feedback.forms import RoundForm, SummaryForm
from circlekeep.feedback.models import RELEASE_THRESHOLD, ConcernIssuance
from circlekeep.feedback.results import circle_trend, read_answers, summarize, with_charts
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.lib.views import confirm_or_run


@login_required
def circle(request, circle_id):
    """The circle's rounds, and (for those who run the circle) a form to open one."""
    circle = access_circle(request.user, circle_id)
    about_facilitator = may_ask_about_facilitator(request.user, circle)
    may_open = about_facilitator or may_manage_circle(request.user, circle)
    if request.method == "POST" and not may_open:
        raise ActionForbidden(_("Only the circle's facilitators and organization admins may "
                                "ask for feedback."))
    form = None
    if may_open:
        form = RoundForm(request.POST or None, may_ask_about_facilitator=about_facilitator)
        if request.method == "POST" and form.is_valid():
            try:
                with submitted_once(form):
                    round_ = actions.do_open_round(
                        circle, actor=request.user, about=form.cleaned_data["about"],
                        title=form.cleaned_data["title"], questions=form.questions(),
                        days_open=form.cleaned_data["days_open"])
            except AlreadySubmitted:
                return redirect("feedback:circle", circle_id=circle.public_id)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The round is open. Members receive its token "
                                            "the next time they open Circlekeep."))
                return redirect("feedback:round", round_id=round_.public_id)
    rounds = list(rounds_visible_to(request.user).filter(circle=circle))
    run = [r for r in rounds if may_run_round(request.user, r)]
    return render(request, "feedback/circle.html", {
        "circle": circle, "rounds": rounds, "form": form,
        "trend": circle_trend(run, actor=request.user, key=circle.public_id) if run else None,
        "now": timezone.now()})


def _answer_words():
    """What the answering script says, in the reader's language."""
    return {
        "ready": _("Your token is ready. Your answers are sent without your name."),
        "none": _("This browser holds no token for this round yet. Tokens are given once "
                  "per member, to the browser where Circlekeep was opened after the round "
                  "opened: answer from that one. If that is this browser, open your home "
                  "page, wait a moment and come back: this page does not fetch the token "
                  "itself, because fetching it here would tie it to you."),
        "sent": _("Sent. Thank you: your answers are in, with nothing that names you."),
        "sending": _("Checking the round's key and sending…"),
        "empty": _("Answer at least one question."),
        "wrongKey": _("Not sent: the round's key is not the one your token was given under. "
                      "Tell the facilitator or an admin; your answers could be told apart."),
        "failed": _("Not sent: the connection failed. Try again."),
    }


@never_cache
def round_page(request, round_id):
    """A member answers here; the people who run the round see its status and results.
    Listed in NO_TRACE_PATHS: that someone opened it says they may mean to answer. Hence
    also no ``?next=`` naming it on the way to signing in."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    round_ = access_round(request.user, round_id)
    runs = may_run_round(request.user, round_)
    context = {"round": round_, "runs": runs, "answers": may_answer(request.user, round_),
               "is_open": round_.is_open_at(timezone.now()),
               "threshold": RELEASE_THRESHOLD, "words": _answer_words()}
    if runs:
        context["issued"] = round_.issuances.count()
        if round_.released:
            context["summary"] = with_charts(round_, summarize(
                round_, read_answers(round_, actor=request.user)))
        if round_.is_closed:
            context["summary_form"] = SummaryForm(initial={"summary": vault.reveal(
                round_, "summary", actor=request.user, reason=code("feedback.summary"))}
                if round_.summary_shared_at else None)
    elif round_.summary_shared_at:
        context["shared"] = vault.reveal(round_, "summary", actor=request.user,
                                         reason=code("feedback.summary"))
    return render(request, "feedback/round.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def close(request, round_id):
    round_ = access_round(request.user, round_id)
    check_may_run_round(request.user, round_)
    back = reverse("feedback:round", kwargs={"round_id": round_.public_id})
    return confirm_or_run(
        request, confirm_form(request),
        lambda data: actions.do_close_round(round_, actor=request.user),
        success=lambda r: (_("The round is closed and its %(count)d entries are released.")
                           % {"count": r.entry_count}) if r.released else
        _("The round is closed. Fewer than %(count)d entries came, so none is shown.")
        % {"count": RELEASE_THRESHOLD},
        to=back,
        page={"title": _("Close this feedback round now?"),
              "consequences": [
                  _("Its key is destroyed: members who have not answered can no longer do so."),
                  _("If at least %(count)d entries came, they are released to you in random "
                    "order; if fewer, they are destroyed unread.") % {"count": RELEASE_THRESHOLD},
                  _("A closed round cannot be opened again.")],
              "confirm": _("Close the round"), "cancel_url": back})


@login_required
@require_POST
def share_summary(request, round_id):
    round_ = access_round(request.user, round_id)
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            with submitted_once(form):
                actions.do_share_summary(round_, actor=request.user,
                                         summary=form.cleaned_data["summary"])
        except AlreadySubmitted:
            pass
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The summary is shared with the circle's members."))
    else:
        messages.error(request, _("Write the summary to share."))
    return redirect("feedback:round", round_id=round_.public_id)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@never_cache
@login_required
@require_GET
def waiting(request):
    """The keys the signed-in person has no token for yet: open feedback rounds, and the
    days' keys for anonymous concerns in their circles. The page's script asks on each
    page view (at most every few minutes) and fetches each token, blinded."""
    rounds = rounds_waiting_for_token(request.user).only("public_id", "public_key",
                                                         "fingerprint")
    held = set(ConcernIssuance.objects.filter(member=request.user)
               .values_list("key_id", flat=True))
    concern_keys = [k for k in actions.concern_keys_for(request.user) if k.pk not in held]
    return JsonResponse({"person": str(request.user.public_id), "rounds": [
        {"id": str(r.public_id), "public_key": _b64(bytes(r.public_key)),
         "fingerprint": r.fingerprint,
         "token_url": reverse("feedback:token", kwargs={"round_id": r.public_id}),
         "prefix": actions.TOKEN_MESSAGE.format(round=r.public_id)} for r in rounds] + [
        {"id": str(k.public_id), "public_key": _b64(bytes(k.public_key)),
         "fingerprint": k.fingerprint, "circle": str(k.circle.public_id),
         "day": k.day.isoformat(),
         "token_url": reverse("feedback:concern_token", kwargs={"key_id": k.public_id}),
         "prefix": actions.CONCERN_TOKEN_MESSAGE.format(key=k.public_id)}
        for k in concern_keys]})


def _blinded(request):
    try:
        body = json.loads(request.body or b"{}")
        return base64.b64decode(body.get("blinded", ""), validate=True)
    except (ValueError, TypeError, AttributeError, binascii.Error, RawPostDataException):
        return None


def _signed(sign, request):
    blinded = _blinded(request)
    if blinded is None:
        return JsonResponse({"error": _("Send the blinded token as base64 in JSON.")},
                            status=400)
    try:
        signature = sign(blinded)
    except DomainError as error:
        return JsonResponse({"error": str(error.message)}, status=400)
    return JsonResponse({"blind_signature": _b64(signature)})


@never_cache
@login_required
@require_POST
def token(request, round_id):
    """Sign the member's blinded token (JSON in and out; the session's CSRF check holds)."""
    round_ = access_round(request.user, round_id)
    if not may_answer(request.user, round_):
        raise ActionForbidden(_("Only the circle's cleared members receive its token."))
    return _signed(lambda blinded: actions.do_issue_token(round_, actor=request.user,
                                                          blinded=blinded), request)


@never_cache
@login_required
@require_POST
def concern_token(request, key_id):
    """Sign the person's blinded token for a circle's day of anonymous concerns."""
    concern_key = access_concern_key(request.user, key_id)
    return _signed(lambda blinded: actions.do_issue_concern_token(
        concern_key, actor=request.user, blinded=blinded), request)
