"""Bad input is refused at the edge with a clear message, changes nothing, and is never a
server error: NUL characters and broken Unicode anywhere, non-JSON API bodies, and API
bodies that break the published schema."""

import json

import pytest
from django.test import Client

from circlekeep.accounts.actions import do_create_api_token
from circlekeep.accounts.models import ApiToken, User
from circlekeep.api.main import api
from circlekeep.testing import audit_mark, just_signed_in, signed_in_client

pytestmark = pytest.mark.django_db

NUL = "Text cannot contain a NUL character."
NOWHERE = "00000000-0000-4000-8000-000000000000"  # an id no object has
BROKEN = "Text contains invalid characters (a broken Unicode sequence)."


@pytest.fixture
def member_api(cast):
    _token, secret = do_create_api_token(cast.member, name="t", days=1, actor=cast.member,
        proof=just_signed_in(cast.member))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _body_operations():
    """(method, path, top-level string fields) of every operation that takes a body."""
    document = api.get_openapi_schema(path_prefix="/api/v1")
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"]
            properties = components[ref.rsplit("/", 1)[-1]]["properties"]
            strings = [name for name, spec in properties.items()
                       if spec.get("type") == "string"
                       or {"type": "string"} in spec.get("anyOf", [])]
            concrete = path.replace("{", "").replace("}", "")
            for name in operation.get("parameters", []):
                concrete = concrete.replace(name["name"], NOWHERE)
            # A body without text fields still gets text in a field it does not know.
            found.append((method.upper(), concrete, strings or ["comment"]))
    return found


BODY_OPERATIONS = _body_operations()


@pytest.mark.parametrize("bad,message", [("x\ud800", BROKEN), ("x\x00y", NUL)],
                         ids=["lone surrogate", "NUL"])
@pytest.mark.parametrize("method,path,strings", BODY_OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS])
def test_every_body_refuses_unstorable_text_naming_the_field(member_api, method, path,
                                                            strings, bad, message):
    for field in strings:
        mark = audit_mark()
        response = member_api.generic(method, path, json.dumps({field: bad}),
                                      content_type="application/json")
        assert response.status_code == 400, (field, response.content)
        assert response.json() == {"detail": message, "field": field}
        assert audit_mark() == mark


def test_a_lone_surrogate_in_a_profile_is_refused_and_nothing_changes(cast, member_api):
    response = member_api.put("/api/v1/me", '{"display_name": "Mina\\ud800"}',
                              content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": BROKEN, "field": "display_name"}
    assert User.objects.get(pk=cast.member.pk).display_name == "Mina"


def test_a_nul_deep_in_a_body_is_named_by_its_path(cast, member_api):
    body = {"declarations": [{"person_id": str(cast.facilitator.public_id),
                              "kind": "work", "note": "ok"},
                             {"person_id": "x", "kind": "work", "note": "a\x00b"}]}
    response = member_api.post(
        f"/api/v1/memberships/{cast.membership.public_id}/onboarding/relationships",
        body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL, "field": "declarations.1.note"}


def test_a_broken_key_is_refused_too(member_api):
    response = member_api.put("/api/v1/me", '{"display_name": "Mina", "\\udfff": 1}',
                              content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (400, BROKEN)


@pytest.mark.parametrize("query", ["event_type=%00", "circle_id=a%00b", "since=%00"])
def test_api_query_strings_refuse_a_nul(cast, query):
    _token, secret = do_create_api_token(cast.admin, name="t", days=1, actor=cast.admin,
        proof=just_signed_in(cast.admin))
    response = Client().get(f"/api/v1/audit/events?{query}",
                            HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL, "field": query.split("=")[0]}


def test_a_nul_in_an_api_path_is_refused(member_api):
    response = member_api.get("/api/v1/circles/a%00b")
    assert (response.status_code, response.json()["detail"]) == (400, NUL)


def test_a_page_query_string_with_a_nul_is_a_400_page_naming_the_field(cast):
    response = signed_in_client(cast.admin).get("/audit/?event_type=circle%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "In “event_type”:" in page and NUL in page


def test_a_page_form_with_a_nul_changes_nothing(cast):
    mark = audit_mark()
    response = Client().post("/accounts/sign-in/", {"username": "mina@example.test\x00",
                                                    "password": "wrong"})
    assert response.status_code == 400
    assert NUL in response.content.decode()
    assert audit_mark() == mark  # not even a failed sign-in is recorded


def test_the_api_refuses_form_bodies_with_415(cast, member_api):
    tokens = ApiToken.objects.count()
    response = member_api.post("/api/v1/tokens", {"name": "form", "days": "5"})
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["detail"]
    assert ApiToken.objects.count() == tokens


def test_a_body_sent_to_an_operation_without_one_must_still_be_json(cast, member_api):
    mark = audit_mark()
    response = member_api.post("/api/v1/me/sign-out-everywhere", "reason=none",
                               content_type="text/plain")
    assert response.status_code == 415
    assert audit_mark() == mark  # nobody was signed out


def test_a_body_that_is_not_json_is_a_clear_400(member_api):
    for body in ("{", '{"display_name": NaN}', b'{"display_name": "\xff"}'):
        response = member_api.put("/api/v1/me", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"detail": "The request body is not valid JSON."}


@pytest.mark.parametrize("body,loc", [
    ({"name": "x", "days": "30"}, ["body", "payload", "days"]),
    ({"name": "x", "days": True}, ["body", "payload", "days"]),
    (True, ["body", "payload"]),
])
def test_a_body_that_breaks_the_schema_is_refused_not_coerced(member_api, body, loc):
    tokens = ApiToken.objects.count()
    response = member_api.post("/api/v1/tokens", json.dumps(body),
                               content_type="application/json")
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]
    assert ApiToken.objects.count() == tokens
