"""State changes for concerns (report, acknowledge, assess, raise in the group, decide,
respond, close) and for privacy incidents (record, affected people, notifications)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep import audit, vault
from circlekeep.audit import reasons as audit_reasons
from circlekeep.circles.access import may_manage_circle
from circlekeep.circles.actions import move_membership
from circlekeep.circles.models import Membership
from circlekeep.feedback.actions import spend_concern_token
from circlekeep.incidents.access import may_be_about, told_of_new_concern
from circlekeep.incidents.models import (
    AnonymousReportCount,
    Concern,
    Decision,
    IncidentNotification,
    PrivacyIncident,
)
from circlekeep.lib.actions import ActionForbidden, DomainError, action, required_text
from circlekeep.notify.actions import notified_links, notify
from circlekeep.orgs.access import check_org_admin, is_org_admin

if TYPE_CHECKING:
    from circlekeep.accounts.models import User
    from circlekeep.circles.models import Circle
    from circlekeep.meetings.models import Meeting
    from circlekeep.orgs.models import Organization

ANONYMOUS_PER_CIRCLE_PER_DAY = 5
# How far back the daily run looks for anonymous concerns not yet notified (a scheduler
# that stopped for a while catches up).
HELD_NOTICES_LOOKBACK = timedelta(days=14)


def concern_link(concern):
    return reverse("incidents:concern", kwargs={"concern_id": concern.public_id})


def check_handles(actor, concern):
    """Who handles a concern: the circle's facilitators, or only the organization's admins
    when it is about the facilitator."""
    organization = concern.circle.organization
    if concern.about_facilitator:
        if actor is None or not is_org_admin(actor, organization) or \
                may_be_about(actor, concern):
            raise ActionForbidden(_("A concern about the facilitator is handled by the "
                                    "organization's admins."))
    elif actor is None or not may_manage_circle(actor, concern.circle):
        raise ActionForbidden(_("Only the circle's facilitators handle its concerns."))


def _next_meeting(circle):
    from circlekeep.meetings.models import Meeting

    return Meeting.objects.filter(circle=circle, status="scheduled",
                                  ends_at__gt=timezone.now()).order_by("starts_at").first()


def _agenda_item(meeting, kind, title, author):
    from circlekeep.meetings.models import AgendaItem

    return AgendaItem.objects.create(meeting=meeting, kind=kind, title=title, author=author,
                                     created_at=timezone.now())


def _clean_report(circle, *, kind, body, visibility, raise_in_group, affected):
    if kind not in Concern.Kind.values:
        raise DomainError(_("Choose what kind of concern it is."), field="kind")
    if visibility not in Concern.Visibility.values:
        raise DomainError(_("Choose how visible you want to be."), field="visibility")
    if raise_in_group not in Concern.RaiseInGroup.values:
        raise DomainError(_("Choose whether to raise it in the group."), field="raise_in_group")
    if visibility != "named" and raise_in_group == "named":
        raise DomainError(_("To be named in the group, choose to be named to the circle."),
                          field="raise_in_group")
    body = required_text(body, "body", _("Say what happened."))
    affected = list(affected)
    if any(m.circle_id != circle.pk or m.status != Membership.Status.ACTIVE for m in affected):
        raise DomainError(_("Choose affected people from this circle's members."),
                          field="affected")
    return body, affected


def _create_concern(circle, *, reporter, kind, body, visibility, raise_in_group, affected,
                    about_facilitator, reported_at):
    concern = Concern(circle=circle, reporter=reporter, visibility=visibility, kind=kind,
                      raise_in_group=raise_in_group,
                      about_facilitator=bool(about_facilitator), reported_at=reported_at)
    vault.seal(concern, "body", body)
    concern.save()
    concern.affected.set(affected)
    anonymous = reporter is None
    audit.record("concern.reported", actor=reporter, target=concern,
                 circle=circle, anonymous=anonymous,
                 data={"kind": kind, "visibility": visibility,
                       "about_facilitator": bool(about_facilitator),
                       "raise_in_group": raise_in_group})
    return concern


@action
def do_report_concern(circle: Circle, *, kind: str, body: str, visibility: str, actor: User | None,
                      affected: list = (), about_facilitator: bool = False,
                      raise_in_group: str = "no"):
    """Report a concern, named to the circle or known only to the facilitators. A fully
    anonymous report never comes this way, with an account: see
    ``do_report_anonymous_concern``."""
    from circlekeep.onboarding.progress import check_cleared

    staff = may_manage_circle(actor, circle)
    if not staff:
        membership = Membership.objects.filter(
            circle=circle, user=actor, status=Membership.Status.ACTIVE).select_related(
            "circle", "circle__organization", "user").first()
        if membership is None:
            raise ActionForbidden(_("Only the circle's members and facilitators report "
                                    "concerns here."))
        check_cleared(membership)
    if visibility == Concern.Visibility.ANONYMOUS:
        raise DomainError(_("A fully anonymous report is sent by your browser, without your "
                            "account, with a token it holds for the day. That needs "
                            "JavaScript; without it, choose to be known only to the "
                            "facilitators."), field="visibility")
    body, affected = _clean_report(circle, kind=kind, body=body, visibility=visibility,
                                   raise_in_group=raise_in_group, affected=affected)
    concern = _create_concern(circle, reporter=actor, kind=kind, body=body,
                              visibility=visibility, raise_in_group=raise_in_group,
                              affected=affected, about_facilitator=about_facilitator,
                              reported_at=timezone.now())
    notify("concern.new", told_of_new_concern(concern).exclude(pk=actor.pk),
           organization=circle.organization, link=concern_link(concern))
    return concern


@action
def do_report_anonymous_concern(concern_key, *, prepared: bytes, signature: bytes, kind: str,
                                body: str, affected: list = (),
                                about_facilitator: bool = False, raise_in_group: str = "no"):
    """Take a fully anonymous concern, spent with the day's token of the key's circle. It
    arrives on a request with no account, no cookie and no log line (NO_TRACE_PATHS), so
    nothing stores who sent it: not the concern (dated to the day), not the audit event
    (held until the day is over, then shuffled in), not a notification (sent the next
    day by ``do_notify_held_concerns``)."""
    circle = concern_key.circle
    body, affected = _clean_report(circle, kind=kind, body=body,
                                   visibility=Concern.Visibility.ANONYMOUS,
                                   raise_in_group=raise_in_group, affected=affected)
    spend_concern_token(concern_key, prepared=prepared, signature=signature)
    counter, _created = AnonymousReportCount.objects.select_for_update().get_or_create(
        circle=circle, day=concern_key.day)
    if counter.count >= ANONYMOUS_PER_CIRCLE_PER_DAY:
        raise DomainError(_("This circle has received many anonymous reports today. "
                            "Please try again tomorrow, or report with your name known "
                            "only to the facilitators."))
    AnonymousReportCount.objects.filter(pk=counter.pk).update(count=F("count") + 1)
    # A time finer than the day could be joined to whatever else the reporter did then;
    # the 48-hour clock starts at the beginning of the day, never later.
    day_start = datetime.combine(concern_key.day, time.min, tzinfo=UTC)
    return _create_concern(circle, reporter=None, kind=kind, body=body,
                           visibility=Concern.Visibility.ANONYMOUS,
                           raise_in_group=raise_in_group, affected=affected,
                           about_facilitator=about_facilitator, reported_at=day_start)


@action
def do_notify_held_concerns(*, today: date):
    """Tell the people who handle them about anonymous concerns of the days before
    ``today`` (UTC), run daily by ``manage.py notify daily``. The notifications carry the
    concern's day, not the moment, are written in random order and everyone who handles
    the concern is told, the reporter too if they are among them, so that neither the
    rows nor the e-mails say when or by whom it was written. Returns how many concerns."""
    start = datetime.combine(today, time.min, tzinfo=UTC)
    concerns = {concern_link(c): c for c in Concern.objects.filter(
        visibility=Concern.Visibility.ANONYMOUS, reported_at__lt=start,
        reported_at__gte=start - HELD_NOTICES_LOOKBACK).select_related(
        "circle", "circle__organization")}
    done = notified_links("concern.new", concerns)
    pending = [(link, c) for link, c in concerns.items() if link not in done]
    secrets.SystemRandom().shuffle(pending)
    told = 0
    for link, concern in pending:
        told += bool(notify("concern.new", told_of_new_concern(concern),
                            organization=concern.circle.organization, link=link,
                            created_at=concern.reported_at))
    if told:
        audit.record("notification.held.released", actor=None, target=None,
                     data={"concerns": told})
    return told


@action
def do_acknowledge_concern(concern: Concern, *, actor: User | None):
    check_handles(actor, concern)
    if concern.acknowledged_at is not None:
        raise DomainError(_("This concern is already acknowledged."))
    concern.acknowledged_at, concern.acknowledged_by = timezone.now(), actor
    concern.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record("concern.acknowledged", actor=actor, target=concern, circle=concern.circle,
                 data={"within_48_hours": concern.acknowledged_at <= concern.acknowledge_by})
    return concern


def _check_open(concern):
    if concern.closed_at is not None:
        raise DomainError(_("This concern is closed."))
    if concern.acknowledged_at is None:
        raise DomainError(_("Acknowledge the concern first."))


@action
def do_assess_concern(concern: Concern, *, assessment: str, actor: User | None):
    check_handles(actor, concern)
    _check_open(concern)
    vault.seal(concern, "assessment", required_text(assessment, "assessment",
                                            _("Write your assessment.")))
    concern.assessed_at = timezone.now()
    concern.save(update_fields=["assessment", "assessed_at"])
    audit.record("concern.assessed", actor=actor, target=concern, circle=concern.circle)
    return concern


@action
def do_raise_concern_in_group(concern: Concern, *, meeting: Meeting, actor: User | None):
    """Put the concern on a meeting's agenda (the reporter's wish, carried out by the
    facilitator), unnamed unless the reporter asked to be named in the group."""
    check_handles(actor, concern)
    _check_open(concern)
    if meeting.circle_id != concern.circle_id or meeting.status != "scheduled" or \
            meeting.ends_at <= timezone.now():
        raise DomainError(_("Choose an upcoming meeting of this circle."), field="meeting")
    if concern.agenda_item_id is not None and concern.agenda_item.meeting_id == meeting.pk:
        raise DomainError(_("This concern is already on that meeting's agenda."))
    named = concern.raise_in_group == "named" and concern.reporter is not None
    title = (_("A confidentiality concern, raised by %(name)s")
             % {"name": concern.reporter.display_name} if named
             else _("A confidentiality concern"))
    concern.agenda_item = _agenda_item(meeting, "concern", title, actor)
    concern.save(update_fields=["agenda_item"])
    audit.record("concern.raised_in_group", actor=actor, target=concern,
                 circle=concern.circle)
    return concern


@action
def do_decide_concern(concern: Concern, *, membership: Membership, step: str, reasons: str,
                      actor: User | None, suspended_until: date | None = None):
    """Apply a step of the circle's own consequence ladder to a membership. Suspension and
    revocation take effect at once; the whole circle recommits at the next meeting."""
    check_handles(actor, concern)
    _check_open(concern)
    if membership.circle_id != concern.circle_id or not membership.is_live:
        raise DomainError(_("Choose a member of this circle."), field="membership")
    ladder = concern.circle.agreement.current_version.ladder_steps
    if step not in ladder:
        raise DomainError(_("That consequence is not on this circle's ladder. The agreement "
                            "lists: %(steps)s.") % {"steps": ", ".join(ladder)}, field="step")
    reasons = required_text(reasons, "reasons", _("Give the reasons; the member will read them."))
    if step == "suspension":
        if not isinstance(suspended_until, date) or suspended_until <= timezone.localdate():
            raise DomainError(_("A suspension needs an end date in the future."),
                              field="suspended_until")
    else:
        suspended_until = None
    decision = Decision(concern=concern, membership=membership, step=step,
                        suspended_until=suspended_until, decided_at=timezone.now(),
                        decided_by=actor)
    vault.seal(decision, "reasons", reasons)
    decision.save()
    membership = Membership.objects.select_for_update().select_related(
        "circle", "circle__organization", "user").get(pk=membership.pk)
    if step == "suspension" and membership.status == "active":
        move_membership(membership, "suspended", actor=actor,
              reason=audit_reasons.code("incidents.suspended",
                                        date=suspended_until.isoformat()))
    elif step == "revocation":
        move_membership(membership, "revoked", actor=actor,
                        reason=audit_reasons.code("incidents.revoked"))
    audit.record("concern.decided", actor=actor, target=decision, circle=concern.circle,
                 subject=membership.user, data={"step": step})
    notify("concern.decision", [membership.user], organization=concern.circle.organization,
           link=concern_link(concern))
    meeting = _next_meeting(concern.circle)
    if meeting is not None and not meeting.agenda.filter(kind="recommit").exists():
        _agenda_item(meeting, "recommit", _("The circle recommits to its agreement"), None)
    return decision


@action
def do_end_suspension(decision: Decision):
    """When a suspension's date has passed, the member takes part again (run daily by
    ``manage.py concerns end-suspensions``)."""
    if decision.step != "suspension" or decision.suspended_until is None or \
            decision.suspended_until > timezone.localdate():
        raise DomainError(_("This suspension has not ended yet."))
    membership = Membership.objects.select_for_update().select_related(
        "circle", "circle__organization", "user").get(pk=decision.membership_id)
    if membership.status != "suspended":
        raise DomainError(_("This membership is no longer suspended."))
    move_membership(membership, "active", actor=None,
          reason=audit_reasons.code("incidents.suspension.ended",
                                    date=decision.suspended_until.isoformat()))
    return membership


@action
def do_respond_to_decision(decision: Decision, *, response: str, actor: User | None):
    if actor is None or actor.pk != decision.membership.user_id:
        raise ActionForbidden(_("Only the member concerned responds to this decision."))
    if decision.responded_at is not None:
        raise DomainError(_("You have already responded."))
    vault.seal(decision, "response", required_text(response, "response", _("Write your response.")))
    decision.responded_at = timezone.now()
    decision.save(update_fields=["response", "responded_at"])
    audit.record("concern.decision.responded", actor=actor, target=decision,
                 circle=decision.concern.circle, subject=actor)
    return decision


@action
def do_close_concern(concern: Concern, *, summary: str, actor: User | None):
    """Close with a short summary for the reporter and the affected members."""
    check_handles(actor, concern)
    _check_open(concern)
    vault.seal(concern, "summary", required_text(summary, "summary",
                                         _("Write a short summary for the people involved.")))
    concern.closed_at = timezone.now()
    concern.save(update_fields=["summary", "closed_at"])
    audit.record("concern.closed", actor=actor, target=concern, circle=concern.circle)
    people = [m.user for m in concern.affected.select_related("user")]
    if concern.reporter is not None:
        people.append(concern.reporter)
    notify("concern.closed", [p for p in people if p.pk != actor.pk],
           organization=concern.circle.organization, link=concern_link(concern))
    return concern


# Privacy incidents -------------------------------------------------------------------------

# How long an incident's documentation is kept (HIPAA, 45 CFR 164.530(j)): six years.
RECORDS_KEPT = timedelta(days=6 * 366)


def _in_utc(moment, field, message):
    """An aware time in UTC, or a DomainError: no time, no time zone, or a time at the
    calendar's edge that falls off it in UTC."""
    if moment is None or timezone.is_naive(moment):
        raise DomainError(message, field=field)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise DomainError(message, field=field) from None


@action
def do_record_privacy_incident(organization: Organization, *, title: str, discovered_at: datetime,
                               exposed: str, actor: User | None):
    check_org_admin(actor, organization)
    if actor is None:
        raise ActionForbidden(_("Only an admin records privacy incidents."))
    title = " ".join(required_text(title, "title", _("Give the incident a short title."),
                           200).split())
    exposed = required_text(exposed, "exposed", _("Describe what kinds of information were "
                                          "exposed, without copying any of it."))
    now = timezone.now()
    discovered_at = _in_utc(discovered_at, "discovered_at",
                            _("Give the date and time of the discovery."))
    if discovered_at > now:
        raise DomainError(_("The discovery time cannot be in the future."),
                          field="discovered_at")
    if discovered_at < now - RECORDS_KEPT:
        raise DomainError(_("Give a discovery time within the last six years."),
                          field="discovered_at")
    incident = PrivacyIncident.objects.create(
        organization=organization, title=title, discovered_at=discovered_at,
        exposed=exposed, recorded_by=actor, recorded_at=timezone.now())
    audit.record("incident.recorded", actor=actor, target=incident, organization=organization)
    return incident


def accessed_by(organization, reader, since, until):
    """The people whose protected information ``reader`` read in the window, from the
    audit trail's access events."""
    from circlekeep.accounts.models import User
    from circlekeep.audit.models import AuditEvent, to_microseconds

    subjects = AuditEvent.objects.filter(
        event_type="vault.revealed", actor_id=reader.pk, organization_id=organization.pk,
        at_us__gte=to_microseconds(since), at_us__lte=to_microseconds(until),
        subject_id__isnull=False).values("subject_id")
    return User.objects.filter(pk__in=subjects)


@action
def do_find_affected(incident: PrivacyIncident, *, reader: str, since: datetime,
                     until: date | None, actor: User | None):
    """Add everyone whose information ``reader`` read between ``since`` and ``until``."""
    check_org_admin(actor, incident.organization)
    message = _("Choose when the time window starts and ends.")
    since, until = _in_utc(since, "since", message), _in_utc(until, "until", message)
    if since >= until:
        raise DomainError(_("Choose a time window that ends after it starts."),
                          field="until")
    if until - since > timedelta(days=366):
        raise DomainError(_("Choose a window of at most a year."), field="until")
    people = list(accessed_by(incident.organization, reader, since, until))
    incident.affected.add(*people)
    audit.record("incident.affected.found", actor=actor, target=incident,
                 organization=incident.organization,
                 data={"found": len(people), "total": incident.affected.count()})
    return people


@action
def do_draft_notification(incident: PrivacyIncident, *, kind: str, recipient: str, draft: str,
                          actor: User | None):
    check_org_admin(actor, incident.organization)
    if kind not in IncidentNotification.Kind.values:
        raise DomainError(_("Choose who is notified."), field="kind")
    notification = IncidentNotification.objects.create(
        incident=incident, kind=kind,
        recipient=" ".join(required_text(recipient, "recipient", _("Name the recipient."),
                                 200).split()),
        draft=required_text(draft, "draft", _("Write the notification."), 10000),
        recorded_by=actor, created_at=timezone.now())
    audit.record("incident.notification.drafted", actor=actor, target=notification,
                 organization=incident.organization, data={"kind": kind})
    return notification


@action
def do_mark_notification_sent(notification: IncidentNotification, *, actor: User | None):
    check_org_admin(actor, notification.incident.organization)
    if notification.sent_at is not None:
        raise DomainError(_("This notification is already recorded as sent."))
    notification.sent_at = timezone.now()
    notification.save(update_fields=["sent_at"])
    audit.record("incident.notification.sent", actor=actor, target=notification,
                 organization=notification.incident.organization,
                 data={"kind": notification.kind})
    return notification
