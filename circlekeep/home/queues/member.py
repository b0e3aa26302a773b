"""What waits for a member: their next meeting, the opening to acknowledge, what to sign or
consent to, their onboarding, answers, new notes, and what happened to their concerns."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db.models import CharField, DateTimeField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from circlekeep.home.queues import Task, local_day, prepared_per_session
from circlekeep.lib.addresses import address
from circlekeep.lib.prepared import to_datetime, to_uuid
from circlekeep.lib.times import when as local_moment
from circlekeep.meetings.actions import RITUAL_OPENS

# How long a signed note, a decision or a closed concern counts as news on the home.
NEWS_FOR = timedelta(days=14)
# How many upcoming meetings are looked at: the card shows the first, and any other whose
# opening is under way at the same time still gets its own task.
UPCOMING = 5
# The most news of each kind the home lists (the pages they link to list them all).
NEWS_AT_MOST = 10


@dataclass
class UpcomingMeeting:
    """A meeting on the member's home: enough for its card and its opening's task."""

    public_id: uuid.UUID
    starts_at: datetime
    mode: str
    place: str
    circle_name: str
    acknowledged: bool

    @property
    def is_online(self):
        return self.mode == "online"

    @property
    def when(self):
        return local_moment(self.starts_at)

    @property
    def room_url(self):
        """Join: the online room, which shows this device the opening first."""
        return address("rooms:room", self.public_id)

    @property
    def detail_url(self):
        return address("meetings:detail", self.public_id)


def _upcoming_query(user):
    from circlekeep.circles.access import own_memberships
    from circlekeep.meetings.models import Acknowledgement, Meeting

    return (Meeting.objects.filter(circle__in=own_memberships(user).cleared().values("circle"),
                                   status=Meeting.Status.SCHEDULED, ends_at__gt=Now())
            .annotate(acknowledged=Exists(Acknowledgement.objects.filter(
                meeting=OuterRef("pk"), membership__user=user)))
            .order_by("starts_at")
            .values_list("public_id", "starts_at", "mode", "place", "circle__name",
                         "acknowledged")[:UPCOMING])


UPCOMING_MEETINGS = prepared_per_session(_upcoming_query)


def upcoming_meetings(user):
    """The next meetings of the circles where the member may take part now (the one
    definition of "cleared", ``Membership.objects.cleared``), each with whether they
    acknowledged its opening: one query. Where they are not cleared, no meeting details
    show (meetings/access.py ``viewer_role``)."""
    return [UpcomingMeeting(to_uuid(public_id), to_datetime(starts_at), mode, place, name,
                            bool(acknowledged))
            for public_id, starts_at, mode, place, name, acknowledged
            in UPCOMING_MEETINGS(user)]


def opening_tasks(meetings):
    """An opening to acknowledge for each meeting whose ritual is open now (from an hour
    before it starts until it ends) and that the member has not acknowledged."""
    now = timezone.now()
    return [Task(_("Acknowledge the opening"),
                 _("%(circle)s meets now: read the ground rules and acknowledge them.")
                 % {"circle": meeting.circle_name},
                 address("meetings:ritual", meeting.public_id), _("Open the ritual"),
                 badge=_("Now"), tone="urgent")
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
                              address("consent:mine"), _("Read and consent"), tone="urgent",
                              badge=_("Before your next meeting")))
        if circle.needs_signature:
            tasks.append(Task(_("Sign the new version of the agreement"),
                              _("%(circle)s changed its agreement: read it and sign it.")
                              % {"circle": circle.circle_name},
                              address("agreements:circle", circle.circle_id),
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
                              address("onboarding:questions", circle.membership_id),
                              _("Read the answer"), badge=_("New"), tone="new"))
            continue
        step = circle.steps[0]
        tasks.append(Task(str(step.label),
                          step.note or _("Joining %(circle)s.") % {"circle": circle.circle_name},
                          step.url, _("Open this step"),
                          badge=_("%(left)d steps left") % {"left": len(circle.steps)}
                          if len(circle.steps) > 1 else _("Last step")))
    return tasks


# The three kinds of news on a member's home, read in one query (``_news_query``).
NOTE, DECISION, RAISED, FEEDBACK = "note", "decision", "raised", "feedback"
NEWS_COLUMNS = ("news_kind", "news_step", "news_id", "news_circle", "news_day", "news_at")


def _news(queryset, kind, *, step, public_id, circle, day, at):
    """One kind of news in the union's common shape: kind, step, id, circle, day, moment."""
    return (queryset.order_by()
            .annotate(news_kind=Value(kind), news_step=step, news_id=F(public_id),
                      news_circle=F(circle), news_day=day, news_at=F(at))
            .values_list(*NEWS_COLUMNS))


def _news_query(user):
    from circlekeep.circles.access import own_memberships
    from circlekeep.feedback.access import rounds_answered_by
    from circlekeep.incidents.models import Concern, Decision
    from circlekeep.notes.access import progress_notes_readable_by

    since = Now() - Value(NEWS_FOR)
    no_step = Value("", output_field=CharField())
    no_day = Value(None, output_field=DateTimeField())
    notes = _news(progress_notes_readable_by(user).filter(membership__user=user,
                                                          signed_at__gte=since),
                  NOTE, step=no_step, public_id="public_id", circle="membership__circle__name",
                  day=F("group_note__meeting__starts_at"), at="signed_at")
    decisions = _news(Decision.objects.filter(membership__in=own_memberships(user),
                                              responded_at__isnull=True, decided_at__gte=since),
                      DECISION, step=F("step"), public_id="concern__public_id",
                      circle="concern__circle__name", day=no_day, at="decided_at")
    raised = _news(Concern.objects.filter(reporter=user,
                                          circle__in=own_memberships(user).values("circle"))
                   .filter(Q(closed_at__gte=since)
                           | Q(closed_at__isnull=True, acknowledged_at__gte=since)),
                   RAISED, step=no_step, public_id="public_id", circle="circle__name",
                   day=F("closed_at"), at="reported_at")
    # Open feedback rounds: shown until they close, whether or not the member answered
    # (nobody, not even this query, can tell). The title rides in the step column.
    feedback = _news(rounds_answered_by(user).filter(closed_at__isnull=True, opens_at__lte=Now(),
                                                     closes_at__gt=Now()),
                     FEEDBACK, step=F("title"), public_id="public_id", circle="circle__name",
                     day=F("closes_at"), at="opens_at")
    return notes.union(decisions, raised, feedback, all=True).order_by("-news_at")


NEWS = prepared_per_session(_news_query)


def news(user):
    """What happened lately that concerns the member: progress notes signed about them
    that they may read (notes/access.py), decisions about them waiting for their response,
    what became of the concerns they raised (received, closed), and anonymous feedback
    rounds open in their circles. One query; at most
    ``NEWS_AT_MOST`` of each kind, newest first. An anonymous concern names nobody, so it
    never comes back here."""
    found = {NOTE: [], DECISION: [], RAISED: [], FEEDBACK: []}
    for kind, step, public_id, circle, day, _at in NEWS(user):
        if len(found[kind]) < NEWS_AT_MOST:
            found[kind].append((step, to_uuid(public_id), circle, to_datetime(day)))
    return found


def note_tasks(news):
    return [Task(_("A new note about your participation"),
                 _("%(circle)s, meeting of %(day)s.")
                 % {"circle": circle, "day": local_day(day)},
                 address("notes:progress", public_id), _("Read the note"),
                 badge=_("New"), tone="new")
            for _step, public_id, circle, day in news[NOTE]]


def feedback_tasks(news):
    return [Task(_("Anonymous feedback is open"),
                 _("%(circle)s asks: “%(title)s”. Your answers are sent without your name.")
                 % {"circle": circle, "title": title},
                 address("feedback:round", public_id), _("Answer"),
                 badge=_("Until %(day)s") % {"day": local_day(closes_at)}, tone="new")
            for title, public_id, circle, closes_at in news[FEEDBACK]]


def concern_tasks(news):
    steps = _step_labels(get_language())
    tasks = [Task(_("A decision about you: %(step)s") % {"step": steps.get(step, step)},
                  _("%(circle)s. You can read the reasons and respond.") % {"circle": circle},
                  address("incidents:concern", concern_id),
                  _("Read and respond"), badge=_("Waiting for you"), tone="urgent")
             for step, concern_id, circle, _day in news[DECISION]]
    for _step, concern_id, circle, closed_at in news[RAISED]:
        if closed_at:
            title, what = _("Your concern was closed"), _("Read how it ended")
        else:
            title, what = _("Your concern was received"), _("See where it stands")
        tasks.append(Task(title, circle, address("incidents:concern", concern_id),
                          what, badge=_("New"), tone="new"))
    return tasks


@cache
def _step_labels(language):
    """The consequence ladder's step names in one language, translated once per process."""
    from circlekeep.agreements.models import LadderStep

    return {value: str(label) for value, label in LadderStep.choices}
