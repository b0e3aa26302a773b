"""Training pages: a facilitator's progress, a module's reading and quiz, the programme's
rules for admins, confirming someone's practice, certificates and their public check."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.lib.text import spreadsheet_safe
from circlekeep.orgs.access import is_org_admin
from circlekeep.training import actions
from circlekeep.training.access import (
    access_attempt,
    access_certificate,
    access_module,
    access_programme,
    access_trainee,
    access_training_organization,
    certificate_status,
    check_may_run_programme,
    hours_of,
    programme_of,
    team_of,
    trainee_organizations,
    trainees_visible_to,
    verify_certificate,
)
from circlekeep.training.content import render_reading
from circlekeep.training.forms import (
    ModuleTextForm,
    PracticeForm,
    ProgrammeForm,
    VerifyForm,
    quiz_form,
)
from circlekeep.training.pdf import certificate_pdf
from circlekeep.training.progress import progress_of


@login_required
def home(request):
    """Straight to the one organization's training, or a choice of them."""
    organizations = list(trainee_organizations(request.user))
    if len(organizations) == 1:
        return redirect("training:programme", organization_id=organizations[0].public_id)
    if not organizations:
        raise Http404
    return render(request, "training/home.html", {"organizations": organizations})


@login_required
def programme(request, organization_id):
    organization = access_training_organization(request.user, organization_id)
    programme = programme_of(organization)
    is_admin = is_org_admin(request.user, organization)
    context = {"organization": organization, "programme": programme, "is_admin": is_admin}
    if programme is not None:
        progress = progress_of(request.user, programme)
        context.update({
            "progress": progress,
            "certificates": [(c, certificate_status(c)) for c in
                             programme.certificates.filter(holder=request.user)],
            "may_confirm": trainees_visible_to(request.user, organization).exists(),
            "team": team_of(organization) if is_admin else None})
    return render(request, "training/programme.html", context)


@login_required
@require_POST
def set_up(request, organization_id):
    organization = access_training_organization(request.user, organization_id)
    try:
        actions.do_set_up_programme(organization, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The training programme is set up. Turn the gate on in "
                                    "its rules when your facilitators are ready."))
    return redirect("training:programme", organization_id=organization.public_id)


@login_required
def programme_settings(request, organization_id):
    organization = access_training_organization(request.user, organization_id)
    programme = access_programme(request.user, organization)
    check_may_run_programme(request.user, organization)
    # The action reads the programme afresh; the form's instance only fills the fields.
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_programme(programme, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The training rules are saved."))
            return redirect("training:programme", organization_id=organization.public_id)
    return render(request, "training/programme_settings.html",
                  {"organization": organization, "form": form})


@login_required
def module(request, module_id):
    """The reading, then the quiz; a sent quiz shows its result with the explanations."""
    module = access_module(request.user, module_id)
    programme = module.programme
    progress = progress_of(request.user, programme)
    step = next((s for s in progress.modules if s.module.pk == module.pk), None)
    form = quiz_form(module)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = [form.cleaned_data[f"q{n}"] for n in range(1, len(module.questions) + 1)]
        try:
            with submitted_once(form):
                attempt = actions.do_submit_quiz(module, answers=answers, actor=request.user)
        except AlreadySubmitted:
            return redirect("training:module", module_id=module.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("training:attempt", attempt_id=attempt.public_id)
    return render(request, "training/module.html", {
        "module": module, "organization": programme.organization,
        "reading": render_reading(module.text()["reading"]), "form": form, "step": step,
        "pass_mark": module.passing_mark,
        "is_admin": is_org_admin(request.user, programme.organization)})


@login_required
def module_edit(request, module_id):
    """An admin edits a module's title and reading, one language at a time: the language
    is chosen by a link, so the boxes always hold that language's text."""
    module = access_module(request.user, module_id)
    check_may_run_programme(request.user, module.programme.organization)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("language", "en")
    if language not in languages:
        language = "en"
    text = module.texts.get(language) or module.texts["en"]
    form = ModuleTextForm(request.POST or None,
                          initial={"pass_mark": module.pass_mark, **text})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_module(module, actor=request.user, language=language,
                                   **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The module is saved."))
            return redirect("training:module", module_id=module.public_id)
    return render(request, "training/module_edit.html", {
        "module": module, "organization": module.programme.organization, "form": form,
        "language": language, "language_name": languages[language],
        "others": [(code, name) for code, name in settings.LANGUAGES if code != language]})


@login_required
def attempt(request, attempt_id):
    """One's own attempt: the score and, per question, the answer given, the right one and
    why."""
    found = access_attempt(request.user, attempt_id)
    module = found.module
    questions = [{**question, "given": given}
                 for question, given in zip(module.question_texts(), found.answers,
                                            strict=True)]
    progress = progress_of(request.user, module.programme)
    return render(request, "training/attempt.html", {
        "attempt": found, "module": module, "questions": questions,
        "organization": module.programme.organization, "progress": progress,
        "pass_mark": module.passing_mark})


@login_required
def practice(request, organization_id):
    organization = access_training_organization(request.user, organization_id)
    programme = access_programme(request.user, organization)
    trainees = trainees_visible_to(request.user, organization)
    if not trainees.exists():
        raise Http404
    form = PracticeForm(request.POST or None, trainees=trainees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with submitted_once(form):
                actions.do_confirm_practice(programme, data["trainee"], kind=data["kind"],
                                            on=data["on"], note=data["note"],
                                            actor=request.user)
        except AlreadySubmitted:
            pass
        except (DomainError, ActionForbidden) as error:
            # Refused for this person or this kind: said beside the form, not as a 403.
            form.add_error(getattr(error, "field", None), str(error.message))
            return render(request, "training/practice.html",
                          {"organization": organization, "form": form})
        messages.success(request, _("Confirmed for %(name)s.")
                         % {"name": data["trainee"].display_name})
        return redirect("training:practice", organization_id=organization.public_id)
    return render(request, "training/practice.html",
                  {"organization": organization, "form": form})


@never_cache
@login_required
def certificate_download(request, certificate_id):
    certificate = access_certificate(request.user, certificate_id)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="circlekeep-certificate.pdf"'
    return response


@never_cache
@login_required
def hours(request, organization_id):
    """A facilitator's continuing-education record, as CSV: one's own, or (for an admin)
    any trainee's of the organization, chosen with ``?person=``."""
    organization = access_training_organization(request.user, organization_id)
    programme = access_programme(request.user, organization)
    person = request.user
    if request.GET.get("person"):
        person = access_trainee(request.user, organization, request.GET["person"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="circlekeep-training-hours.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Day"), _("Module"), _("Score (%)"), _("Hours")])
    for row in hours_of(person, programme):
        # An admin writes module titles; none may run as a formula in a spreadsheet.
        writer.writerow([row["day"].isoformat(), spreadsheet_safe(row["title"]),
                         row["score"], row["hours"]])
    return response


@never_cache
def verify(request):
    """Public: whether a certificate code is genuine, and only what the certificate says
    (display name, dates, status). The code is sent in a form's body, not the address,
    so that it stays out of access logs."""
    form = VerifyForm(request.POST or None)
    found = None
    if form.is_bound and form.is_valid():
        found = verify_certificate(form.cleaned_data["code"])
    return render(request, "training/verify.html", {
        "form": form, "found": found, "searched": form.is_bound and form.is_valid()})
