"""What a page does, the API does.

The walk goes through the URL configuration: a page that accepts POST is an action (a
view under ``require_POST`` or ``require_http_methods`` with POST, a class-based view
with a ``post`` method, or a function view that reads ``request.POST``). Each action must
be mapped in ``PAGE_ACTIONS`` to the API operations that do the same thing through the
same action, or stand in ``WEB_ONLY`` with the reason it cannot be an API operation. A
new page action without either fails ``test_every_page_action_has_an_api_operation``.

The mapping is written out by hand so that it can be reviewed: an operation listed here
must exist in the API router, and a page listed here must exist and act.
"""

import inspect
import re
import sys
import types

import pytest
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, include, path
from django.views.decorators.http import require_GET, require_POST

from circlekeep.api.main import api

# Page (URL name) → the API operations that do what its POST does.
PAGE_ACTIONS = {
    "accounts:logout-everywhere": ["POST /me/sign-out-everywhere"],
    "accounts:profile": ["PUT /me"],
    # An invitee without an account accepts with the token from the e-mail; an existing
    # account accepts on the page while signed in.
    "accounts:invitation-accept": ["POST /invitations/accept"],
    "accounts:api-token-revoke": ["POST /tokens/{token_id}/revoke"],
    "orgs:settings": ["PUT /organizations/{org_id}"],
    "orgs:staff": ["POST /organizations/{org_id}/staff-invitations"],
    "orgs:staff-role-change": ["PUT /staff/{role_id}"],
    "orgs:staff-role-remove": ["POST /staff/{role_id}/remove"],
    "orgs:staff-otp-reset": ["POST /staff/{role_id}/reset-two-step"],
    "circles:invitation-revoke": ["POST /invitations/{invitation_id}/revoke"],
    "circles:create": ["POST /circles"],
    "circles:edit": ["PUT /circles/{circle_id}"],
    "circles:member-invite": ["POST /circles/{circle_id}/invitations"],
    "circles:facilitator-add": ["POST /circles/{circle_id}/facilitators"],
    "circles:facilitator-remove": ["POST /facilitations/{facilitation_id}/remove"],
    "circles:membership": ["POST /memberships/{membership_id}/status"],
    "circles:membership-leave": ["POST /memberships/{membership_id}/status"],
    "circles:guardian-invite": ["POST /memberships/{membership_id}/guardian-invitations"],
    "custody:member-erase": ["POST /memberships/{membership_id}/erase-protected"],
    "onboarding:orientation": [
        "POST /memberships/{membership_id}/onboarding/orientation"],
    "onboarding:questions": ["POST /memberships/{membership_id}/onboarding/questions"],
    "onboarding:questions-settled": [
        "POST /memberships/{membership_id}/onboarding/questions/settled"],
    "onboarding:online-rules": [
        "POST /memberships/{membership_id}/onboarding/online-rules"],
    "onboarding:relationships": [
        "POST /memberships/{membership_id}/onboarding/relationships"],
    "onboarding:screening-decision": [
        "POST /memberships/{membership_id}/onboarding/relationships/decision"],
    "agreements:check": ["POST /circles/{circle_id}/agreement/check"],
    "agreements:propose": ["POST /circles/{circle_id}/agreement/proposals"],
    "agreements:review": ["POST /circles/{circle_id}/agreement/reviews"],
    "agreements:cadence": ["PUT /circles/{circle_id}/agreement/cadence"],
    "agreements:sign": ["POST /agreement-versions/{version_id}/signatures"],
    "agreements:proposal": ["POST /agreement-proposals/{proposal_id}/comments"],
    "agreements:proposal-decide": ["POST /agreement-proposals/{proposal_id}/decision"],
    "agreements:template": ["PUT /organizations/{org_id}/agreement-template"],
    "consent:document": ["POST /consent-documents/{document_id}/consents"],
    "consent:withdraw": ["POST /consent-records/{record_id}/withdraw"],
    "consent:manage": ["POST /organizations/{org_id}/consent-documents"],
    "meetings:circle": ["POST /circles/{circle_id}/meetings"],
    "meetings:ritual": ["POST /meetings/{meeting_id}/acknowledgements"],
    "meetings:acknowledge-member": ["POST /meetings/{meeting_id}/acknowledgements"],
    "meetings:attendance": ["POST /meetings/{meeting_id}/attendance"],
    "meetings:pledge": ["POST /meetings/{meeting_id}/pledges"],
    "meetings:agenda-add": ["POST /meetings/{meeting_id}/agenda"],
    "meetings:cancel": ["POST /meetings/{meeting_id}/cancel"],
    "meetings:move": ["POST /meetings/{meeting_id}/move"],
    "meetings:calendar": ["POST /me/calendar-feed", "PUT /me/calendar-feed",
                          "POST /me/calendar-feed/revoke"],
    "disclosures:membership": ["POST /memberships/{membership_id}/authorizations"],
    "notify:read": ["POST /me/notifications/{notification_id}/read"],
    "notify:read-all": ["POST /me/notifications/read-all"],
    "notify:preferences": ["PUT /me/notification-settings"],
    "training:set-up": ["POST /organizations/{org_id}/training"],
    "training:settings": ["PUT /organizations/{org_id}/training"],
    "training:module": ["POST /training/modules/{module_id}/attempts"],
    "training:practice": ["POST /organizations/{org_id}/training/practice"],
    "training:module-edit": ["PUT /training/modules/{module_id}"],
    "training:verify": ["POST /training/certificates/verify"],
    "feedback:circle": ["POST /circles/{circle_id}/feedback-rounds"],
    "feedback:close": ["POST /feedback-rounds/{round_id}/close"],
    "feedback:summary": ["PUT /feedback-rounds/{round_id}/summary"],
    "feedback:token": ["POST /feedback-rounds/{round_id}/tokens"],
    "feedback:concern_token": ["POST /concern-keys/{key_id}/tokens"],
    "disclosures:legal": ["POST /memberships/{membership_id}/legal-disclosures"],
    "disclosures:revoke": ["POST /authorizations/{authorization_id}/revoke"],
    "disclosures:record": ["POST /authorizations/{authorization_id}/disclosures"],
    "disclosures:suspend": ["POST /disclosures/{disclosure_id}/suspension"],
    "notes:write": ["PUT /meetings/{meeting_id}/notes"],
    "notes:adjust": ["POST /progress-notes/{item_id}/redactions",
                     "POST /addenda/{item_id}/redactions"],
    "notes:phrase-preview": ["POST /progress-notes/{item_id}/phrases/preview",
                             "POST /addenda/{item_id}/phrases/preview"],
    "notes:phrase-add": ["POST /progress-notes/{item_id}/phrases",
                         "POST /addenda/{item_id}/phrases"],
    "notes:phrase-restore": ["POST /progress-notes/{item_id}/phrases/{group}/restore",
                             "POST /addenda/{item_id}/phrases/{group}/restore"],
    "notes:sign": ["POST /progress-notes/{note_id}/sign"],
    "notes:cosign": ["POST /progress-notes/{note_id}/cosign"],
    "notes:addendum": ["POST /progress-notes/{note_id}/addenda"],
    "notes:addendum-add": ["POST /addenda/{addendum_id}/add"],
    "notes:addendum-discard": ["POST /addenda/{addendum_id}/discard"],
    "incidents:report": ["POST /circles/{circle_id}/concerns"],
    "incidents:acknowledge": ["POST /concerns/{concern_id}/acknowledge"],
    "incidents:assess": ["POST /concerns/{concern_id}/assessment"],
    "incidents:raise": ["POST /concerns/{concern_id}/raise"],
    "incidents:decide": ["POST /concerns/{concern_id}/decisions"],
    "incidents:close": ["POST /concerns/{concern_id}/close"],
    "incidents:respond": ["POST /concern-decisions/{decision_id}/response"],
    "incidents:privacy-list": ["POST /organizations/{org_id}/privacy-incidents"],
    "incidents:privacy-affected": ["POST /privacy-incidents/{incident_id}/affected"],
    "incidents:privacy-notify": ["POST /privacy-incidents/{incident_id}/notifications"],
    "incidents:privacy-sent": [
        "POST /privacy-incidents/{incident_id}/notifications/{notification_id}/sent"],
}

# Page actions that cannot be API operations, and why.
WEB_ONLY = {
    "set-language": "switches the language of a browser session; an API client sets its "
                    "language in the profile (PUT /me)",
    "accounts:login": "makes a browser session; the API authenticates every request with a "
                      "personal access token instead",
    "accounts:logout": "ends a browser session, which an API client does not have",
    "accounts:otp-verify": "the second step of a browser sign-in; a token records whether "
                           "it was made after that step",
    "accounts:reauthenticate": "proves it's you to a browser session before a sensitive "
                               "change; tokens may not make those changes at all",
    "accounts:otp-setup": "two-step settings need a fresh interactive sign-in: "
                          "POST /me/two-step/setup refuses every token by design",
    "accounts:otp-backup-codes": "backup codes need a fresh interactive sign-in: "
                                 "POST /me/two-step/backup-codes refuses every token",
    "accounts:otp-disable": "turning two-step off needs a fresh interactive sign-in: "
                            "POST /me/two-step/turn-off refuses every token",
    "accounts:password-change": "a password is changed only by someone who just typed it, "
                                "never with a token",
    "accounts:password-reset": "for someone who cannot sign in, so has no token",
    "accounts:password-reset-confirm": "for someone who cannot sign in, so has no token",
    "accounts:keep-session": "keeps a browser session from ending while idle; an API client "
                             "has no session, it sends its token with every request",
    "notes:autosave": "keeps what a browser tab is typing until it is sent; an API client "
                      "holds its own text until PUT /meetings/{meeting_id}/notes",
    "accounts:api-tokens": "a token cannot make another (none could extend itself through a "
                           "successor): POST /tokens refuses every token by design",
}

# The API's own routes (schema, docs) are the API, not pages.
API_NAMESPACE = "api"
POST_IN_SOURCE = re.compile(r"""request\.POST\b|request\.method\s*==\s*["']POST["']""")


def pages(patterns=None, namespace=""):
    """(URL name, view) for every named page outside the API."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
            if inner != API_NAMESPACE:
                yield from pages(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern.callback


def accepts_post(view):
    """Whether a view takes POST: by its method decorator if it has one, else by whether
    it has a ``post`` method (class-based) or reads the POST data (function)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    function = view
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            return "POST" in cell.cell_contents
        function = getattr(function, "__wrapped__", None)
    return bool(POST_IN_SOURCE.search(inspect.getsource(inspect.unwrap(view))))


def page_actions():
    return sorted({name for name, view in pages() if accepts_post(view)})


def api_operations():
    prefix = "/api/v1"
    return {f"{method.upper()} {route.removeprefix(prefix)}"
            for route, operations in api.get_openapi_schema()["paths"].items()
            for method in operations}


def actions_without_operations():
    known = PAGE_ACTIONS.keys() | WEB_ONLY.keys()
    return [name for name in page_actions() if name not in known]


def test_every_page_action_has_an_api_operation():
    assert actions_without_operations() == []


def test_the_mapping_names_operations_the_api_has():
    operations = api_operations()
    missing = {page: [op for op in ops if op not in operations]
               for page, ops in PAGE_ACTIONS.items()}
    assert {page: ops for page, ops in missing.items() if ops} == {}


def test_every_listed_page_exists_acts_and_is_listed_once_with_a_reason():
    acting = set(page_actions())
    lists = [PAGE_ACTIONS, WEB_ONLY]
    listed = [name for entries in lists for name in entries]
    assert sorted(name for name in listed if name not in acting) == []
    assert sorted({name for name in listed if listed.count(name) > 1}) == []
    assert all(ops for ops in PAGE_ACTIONS.values())
    assert [name for name, why in WEB_ONLY.items()
            if len(why.split()) < 4] == []


def test_the_walk_tells_actions_from_pages_that_only_show():
    actions = set(page_actions())
    # A decorated action, a form page that reads request.POST, a class-based form view.
    assert {"meetings:cancel", "meetings:move", "accounts:password-reset"} <= actions
    # Pages that only show.
    assert not {"meetings:detail", "disclosures:mine", "audit:trail", "calendar-feed",
                "home"} & actions
    # The API's own routes are not pages.
    assert not any(name.startswith("api:") for name in actions)


@require_POST
def _decorated_action(request):
    raise AssertionError("never called")


def _form_page(request):
    if request.method == "POST":
        raise AssertionError("never called")


@require_GET
def _shows_only(request):
    raise AssertionError("never called")


@pytest.fixture
def extra_pages(settings):
    module = types.ModuleType("parity_extra_urls")
    module.urlpatterns = [path("", include("config.urls")),
                          path("x/a/", _decorated_action, name="extra-action"),
                          path("x/b/", _form_page, name="extra-form"),
                          path("x/c/", _shows_only, name="extra-show")]
    sys.modules["parity_extra_urls"] = module
    settings.ROOT_URLCONF = "parity_extra_urls"
    clear_url_caches()
    yield
    del sys.modules["parity_extra_urls"]
    clear_url_caches()


@pytest.mark.usefixtures("extra_pages")
def test_a_new_page_action_without_an_operation_is_caught():
    assert actions_without_operations() == ["extra-action", "extra-form"]
