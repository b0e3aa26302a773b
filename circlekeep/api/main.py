"""The API at /api/v1: same actions as the pages, explicit output, no model dumps."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Swagger

from circlekeep.accounts.api import router as accounts_router
from circlekeep.agreements.api import router as agreements_router
from circlekeep.api.auth import TokenAuth
from circlekeep.api.bodies import CheckedJsonParser, guard_bodies
from circlekeep.circles.api import router as circles_router
from circlekeep.consent.api import router as consent_router
from circlekeep.custody.api import router as custody_router
from circlekeep.disclosures.api import router as disclosures_router
from circlekeep.feedback.api import router as feedback_router
from circlekeep.home.api import router as home_router
from circlekeep.incidents.api import privacy_router
from circlekeep.incidents.api import router as incidents_router
from circlekeep.lib.actions import DomainError
from circlekeep.meetings.api import router as meetings_router
from circlekeep.notes.api import router as notes_router
from circlekeep.notify.api import router as notify_router
from circlekeep.onboarding.api import router as onboarding_router
from circlekeep.orgs.api import router as orgs_router
from circlekeep.trail.api import router as audit_router
from circlekeep.training.api import router as training_router

DESCRIPTION = """\
Everything the pages do, through the same actions and the same permission rules: an
operation changes what the matching page changes, writes the same audit event, and refuses
what the page refuses.

**Authentication.** Create a personal access token under Security → API tokens and send it
as `Authorization: Bearer ck_…`. A token acts as its owner; changes to sign-in security
(two-step settings, backup codes, new tokens) need a fresh sign-in on the web and are
refused to tokens.

**Identifiers.** Every object is named by a UUID. An id that does not exist and an id that
is not yours answer alike, `404 {"detail": "Not found."}`: whether something exists is
itself confidential.

**Times.** Times are ISO 8601 with an offset (`2027-05-11T18:00:00+02:00`), both ways; a
time without one is refused. A recurring series keeps its local time across daylight
saving, in the time zone of whoever scheduled it.

**Bodies and errors.** Bodies are JSON (`Content-Type: application/json`, else 415). A body
the schema forbids is `422` with a list of problems, a refused change is `400
{"detail": "…", "field": "…"}` and nothing is changed, a permission refusal is
`403 {"detail": "…"}`.

**Protected text.** Notes, concerns, purposes and summaries are encrypted at rest. Reading
one through the API is recorded, and the member concerned sees who read it and why
(`GET /me/access-log`).
"""

api = NinjaAPI(
    title="Circlekeep API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    # The browsable docs use the Swagger UI files django-ninja ships, served from this
    # site (templates/ninja/swagger.html), so they run under the strict CSP unchanged.
    # Deep links are off: they put a link inside each operation's button, which screen
    # readers cannot use.
    docs=Swagger(settings={"deepLinking": False, "defaultModelsExpandDepth": 0,
                           "tryItOutEnabled": False}),
    docs_url="/docs",
    description=DESCRIPTION,
    parser=CheckedJsonParser(),
)


# Bodies must be JSON, storable and as the schema says, before anything else runs.
api.add_decorator(guard_bodies(api), mode="view")


@api.exception_handler(DomainError)
def domain_error(request, exc):
    body = {"detail": str(exc.message)}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=400)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    message = getattr(exc, "message", None) or "You may not do this."
    return api.create_response(request, {"detail": str(message)}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", circles_router)
api.add_router("", home_router)
api.add_router("", agreements_router)
api.add_router("", consent_router)
api.add_router("", onboarding_router)
api.add_router("", meetings_router)
api.add_router("", notes_router)
api.add_router("", disclosures_router)
api.add_router("", incidents_router)
api.add_router("", privacy_router)
api.add_router("", audit_router)
api.add_router("", custody_router)
api.add_router("", notify_router)
api.add_router("", training_router)
api.add_router("", feedback_router)
