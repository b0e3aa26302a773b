"""The onboarding funnel of a circle: how far its live memberships have come."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circlekeep.circles.access import access_circle, may_manage_circle
from circlekeep.circles.models import Membership
from circlekeep.lib.charts import Chart, Series
from circlekeep.onboarding.progress import progress_for

# The staff's words for each step (the checklist speaks to the member).
STEP_LABELS = {
    "orientation": gettext_lazy("Read the orientation"),
    "questions": gettext_lazy("Settled their questions"),
    "consent": gettext_lazy("Consented"),
    "agreement": gettext_lazy("Signed the agreement"),
    "online_rules": gettext_lazy("Agreed to the online rules"),
    "relationships": gettext_lazy("Declared relationships"),
}


def onboarding_funnel(user, circle_id) -> Chart:
    """Of the circle's live memberships: how many were invited, accepted, did each step of
    onboarding, and are cleared to take part. For the circle's facilitators and admins
    only (404 for everyone else, members included); a fixed number of queries, however
    many members."""
    circle = access_circle(user, circle_id)
    if not may_manage_circle(user, circle):
        raise Http404
    live = list(Membership.objects.live().filter(circle=circle)
                .select_related("circle", "circle__organization", "user"))
    accepted = [m for m in live if m.status != Membership.Status.INVITED]
    states = progress_for(accepted)
    labels = [_("Invited"), _("Accepted the invitation")]
    counts = [len(live), len(accepted)]
    steps = {}
    for state in states.values():
        for step in state.steps:
            label, done = steps.get(step.key, (STEP_LABELS.get(step.key, step.label), 0))
            steps[step.key] = (label, done + step.done)
    for label, done in steps.values():
        labels.append(label)
        counts.append(done)
    labels.append(_("Cleared to take part"))
    counts.append(sum(1 for state in states.values() if state.cleared))
    return Chart(key="funnel", title=_("Onboarding: how far members have come"),
                 labels=labels, series=[Series(_("Members"), counts)], horizontal=True,
                 label_heading=_("Step"))
