"""The published OpenAPI schema documents the API: a description, and for the operations
of every router but agreements and consent an example of every request body that the
body's own schema accepts."""

import pytest
from jsonschema import Draft202012Validator

from circlekeep.api.main import api

# Routers whose request bodies carry examples. Agreements and consent gain theirs when
# their documents gain a text per language.
EXEMPLIFIED_TAGS = {"meetings", "disclosures", "concerns", "privacy incidents", "accounts",
                    "organizations", "circles", "onboarding", "notes", "erasure", "agreements",
                    "consent"}


def schema():
    return api.get_openapi_schema()


def bodies(tags=None):
    """(operation, body schema) for every operation with a JSON body in ``tags``."""
    for route, operations in schema()["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body and (tags is None or set(operation["tags"]) & tags):
                yield f"{method.upper()} {route}", body["content"]["application/json"][
                    "schema"]


def component(reference):
    return schema()["components"]["schemas"][reference["$ref"].rsplit("/", 1)[-1]]


def test_the_api_describes_tokens_ids_times_and_errors():
    description = schema()["info"]["description"]
    for topic in ("Authorization: Bearer ck_", "404", "ISO 8601", "422", "access-log"):
        assert topic in description


def test_every_request_body_of_the_exemplified_routers_has_an_example():
    operations = list(bodies(EXEMPLIFIED_TAGS))
    assert len(operations) > 20
    assert [op for op, body in operations if not component(body).get("examples")] == []


@pytest.mark.parametrize("operation", [op for op, _body in bodies(EXEMPLIFIED_TAGS)])
def test_each_example_is_a_body_its_schema_accepts(operation):
    published = schema()
    body = dict(bodies())[operation]
    # The body's reference resolves within a document that carries the components.
    validator = Draft202012Validator({**body, "components": published["components"]})
    for example in component(body)["examples"]:
        assert list(validator.iter_errors(example)) == [], example


def test_no_two_body_or_response_schemas_share_a_name():
    """The published schema names each component after its class; two classes of one name
    would leave one operation documented with the other's body."""
    import importlib
    import pkgutil

    from ninja import Schema

    import circlekeep

    defined = {}
    for module_info in pkgutil.iter_modules(circlekeep.__path__):
        try:
            module = importlib.import_module(f"circlekeep.{module_info.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, Schema)
                    and value.__module__ == module.__name__):
                defined.setdefault(name, []).append(module.__name__)
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}
