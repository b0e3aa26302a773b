"""Concern and privacy-incident pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from circlekeep import vault
from circlekeep.agreements.models import LadderStep
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import access_circle, access_managed_circle, may_see_members
from circlekeep.circles.models import Membership
from circlekeep.feedback.access import may_hold_concern_token
from circlekeep.incidents import actions
from circlekeep.incidents.access import (
    access_concern,
    access_decision,
    access_handled_concern,
    access_incident_notification,
    access_privacy_incident,
    concerns_handled_by,
    incident_readers,
    privacy_incidents_visible_to,
)
from circlekeep.incidents.forms import (
    AffectedForm,
    ConcernForm,
    DecisionForm,
    NotificationForm,
    PrivacyIncidentForm,
    RaiseForm,
    TextForm,
)
from circlekeep.lib.actions import ActionForbidden, DomainError
from circlekeep.lib.forms import add_domain_error
from circlekeep.lib.once import AlreadySubmitted, submitted_once
from circlekeep.lib.views import run_then_redirect
from circlekeep.meetings.models import Meeting
from circlekeep.orgs.access import access_organization


def _people(circle, statuses=Membership.ACCEPTED_STATUSES):
    return list(Membership.objects.filter(circle=circle, status__in=statuses)
                .select_related("user").order_by("user__display_name"))


@login_required
def report(request, circle_id):
    circle = access_circle(request.user, circle_id)
    if not may_see_members(request.user, circle):
        raise ActionForbidden(_("You can report a concern once you have joined the "
                                    "circle. Until then, ask your facilitator in your "
                                    "onboarding questions."))
    # Only members who have joined are listed: being in the circle is itself private.
    people = _people(circle, (Membership.Status.ACTIVE,))
    anonymous = may_hold_concern_token(request.user, circle)
    form = ConcernForm(request.POST or None, people=people, anonymous=anonymous)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with submitted_once(form):
                concern = actions.do_report_concern(
                    circle, actor=request.user, kind=data["kind"], body=data["body"],
                    visibility=data["visibility"],
                    about_facilitator=data["about_facilitator"],
                    raise_in_group=data["raise_in_group"],
                    affected=form.affected_memberships())
        except AlreadySubmitted:
            messages.info(request, _("That concern was already sent."))
            return redirect("circles:detail", circle_id=circle.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you. Your concern is with the people who "
                                        "handle it; they acknowledge it within 48 hours."))
            return redirect("incidents:concern", concern_id=concern.public_id)
    own = next((m for m in people if m.user_id == request.user.pk), None)
    return render(request, "incidents/report.html", {
        "circle": circle, "form": form, "anonymous": anonymous,
        "own_membership": own.public_id if own else "", "words": _anonymous_words()})


def _anonymous_words():
    """What the report page's script says when it sends a report anonymously."""
    return {
        "sending": _("Checking the circle's key for today and sending, without your "
                     "account…"),
        "none": _("This browser holds no anonymous token for this circle today. Tokens "
                  "arrive on their own, days ahead, as you use Circlekeep's other pages in "
                  "this browser; this page does not fetch one, because fetching it now would "
                  "tie it to you. Send it known only to the facilitators, or come back "
                  "later."),
        "settle": _("This browser received today's token only minutes ago; sent at once, "
                    "its arrival and your report could be matched. You can send it "
                    "anonymously from {time}: keep this page open, your text stays here."),
        "self": _("An anonymous report cannot list you among the people affected: that "
                  "would show who wrote it."),
        "wrongKey": _("Not sent: the circle's key for today is not the one your token was "
                      "given under, so your report could be told apart. Tell an admin."),
        "failed": _("Not sent: the connection failed. Your text is still here; try again."),
        "invalid": _("Not sent: check what you wrote; the text is at most 4,000 "
                     "characters."),
    }


@login_required
def circle_concerns(request, circle_id):
    circle = access_managed_circle(request.user, circle_id)
    concerns = list(concerns_handled_by(request.user).filter(circle=circle))
    now = timezone.now()
    for concern in concerns:
        concern.overdue = concern.acknowledged_at is None and concern.acknowledge_by < now
    return render(request, "incidents/circle_concerns.html",
                  {"circle": circle, "concerns": concerns})


@login_required
def concern_detail(request, concern_id):
    concern = access_concern(request.user, concern_id)
    handles = concerns_handled_by(request.user).filter(pk=concern.pk).exists()
    is_reporter = concern.reporter_id == request.user.pk
    decisions = list(concern.decisions.select_related("membership__user",
                                                      "membership__circle", "decided_by"))
    if not handles:
        decisions = [d for d in decisions if d.membership.user_id == request.user.pk]
    why = (audit_reasons.code("incidents.concern.handle") if handles
           else audit_reasons.code("incidents.concern.involved"))
    context = {"concern": concern, "handles": handles, "is_reporter": is_reporter,
               "decisions": decisions}
    if handles or is_reporter:
        context["body"] = vault.reveal(concern, "body", actor=request.user, reason=why)
    if handles and concern.assessment:
        context["assessment"] = vault.reveal(concern, "assessment", actor=request.user,
                                             reason=why)
    if concern.closed_at:
        context["summary"] = vault.reveal(concern, "summary", actor=request.user, reason=why)
    for decision, reasons, response in zip(
            decisions, vault.reveal_many(decisions, "reasons", actor=request.user, reason=why),
            vault.reveal_many(decisions, "response", actor=request.user, reason=why),
            strict=True):
        decision.reasons_text, decision.response_text = reasons, response
        decision.step_label = dict(LadderStep.choices).get(decision.step, decision.step)
        decision.may_respond = (decision.membership.user_id == request.user.pk
                                and decision.responded_at is None)
    if handles:
        ladder = concern.circle.agreement.current_version.ladder_steps
        context.update(
            decision_form=DecisionForm(members=[m for m in _people(concern.circle)
                                                if m.status != "onboarding"], ladder=ladder),
            raise_form=RaiseForm(meetings=Meeting.objects.filter(
                circle=concern.circle, status="scheduled", ends_at__gt=timezone.now())[:10]),
            text_form=TextForm(), overdue=concern.acknowledged_at is None
            and concern.acknowledge_by < timezone.now())
    context["timeline"] = _timeline(concern, decisions)
    return render(request, "incidents/concern.html", context)


def _timeline(concern, decisions):
    steps = [(concern.reported_at, _("Reported"))]
    if concern.acknowledged_at:
        steps.append((concern.acknowledged_at, _("Acknowledged")))
    if concern.assessed_at:
        steps.append((concern.assessed_at, _("Assessed")))
    if concern.agenda_item_id:
        steps.append((concern.agenda_item.created_at,
                      _("On the agenda of the meeting of %(date)s")
                      % {"date": concern.agenda_item.meeting.starts_at.date().isoformat()}))
    for decision in decisions:
        steps.append((decision.decided_at, _("Decision")))
        if decision.responded_at:
            steps.append((decision.responded_at, _("The member responded")))
    if concern.closed_at:
        steps.append((concern.closed_at, _("Closed")))
    return sorted(steps, key=lambda step: step[0])


def _after(request, concern, do):
    return run_then_redirect(request, do, _("Saved."), "incidents:concern",
                             concern_id=concern.public_id)


@login_required
@require_POST
def acknowledge(request, concern_id):
    concern = access_handled_concern(request.user, concern_id)
    return _after(request, concern,
                  lambda: actions.do_acknowledge_concern(concern, actor=request.user))


@login_required
@require_POST
def assess(request, concern_id):
    concern = access_handled_concern(request.user, concern_id)
    text = request.POST.get("text", "")
    return _after(request, concern, lambda: actions.do_assess_concern(
        concern, assessment=text, actor=request.user))


@login_required
@require_POST
def raise_in_group(request, concern_id):
    concern = access_handled_concern(request.user, concern_id)
    meeting_id = request.POST.get("meeting", "")
    meeting = (Meeting.objects.filter(circle=concern.circle, public_id=meeting_id).first()
               if _is_uuid(meeting_id) else None)
    if meeting is None:
        messages.error(request, _("Choose an upcoming meeting of this circle."))
        return redirect("incidents:concern", concern_id=concern.public_id)
    return _after(request, concern, lambda: actions.do_raise_concern_in_group(
        concern, meeting=meeting, actor=request.user))


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_POST
def decide(request, concern_id):
    concern = access_handled_concern(request.user, concern_id)
    members = [m for m in _people(concern.circle) if m.status != "onboarding"]
    form = DecisionForm(request.POST, members=members,
                        ladder=concern.circle.agreement.current_version.ladder_steps)
    if not form.is_valid():
        messages.error(request, _("Choose the member and a consequence from the ladder, and "
                                  "give the reasons."))
        return redirect("incidents:concern", concern_id=concern.public_id)
    data = form.cleaned_data
    return _after(request, concern, lambda: actions.do_decide_concern(
        concern, membership=form.members[data["membership"]], step=data["step"],
        reasons=data["reasons"], suspended_until=data["suspended_until"], actor=request.user))


@login_required
@require_POST
def respond(request, decision_id):
    decision = access_decision(request.user, decision_id)
    text = request.POST.get("text", "")
    return _after(request, decision.concern, lambda: actions.do_respond_to_decision(
        decision, response=text, actor=request.user))


@login_required
@require_POST
def close(request, concern_id):
    concern = access_handled_concern(request.user, concern_id)
    text = request.POST.get("text", "")
    return _after(request, concern, lambda: actions.do_close_concern(
        concern, summary=text, actor=request.user))


# Privacy incidents -------------------------------------------------------------------------


@login_required
def privacy_incidents(request, org_id):
    organization = access_organization(request.user, org_id)
    form = PrivacyIncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "once"}
        try:
            with submitted_once(form):
                incident = actions.do_record_privacy_incident(organization, actor=request.user,
                                                              **fields)
        except AlreadySubmitted:
            return redirect("incidents:privacy-list", org_id=organization.public_id)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The incident is recorded. The clocks run from its "
                                        "discovery."))
            return redirect("incidents:privacy", incident_id=incident.public_id)
    incidents = list(privacy_incidents_visible_to(request.user).filter(
        organization=organization))
    about_facilitators = list(concerns_handled_by(request.user).filter(
        circle__organization=organization, about_facilitator=True))
    return render(request, "incidents/privacy_list.html", {
        "organization": organization, "incidents": incidents, "form": form,
        "now": timezone.now(), "about_facilitators": about_facilitators,
    })


@login_required
def privacy_incident(request, incident_id):
    incident = access_privacy_incident(request.user, incident_id)
    return render(request, "incidents/privacy.html", {
        "incident": incident, "now": timezone.now(),
        "affected": list(incident.affected.order_by("display_name")),
        "notifications": list(incident.notifications.all()),
        "affected_form": AffectedForm(readers=incident_readers(incident.organization)),
        "notification_form": NotificationForm(),
    })


@login_required
@require_POST
def privacy_affected(request, incident_id):
    incident = access_privacy_incident(request.user, incident_id)
    form = AffectedForm(request.POST, readers=incident_readers(incident.organization))
    if not form.is_valid():
        messages.error(request, _("Choose whose reads and the time window."))
    else:
        data = form.cleaned_data
        try:
            found = actions.do_find_affected(incident, reader=form.readers[data["reader"]],
                                             since=data["since"], until=data["until"],
                                             actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, ngettext("%(count)d person found in the audit trail.",
                                               "%(count)d people found in the audit trail.",
                                               len(found)) % {"count": len(found)})
    return redirect("incidents:privacy", incident_id=incident.public_id)


@login_required
@require_POST
def privacy_notify(request, incident_id):
    incident = access_privacy_incident(request.user, incident_id)
    form = NotificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who is notified, name the recipient and write the "
                                  "draft."))
    else:
        try:
            actions.do_draft_notification(incident, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The draft is saved."))
    return redirect("incidents:privacy", incident_id=incident.public_id)


@login_required
@require_POST
def privacy_sent(request, incident_id, notification_id):
    incident = access_privacy_incident(request.user, incident_id)
    notification = access_incident_notification(incident, notification_id)
    return run_then_redirect(
        request, lambda: actions.do_mark_notification_sent(notification, actor=request.user),
        _("Recorded as sent."), "incidents:privacy", incident_id=incident.public_id)
