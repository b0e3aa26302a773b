"""Consent pages: my consent, reading and giving it, withdrawing it, and (admins)
publishing the organization's document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from circlekeep.accounts.models import User
from circlekeep.circles.models import Membership
from circlekeep.consent import actions
from circlekeep.consent.access import (
    access_consent_document,
    access_consent_record,
    consent_records_visible_to,
    organizations_for_consent,
)
from circlekeep.consent.forms import DocumentForm, GiveConsentForm
from circlekeep.consent.models import ConsentDocument
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.views import confirm_or_run


def _wards_in(user, organization):
    return list(User.objects.filter(
        guardian_links__guardian=user, guardian_links__organization=organization,
        memberships__circle__organization=organization,
        memberships__status__in=Membership.ACCEPTED_STATUSES).distinct().order_by("display_name"))


def _takes_part(user, organization):
    return Membership.objects.accepted().filter(user=user,
                                                circle__organization=organization).exists()


@login_required
def mine(request):
    user = request.user
    records = list(consent_records_visible_to(user).select_related(
        "document", "organization", "subject", "signer"))
    for record in records:
        # The title in the language the consent was given in.
        record.title = record.document.reading(record.language).title
    rows = []
    for organization in organizations_for_consent(user).select_related("consent_document"):
        document = organization.consent_document
        live = [r for r in records if r.document_id == getattr(document, "pk", None)
                and r.is_live]
        own = next((r for r in live if r.subject_id == user.pk and r.role != "guardian"),
                   None) if _takes_part(user, organization) else None
        rows.append({
            "organization": organization, "document": document,
            "title": document.reading(request.LANGUAGE_CODE).title if document else "",
            "takes_part": _takes_part(user, organization), "own": own,
            "guardian_consent": next((r for r in live if r.subject_id == user.pk
                                      and r.role == "guardian"), None),
            "wards": [(ward, next((r for r in live if r.subject_id == ward.pk
                                   and r.role == "guardian"), None))
                      for ward in _wards_in(user, organization)],
        })
    return render(request, "consent/mine.html", {"rows": rows, "records": records})


@login_required
def document_detail(request, document_id):
    document = access_consent_document(request.user, document_id)
    organization = document.organization
    wards = _wards_in(request.user, organization)
    takes_part = _takes_part(request.user, organization)
    may_consent = document.pk == organization.consent_document_id and (takes_part or wards)
    form = GiveConsentForm(request.POST or None, wards=wards if not takes_part else [])
    if request.method == "POST":
        if not may_consent:
            raise ActionForbidden(_(
                "Only the organization's members and their guardians consent to the "
                "version in force."))
        if form.is_valid():
            ward = next((w for w in wards if str(w.public_id) == form.cleaned_data.get("ward")),
                        None)
            try:
                # The language of the text the reader was shown on this page.
                actions.do_give_consent(document, typed_name=form.cleaned_data["typed_name"],
                                        actor=request.user, ward=ward,
                                        language=request.POST.get("language")
                                        or request.LANGUAGE_CODE)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Thank you: your consent is recorded. You can "
                                            "withdraw it at any time."))
                return redirect("consent:mine")
    return render(request, "consent/document.html", {
        "document": document, "organization": organization,
        "reading": document.reading(request.LANGUAGE_CODE),
        "is_in_force": document.pk == organization.consent_document_id,
        "form": form if may_consent else None,
    })


@login_required
@require_http_methods(["GET", "POST"])  # GET asks first; POST does it
def withdraw(request, record_id):
    record = access_consent_record(request.user, record_id)
    if record.signer_id != request.user.pk:
        raise ActionForbidden(_(
            "Only the person who gave this consent can withdraw it."))
    mine = reverse("consent:mine")
    return confirm_or_run(
        request, confirm_form(request),
        lambda data: actions.do_withdraw_consent(record, actor=request.user),
        success=_("Your consent is withdrawn. Participation has stopped; you can still read "
                  "and export your own information."),
        to=mine, page={"title": _("Withdraw your consent to “%(document)s”?")
                       % {"document": record.document.title},
                       "consequences": withdrawal_consequences(record, request.user),
                       "confirm": _("Withdraw consent"), "cancel_url": mine})


def withdrawal_consequences(record, signer):
    """What withdrawing says it will do, for a member's own consent or a guardian's."""
    if record.subject_id != signer.pk:
        name = record.subject.display_name
        return [_("%(name)s stops taking part in their circles at once.") % {"name": name},
                _("Their facilitators see that consent was withdrawn; what was already "
                  "recorded stays, protected as before."),
                _("You can give consent again later.")]
    return [_("You stop taking part in your circles at once."),
            _("You can still read and export your own information."),
            _("You can give consent again later.")]


@login_required
def manage(request, org_id):
    from circlekeep.orgs.access import access_organization

    organization = access_organization(request.user, org_id)
    current = organization.consent_document
    form = DocumentForm(request.POST or None,
                        initial=DocumentForm.initial_from(current) if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            document = actions.do_publish_consent_document(
                organization, actor=request.user, **form.document_fields())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Version %(number)d is published. Everyone is asked "
                                        "for consent again.") % {"number": document.version})
            return redirect("consent:manage", org_id=organization.public_id)
    versions = list(ConsentDocument.objects.filter(organization=organization))
    return render(request, "consent/manage.html", {
        "organization": organization, "current": current, "versions": versions, "form": form,
    })
