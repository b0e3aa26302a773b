"""The erasure page: an organization admin erases what the organization holds about a
member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from circlekeep.circles.access import access_membership
from circlekeep.custody.actions import check_may_erase, do_destroy_member_keys
from circlekeep.custody.forms import ErasureForm
from circlekeep.lib.actions import DomainError
from circlekeep.lib.forms import add_domain_error


@login_required
def member_erase(request, membership_id):
    """An organization admin crypto-shreds what the organization holds about a member (for
    example at the member's request); other organizations' share is never touched."""
    membership = access_membership(request.user, membership_id)
    organization = membership.circle.organization
    check_may_erase(request.user, membership.user, organization)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_destroy_member_keys(membership.user, organization=organization,
                                   actor=request.user, reason=form.cleaned_data["reason"],
                                   confirmation=form.cleaned_data["confirmation"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("What %(organization)s held about %(name)s is erased.")
                             % {"organization": organization.name,
                                "name": membership.user.display_name or membership.user.email})
            return redirect("circles:membership", membership_id=membership.public_id)
    return render(request, "circles/member_erase.html", {"membership": membership,
                                                         "organization": organization,
                                                         "form": form})
