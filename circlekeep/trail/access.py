"""Who may read which audit events.

Every query is scoped by the organization an event belongs to, never by its subject
alone: a person in two organizations has two separate histories, and an organization
that has only invited someone sees nothing of their history elsewhere. Members see the
events whose subject is them. Facilitators see their circles' events; admins and auditors
their organization's, plus the security events of the accounts of its people (failed
sign-ins, lockouts, two-step and password changes), which belong to no organization.
Events about an object the reader may not see (a concern about the facilitator, say)
follow that object: a facilitator does not see them at all, and a reader who sees the
event but not the object does not see who acted.
Events carry metadata only, never protected text.
"""

from django.db.models import Q

from circlekeep.audit.models import AuditEvent
from circlekeep.orgs.models import StaffRole

# Target types whose events follow the visibility of the concern they are about.
CONCERN_TARGETS = ("incidents.concern", "incidents.decision")


def organization_events(organization):
    """An organization's own events, and the account security events of its people."""
    return AuditEvent.objects.filter(_organization_scope([organization]))


def organizations_events(organizations):
    """The own events and account security events of several organizations at once (a
    person's summary across the organizations they administer or audit)."""
    return AuditEvent.objects.filter(_organization_scope(organizations))


def _organization_scope(organizations):
    from circlekeep.audit.events import ACCOUNT_SECURITY_EVENTS
    from circlekeep.circles.models import Membership

    organizations = list(organizations)
    if not organizations:
        return Q(pk__in=[])
    staff = StaffRole.objects.filter(organization__in=organizations).values("user")
    members = Membership.objects.ever_accepted().filter(
        circle__organization__in=organizations).values("user")
    return Q(organization__in=organizations) | (
        Q(organization__isnull=True, event_type__in=ACCOUNT_SECURITY_EVENTS)
        & (Q(subject__in=staff) | Q(subject__in=members)))


def my_events(user):
    """Every event whose subject is the user: who has seen or changed their information."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(subject=user)


def audit_organizations(user):
    """Organizations whose whole trail the user may read (admins and auditors)."""
    from circlekeep.orgs.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(
        staff__user=user, staff__role__in=(StaffRole.Role.ADMIN, StaffRole.Role.AUDITOR))


def _concern_targets(concerns):
    """(concern ids, decision ids) as the trail stores them."""
    from circlekeep.incidents.models import Decision

    concern_ids = [str(c) for c in concerns.values_list("public_id", flat=True)]
    decision_ids = [str(d) for d in Decision.objects.filter(concern__in=concerns)
                    .values_list("public_id", flat=True)]
    return concern_ids, decision_ids


def _about(concern_ids, decision_ids):
    return (Q(target_type="incidents.concern", target_id__in=concern_ids)
            | Q(target_type="incidents.decision", target_id__in=decision_ids))


def events_visible_to(user):
    """The staff audit view: organizations for admins and auditors, circles for
    facilitators. Members see only ``my_events``."""
    from circlekeep.circles.models import Facilitation
    from circlekeep.incidents.access import concerns_visible_to
    from circlekeep.incidents.models import Concern

    if not user.is_authenticated:
        return AuditEvent.objects.none()
    query = _organization_scope(audit_organizations(user))
    circles = Facilitation.objects.filter(user=user).values("circle")
    hidden = Concern.objects.filter(circle__in=circles).exclude(
        pk__in=concerns_visible_to(user).values("pk"))
    events = AuditEvent.objects.filter(query | Q(circle__in=circles))
    if hidden.exists():
        # Also from an admin's or auditor's whole trail: nobody reads the events of a
        # concern that may be about themself.
        events = events.exclude(_about(*_concern_targets(hidden)))
    return _without_hidden_feedback(user, events, circles)


def _without_hidden_feedback(user, events, circles):
    """Nobody reads the events of a feedback round they may not run (one about them as a
    facilitator, or from the time they were); a facilitator does not see when anonymous
    entries arrived either (a count by day, before the round closes)."""
    from circlekeep.feedback.access import rounds_run_by
    from circlekeep.feedback.models import Round

    hidden = [str(r) for r in Round.objects.exclude(pk__in=rounds_run_by(user).values("pk"))
              .filter(Q(circle__in=circles) | Q(excluded=user))
              .values_list("public_id", flat=True)]
    if hidden:
        events = events.exclude(target_type="feedback.round", target_id__in=hidden)
    return events.exclude(event_type="feedback.entry.submitted", circle__in=circles)


def present_events(viewer, events):
    """The events as ``viewer`` may read them: see ``withhold_hidden_actors``,
    ``withhold_strangers`` and ``withhold_outside_actors``."""
    return withhold_outside_actors(viewer, withhold_strangers(
        viewer, withhold_hidden_actors(viewer, events)))


def withhold_outside_actors(viewer, events):
    """An account event (no organization) shown to an organization's reader may have been
    caused by someone from another organization (its admin ending the person's tokens):
    the reader sees that it happened, not who did it or why, unless the actor is the
    person themself or works in the reader's own organization."""
    events = list(events)
    outside = {e.actor_id for e in events if e.organization_id is None and e.actor_id
               and e.actor_id not in (e.subject_id, viewer.pk) and e.subject_id != viewer.pk}
    if not outside:
        return events
    colleagues = set(StaffRole.objects.filter(
        user__in=outside, organization__in=audit_organizations(viewer)).values_list(
        "user_id", flat=True))
    for event in events:
        if (event.actor_id in outside - colleagues and event.organization_id is None
                and event.subject_id != viewer.pk):
            event.actor_withheld = True
            event.actor, event.actor_id, event.actor_role = None, None, ""
            event.reason, event.request_id = "", ""
    return events


def withhold_strangers(viewer, events):
    """Blank the subject of events whose subject does not belong to the event's
    organization (someone only invited): an invitation must not show the name or id of
    an account that exists elsewhere. Marks them ``subject_withheld``."""
    from circlekeep.circles.models import Membership

    events = list(events)
    pairs = {(e.organization_id, e.subject_id) for e in events
             if e.subject_id and e.organization_id and e.subject_id != viewer.pk}
    if not pairs:
        return events
    people = {p for _o, p in pairs}
    orgs = {o for o, _p in pairs}
    belong = set(StaffRole.objects.filter(user__in=people, organization__in=orgs)
                 .values_list("organization_id", "user_id"))
    belong |= set(Membership.objects.ever_accepted().filter(
        user__in=people, circle__organization__in=orgs)
        .values_list("circle__organization_id", "user_id"))
    for event in events:
        if (event.organization_id, event.subject_id) in pairs - belong:
            event.subject_withheld = True
            event.subject, event.subject_id = None, None
    return events


def withhold_hidden_actors(user, events):
    """Blank the actor of events about concerns ``user`` may not see (an auditor reading
    "Concern reported" learns that one was, not who reported it). Marks them
    ``actor_withheld``; returns the events."""
    from circlekeep.incidents.access import concerns_visible_to
    from circlekeep.incidents.models import Concern, Decision

    events = list(events)
    about = [e for e in events if e.target_type in CONCERN_TARGETS]
    if not about:
        return events
    visible = concerns_visible_to(user)
    seen = {str(c) for c in visible.values_list("public_id", flat=True)}
    seen |= {str(d) for d in Decision.objects.filter(
        concern__in=Concern.objects.filter(pk__in=visible.values("pk")))
        .values_list("public_id", flat=True)}
    for event in about:
        event.actor_withheld = event.target_id not in seen
        if event.actor_withheld:
            event.actor, event.actor_id, event.actor_role = None, None, ""
            event.request_id = ""
    return events


def may_read_trail(user) -> bool:
    """Whether the user reads a staff audit trail: admins and auditors (their organization's)
    and facilitators (their circles')."""
    from circlekeep.circles.models import Facilitation

    return audit_organizations(user).exists() or Facilitation.objects.filter(user=user).exists()
