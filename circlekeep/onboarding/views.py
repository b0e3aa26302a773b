"""Onboarding pages: the checklist and each step, for the member and the circle's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.models import (
    OnboardingMessage,
    OnlineRulesAcceptance,
    OrientationRead,
    RelationshipScreening,
)
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.onboarding import actions
from circlekeep.onboarding import progress as onboarding
from circlekeep.onboarding.access import (
    access_onboarding,
    access_own_onboarding,
    access_staff_onboarding,
)
from circlekeep.onboarding.forms import MessageForm, RelationshipsForm, ScreeningDecisionForm
from circlekeep.onboarding.relationships import declarations_for_screening


def _step_done(request, message):
    messages.success(request, message)


@login_required
def checklist(request, membership_id):
    membership, is_self = access_onboarding(request.user, membership_id)
    state = onboarding.progress(membership) if membership.status != "invited" else None
    if state is not None and not is_self:
        state = state.for_staff()  # the facilitator reads "their consent", not "your"
    return render(request, "onboarding/checklist.html", {
        "membership": membership, "is_self": is_self, "progress": state,
    })


@login_required
def orientation(request, membership_id):
    membership, is_self = access_onboarding(request.user, membership_id)
    if request.method == "POST":
        access_own_onboarding(request.user, membership_id)
        try:
            actions.do_read_orientation(membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _step_done(request, _("Orientation read. Thank you."))
        return redirect("onboarding:checklist", membership_id=membership.public_id)
    agreement = getattr(membership.circle, "agreement", None)
    document = membership.circle.organization.consent_document
    return render(request, "onboarding/orientation.html", {
        "membership": membership, "is_self": is_self,
        "version": (agreement.current_version.reading(request.LANGUAGE_CODE)
                    if agreement else None),
        "how": onboarding.HOW_CONFIDENTIALITY_WORKS,
        "limits": (document.reading(request.LANGUAGE_CODE).reporting_categories
                   if document else []),
        "online_rules": onboarding.ONLINE_RULES if membership.circle.mode != "in_person"
        else [],
        "read": OrientationRead.objects.filter(membership=membership).first(),
    })


@login_required
def questions(request, membership_id):
    membership, is_self = access_onboarding(request.user, membership_id)
    form = MessageForm(request.POST or None)
    if not is_self:
        form.fields["text"].label = _("Your answer")
    if request.method == "POST" and form.is_valid():
        try:
            with submitted_once(form):
                if is_self:
                    actions.do_ask_question(membership, text=form.cleaned_data["text"],
                                            actor=request.user)
                else:
                    actions.do_answer_question(membership, text=form.cleaned_data["text"],
                                               actor=request.user)
        except AlreadySubmitted:
            messages.info(request, _("That was already sent."))
            return redirect("onboarding:questions", membership_id=membership.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _step_done(request, _("Sent. Only you and the circle's facilitators can read it.")
                       if is_self else _("Your answer is sent to the member."))
            return redirect("onboarding:questions", membership_id=membership.public_id)
    thread = list(OnboardingMessage.objects.filter(membership=membership)
                  .select_related("author", "membership__user", "membership__circle"))
    why = (audit_reasons.code("onboarding.questions.own") if is_self
           else audit_reasons.code("onboarding.questions.staff"))
    for message, text in zip(thread, vault.reveal_many(thread, "body", actor=request.user,
                                                       reason=why), strict=True):
        message.text = text
    return render(request, "onboarding/questions.html", {
        "membership": membership, "is_self": is_self, "thread": thread, "form": form,
        "may_settle": is_self and (not thread or thread[-1].kind == "answer"),
    })


@login_required
@require_POST
def questions_settled(request, membership_id):
    membership = access_own_onboarding(request.user, membership_id)
    try:
        actions.do_settle_questions(membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("onboarding:questions", membership_id=membership.public_id)
    _step_done(request, _("Noted: you have no more questions. You can still ask your "
                          "facilitator at any time."))
    return redirect("onboarding:checklist", membership_id=membership.public_id)


@login_required
def online_rules(request, membership_id):
    membership, is_self = access_onboarding(request.user, membership_id)
    if request.method == "POST":
        access_own_onboarding(request.user, membership_id)
        try:
            actions.do_accept_online_rules(membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _step_done(request, _("You agreed to the online rules."))
        return redirect("onboarding:checklist", membership_id=membership.public_id)
    return render(request, "onboarding/online_rules.html", {
        "membership": membership, "is_self": is_self, "rules": onboarding.ONLINE_RULES,
        "accepted": OnlineRulesAcceptance.objects.filter(membership=membership).first(),
    })


@login_required
def relationships(request, membership_id):
    membership, is_self = access_onboarding(request.user, membership_id)
    screening = RelationshipScreening.objects.filter(membership=membership).first()
    form = RelationshipsForm(request.POST or None) if is_self and screening is None else None
    if request.method == "POST":
        if form is None:
            raise ActionForbidden(_("Only the member declares their relationships, "
                                         "once."))
        if form.is_valid():
            try:
                actions.do_declare_relationships(membership, actor=request.user,
                                                 declarations=form.declarations())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                _step_done(request, _("Thank you. Only your facilitators will see this."))
                return redirect("onboarding:checklist", membership_id=membership.public_id)
    declarations = declarations_for_screening(membership, request.user, is_self=is_self) \
        if screening is not None or not is_self else []
    plan = None
    if screening is not None and screening.plan:
        plan = vault.reveal(screening, "plan", actor=request.user,
                            reason=audit_reasons.code("onboarding.screening.read"))
    return render(request, "onboarding/relationships.html", {
        "membership": membership, "is_self": is_self, "form": form, "screening": screening,
        "declarations": declarations, "plan": plan,
        "decision_form": None if is_self or screening is None else ScreeningDecisionForm(),
    })


@login_required
@require_POST
def screening_decision(request, membership_id):
    membership = access_staff_onboarding(request.user, membership_id)
    form = ScreeningDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_decide_screening(membership, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _step_done(request, _("Your decision is recorded."))
    else:
        messages.error(request, _("Choose a decision and write the plan or reason."))
    return redirect("onboarding:relationships", membership_id=membership.public_id)
