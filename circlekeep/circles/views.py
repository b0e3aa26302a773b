"""Circle pages: circles, rosters, facilitators, invitations and memberships."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from circlekeep import vault
from circlekeep.accounts.actions import do_revoke_invitation
from circlekeep.accounts.models import User
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles import actions
from circlekeep.circles.access import (
    access_circle,
    access_facilitation,
    access_invitation,
    access_managed_circle,
    access_membership,
    check_may_change_membership_status,
    check_may_manage_circle,
    circles_visible_to,
    invitations_visible_to,
    may_manage_circle,
    may_see_meeting_details,
)
from circlekeep.circles.forms import (
    AddFacilitatorForm,
    CircleForm,
    GuardianInviteForm,
    InviteMemberForm,
    MembershipStatusForm,
    NewCircleForm,
)
from circlekeep.circles.hooks import ONBOARDING_FUNNEL, ROSTER_PROGRESS
from circlekeep.circles.models import Membership
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error, confirm_form
from circlekeep.lib.views import confirm_or_run
from circlekeep.orgs.access import access_organization
from circlekeep.orgs.models import StaffRole


def _facilitating_orgs(user):
    roles = StaffRole.objects.filter(
        user=user, role__in=(StaffRole.Role.ADMIN, StaffRole.Role.FACILITATOR)
    ).select_related("organization")
    return roles


def _possible_leads(organization):
    return list(User.objects.filter(
        staff_roles__organization=organization,
        staff_roles__role__in=(StaffRole.Role.ADMIN, StaffRole.Role.FACILITATOR),
        is_active=True,
    ).order_by("display_name"))


@login_required
def circle_create(request):
    roles = list(_facilitating_orgs(request.user))
    if not roles:
        raise ActionForbidden(_("Only an organization's facilitators and admins create "
                                "circles."))
    organizations = [r.organization for r in roles]
    admin_orgs = [r.organization for r in roles if r.role == StaffRole.Role.ADMIN]
    leads = _possible_leads(admin_orgs[0]) if len(admin_orgs) == 1 and len(roles) == 1 else []
    form = NewCircleForm(request.POST or None, organizations=organizations, leads=leads)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = next(o for o in organizations
                            if str(o.public_id) == data.pop("organization"))
        lead_id = data.pop("lead", "")
        lead = next((u for u in leads if str(u.public_id) == lead_id), None)
        try:
            circle = actions.do_create_circle(organization, lead=lead, actor=request.user, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The circle “%(name)s” is created.") % {"name": circle})
            return redirect("circles:detail", circle_id=circle.public_id)
    return render(request, "circles/circle_create.html", {"form": form})


@login_required
def circle_detail(request, circle_id):
    circle = access_circle(request.user, circle_id)
    facilitations = list(circle.facilitations.select_related("user"))
    if not may_manage_circle(request.user, circle):
        membership = (Membership.objects.live().filter(circle=circle, user=request.user)
                      .select_related("circle", "circle__organization", "user").first())
        state = (ROSTER_PROGRESS.one([membership])[membership.pk]
                 if membership and membership.accepted else None)
        sees = may_see_meeting_details(request.user, circle)
        return render(request, "circles/circle_member_view.html", {
            "circle": circle, "facilitations": facilitations, "membership": membership,
            "progress": state,
            # Where and when the circle meets: only for a member cleared to take part.
            "meeting_details": circle.meeting_details if sees else None,
            "next_meeting": circle.meetings.filter(
                status="scheduled", ends_at__gt=timezone.now()).first() if sees else None,
        })
    # Sorted by what staff see: ordering by an invited account's own name would hint at it.
    memberships = sorted(circle.memberships.with_acceptance().select_related(
        "user", "circle", "circle__organization"), key=lambda m: m.staff_label.casefold())
    live = [m for m in memberships if m.is_live]
    states = ROSTER_PROGRESS.one([m for m in live if m.status != "invited"])
    for membership in live:
        membership.progress = states.get(membership.pk)
    ended = [m for m in memberships if not m.is_live]
    pending = [i for i in invitations_visible_to(request.user).filter(circle=circle)
               if i.is_pending]
    return render(request, "circles/circle_detail.html", {
        "circle": circle, "facilitations": facilitations, "live": live, "ended": ended,
        "pending": pending, "places_left": circle.capacity - len(live),
        "chart": ONBOARDING_FUNNEL.one(request.user, circle.public_id),
    })


@login_required
def circle_edit(request, circle_id):
    circle = access_managed_circle(request.user, circle_id)
    initial = {f: getattr(circle, f) for f in ("name", "kind", "mode", "capacity",
                                               "allows_minors", "meeting_details", "room_names")}
    form = CircleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_circle(circle, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The circle's details are saved."))
            return redirect("circles:detail", circle_id=circle.public_id)
    return render(request, "circles/circle_edit.html", {"circle": circle, "form": form})


@login_required
def member_invite(request, circle_id):
    circle = access_managed_circle(request.user, circle_id)
    form = InviteMemberForm(request.POST or None, allows_minors=circle.allows_minors)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = actions.do_invite_member(
                circle, actor=request.user, email=form.cleaned_data["email"],
                is_minor=form.cleaned_data.get("is_minor", False))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.")
                             % {"email": invitation.email})
            return redirect("circles:detail", circle_id=circle.public_id)
    return render(request, "circles/member_invite.html", {"circle": circle, "form": form})


@login_required
def facilitator_add(request, circle_id):
    circle = access_managed_circle(request.user, circle_id)
    current = set(circle.facilitations.values_list("user_id", flat=True))
    candidates = [u for u in _possible_leads(circle.organization) if u.pk not in current]
    form = AddFacilitatorForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        user = next(u for u in candidates if str(u.public_id) == form.cleaned_data["user"])
        try:
            actions.do_add_facilitator(circle, user, actor=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s now co-facilitates this circle.")
                             % {"name": user.display_name})
            return redirect("circles:detail", circle_id=circle.public_id)
    return render(request, "circles/facilitator_add.html",
                  {"circle": circle, "form": form, "candidates": candidates})


@login_required
@require_POST
def facilitator_remove(request, facilitation_id):
    facilitation = access_facilitation(request.user, facilitation_id)
    try:
        actions.do_remove_facilitator(facilitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s no longer co-facilitates this circle.")
                         % {"name": facilitation.user.display_name})
    return redirect("circles:detail", circle_id=facilitation.circle.public_id)


@login_required
def membership_detail(request, membership_id):
    membership = access_membership(request.user, membership_id)
    manages = may_manage_circle(request.user, membership.circle)
    form = MembershipStatusForm(request.POST or None, current=membership.status) \
        if manages else None
    if request.method == "POST":
        if form is None:
            check_may_manage_circle(request.user, membership.circle)
        if form.is_valid():
            try:
                actions.do_change_membership_status(membership, form.cleaned_data["status"],
                                                    actor=request.user,
                                                    reason=form.cleaned_data["reason"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The membership is now %(status)s.")
                                 % {"status": Membership.Status(form.cleaned_data["status"])
                                    .label.lower()})
                return redirect("circles:membership", membership_id=membership.public_id)
    changes = list(membership.changes.select_related("actor", "membership__user",
                                                     "membership__circle"))
    why = audit_reasons.code("circles.history.own" if membership.user_id == request.user.pk
                             else "circles.history.staff")
    for change, text in zip(changes, vault.reveal_many(changes, "reason", actor=request.user,
                                                       reason=why), strict=True):
        # A reason the system gave is a code, shown in the reader's language.
        change.reason_text = text if text.erased else audit_reasons.label(str(text))
    return render(request, "circles/membership_detail.html", {
        "membership": membership, "changes": changes, "form": form, "manages": manages,
        "is_self": membership.user_id == request.user.pk,
    })


@login_required
@require_http_methods(["GET", "POST"])  # GET asks first; POST does it
def membership_leave(request, membership_id):
    from django import forms

    membership = access_membership(request.user, membership_id)
    check_may_change_membership_status(request.user, membership, Membership.Status.LEFT)
    form = confirm_form(request, reason=forms.CharField(
        label=_("Anything you want your facilitator to know (optional)"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3})))
    circle_name = membership.circle.name
    return confirm_or_run(
        request, form,
        lambda data: actions.do_change_membership_status(
            membership, Membership.Status.LEFT, actor=request.user, reason=data["reason"]),
        success=_("You have left the circle."), to=reverse("home"),
        page={"title": _("Leave %(circle)s?") % {"circle": circle_name},
              "consequences": [
                  _("You stop being a member at once: no more meetings, notes or messages "
                    "from this circle."),
                  _("Your own information stays readable to you, and what the circle "
                    "recorded stays protected as before."),
                  _("To come back, ask the facilitator for a new invitation.")],
              "confirm": _("Leave this circle"),
              "cancel_url": reverse("circles:membership",
                                    kwargs={"membership_id": membership.public_id})})



@login_required
def guardian_invite(request, membership_id):
    membership = access_membership(request.user, membership_id)
    check_may_manage_circle(request.user, membership.circle)
    form = GuardianInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = actions.do_invite_guardian(membership, actor=request.user,
                                                    email=form.cleaned_data["email"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.")
                             % {"email": invitation.email})
            return redirect("circles:membership", membership_id=membership.public_id)
    return render(request, "circles/guardian_invite.html",
                  {"membership": membership, "form": form})


# An organization's invitations and circles, for its admins -----------------------------


@login_required
def invitations(request, org_id):
    organization = access_organization(request.user, org_id)
    rows = invitations_visible_to(request.user).filter(organization=organization)[:200]
    return render(request, "circles/invitation_list.html",
                  {"organization": organization, "invitations": rows})


@login_required
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = access_invitation(request.user, invitation_id)
    try:
        do_revoke_invitation(invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation to %(email)s is withdrawn.")
                         % {"email": invitation.email})
    if invitation.circle is not None and request.POST.get("back") == "circle":
        return redirect("circles:detail", circle_id=invitation.circle.public_id)
    return redirect("circles:invitations", org_id=invitation.organization.public_id)


@login_required
def organization_circles(request, org_id):
    organization = access_organization(request.user, org_id)
    rows = (circles_visible_to(request.user).filter(organization=organization)
            .prefetch_related("facilitations__user"))
    return render(request, "circles/organization_circles.html",
                  {"organization": organization, "circles": rows})
