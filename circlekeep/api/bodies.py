"""Request bodies at the API's edge: JSON only, storable text only, and only what the
published schema allows.

Every operation is wrapped (before authentication and validation) by ``guard_bodies``:

* a body that is not ``application/json`` is refused with 415 (an empty form counts as
  no body);
* a body that does not parse as JSON is refused with 400;
* a body holding a NUL character or a broken Unicode sequence is refused with 400 naming
  the field (PostgreSQL cannot store a NUL; no encoding can send half a surrogate pair);
* a body that breaks the operation's JSON Schema (the one ``/api/v1/openapi.json``
  publishes) is refused with 422, in the same shape as the API's other validation errors.
  Pydantic alone is lenient where the schema is not: it reads ``"30"`` as 30, ``1`` as
  true, and a bare ``true`` as an object whose fields all have defaults. A client that
  sends what the schema forbids learns so instead of having it half-accepted.

The body is parsed once: the API's parser hands the checked value on to validation.
"""

import functools
import itertools
import json

from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from ninja.parser import Parser

from circlekeep.lib.text import find_unsafe_text

JSON = "application/json"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class CheckedJsonParser(Parser):
    """The body as ``guard_bodies`` parsed and checked it."""

    def parse_body(self, request):
        if hasattr(request, "checked_json"):
            return request.checked_json
        return super().parse_body(request)


def _refuse_constant(name):
    # NaN and Infinity are an extension of Python's, not JSON.
    raise ValueError(name)


def _body_schemas(operation):
    """(wrapping attribute, validator) for each body parameter of ``operation``."""
    schemas = []
    for model in operation.models:
        if model.__ninja_param_source__ != "body":
            continue
        validator = Draft202012Validator(model.model_json_schema())
        schemas.append((getattr(model, "__read_from_single_attr__", None), validator))
    return schemas


def _describe(errors):
    """Validation errors as ``{"type", "loc", "msg"}``, as many as ten, without echoing the
    input (which may be protected text)."""
    described = []
    for error in errors:
        if error.validator == "required":
            # One error per missing name, each naming the whole list: name each once.
            missing = [name for name in error.validator_value if name not in error.instance]
            described.extend({"type": "missing", "loc": ["body", *error.absolute_path, name],
                              "msg": _("Field required")} for name in missing)
        else:
            described.append(_describe_one(error))
    unique = []
    for item in described:
        if item not in unique:
            unique.append(item)
    return unique[:10]


def _describe_one(error):
    loc = ["body", *error.absolute_path]
    keyword = error.validator
    if keyword in ("type", "anyOf", "oneOf"):
        options = error.validator_value if keyword == "type" else [
            option.get("type", "") for option in error.validator_value]
        options = [options] if isinstance(options, str) else options
        if all(options):
            return {"type": "type", "loc": loc,
                    "msg": _("Input should be of type %(types)s")
                    % {"types": " or ".join(options)}}
    return {"type": keyword, "loc": loc,
            "msg": _("Input does not satisfy the schema's “%(keyword)s” rule")
            % {"keyword": keyword}}


def _is_empty_form(request):
    """A form body without a single field (some clients send one with every POST): it
    carries nothing, so it is treated as no body rather than refused."""
    if request.content_type not in FORMS:
        return False
    if request.content_type == FORMS[0]:
        return not request.body.strip(b"&")
    try:
        return not request.POST and not request.FILES
    except (ValueError, MultiPartParserError):
        return False


def guard_bodies(api):
    """A view decorator for every operation of ``api`` (see the module's docstring)."""

    def decorate(run):
        # Applied in "view" mode, to the operation's bound run method.
        schemas = _body_schemas(run.__self__)

        @functools.wraps(run)
        def guarded(request, *args, **kwargs):
            if request.body and not _is_empty_form(request):
                if request.content_type != JSON:
                    return api.create_response(request, {"detail": _(
                        "Send the request body as JSON, with the header "
                        "Content-Type: application/json.")}, status=415)
                try:
                    data = json.loads(request.body, parse_constant=_refuse_constant)
                except (ValueError, RecursionError):
                    return api.create_response(
                        request, {"detail": _("The request body is not valid JSON.")},
                        status=400)
                problem = find_unsafe_text(data)
                if problem is not None:
                    field, message = problem
                    body = {"detail": message, **({"field": field} if field else {})}
                    return api.create_response(request, body, status=400)
                for attribute, validator in schemas:
                    wrapped = {attribute: data} if attribute else data
                    errors = sorted(itertools.islice(validator.iter_errors(wrapped), 50),
                                    key=lambda e: [str(p) for p in e.path])
                    if errors:
                        return api.create_response(request, {"detail": _describe(errors)},
                                                   status=422)
                request.checked_json = data
            return run(request, *args, **kwargs)

        return guarded

    return decorate
