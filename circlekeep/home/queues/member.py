"""What waits for a member: their next meeting, the opening to acknowledge, what to sign or
consent to, their onboarding, answers, new notes, and what happened to their concerns."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.home.queues import Task, local_day
from circlekeep.meetings.actions import RITUAL_OPENS

# How long a signed note, a decision or a closed concern counts as news on the home.
NEWS_FOR = timedelta(days=14)
# How many upcoming meetings are looked at: the card shows the first, and any other whose
# opening is under way at the same time still gets its own task.
UPCOMING = 5


def upcoming_meetings(user, circles):
    """The next meetings of the circles where the member may take part now, each with
    ``acknowledged`` (the member acknowledged its opening): one query. Circles where
    they are not cleared show no meeting details (meetings/access.py ``viewer_role``)."""
    from circlekeep.meetings.models import Acknowledgement, Meeting

    cleared = [c.circle_id for c in circles if c.cleared]
    if not cleared:
        return []
    return list(
        Meeting.objects.filter(circle__public_id__in=cleared,
                               status=Meeting.Status.SCHEDULED, ends_at__gt=timezone.now())
        .annotate(acknowledged=Exists(Acknowledgement.objects.filter(
            meeting=OuterRef("pk"), membership__user=user)))
        .select_related("circle").order_by("starts_at")[:UPCOMING])


def opening_tasks(meetings):
    """An opening to acknowledge for each meeting whose ritual is open now (from an hour
    before it starts until it ends) and that the member has not acknowledged."""
    now = timezone.now()
    return [Task(_("Acknowledge the opening"),
                 _("%(circle)s meets now: read the ground rules and acknowledge them.")
                 % {"circle": meeting.circle.name},
                 reverse("meetings:ritual", args=[meeting.public_id]), _("Open the ritual"),
                 due=meeting.starts_at, badge=_("Now"), tone="urgent")
            for meeting in meetings
            if meeting.starts_at - RITUAL_OPENS <= now and not meeting.acknowledged]


def signing_tasks(circles):
    """Consent to give again and agreement versions to sign, from the circle rows (no
    query): an active member who lacks either may not take part until they do."""
    tasks = []
    for circle in circles:
        if circle.locked:
            continue
        if circle.needs_consent:
            tasks.append(Task(_("Give your consent"),
                              _("%(circle)s: your consent is needed before you take part "
                                "again.") % {"circle": circle.circle_name},
                              reverse("consent:mine"), _("Read and consent"), tone="urgent",
                              badge=_("Before your next meeting")))
        if circle.needs_signature:
            tasks.append(Task(_("Sign the new version of the agreement"),
                              _("%(circle)s changed its agreement: read it and sign it.")
                              % {"circle": circle.circle_name},
                              reverse("agreements:circle", args=[circle.circle_id]),
                              _("Read and sign"), tone="urgent",
                              badge=_("Before your next meeting")))
    return tasks


def onboarding_tasks(circles):
    """The next onboarding step of each circle the member is joining (the steps come with
    the circle rows), and an answer to read where a facilitator answered their question:
    one query, only when they are joining a circle."""
    from circlekeep.circles.models import Membership, OnboardingMessage

    joining = [c for c in circles if c.steps]
    if not joining:
        return []
    last_kind = Subquery(OnboardingMessage.objects.filter(membership=OuterRef("pk"))
                         .order_by("-created_at", "-pk").values("kind")[:1])
    answered = set(Membership.objects.filter(
        public_id__in=[c.membership_id for c in joining]).annotate(last_kind=last_kind)
        .filter(last_kind=OnboardingMessage.Kind.ANSWER).values_list("public_id", flat=True))
    tasks = []
    for circle in joining:
        if circle.membership_id in answered:
            tasks.append(Task(_("Your question has an answer"),
                              _("Your facilitator in %(circle)s answered you.")
                              % {"circle": circle.circle_name},
                              reverse("onboarding:questions", args=[circle.membership_id]),
                              _("Read the answer"), badge=_("New"), tone="new"))
            continue
        step = circle.steps[0]
        tasks.append(Task(str(step.label),
                          step.note or _("Joining %(circle)s.") % {"circle": circle.circle_name},
                          step.url, _("Open this step"),
                          badge=_("%(left)d steps left") % {"left": len(circle.steps)}
                          if len(circle.steps) > 1 else _("Last step")))
    return tasks


def note_tasks(user):
    """Progress notes signed lately that the member may read (notes/access.py): one query."""
    from circlekeep.notes.access import progress_notes_readable_by

    notes = (progress_notes_readable_by(user)
             .filter(membership__user=user, signed_at__gte=timezone.now() - NEWS_FOR)
             .select_related("group_note__meeting", "membership__circle")
             .order_by("-signed_at"))
    return [Task(_("A new note about your participation"),
                 _("%(circle)s, meeting of %(day)s.")
                 % {"circle": note.membership.circle.name,
                    "day": local_day(note.group_note.meeting.starts_at)},
                 reverse("notes:progress", args=[note.public_id]), _("Read the note"),
                 badge=_("New"), tone="new")
            for note in notes]


def concern_tasks(user):
    """Decisions about the member waiting for their response, and what became of the
    concerns they raised (received, closed): two queries. An anonymous concern names
    nobody, so it never comes back here."""
    from circlekeep.agreements.models import LadderStep
    from circlekeep.circles.access import own_memberships
    from circlekeep.incidents.models import Concern, Decision

    since = timezone.now() - NEWS_FOR
    mine = own_memberships(user)
    steps = dict(LadderStep.choices)
    tasks = [Task(_("A decision about you: %(step)s") % {"step": steps.get(d.step, d.step)},
                  _("%(circle)s. You can read the reasons and respond.")
                  % {"circle": d.concern.circle.name},
                  reverse("incidents:concern", args=[d.concern.public_id]),
                  _("Read and respond"), badge=_("Waiting for you"), tone="urgent")
             for d in Decision.objects.filter(membership__in=mine, responded_at__isnull=True,
                                             decided_at__gte=since)
             .select_related("concern__circle").order_by("-decided_at")]
    raised = (Concern.objects.filter(reporter=user, circle__in=mine.values("circle"))
              .filter(Q(closed_at__gte=since)
                      | Q(closed_at__isnull=True, acknowledged_at__gte=since))
              .select_related("circle").order_by("-reported_at"))
    for concern in raised:
        if concern.closed_at:
            title, what = _("Your concern was closed"), _("Read how it ended")
        else:
            title, what = _("Your concern was received"), _("See where it stands")
        tasks.append(Task(title, concern.circle.name,
                          reverse("incidents:concern", args=[concern.public_id]), what,
                          badge=_("New"), tone="new"))
    return tasks
