"""What waits for a facilitator in the circles they facilitate: this week's meetings and
who is not cleared for them, onboarding questions and screenings, proposals, concerns from
the moment they arrive, and notes to write, sign or co-sign."""

from datetime import timedelta

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.home.queues import Task, local_day
from circlekeep.lib.addresses import address

WEEK = timedelta(days=7)
# A meeting held longer ago than this without a note is for the circle's records, not the
# home's queue.
NOTES_WITHIN = timedelta(days=14)


def _facilitated(user):
    from circlekeep.circles.models import Facilitation

    return Facilitation.objects.filter(user=user).values("circle")


def week_meetings(user):
    """Today's and the next seven days' meetings of the circles the user facilitates,
    each with ``not_cleared``: the names of members who may not take part yet (still
    onboarding, consent or signature missing). Two queries. An invitation that was not
    accepted names nobody."""
    from circlekeep.circles.models import Membership
    from circlekeep.meetings.models import Meeting

    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    meetings = list(Meeting.objects.filter(
        circle__in=_facilitated(user), status=Meeting.Status.SCHEDULED,
        ends_at__gt=today, starts_at__lt=today + WEEK + timedelta(days=1))
        .select_related("circle").order_by("starts_at"))
    if not meetings:
        return []
    waiting = {}
    for membership in (Membership.objects.filter(
            circle__in=[m.circle_id for m in meetings],
            status__in=(Membership.Status.ONBOARDING, Membership.Status.ACTIVE))
            .with_clearance().filter(is_cleared=False).select_related("user")
            .order_by("user__display_name")):
        waiting.setdefault(membership.circle_id, []).append(membership.staff_label)
    tomorrow = today + timedelta(days=1)
    for meeting in meetings:
        meeting.not_cleared = waiting.get(meeting.circle_id, [])
        meeting.is_today = meeting.starts_at < tomorrow
    return meetings


def onboarding_tasks(user):
    """Questions waiting for an answer and relationship declarations waiting for a
    decision, in the circles the user facilitates: two queries. (A membership becomes
    active by itself once its last step is done, so there is nothing to activate.)"""
    from circlekeep.circles.models import Membership, OnboardingMessage, RelationshipScreening

    circles = _facilitated(user)
    last_kind = Subquery(OnboardingMessage.objects.filter(membership=OuterRef("pk"))
                         .order_by("-created_at", "-pk").values("kind")[:1])
    asked = (Membership.objects.filter(circle__in=circles, status=Membership.Status.ONBOARDING)
             .annotate(last_kind=last_kind).filter(last_kind=OnboardingMessage.Kind.QUESTION)
             .select_related("user", "circle").order_by("status_changed_at"))
    tasks = [Task(_("A question from %(name)s") % {"name": m.staff_label},
                  _("%(circle)s: someone joining is waiting for your answer.")
                  % {"circle": m.circle.name},
                  address("onboarding:questions", m.public_id), _("Answer"),
                  badge=_("Waiting for you"), tone="new")
             for m in asked]
    screenings = (RelationshipScreening.objects.filter(
        membership__circle__in=circles,
        membership__status__in=(Membership.Status.ONBOARDING, Membership.Status.ACTIVE))
        .annotate(declared=Count("declarations"), latest=Max("declarations__declared_at"))
        .filter(declared__gt=0)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=F("latest")))
        .select_related("membership__user", "membership__circle").order_by("submitted_at"))
    tasks += [Task(_("%(name)s told you about people they know") % {
                       "name": s.membership.staff_label},
                   _("%(circle)s: decide how they can take part.")
                   % {"circle": s.membership.circle.name},
                   address("onboarding:relationships", s.membership.public_id),
                   _("Decide"), badge=_("Waiting for you"), tone="new")
              for s in screenings]
    return tasks


def proposal_tasks(user):
    """Open proposals to change the agreements of the circles the user facilitates: one
    query."""
    from circlekeep.agreements.models import Proposal

    proposals = (Proposal.objects.filter(agreement__circle__in=_facilitated(user),
                                         status=Proposal.Status.OPEN)
                 .select_related("agreement__circle").order_by("created_at"))
    return [Task(_("A proposal to decide: %(kind)s") % {"kind": p.get_kind_display()},
                 _("%(circle)s: %(title)s") % {"circle": p.agreement.circle.name,
                                                "title": p.title or p.clause_key},
                 address("agreements:proposal", p.public_id), _("Decide"),
                 badge=_("Open"))
            for p in proposals]


def concern_tasks(user):
    """Concerns the user handles in their circles from the moment they arrive, overdue
    ones marked: one query. Never one about the user (incidents/access.py)."""
    from circlekeep.incidents.access import concerns_waiting_for

    now = timezone.now()
    tasks = []
    for concern in (concerns_waiting_for(user).filter(about_facilitator=False)
                    .select_related("circle").order_by("reported_at")):
        if concern.acknowledged_at is None:
            overdue = concern.acknowledge_by <= now
            tasks.append(Task(
                _("A new concern to acknowledge"),
                _("%(circle)s: %(kind)s.") % {"circle": concern.circle.name,
                                             "kind": concern.get_kind_display()},
                address("incidents:concern", concern.public_id), _("Acknowledge"),
                due=concern.acknowledge_by,
                badge=_("Past the 48-hour target") if overdue else _("New"),
                tone="urgent" if overdue else "new"))
        else:
            tasks.append(Task(
                _("A concern to follow up"),
                _("%(circle)s: %(kind)s.") % {"circle": concern.circle.name,
                                             "kind": concern.get_kind_display()},
                address("incidents:concern", concern.public_id), _("Follow up"),
                badge=_("Open")))
    return tasks


def note_tasks(user):
    """Meetings held lately without a group note, and progress notes to sign or co-sign,
    in the circles the user facilitates: two queries."""
    from circlekeep.meetings.models import Meeting
    from circlekeep.notes.models import ProgressNote

    now = timezone.now()
    circles = _facilitated(user)
    tasks = [Task(_("Write the note of a meeting"),
                  _("%(circle)s met on %(day)s.") % {"circle": m.circle.name,
                                                     "day": local_day(m.starts_at)},
                  address("notes:write", m.public_id), _("Write the note"),
                  badge=_("Not written"))
             for m in Meeting.objects.filter(
                 circle__in=circles, status=Meeting.Status.SCHEDULED, ends_at__lt=now,
                 ends_at__gte=now - NOTES_WITHIN, group_note__isnull=True)
             .select_related("circle").order_by("starts_at")]
    notes = (ProgressNote.objects.filter(membership__circle__in=circles)
             .filter(Q(signed_at__isnull=True)
                     | (Q(signed_at__gte=now - NOTES_WITHIN) & ~Q(signed_by=user)
                        & ~Q(cosignatures__user=user)))
             .select_related("membership__user", "membership__circle", "group_note__meeting")
             .order_by("group_note__meeting__starts_at", "pk"))
    for note in notes:
        # A progress note exists only for someone who took part, so they accepted their
        # invitation and their name may show.
        names = {"name": note.membership.user.display_name,
                 "circle": note.membership.circle.name,
                 "day": local_day(note.group_note.meeting.starts_at)}
        if note.signed_at is None:
            tasks.append(Task(_("Review and sign the note for %(name)s") % names,
                              _("%(circle)s, meeting of %(day)s.") % names,
                              address("notes:progress", note.public_id),
                              _("Review and sign"), badge=_("Draft")))
        else:
            tasks.append(Task(_("Co-sign the note for %(name)s") % names,
                              _("%(circle)s, meeting of %(day)s.") % names,
                              address("notes:progress", note.public_id), _("Co-sign"),
                              badge=_("Signed once")))
    return tasks
