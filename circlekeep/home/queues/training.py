"""What the training asks of people on their homes: one's own certificate to earn or
renew, certificates expiring in the organizations one runs, and circles whose lead will
not be allowed to lead their next meeting (training/access.py decides who may lead).

Each function answers in a fixed number of queries, however many circles or people.
"""

from datetime import timedelta

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.home.queues import Task, local_day
from circlekeep.lib.addresses import address
from circlekeep.training.models import REMINDER_DAYS, Certificate, Programme

# How far ahead an expiring certificate shows on a home: the first reminder's distance.
SHOW_DAYS = max(REMINDER_DAYS)


def _newest_expiries(programmes, holders=None):
    """{(organization id, holder id): newest expiry}: one query."""
    rows = Certificate.objects.filter(programme__in=programmes)
    if holders is not None:
        rows = rows.filter(holder__in=holders)
    return {(row["programme__organization_id"], row["holder_id"]): row["expires"]
            for row in rows.values("programme__organization_id", "holder_id")
            .annotate(expires=Max("expires_at"))}


def own_tasks(user):
    """The person's own certificate: to earn where it is required, or to renew when it
    expires within SHOW_DAYS (or already did): two queries."""
    from circlekeep.training.access import trainee_organizations

    now = timezone.now()
    programmes = list(Programme.objects.select_related("organization")
                      .filter(organization__in=trainee_organizations(user)))
    expiries = _newest_expiries(programmes, holders=[user.pk])
    tasks = []
    for programme in programmes:
        organization = programme.organization
        url = address("training:programme", organization.public_id)
        expires = expiries.get((organization.pk, user.pk))
        grace_end = expires + timedelta(days=programme.grace_days) if expires else None
        if grace_end is None or grace_end <= now:
            if programme.required:
                tasks.append(Task(
                    _("Finish your confidentiality training"),
                    _("%(organization)s: leading a circle, its room, its opening and "
                      "signing notes need a current certificate.")
                    % {"organization": organization.name}, url, _("Open training"),
                    badge=_("Training"), tone="urgent"))
        elif expires - now <= timedelta(days=SHOW_DAYS):
            tasks.append(Task(
                _("Renew your training certificate"),
                _("%(organization)s: it expires on %(day)s; the renewal is three short "
                  "modules.") % {"organization": organization.name,
                                 "day": local_day(expires)},
                url, _("Open training"), due=expires, badge=_("Training"),
                tone="urgent" if expires <= now else ""))
    return tasks


def expiring_tasks(user):
    """Certificates expiring within SHOW_DAYS, or in their grace period, in the
    organizations the user administers, the newest per holder: two queries."""
    from circlekeep.orgs.access import admin_organizations

    now = timezone.now()
    programmes = list(Programme.objects.select_related("organization")
                      .filter(organization__in=admin_organizations(user), required=True))
    by_org = {p.organization_id: p for p in programmes}
    expiring = [(key, expires) for key, expires in _newest_expiries(programmes).items()
                if expires - now <= timedelta(days=SHOW_DAYS)
                and expires + timedelta(days=by_org[key[0]].grace_days) > now]
    if not expiring:
        return []
    from circlekeep.accounts.models import User

    names = dict(User.objects.filter(pk__in={key[1] for key, _e in expiring})
                 .values_list("pk", "display_name"))
    return [Task(_("%(name)s's training certificate expires") % {"name": names[holder]},
                 _("%(organization)s: on %(day)s. Until they renew, they cannot lead once "
                   "the grace period ends.") % {"organization": by_org[org].organization.name,
                                                "day": local_day(expires)},
                 address("training:programme", by_org[org].organization.public_id),
                 _("Open training"), due=expires, badge=_("Training"))
            for (org, holder), expires in sorted(expiring, key=lambda item: item[1])]


def lapsing_lead_tasks(circles):
    """Circles among ``circles`` (a queryset the caller may see) whose lead will not be
    allowed to lead at the next meeting, where training is required: four queries."""
    from circlekeep.circles.models import Facilitation
    from circlekeep.meetings.models import Meeting

    now = timezone.now()
    programmes = {p.organization_id: p for p in Programme.objects.filter(
        organization__in=circles.values("organization"), required=True)}
    if not programmes:
        return []
    leads = list(Facilitation.objects.filter(circle__in=circles, role=Facilitation.Role.LEAD,
                                             circle__organization__in=list(programmes))
                 .values("circle_id", "circle__public_id", "circle__name",
                         "circle__organization_id", "user_id", "user__display_name"))
    next_meeting = dict(Meeting.objects.filter(
        circle__in=[lead["circle_id"] for lead in leads], status=Meeting.Status.SCHEDULED,
        starts_at__gt=now).values("circle").annotate(first=Min("starts_at"))
        .values_list("circle", "first"))
    expiries = _newest_expiries(programmes.values(),
                                holders={lead["user_id"] for lead in leads})
    early = {org: set(p.transition_people) if p.transition_until else set()
             for org, p in programmes.items()}
    tasks = []
    for lead in leads:
        starts = next_meeting.get(lead["circle_id"])
        if starts is None:
            continue
        programme = programmes[lead["circle__organization_id"]]
        expires = expiries.get((programme.organization_id, lead["user_id"]))
        if expires and expires + timedelta(days=programme.grace_days) > starts:
            continue
        if (lead["user_id"] in early[programme.organization_id]
                and timezone.localdate(starts) <= programme.transition_until):
            continue
        tasks.append(Task(
            _("%(circle)s's lead cannot lead its next meeting") % {
                "circle": lead["circle__name"]},
            _("%(name)s will not hold a current training certificate on %(day)s. They can "
              "finish or renew the training, or another certified facilitator can lead.")
            % {"name": lead["user__display_name"], "day": local_day(starts)},
            address("circles:detail", lead["circle__public_id"]), _("Open circle"),
            due=starts, badge=_("Training"), tone="urgent"))
    return tasks
