"""The API at /api/v1: same actions as the pages, explicit output, no model dumps."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI

from circlekeep.accounts.api import router as accounts_router
from circlekeep.agreements.api import router as agreements_router
from circlekeep.api.auth import TokenAuth
from circlekeep.api.bodies import CheckedJsonParser, guard_bodies
from circlekeep.circles.api import router as circles_router
from circlekeep.consent.api import router as consent_router
from circlekeep.custody.api import router as custody_router
from circlekeep.home.api import router as home_router
from circlekeep.incidents.api import router as incidents_router
from circlekeep.lib.actions import DomainError
from circlekeep.meetings.api import router as meetings_router
from circlekeep.notes.api import router as notes_router
from circlekeep.onboarding.api import router as onboarding_router
from circlekeep.orgs.api import router as orgs_router
from circlekeep.trail.api import router as audit_router

api = NinjaAPI(
    title="Circlekeep API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url="/docs",
    description="Personal access tokens: create one under Security → API tokens and send it "
                "as `Authorization: Bearer ck_…`.",
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
api.add_router("", incidents_router)
api.add_router("", audit_router)
api.add_router("", custody_router)
