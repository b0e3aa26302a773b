"""Circle pages: the dashboard, circles, rosters, invitations and memberships."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.accounts.actions import do_revoke_invitation
from circlekeep.accounts.models import User
from circlekeep.circles import actions, onboarding
from circlekeep.circles.access import (
    access_circle,
    access_facilitation,
    access_invitation,
    access_managed_circle,
    access_membership,
    circles_visible_to,
    invitations_visible_to,
    may_manage_circle,
)
from circlekeep.circles.dashboard import (
    facilitated_circles,
    member_circles,
    open_incidents,
    wards_of,
)
from circlekeep.circles.forms import (
    AddFacilitatorForm,
    CircleForm,
    GuardianInviteForm,
    InviteMemberForm,
    MembershipStatusForm,
    MessageForm,
    NewCircleForm,
    RelationshipsForm,
    ScreeningDecisionForm,
)
from circlekeep.circles.models import Membership
from circlekeep.circles.relationships import declarations_for_screening
from circlekeep.lib.actions import DomainError
from circlekeep.lib.errors import forbidden
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.orgs.access import access_organization
from circlekeep.orgs.models import StaffRole


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = request.user
    staff = getattr(user, "flag_staff", True)
    guardian = getattr(user, "flag_guardian", True)
    return render(request, "circles/dashboard.html", {
        "memberships": member_circles(user),
        "facilitated": facilitated_circles(user) if staff else [],
        "wards": wards_of(user) if guardian else [],
        "offer_two_factor": not user.is_verified(),
        "incidents": open_incidents(user) if staff else [],
        "now": timezone.now(),
    })


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
        return render(request, "errors/403.html", status=403)
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
        membership = (Membership.objects.filter(circle=circle, user=request.user)
                      .exclude(status__in=("revoked", "left"))
                      .select_related("circle", "circle__organization", "user").first())
        state = onboarding.progress(membership) if membership else None
        return render(request, "circles/circle_member_view.html", {
            "circle": circle, "facilitations": facilitations, "membership": membership,
            "progress": state,
            # Where and when the circle meets: only for a member cleared to take part.
            "meeting_details": circle.meeting_details if state and state.cleared else None,
            "next_meeting": circle.meetings.filter(
                status="scheduled", ends_at__gt=timezone.now()).first()
            if state and state.cleared else None,
        })
    # Sorted by what staff see: ordering by an invited account's own name would hint at it.
    memberships = sorted(circle.memberships.with_acceptance().select_related(
        "user", "circle", "circle__organization"), key=lambda m: m.staff_label.casefold())
    live = [m for m in memberships if m.is_live]
    states = onboarding.progress_for([m for m in live if m.status != "invited"])
    for membership in live:
        membership.progress = states.get(membership.pk)
    ended = [m for m in memberships if not m.is_live]
    pending = [i for i in invitations_visible_to(request.user).filter(circle=circle)
               if i.is_pending]
    return render(request, "circles/circle_detail.html", {
        "circle": circle, "facilitations": facilitations, "live": live, "ended": ended,
        "pending": pending, "places_left": circle.capacity - len(live),
    })


@login_required
def circle_edit(request, circle_id):
    circle = access_managed_circle(request.user, circle_id)
    initial = {f: getattr(circle, f) for f in ("name", "kind", "mode", "capacity",
                                               "allows_minors", "meeting_details")}
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
            return render(request, "errors/403.html", status=403)
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
    why = (_("Member viewing their own membership history")
           if membership.user_id == request.user.pk else _("Viewing a member's history"))
    for change, text in zip(changes, vault.reveal_many(changes, "reason", actor=request.user,
                                                       reason=why), strict=True):
        change.reason_text = text
    return render(request, "circles/membership_detail.html", {
        "membership": membership, "changes": changes, "form": form, "manages": manages,
        "is_self": membership.user_id == request.user.pk,
    })


@login_required
@require_POST
def membership_leave(request, membership_id):
    membership = access_membership(request.user, membership_id)
    if membership.user_id != request.user.pk:
        return render(request, "errors/403.html", status=403)
    try:
        actions.do_change_membership_status(membership, Membership.Status.LEFT,
                                            actor=request.user,
                                            reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("circles:membership", membership_id=membership.public_id)
    messages.success(request, _("You have left the circle."))
    return redirect("home")



@login_required
def guardian_invite(request, membership_id):
    membership = access_membership(request.user, membership_id)
    if not may_manage_circle(request.user, membership.circle):
        return render(request, "errors/403.html", status=403)
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


# Onboarding ---------------------------------------------------------------------------------


def _onboarding_membership(request, membership_id):
    """The membership and whether the viewer is its member (else a facilitator or admin of
    the circle; anyone else gets 404 from the access layer)."""
    membership = access_membership(request.user, membership_id)
    is_self = membership.user_id == request.user.pk
    if not is_self and not may_manage_circle(request.user, membership.circle):
        raise Http404
    return membership, is_self



def _step_done(request, message):
    messages.success(request, message)


@login_required
def onboarding_checklist(request, membership_id):
    membership, is_self = _onboarding_membership(request, membership_id)
    state = onboarding.progress(membership) if membership.status != "invited" else None
    return render(request, "circles/onboarding.html", {
        "membership": membership, "is_self": is_self, "progress": state,
    })


@login_required
def onboarding_orientation(request, membership_id):
    membership, is_self = _onboarding_membership(request, membership_id)
    if request.method == "POST":
        if not is_self:
            return forbidden(request, _("Only the member confirms their orientation."))
        try:
            actions.do_read_orientation(membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _step_done(request, _("Orientation read. Thank you."))
        return redirect("circles:onboarding", membership_id=membership.public_id)
    from circlekeep.circles.models import OrientationRead

    agreement = getattr(membership.circle, "agreement", None)
    document = membership.circle.organization.consent_document
    return render(request, "circles/onboarding_orientation.html", {
        "membership": membership, "is_self": is_self,
        "version": agreement.current_version if agreement else None,
        "how": onboarding.HOW_CONFIDENTIALITY_WORKS,
        "limits": document.reporting_categories if document else [],
        "online_rules": onboarding.ONLINE_RULES if membership.circle.mode != "in_person"
        else [],
        "read": OrientationRead.objects.filter(membership=membership).first(),
    })


@login_required
def onboarding_questions(request, membership_id):
    from circlekeep.circles.models import OnboardingMessage

    membership, is_self = _onboarding_membership(request, membership_id)
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
            return redirect("circles:onboarding-questions", membership_id=membership.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _step_done(request, _("Sent. Only you and the circle's facilitators can read it.")
                       if is_self else _("Your answer is sent to the member."))
            return redirect("circles:onboarding-questions", membership_id=membership.public_id)
    thread = list(OnboardingMessage.objects.filter(membership=membership)
                  .select_related("author", "membership__user", "membership__circle"))
    why = (_("Member reading their onboarding questions") if is_self
           else _("Facilitator reading a member's onboarding questions"))
    for message, text in zip(thread, vault.reveal_many(thread, "body", actor=request.user,
                                                       reason=why), strict=True):
        message.text = text
    return render(request, "circles/onboarding_questions.html", {
        "membership": membership, "is_self": is_self, "thread": thread, "form": form,
        "may_settle": is_self and (not thread or thread[-1].kind == "answer"),
    })


@login_required
@require_POST
def onboarding_questions_settled(request, membership_id):
    membership, is_self = _onboarding_membership(request, membership_id)
    if not is_self:
        return forbidden(request, _("Only the member says they have no more questions."))
    try:
        actions.do_settle_questions(membership, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("circles:onboarding-questions", membership_id=membership.public_id)
    _step_done(request, _("Noted: you have no more questions. You can still ask your "
                          "facilitator at any time."))
    return redirect("circles:onboarding", membership_id=membership.public_id)


@login_required
def onboarding_online_rules(request, membership_id):
    from circlekeep.circles.models import OnlineRulesAcceptance

    membership, is_self = _onboarding_membership(request, membership_id)
    if request.method == "POST":
        if not is_self:
            return forbidden(request, _("Only the member agrees to the online rules."))
        try:
            actions.do_accept_online_rules(membership, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            _step_done(request, _("You agreed to the online rules."))
        return redirect("circles:onboarding", membership_id=membership.public_id)
    return render(request, "circles/onboarding_online_rules.html", {
        "membership": membership, "is_self": is_self, "rules": onboarding.ONLINE_RULES,
        "accepted": OnlineRulesAcceptance.objects.filter(membership=membership).first(),
    })


@login_required
def onboarding_relationships(request, membership_id):
    from circlekeep.circles.models import RelationshipScreening

    membership, is_self = _onboarding_membership(request, membership_id)
    screening = RelationshipScreening.objects.filter(membership=membership).first()
    form = RelationshipsForm(request.POST or None) if is_self and screening is None else None
    if request.method == "POST":
        if form is None:
            return forbidden(request, _("Only the member declares their relationships, "
                                         "once."))
        if form.is_valid():
            try:
                actions.do_declare_relationships(membership, actor=request.user,
                                                 declarations=form.declarations())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                _step_done(request, _("Thank you. Only your facilitators will see this."))
                return redirect("circles:onboarding", membership_id=membership.public_id)
    declarations = declarations_for_screening(membership, request.user, is_self=is_self) \
        if screening is not None or not is_self else []
    plan = None
    if screening is not None and screening.plan:
        plan = vault.reveal(screening, "plan", actor=request.user,
                            reason=_("Reading a relationship screening decision"))
    return render(request, "circles/onboarding_relationships.html", {
        "membership": membership, "is_self": is_self, "form": form, "screening": screening,
        "declarations": declarations, "plan": plan,
        "decision_form": None if is_self or screening is None else ScreeningDecisionForm(),
    })


@login_required
@require_POST
def onboarding_screening_decision(request, membership_id):
    membership, is_self = _onboarding_membership(request, membership_id)
    if is_self:
        return forbidden(request, _("The circle's facilitators decide about relationships."))
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
    return redirect("circles:onboarding-relationships", membership_id=membership.public_id)


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
