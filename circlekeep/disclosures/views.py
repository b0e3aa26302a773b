"""Disclosure pages: authorizations, releases under them, legal disclosures, and each
member's accounting of disclosures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_membership, may_manage_circle
from circlekeep.circles.models import Membership
from circlekeep.disclosures import actions
from circlekeep.disclosures.access import (
    access_authorization,
    access_disclosure,
    authorizations_signed_by,
    disclosures_about_visible_to,
)
from circlekeep.disclosures.forms import (
    AuthorizationForm,
    DisclosureForm,
    LegalDisclosureForm,
    SuspensionForm,
)
from circlekeep.disclosures.models import Information
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.views import run_then_redirect


def _labels(items):
    labels = dict(Information.choices)
    return ", ".join(str(labels.get(i, i)) for i in items)


@login_required
def mine(request):
    """The member's authorizations and their accounting of disclosures (six years)."""
    memberships = list(Membership.objects.filter(user=request.user).exclude(
        status="invited").select_related("circle"))
    authorizations = list(authorizations_signed_by(request.user)
                          .select_related("membership__circle"))
    accounting = list(actions.accounting_for(request.user))
    summaries = vault.reveal_many(accounting, "summary", actor=request.user,
                                  reason=audit_reasons.code("disclosures.accounting.own"))
    for disclosure, summary in zip(accounting, summaries, strict=True):
        disclosure.summary_text = summary
        disclosure.what = _labels(disclosure.information)
    for authorization in authorizations:
        authorization.what = _labels(authorization.information)
    return render(request, "disclosures/mine.html", {
        "memberships": memberships, "authorizations": authorizations,
        "accounting": accounting, "years": actions.ACCOUNTING_YEARS,
    })


def _kept_flags(data):
    kept = []
    for value in data.getlist("keep_flag"):
        start, _sep, end = value.partition("-")
        if start.isdigit() and end.isdigit():
            kept.append((int(start), int(end)))
    return kept


def _summary_preview(membership, form, error):
    """The summary with other members' names and flagged words highlighted, as the notes'
    preview shows them, when the refusal was about the summary."""
    summary = form.cleaned_data.get("summary", "") if hasattr(form, "cleaned_data") else ""
    if error.field != "summary" or not summary:
        return None
    return actions.summary_review(membership, summary).segments()


@login_required
def membership_page(request, membership_id, *, disclosure_form=None, preview=None,
                    preview_for=None):
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    staff = may_manage_circle(request.user, membership.circle)
    form = AuthorizationForm(request.POST or None) if is_self and preview is None else None
    if request.method == "POST" and preview is None:
        if form is None:
            raise ActionForbidden(_("Only the member authorizes the release of their "
                                         "information."))
        if form.is_valid():
            try:
                actions.do_sign_authorization(membership, actor=request.user,
                                              **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Your authorization is signed. You can revoke it "
                                            "at any time."))
                return redirect("disclosures:membership", membership_id=membership.public_id)
    authorizations = list(membership.authorizations.all())
    for authorization in authorizations:
        authorization.what = _labels(authorization.information)
    disclosures = list(disclosures_about_visible_to(request.user, membership))
    for disclosure in disclosures:
        disclosure.what = _labels(disclosure.information)
    return render(request, "disclosures/membership.html", {
        "membership": membership, "is_self": is_self, "staff": staff, "form": form,
        "authorizations": authorizations, "disclosures": disclosures,
        "disclosure_form": disclosure_form, "empty_disclosure_form": DisclosureForm(),
        "suspension_form": SuspensionForm(), "preview": preview, "preview_for": preview_for,
    })


@login_required
@require_POST
def revoke(request, authorization_id):
    authorization = access_authorization(request.user, authorization_id)
    return run_then_redirect(
        request, lambda: actions.do_revoke_authorization(authorization, actor=request.user),
        _("The authorization is revoked. Nothing more may be released under it."),
        "disclosures:membership", membership_id=authorization.membership.public_id)


@login_required
@require_POST
def record(request, authorization_id):
    authorization = access_authorization(request.user, authorization_id)
    if not may_manage_circle(request.user, authorization.membership.circle):
        raise ActionForbidden(_("Only the circle's facilitators record disclosures."))
    form = DisclosureForm(request.POST)
    back = {"membership_id": authorization.membership.public_id}
    if not form.is_valid():
        messages.error(request, _("Choose what was released and summarise it."))
        return redirect("disclosures:membership", **back)
    try:
        actions.do_record_disclosure(authorization, actor=request.user,
                                     kept_flags=_kept_flags(request.POST), **form.cleaned_data)
    except DomainError as error:
        preview = _summary_preview(authorization.membership, form, error)
        if preview is None:
            messages.error(request, error.message)
            return redirect("disclosures:membership", **back)
        add_domain_error(form, error)
        return membership_page(request, authorization.membership.public_id,
                               disclosure_form=form, preview=preview,
                               preview_for=authorization.public_id)
    messages.success(request, _("The disclosure is recorded in the member's accounting."))
    return redirect("disclosures:membership", **back)


@login_required
def legal(request, membership_id):
    membership = access_membership(request.user, membership_id)
    if not may_manage_circle(request.user, membership.circle):
        raise ActionForbidden(_("Only the circle's facilitators record disclosures."))
    form = LegalDisclosureForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_legal_disclosure(membership, actor=request.user,
                                               kept_flags=_kept_flags(request.POST),
                                               **form.cleaned_data)
        except DomainError as error:
            preview = _summary_preview(membership, form, error)
            add_domain_error(form, error)
        else:
            messages.success(request, _("The disclosure is recorded; the organization's "
                                        "admins are told, and the member sees it in their "
                                        "accounting."))
            return redirect("disclosures:membership", membership_id=membership.public_id)
    return render(request, "disclosures/legal.html", {"membership": membership, "form": form,
                                                      "preview": preview})


@login_required
@require_POST
def suspend(request, disclosure_id):
    disclosure = access_disclosure(request.user, disclosure_id)
    if not may_manage_circle(request.user, disclosure.membership.circle):
        raise ActionForbidden(_("Only the circle's facilitators do this."))
    form = SuspensionForm(request.POST)
    back = {"membership_id": disclosure.membership.public_id}
    if not form.is_valid():
        messages.error(request, _("Give the legal reason and the end date."))
        return redirect("disclosures:membership", **back)
    return run_then_redirect(
        request, lambda: actions.do_suspend_accounting(disclosure, actor=request.user,
                                                       **form.cleaned_data),
        _("The disclosure is withheld from the member's accounting until that date."),
        "disclosures:membership", **back)



