"""Who may see which training, and the gate on leading.

The gate is one rule, ``check_may_lead``: pages, the API and every action that leads
(naming a lead facilitator, opening a meeting's room, running the opening ritual, signing
notes) call it, so that a refusal says the same thing everywhere and links to what is
missing. ``check_may_co_lead`` lets a facilitator in training co-facilitate beside a
certified lead.
"""

from datetime import UTC, timedelta

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from circlekeep.lib.actions import ActionForbidden
from circlekeep.lib.ids import parse_public_id
from circlekeep.lib.request_cache import cached
from circlekeep.orgs.access import is_org_admin, staff_role
from circlekeep.orgs.models import StaffRole
from circlekeep.training.models import Certificate, Module, Programme

TRAINING_ROLES = (StaffRole.Role.ADMIN, StaffRole.Role.FACILITATOR)


class TrainingRequired(ActionForbidden):
    """Refused for want of a current certificate; ``link`` is where to get one."""

    def __init__(self, message, link):
        super().__init__(message)
        self.link = link


def programme_of(organization) -> Programme | None:
    """The organization's programme, read once a request."""
    return cached(("training_programme", organization.pk),
                  lambda: Programme.objects.filter(organization=organization).first())


def current_certificate(user, programme, *, now=None) -> Certificate | None:
    """The holder's newest certificate that is still valid or within the grace period."""
    now = now or timezone.now()
    return (Certificate.objects
            .filter(programme=programme, holder=user,
                    expires_at__gt=now - timedelta(days=programme.grace_days))
            .order_by("-expires_at").first())


def expiry_status(expires, grace_days, *, now=None) -> str:
    """"valid", "grace" (expired, the organization's grace period still running) or
    "expired", for a certificate expiring at ``expires``."""
    now = now or timezone.now()
    if expires > now:
        return "valid"
    return "grace" if expires + timedelta(days=grace_days) > now else "expired"


def certificate_status(certificate, *, now=None) -> str:
    return expiry_status(certificate.expires_at, certificate.programme.grace_days, now=now)


def in_transition(user, programme, *, now=None) -> bool:
    """Whether ``user`` facilitated before the programme became required and its
    transition period is still running."""
    now = now or timezone.now()
    if programme.transition_until is None or programme.required_since is None:
        return False
    if timezone.localdate(now) > programme.transition_until:
        return False
    return (user.pk in programme.transition_people
            and staff_role(user, programme.organization) in TRAINING_ROLES)


def may_lead(user, organization, *, now=None) -> bool:
    """Whether the organization's training rules let ``user`` lead today."""
    programme = programme_of(organization)
    if programme is None or not programme.required:
        return True
    return (current_certificate(user, programme, now=now) is not None
            or in_transition(user, programme, now=now))


def check_may_lead(user, organization, *, now=None):
    """Raise ``TrainingRequired`` unless ``user`` may lead in ``organization``."""
    if user is None or may_lead(user, organization, now=now):
        return
    raise TrainingRequired(
        _("Only a facilitator with a current confidentiality training certificate from "
          "this organization may lead here. The training page shows what is missing."),
        reverse("training:home"))


def check_may_co_lead(user, organization, lead_of, *, now=None):
    """A co-facilitator in training may act in a circle whose lead holds a current
    certificate (a transition is not enough to train someone): ``lead_of()`` gives that
    lead when ``user`` co-facilitates the circle, else None (asked only when ``user`` may
    not lead alone)."""
    if user is None or may_lead(user, organization, now=now):
        return
    lead = lead_of()
    programme = programme_of(organization)
    if (lead is not None and lead.pk != user.pk
            and current_certificate(lead, programme, now=now) is not None):
        return
    check_may_lead(user, organization, now=now)


def trainee_organizations(user):
    """The organizations whose training ``user`` may take (facilitators and admins)."""
    from circlekeep.orgs.models import Organization

    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(staff__user=user,
                                       staff__role__in=TRAINING_ROLES).order_by("name")


def access_programme(user, organization) -> Programme:
    """The programme for a trainee or an admin of its organization; 404 otherwise."""
    if staff_role(user, organization) not in TRAINING_ROLES:
        raise Http404
    programme = programme_of(organization)
    if programme is None:
        raise Http404
    return programme


def access_module(user, public_id) -> Module:
    """A module of a programme the user takes or administers; 404 otherwise."""
    public_id = parse_public_id(public_id)
    module = (Module.objects.select_related("programme__organization")
              .filter(public_id=public_id).first())
    if module is None or staff_role(user, module.programme.organization) not in TRAINING_ROLES:
        raise Http404
    return module


def check_may_run_programme(user, organization):
    """Setting the programme up and its rules is for the organization's admins."""
    if user is not None and not is_org_admin(user, organization):
        raise ActionForbidden(_("Only an admin of this organization may change its "
                                "training."))


def may_confirm_practice(user, programme, trainee, kind) -> bool:
    """Who may confirm a trainee's practical part, never the trainee: a meeting
    co-facilitated only a facilitator or admin who may lead there (the lead it was
    co-facilitated with); a sign-off also any admin of the organization (someone must
    sign the first trainees off)."""
    if user is None:
        return True
    if user.pk == trainee.pk:
        return False
    organization = programme.organization
    if kind == "sign-off" and is_org_admin(user, organization):
        return True
    return staff_role(user, organization) in TRAINING_ROLES and may_vouch(user, programme)


def may_vouch(user, programme) -> bool:
    """Whether ``user`` may vouch for someone's practice: a current certificate, or one of
    the people who already facilitated when the gate was turned on, during the
    transition (how the first trainees are vouched for)."""
    return (current_certificate(user, programme) is not None
            or in_transition(user, programme))


def trainees_visible_to(user, organization):
    """The organization's facilitators and admins whose practice ``user`` may confirm:
    all of them for an admin or a facilitator who may vouch, else none."""
    from circlekeep.accounts.models import User

    role = staff_role(user, organization)
    programme = programme_of(organization)
    if programme is None or role not in TRAINING_ROLES:
        return User.objects.none()
    if role != StaffRole.Role.ADMIN and not may_vouch(user, programme):
        return User.objects.none()
    return (User.objects.filter(staff_roles__organization=organization,
                                staff_roles__role__in=TRAINING_ROLES)
            .exclude(pk=user.pk).order_by("display_name", "pk"))


def access_trainee(user, organization, public_id):
    """A trainee of the organization whose record an admin of it may read; 404 for
    anyone else (and for people outside the organization)."""
    from circlekeep.accounts.models import User

    if not is_org_admin(user, organization):
        raise Http404
    found = (User.objects.filter(public_id=parse_public_id(public_id),
                                 staff_roles__organization=organization,
                                 staff_roles__role__in=TRAINING_ROLES).first())
    if found is None:
        raise Http404
    return found


def team_of(organization, *, now=None):
    """For the organization's admins: each facilitator and admin with their newest
    certificate's expiry and status (None without one); three queries."""
    from django.db.models import Max

    from circlekeep.accounts.models import User

    programme = programme_of(organization)
    people = list(User.objects.filter(staff_roles__organization=organization,
                                      staff_roles__role__in=TRAINING_ROLES)
                  .order_by("display_name", "pk"))
    newest = dict(Certificate.objects.filter(programme=programme, holder__in=people)
                  .values("holder").annotate(expires=Max("expires_at"))
                  .values_list("holder", "expires"))
    return [{"person": person, "expires": newest.get(person.pk),
             "status": expiry_status(newest[person.pk], programme.grace_days, now=now)
             if person.pk in newest else None}
            for person in people]


def access_training_organization(user, public_id):
    """An organization whose training ``user`` takes or runs; 404 otherwise."""
    found = trainee_organizations(user).filter(public_id=parse_public_id(public_id)).first()
    if found is None:
        raise Http404
    return found


def access_attempt(user, public_id):
    """One's own quiz attempt; 404 for anyone else's (admins included: an attempt is the
    trainee's own working)."""
    from circlekeep.training.models import Attempt

    found = (Attempt.objects.select_related("module__programme__organization")
             .filter(public_id=parse_public_id(public_id), user=user).first())
    if found is None:
        raise Http404
    return found


def access_certificate(user, public_id) -> Certificate:
    """A certificate, for its holder and the admins of its organization; 404 otherwise."""
    certificate = (Certificate.objects.select_related("programme__organization", "holder")
                   .filter(public_id=parse_public_id(public_id)).first())
    if certificate is None or not (certificate.holder_id == user.pk or is_org_admin(
            user, certificate.programme.organization)):
        raise Http404
    return certificate


def verify_certificate(typed_code):
    """What the public verification page may show of the certificate with this code:
    the holder's display name, the dates and the status; None for an unknown code."""
    certificate = (Certificate.objects.select_related("holder", "programme")
                   .filter(code=normal_code(typed_code)).first())
    if certificate is None:
        return None
    # Days in UTC, as on the certificate itself, whoever reads them and wherever.
    return {"name": certificate.holder.display_name,
            "issued": certificate.issued_at.astimezone(UTC).date(),
            "expires": certificate.expires_at.astimezone(UTC).date(),
            "status": certificate_status(certificate)}


def normal_code(typed: str) -> str:
    """A typed certificate code in its stored form: case, spaces and look-alike letters
    forgiven."""
    raw = "".join((typed or "").upper().split()).replace("-", "")
    raw = raw.translate(str.maketrans("OIL", "011"))
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def hours_of(user, programme):
    """Continuing-education hours: each module passed, once per certification period (a
    renewal's refresher and a lapsed facilitator's new training count again), oldest
    first."""
    from bisect import bisect

    from circlekeep.training.models import Attempt

    issued = list(Certificate.objects.filter(programme=programme, holder=user)
                  .order_by("issued_at").values_list("issued_at", flat=True))
    rows, seen = [], set()
    for attempt in (Attempt.objects.select_related("module")
                    .filter(user=user, module__programme=programme, passed=True)
                    .order_by("created_at", "id")):
        key = (attempt.module_id, bisect(issued, attempt.created_at))
        if key in seen:
            continue
        seen.add(key)
        rows.append({"day": timezone.localdate(attempt.created_at),
                     "title": attempt.module.title, "score": attempt.score,
                     "hours": attempt.module.hours})
    return rows
