"""What waits for an organization's admins (staff without two-step sign-in, circles
without a facilitator, concerns about facilitators, privacy incidents and their clocks,
consent documents to review) and what an auditor sees first (the security summary)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.home.queues import Task
from circlekeep.lib.addresses import address

# The period of the home's security summary: the security report's own default.
SUMMARY_DAYS = 30


def staff_tasks(user):
    """Staff of the user's organizations without two-step sign-in (required of staff): one
    query. Only people who accepted their invitation hold a staff role, so each may be
    named."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from circlekeep.orgs.access import staff_roles_visible_to

    roles = (staff_roles_visible_to(user)
             .exclude(Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
             .order_by("organization__name", "user__display_name"))
    return [Task(_("%(name)s has no two-step sign-in") % {"name": r.user.display_name},
                 _("%(organization)s: staff must use two-step sign-in. Ask them to set it "
                   "up, or remove their role.") % {"organization": r.organization.name},
                 address("orgs:staff", r.organization.public_id), _("Open staff"),
                 badge=r.get_role_display(), tone="urgent")
            for r in roles]


def circle_tasks(user):
    """Circles of the user's organizations that nobody facilitates: one query. The actions
    keep a lead on every circle (a lead is not removed, nor is the staff role of someone
    who facilitates), so this stays empty unless rows go missing outside them."""
    from circlekeep.circles.models import Circle, Facilitation
    from circlekeep.orgs.access import admin_organizations

    circles = (Circle.objects.filter(organization__in=admin_organizations(user))
               .exclude(Exists(Facilitation.objects.filter(circle=OuterRef("pk"))))
               .order_by("name"))
    return [Task(_("%(circle)s has no facilitator") % {"circle": c.name},
                 _("Nobody can run its meetings or answer its members until someone leads "
                   "it."), address("circles:detail", c.public_id), _("Open circle"),
                 badge=_("No facilitator"), tone="urgent")
            for c in circles]


def concern_tasks(user):
    """Open concerns about facilitators, which the admins handle: one query. Never one
    about the user themself (incidents/access.py)."""
    from circlekeep.incidents.access import concerns_waiting_for

    now = timezone.now()
    tasks = []
    for concern in (concerns_waiting_for(user).filter(about_facilitator=True)
                    .select_related("circle").order_by("reported_at")):
        new = concern.acknowledged_at is None
        overdue = new and concern.acknowledge_by <= now
        tasks.append(Task(
            _("A concern about a facilitator") if not new
            else _("A new concern about a facilitator"),
            _("%(circle)s: %(kind)s.") % {"circle": concern.circle.name,
                                         "kind": concern.get_kind_display()},
            address("incidents:concern", concern.public_id),
            _("Acknowledge") if new else _("Follow up"),
            due=concern.acknowledge_by if new else None,
            badge=_("Past the 48-hour target") if overdue else (_("New") if new else _("Open")),
            tone="urgent" if overdue else ("new" if new else "")))
    return tasks


def open_incidents(user):
    """Open privacy incidents of the user's organizations, each with its clocks: one
    query."""
    from circlekeep.incidents.access import privacy_incidents_visible_to

    now = timezone.now()
    incidents = list(privacy_incidents_visible_to(user).filter(closed_at__isnull=True)
                     .order_by("discovered_at"))
    for incident in incidents:
        incident.authority_late = incident.authority_due <= now
        incident.individuals_late = incident.individuals_due <= now
        incident.url = address("incidents:privacy", incident.public_id)
    return incidents


def consent_tasks(user):
    """Consent documents in force that still carry the generic text, marked for review
    for the organization's jurisdiction: one query."""
    from circlekeep.consent.defaults import GENERIC_DEFAULTS
    from circlekeep.orgs.access import admin_organizations

    generic_titles = [text["title"] for text in GENERIC_DEFAULTS.values()]
    organizations = (admin_organizations(user)
                     .filter(consent_document__title__in=generic_titles).order_by("name"))
    return [Task(_("Review the consent document"),
                 _("%(organization)s uses the generic consent document; check it against "
                   "the law where you work and publish your own.")
                 % {"organization": o.name},
                 address("consent:manage", o.public_id), _("Review"),
                 badge=_("Marked for review"))
            for o in organizations]


@dataclass
class SecuritySummary:
    days: int
    failed_sign_ins: int
    lockouts: int
    two_factor_off: int
    url: str

    @property
    def quiet(self):
        return not (self.failed_sign_ins or self.lockouts or self.two_factor_off)


def security_summary(user):
    """Counts from the security report of the organizations whose trail the user reads,
    over the report's default period, with a link to the report: one query (None for
    someone who reads no trail)."""
    from circlekeep.audit.models import to_microseconds
    from circlekeep.trail.access import audit_organizations, organizations_events

    organizations = list(audit_organizations(user))
    if not organizations:
        return None
    since = timezone.now() - timedelta(days=SUMMARY_DAYS)
    counts = organizations_events(organizations).filter(
        at_us__gte=to_microseconds(since)).aggregate(
        failed=Count("pk", filter=Q(event_type="account.sign_in.failed")),
        lockouts=Count("pk", filter=Q(event_type="account.locked_out")),
        off=Count("pk", filter=Q(event_type__in=("account.otp.disabled",
                                                 "account.otp.reset"))))
    return SecuritySummary(SUMMARY_DAYS, counts["failed"], counts["lockouts"], counts["off"],
                           address("audit:security"))
