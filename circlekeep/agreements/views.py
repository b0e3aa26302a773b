"""Agreement pages: read, sign, check, propose, discuss, decide, review, and templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep.agreements import actions
from circlekeep.agreements.access import (
    access_agreement,
    access_proposal,
    access_signature,
    access_version,
    check_may_discuss,
    may_discuss,
    proposals_visible_to,
)
from circlekeep.agreements.agenda import agenda_items, review_due
from circlekeep.agreements.checking import MAX_PDF_BYTES, check_pdf, check_text
from circlekeep.agreements.forms import (
    CadenceForm,
    CheckForm,
    CommentForm,
    DecisionForm,
    ProposalForm,
    SignForm,
    TemplateForm,
)
from circlekeep.agreements.models import LadderStep, Proposal, Signature
from circlekeep.agreements.pdf import signature_pdf
from circlekeep.agreements.text import diff
from circlekeep.circles.access import (
    check_may_manage_circle,
    may_manage_circle,
    may_see_members,
)
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.once import AlreadySubmitted, submitted_once


def _own_membership(user, circle):
    return (Membership.objects.filter(circle=circle, user=user,
                                      status__in=Membership.ACCEPTED_STATUSES)
            .first())


def _ladder(version):
    labels = dict(LadderStep.choices)
    return [{"label": labels.get(e["step"], e["step"]), "text": e["text"]}
            for e in version.ladder]


@login_required
def circle_agreement(request, circle_id):
    agreement = access_agreement(request.user, circle_id)
    circle, version = agreement.circle, agreement.current_version
    reading = version.reading(request.LANGUAGE_CODE)
    manages = may_manage_circle(request.user, circle)
    membership = _own_membership(request.user, circle)
    my_signatures = list(Signature.objects.filter(membership=membership)
                         .select_related("version")) if membership else []
    signed_current = any(s.version_id == version.pk for s in my_signatures)
    roster = []
    if manages:
        signed = set(Signature.objects.filter(version=version).values_list("membership_id",
                                                                           flat=True))
        roster = [(m, m.pk in signed) for m in circle.memberships.filter(
            status__in=Membership.ACCEPTED_STATUSES).select_related("user")
            .order_by("user__display_name")]
    return render(request, "agreements/circle_agreement.html", {
        "agreement": agreement, "circle": circle, "version": version, "reading": reading,
        "ladder": _ladder(reading), "manages": manages, "membership": membership,
        "sign_form": SignForm() if membership and not signed_current else None,
        "signed_current": signed_current, "my_signatures": my_signatures,
        "versions": list(agreement.versions.order_by("-number")),
        "proposals": list(proposals_visible_to(request.user).filter(agreement=agreement)
                          .select_related("author")[:50]),
        "sees_members": may_see_members(request.user, circle),
        "may_propose": may_discuss(request.user, agreement),
        "review_due": review_due(agreement), "agenda": agenda_items(agreement),
        "cadence_form": CadenceForm(initial={"days": agreement.review_every_days})
        if manages else None,
        "roster": roster,
    })


@login_required
def version_detail(request, version_id):
    version = access_version(request.user, version_id)
    agreement = version.agreement
    others = list(agreement.versions.exclude(pk=version.pk).order_by("-number"))
    against = None
    if request.GET.get("against"):
        against = next((v for v in others if str(v.public_id) == request.GET["against"]),
                       None)
        if against is None:
            raise Http404
    reading = version.reading(request.LANGUAGE_CODE)
    return render(request, "agreements/version.html", {
        "version": version, "reading": reading, "agreement": agreement,
        "circle": agreement.circle, "ladder": _ladder(reading), "others": others,
        "against": against,
        "diff": diff(against.reading(reading.language).text, reading.text)
        if against else None,
        "is_current": version.pk == agreement.current_version_id,
    })


@login_required
@require_POST
def sign(request, version_id):
    version = access_version(request.user, version_id)
    form = SignForm(request.POST)
    circle = version.agreement.circle
    if form.is_valid():
        try:
            # The language of the text the member read on the page they signed from.
            actions.do_sign_agreement(version, typed_name=form.cleaned_data["typed_name"],
                                      actor=request.user,
                                      language=request.POST.get("language")
                                      or request.LANGUAGE_CODE)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You signed version %(number)d of the agreement.")
                             % {"number": version.number})
            membership = _own_membership(request.user, circle)
            if membership is not None and membership.status == "onboarding":
                return redirect("onboarding:checklist", membership_id=membership.public_id)
    else:
        messages.error(request, _("Type your full name to sign."))
    # Signed from a meeting's opening page: back there, to acknowledge it.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("agreements:circle", circle_id=circle.public_id)


@login_required
def signature_download(request, signature_id):
    signature = access_signature(request.user, signature_id)
    data = signature_pdf(signature)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="agreement-v{signature.version.number}-signed.pdf"')
    return response


@login_required
def check(request, circle_id):
    agreement = access_agreement(request.user, circle_id)
    form = CheckForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("document")
        if upload is not None:
            if upload.size > MAX_PDF_BYTES:
                form.add_error("document", _("Choose a PDF smaller than 5 MB."))
            else:
                result = check_pdf(agreement, upload.read())
        else:
            result = check_text(agreement, form.cleaned_data["text"])
    return render(request, "agreements/check.html", {
        "agreement": agreement, "circle": agreement.circle, "form": form, "result": result,
    })


@login_required
def propose(request, circle_id):
    agreement = access_agreement(request.user, circle_id)
    form = ProposalForm(request.POST or None, clauses=agreement.current_version.clauses)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "once"}
        try:
            with submitted_once(form):
                proposal = actions.do_propose_change(agreement, actor=request.user, **fields)
        except AlreadySubmitted:
            messages.info(request, _("That proposal was already sent."))
            return redirect("agreements:circle", circle_id=agreement.circle.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your proposal is shared with the circle."))
            return redirect("agreements:proposal", proposal_id=proposal.public_id)
    elif request.method == "GET":
        check_may_discuss(request.user, agreement)
    return render(request, "agreements/propose.html", {
        "agreement": agreement, "circle": agreement.circle, "form": form,
        "version": agreement.current_version,
    })


@login_required
def proposal_detail(request, proposal_id):
    proposal = access_proposal(request.user, proposal_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with submitted_once(form):
                actions.do_comment_on_proposal(proposal, text=form.cleaned_data["text"],
                                               actor=request.user)
        except AlreadySubmitted:
            return redirect("agreements:proposal", proposal_id=proposal.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect("agreements:proposal", proposal_id=proposal.public_id)
    clauses = {c["key"]: c for c in proposal.against.clauses}
    manages = may_manage_circle(request.user, proposal.agreement.circle)
    return render(request, "agreements/proposal.html", {
        "proposal": proposal, "circle": proposal.agreement.circle,
        "clause": clauses.get(proposal.clause_key),
        "comments": list(proposal.comments.select_related("author")),
        "form": form if proposal.status == Proposal.Status.OPEN else None,
        "decision_form": DecisionForm() if manages and proposal.status == "open" else None,
        "resign_count": (Membership.objects.filter(circle=proposal.agreement.circle)
                         .accepted().count() if manages and proposal.status == "open"
                         else None),
    })


@login_required
@require_POST
def proposal_decide(request, proposal_id):
    proposal = access_proposal(request.user, proposal_id)
    if not may_manage_circle(request.user, proposal.agreement.circle):
        raise ActionForbidden(_(
            "Only the circle's facilitators adopt or decline proposals."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose adopt or decline and give the circle your reason."))
        return redirect("agreements:proposal", proposal_id=proposal.public_id)
    try:
        if form.cleaned_data["decision"] == "adopt":
            version = actions.do_adopt_proposal(proposal, reason=form.cleaned_data["reason"],
                                                actor=request.user)
            messages.success(request, _("Adopted: version %(number)d. Every member is asked "
                                        "to sign it before their next meeting.")
                             % {"number": version.number})
        else:
            actions.do_decline_proposal(proposal, reason=form.cleaned_data["reason"],
                                        actor=request.user)
            messages.success(request, _("The proposal is declined; the circle sees your "
                                        "reason."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("agreements:proposal", proposal_id=proposal.public_id)


@login_required
@require_POST
def record_review(request, circle_id):
    agreement = access_agreement(request.user, circle_id)
    check_may_manage_circle(request.user, agreement.circle)
    actions.do_record_review(agreement, actor=request.user)
    messages.success(request, _("The review is recorded; the next one is due on "
                                "%(date)s.") % {"date": agreement.review_due_at.date()})
    return redirect("agreements:circle", circle_id=agreement.circle.public_id)


@login_required
@require_POST
def set_cadence(request, circle_id):
    agreement = access_agreement(request.user, circle_id)
    check_may_manage_circle(request.user, agreement.circle)
    form = CadenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Review the agreement every 1 to 365 days."))
    else:
        actions.do_set_review_cadence(agreement, days=form.cleaned_data["days"],
                                      actor=request.user)
        messages.success(request, _("The review cadence is saved."))
    return redirect("agreements:circle", circle_id=agreement.circle.public_id)


@login_required
def template_edit(request, org_id):
    from circlekeep.orgs.access import access_organization

    organization = access_organization(request.user, org_id)
    template = organization.agreement_template
    initial = {"clauses": TemplateForm.format_clauses(template.clauses)}
    initial.update({f"ladder_{e['step']}": e["text"] for e in template.ladder})
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_template(
                organization, clauses=TemplateForm.parse_clauses(form.cleaned_data["clauses"]),
                ladder=form.ladder(), actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The template is saved. New circles start from it."))
            return redirect("agreements:template", org_id=organization.public_id)
    return render(request, "agreements/template.html",
                  {"organization": organization, "form": form, "template": template})

