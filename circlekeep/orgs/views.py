"""Organization admin pages: settings, staff, invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from circlekeep.lib.actions import DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.views import confirm_or_run
from circlekeep.orgs import actions
from circlekeep.orgs.access import (
    access_organization,
    access_staff_role,
    staff_invitations_visible_to,
    staff_roles_visible_to,
)
from circlekeep.orgs.forms import (
    OrganizationForm,
    ResetTwoFactorForm,
    StaffInvitationForm,
    StaffRoleForm,
)


@login_required
def settings_page(request, org_id):
    organization = access_organization(request.user, org_id)
    initial = {"name": organization.name, "country": organization.country,
               "region": organization.region, "time_zone": organization.time_zone,
               "require_member_2fa": organization.require_member_2fa,
               "members_read_notes": organization.members_read_notes,
               "api_token_max_days": organization.api_token_max_days}
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_org_policies(organization, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The organization's settings are saved."))
            return redirect("orgs:settings", org_id=organization.public_id)
    return render(request, "orgs/organization_settings.html",
                  {"organization": organization, "form": form})


@login_required
def staff(request, org_id):
    organization = access_organization(request.user, org_id)
    form = StaffInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = actions.do_invite_staff(organization, actor=request.user,
                                                 **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.")
                             % {"email": invitation.email})
            return redirect("orgs:staff", org_id=organization.public_id)
    roles = staff_roles_visible_to(request.user).filter(organization=organization).order_by(
        "user__display_name")
    invitations = [i for i in staff_invitations_visible_to(request.user).filter(
        organization=organization) if i.is_pending]
    return render(request, "orgs/staff_list.html", {
        "organization": organization, "form": form, "roles": roles,
        "invitations": invitations, "role_form": StaffRoleForm(),
    })


@login_required
@require_POST
def staff_role_change(request, role_id):
    staff_role = access_staff_role(request.user, role_id)
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        try:
            actions.do_change_staff_role(staff_role, form.cleaned_data["role"], actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s's role is changed.")
                             % {"name": staff_role.user.display_name})
    else:
        messages.error(request, _("Choose a role: admin, facilitator or auditor."))
    return redirect("orgs:staff", org_id=staff_role.organization.public_id)


@login_required
@require_http_methods(["GET", "POST"])  # GET asks first; POST does it
def staff_role_remove(request, role_id):
    staff_role = access_staff_role(request.user, role_id)
    organization, name = staff_role.organization, staff_role.user.display_name
    staff_list = reverse("orgs:staff", kwargs={"org_id": organization.public_id})
    return confirm_or_run(
        request, confirm_form(request),
        lambda data: actions.do_remove_staff_role(staff_role, actor=request.user),
        success=_("%(name)s is no longer on the staff.") % {"name": name},
        to=staff_list,
        page={"title": _("Remove %(name)s from the staff?") % {"name": name},
              "consequences": [
                  _("%(name)s loses access to %(organization)s at once: its circles, "
                    "records and reports.") % {"name": name, "organization": organization.name},
                  _("Someone who still leads or co-leads a circle cannot be removed: hand "
                    "their circles to another facilitator first."),
                  _("Their account stays theirs, and the audit trail keeps what they did. "
                    "You can invite them again later.")],
              "confirm": _("Remove from the staff"),
              "cancel_url": staff_list})


@login_required
def staff_two_factor_reset(request, role_id):
    staff_role = access_staff_role(request.user, role_id)
    form = ResetTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_reset_two_factor(staff_role.user, actor=request.user,
                                reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s's two-step sign-in is reset. They set it up "
                                        "again at their next sign-in.")
                             % {"name": staff_role.user.display_name})
            return redirect("orgs:staff", org_id=staff_role.organization.public_id)
    return render(request, "orgs/staff_two_factor_reset.html",
                  {"staff_role": staff_role, "form": form})
