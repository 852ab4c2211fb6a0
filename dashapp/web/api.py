"""The scoring JSON API: a Flask blueprint and its OpenAPI 3.1 document.

The app factory calls :func:`mount`, which registers :data:`blueprint` at ``<URL_PREFIX>api/v1`` and answers
every other ``<URL_PREFIX>api/...`` path with a JSON 404 (and a wrong method with a JSON 405), so that nothing
under ``api/`` falls through to the pages' HTML. Every answer is JSON; a malformed request gets 413, 415 or
422 with ``{"errors": [{"field": ..., "reason": ...}]}``, missing artifacts 503, and nothing a client sends
can cause a 500. A ``reason`` is in the language of the request's ``Accept-Language`` (the app sets it; field
names, codes and the OpenAPI document stay English). In a list, each client is validated on its own: the good
ones are scored, the bad ones answered with their errors, in the order sent; a client may carry a ``client_id``,
which is echoed. The API scores with :func:`dashapp.artifacts.current.current_store`, the process's one artifact store,
which the pages use too. A little over 450 lines, with the OpenAPI document beside the routes it describes.
"""

from __future__ import annotations

import json
import logging
from itertools import combinations

from flask import Blueprint, Flask, current_app, jsonify, request, url_for
from werkzeug.exceptions import ClientDisconnected, MethodNotAllowed, RequestEntityTooLarge

from dashapp.artifacts import current
from dashapp.artifacts.model_folder import ArtifactError
from dashapp.artifacts.neighbours import N_NEIGHBOURS
from dashapp.core import catalogue, fields, i18n
from dashapp.core.i18n import _
from dashapp.scoring import scorer
from dashapp.scoring.model import UNCERTAIN_SHARE

logger = logging.getLogger(__name__)

blueprint = Blueprint("scoring_api", __name__)

MAX_CLIENTS = 10_000
#: Room for MAX_CLIENTS fully specified, pretty-printed clients.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: A 422, or one client of a list, lists this many errors, then says how many more there were.
MAX_ERRORS_LISTED = 100
#: Longest client_id string echoed.
MAX_CLIENT_ID_LENGTH = 200
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _error_list(errors: list[scorer.FieldError]) -> dict:
    body = {"errors": [{"field": e.field, "reason": e.reason} for e in errors[:MAX_ERRORS_LISTED]]}
    if len(errors) > MAX_ERRORS_LISTED:
        body["omitted"] = len(errors) - MAX_ERRORS_LISTED
    return body


def _errors(status: int, errors: list[scorer.FieldError]):
    return jsonify(_error_list(errors)), status


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _too_large():
    return _errors(413, [scorer.FieldError(
        "body", _("the body is larger than {mebibytes} MiB; send at most {count} clients per request").format(
            mebibytes=MAX_BODY_BYTES // (1024 * 1024), count=i18n.number(MAX_CLIENTS)))])


def _read_json():
    """The request's JSON document, or an error response (413, 415, 422)."""
    if not _is_json(request.mimetype):
        shown = request.mimetype or "none"
        return None, _errors(415, [scorer.FieldError(
            "Content-Type", _("{type} is not JSON; send the body as application/json").format(type=repr(shown[:60])))])
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None, _too_large()
    try:
        # A body without Content-Length (chunked) is read only up to the limit.
        body = request.stream.read(MAX_BODY_BYTES + 1)
    except RequestEntityTooLarge:  # the app's own MAX_CONTENT_LENGTH is smaller
        return None, _too_large()
    except ClientDisconnected:
        return None, _errors(400, [scorer.FieldError("body", _("the body ended before its announced length"))])
    if len(body) > MAX_BODY_BYTES:
        return None, _too_large()
    try:
        return json.loads(body), None
    except (ValueError, RecursionError) as error:
        # ValueError covers bad JSON, bad UTF-8 and integers too long to convert; RecursionError deep nesting.
        reason = str(error) if isinstance(error, json.JSONDecodeError) else type(error).__name__
        return None, _errors(422, [scorer.FieldError("body", _("not valid JSON ({reason})").format(
            reason=reason[:200]))])


def _client_id(item: object) -> tuple[object, list[scorer.FieldError]]:
    """The client's ``client_id`` (None if absent) and an error if it is neither a string nor an integer."""
    if not isinstance(item, dict) or fields.CLIENT_ID not in item:
        return None, []
    value = item[fields.CLIENT_ID]
    if isinstance(value, bool) or not isinstance(value, (str, int)) or (
            isinstance(value, str) and len(value) > MAX_CLIENT_ID_LENGTH):
        return None, [scorer.FieldError(fields.CLIENT_ID, _(
            "{value} is not a client identifier; expected a string of at most {length} characters or an "
            "integer").format(value=scorer.shown(value), length=MAX_CLIENT_ID_LENGTH))]
    return value, []


def _validated(item: object) -> tuple[object, scorer.Client | list[scorer.FieldError]]:
    """One client of a request: its echoed identifier, and the client or its errors."""
    client_id, errors = _client_id(item)
    values = {k: v for k, v in item.items() if k != fields.CLIENT_ID} if isinstance(item, dict) else item
    result = scorer.validate_client(values)
    if errors or isinstance(result, list):
        return client_id, errors + (result if isinstance(result, list) else [])
    return client_id, result


def _validate_payload(payload) -> tuple[list, bool, list[scorer.FieldError]]:
    """Each client's (identifier, client or errors), whether a list was sent, and the request's own errors.

    A list's clients are validated one by one (a bad one does not reject the others); the request as a whole
    is malformed, and answered 422, when it is not a client, or not ``{"clients": [...]}`` with 1 to
    MAX_CLIENTS clients, or when it is a single client that cannot be scored.
    """
    if isinstance(payload, dict) and "clients" in payload:
        extra = [scorer.FieldError(str(k)[:40], _("a list of clients is sent as {example} and nothing else").format(
                     example='{"clients": [...]}')) for k in payload if k != "clients"]
        items = payload["clients"]
        if not isinstance(items, list):
            return [], True, extra + [scorer.FieldError("clients", _("must be a list of client objects"))]
        if not 1 <= len(items) <= MAX_CLIENTS:
            return [], True, extra + [scorer.FieldError(
                "clients", _("must list from 1 to {most} clients; got {count}").format(
                    most=i18n.number(MAX_CLIENTS), count=i18n.number(len(items))))]
        return [_validated(item) for item in items], True, extra
    client_id, result = _validated(payload)
    if isinstance(result, list):
        return [], False, [scorer.FieldError(e.field or "body", e.reason) for e in result]
    return [(client_id, result)], False, []


def _answer(client_id: object, outcome, segments: dict[int, catalogue.Segment]) -> dict:
    """One client's entry in the response: its result or its errors, with its identifier when it had one."""
    answer = {fields.CLIENT_ID: client_id} if client_id is not None else {}
    if isinstance(outcome, scorer.ScoreResult):
        return {**answer, "status": scorer.SCORED, **outcome.to_dict(segments)}
    return {**answer, "status": scorer.NOT_SCORED, **_error_list(outcome)}


def _store_unavailable(error: Exception):
    logger.error("scoring API cannot load the artifacts: %s", error)
    return _errors(503, [scorer.FieldError("", _("the segmentation model is not available on this server; an "
                                                  "administrator must build it with `make artifacts`"))])


@blueprint.post("/score")
def score():
    """Score one client (a client object) or a list (``{"clients": [...]}``)."""
    payload, failure = _read_json()
    if failure is not None:
        return failure
    validated, is_list, errors = _validate_payload(payload)
    if errors:
        return _errors(422, errors)
    try:
        store = current.current_store()
        model = scorer.scoring_model(store)
        # The results name the segments and their products: a broken catalogue file is said here.
        segments = catalogue.segments(store)
    except (ArtifactError, OSError, ValueError) as error:
        return _store_unavailable(error)
    good = [client for _id, client in validated if isinstance(client, scorer.Client)]
    scored = iter(scorer.score_clients(good, model) if good else [])
    answers = [_answer(client_id, next(scored) if isinstance(client, scorer.Client) else client, segments)
               for client_id, client in validated]
    return jsonify({"results": answers} if is_list else answers[0])


@blueprint.before_request
def _options():
    """OPTIONS lists only this API's methods for the path (not those of the pages' catch-all route)."""
    if request.method != "OPTIONS":
        return None
    response = current_app.response_class(status=200)
    response.headers["Allow"] = ", ".join(_api_methods(request.path))
    return response


def _api_methods(path: str) -> list[str]:
    """The methods the blueprint's routes accept at ``path`` (empty when no route of it has that path)."""
    methods: set[str] = set()
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint.name}.") and not rule.arguments and rule.rule == path:
            methods |= set(rule.methods or ())
    return sorted(methods)


def _not_found(_rest: str = ""):
    """Whatever else reaches ``api/``: a path of the API asked with another method gets 405, any other 404."""
    methods = _api_methods(request.path)
    if methods:
        return _method_not_allowed(MethodNotAllowed(valid_methods=methods))
    return _errors(404, [scorer.FieldError("path", _("{path} is not a path of this API; see {document}").format(
        path=repr(request.path[:200]), document=url_for("scoring_api.openapi")))])


def _method_not_allowed(error: MethodNotAllowed):
    allowed = sorted(m for m in (error.valid_methods or []) if m not in ("HEAD", "OPTIONS"))
    reason = _("{method} is not allowed here; use {allowed}").format(method=request.method, allowed=", ".join(allowed))
    response, status = _errors(405, [scorer.FieldError("method", reason)])
    response.headers["Allow"] = ", ".join(error.valid_methods or [])
    return response, status


def mount(server: Flask, url_prefix: str = "/") -> None:
    """Serve the API at ``<url_prefix>api/v1`` and answer the rest of ``<url_prefix>api/`` in JSON.

    Parameters
    ----------
    server : Flask
        The app's server.
    url_prefix : str
        The app's URL prefix, ending with ``/``.
    """
    api_root = url_prefix + "api"
    server.register_blueprint(blueprint, url_prefix=api_root + "/v1")
    # Without these the pages' catch-all route answers any other api/ path with the HTML page and a 200.
    for number, rule in enumerate((api_root, api_root + "/", api_root + "/<path:_rest>")):
        server.add_url_rule(rule, f"api_not_found_{number}", _not_found, methods=_ALL_METHODS)

    def method_not_allowed(error: MethodNotAllowed):
        if request.path == api_root or request.path.startswith(api_root + "/"):
            return _method_not_allowed(error)
        return error

    server.register_error_handler(MethodNotAllowed, method_not_allowed)


@blueprint.get("/segments")
def segments():
    """Every segment with its description, suggested products and the original study's recommendation."""
    try:
        segments = catalogue.segments(current.current_store())
    except (ArtifactError, OSError, ValueError) as error:  # ValueError: a malformed product catalogue file
        return _store_unavailable(error)
    return jsonify({"segments": [
        {"segment": s.number, "name": s.name, "description": s.description, "products": list(s.products),
         "original_recommendation": s.original_recommendation, "colour": s.colour}
        for s in segments.values()]})


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, with the server URL it is mounted at."""
    base = url_for(".openapi").rsplit("/", 1)[0]
    return jsonify(openapi_document(base))


# --- The OpenAPI document --------------------------------------------------------------------------------


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def openapi_document(server_url: str = "/api/v1") -> dict:
    """The OpenAPI 3.1 description of the scoring API.

    Parameters
    ----------
    server_url : str
        The path (or URL) the blueprint is mounted at.

    Returns
    -------
    dict
        JSON-ready.
    """
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bank client segmentation: scoring API", "version": "1.0.0",
                 "description": "Assigns bank clients to the segments of the segmentation studio (GET /segments lists them)."},
        "servers": [{"url": server_url}],
        "paths": {"/score": {"post": _score_operation()}, "/segments": {"get": _segments_operation()},
                  "/openapi.json": {"get": _openapi_operation()}},
        "components": {"schemas": {"Client": _client_schema(), "ScoreResult": _score_result_schema(),
                                   "NotScored": _not_scored_schema(), "Filled": _filled_schema(),
                                   "Errors": _errors_schema(), "Segment": _segment_schema()}},
    }


def _score_operation() -> dict:
    return {
        "operationId": "score",
        "summary": f"Score one client, or a list of up to {MAX_CLIENTS:,}",
        "description": "A list's clients are validated one by one: the answer has one entry per client, "
                       "in the order sent, a result or the client's errors; only a malformed request "
                       "as a whole (or a single client that cannot be scored) gets 422.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/Client"},
            {"type": "object", "required": ["clients"], "additionalProperties": False,
             "properties": {"clients": {
                 "type": "array", "minItems": 1, "maxItems": MAX_CLIENTS,
                 # Any item is accepted: one that is not a valid Client is answered with its errors.
                 "items": {"anyOf": [{"$ref": "#/components/schemas/Client"},
                                     {"description": "anything else: answered with this client's "
                                                    "errors, the others are still scored"}]}}}},
        ]}}}},
        "responses": {
            "200": {"description": "The segment of the client, or {\"results\": [...]} for a list, one "
                                   "entry per client in the order sent",
                    "content": {"application/json": {"schema": {"oneOf": [
                        {"$ref": "#/components/schemas/ScoreResult"},
                        {"type": "object", "required": ["results"], "properties": {"results": {
                            "type": "array", "items": {"oneOf": [
                                {"$ref": "#/components/schemas/ScoreResult"},
                                {"$ref": "#/components/schemas/NotScored"}]}}}},
                    ]}}}},
            "400": _error_response("The body ended before its announced length"),
            "413": _error_response(f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB"),
            "415": _error_response("The body is not JSON"),
            "422": _error_response("Invalid JSON, a malformed list, or a single client that cannot be "
                                   "scored: each error names the field and the reason"),
            "503": _error_response("The model artifacts are not built on this server"),
        },
    }


def _segments_operation() -> dict:
    return {
        "operationId": "segments", "summary": "The segments, their descriptions and suggested products",
        "responses": {"200": {"description": "Every segment", "content": {"application/json": {"schema": {
            "type": "object", "required": ["segments"],
            "properties": {"segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}}}}}}},
    }


def _openapi_operation() -> dict:
    return {
        "operationId": "openapi", "summary": "This document",
        "responses": {"200": {"description": "The OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }


def _client_id_schema(description: str) -> dict:
    return {"type": ["string", "integer"], "maxLength": MAX_CLIENT_ID_LENGTH, "description": description}


def _client_schema() -> dict:
    low, high = fields.AGE_RANGE
    properties = {fields.CLIENT_ID: _client_id_schema("Optional: any identifier of yours, echoed in the answer")}
    for f in fields.FIELDS:
        if f.kind == fields.CATEGORY and f.name in fields.KEY_FIELDS:
            properties[f.name] = {"type": ["string", "null"], "enum": [*f.categories, None],
                                  "description": f"{f.label}; null, absent or 'unknown' when not known (then "
                                                 "filled by the vote)"}
        elif f.kind == fields.CATEGORY:
            properties[f.name] = {"type": ["string", "null"], "enum": [*f.categories, None],
                                  "description": f"{f.label}; null or absent when not given (left out of the "
                                                 "vote's comparison); 'unknown' is a category of its own"}
        else:
            properties[f.name] = {"type": ["integer", "null"], "minimum": low, "maximum": high,
                                  "description": f"{f.label}: {f.rule}; null or absent when not known"}
    return {
        "type": "object", "additionalProperties": False,
        "description": f"One client. At least two of {fields.label_list(fields.KEY_FIELDS)} must be known; a "
                       f"missing one is filled by a majority vote of the {N_NEIGHBOURS} training clients most "
                       f"similar on the fields given, and every one as similar as the {N_NEIGHBOURS}th.",
        "properties": properties,
        # "At least two key fields known", spelled out as the pairs that may be known.
        "anyOf": [{"required": list(pair), "properties": {k: {"enum": list(fields.BY_NAME[k].known_categories)}
                                                          for k in pair}}
                  for pair in combinations(fields.KEY_FIELDS, 2)],
    }


def _segment_number_schema() -> dict:
    """The segment numbers of the artifacts in use (1 to k); without artifacts, any positive number."""
    try:
        return {"type": "integer", "enum": list(current.current_store().segment_numbers)}
    except ArtifactError:
        return {"type": "integer", "minimum": 1}


def _score_result_schema() -> dict:
    return {
        "type": "object",
        "required": ["status", "segment", "name", "description", "products", "key_fields", "filled",
                     "decision_path"],
        "properties": {
            fields.CLIENT_ID: _client_id_schema("The client_id sent with this client, if any"),
            "status": {"const": scorer.SCORED},
            "segment": _segment_number_schema(),
            "name": {"type": "string"}, "description": {"type": "string"},
            "products": {"type": "array", "items": {"type": "string"}},
            "key_fields": {"type": "object", "required": list(fields.KEY_FIELDS),
                           "properties": {k: {"type": "string", "enum": list(fields.BY_NAME[k].known_categories)}
                                          for k in fields.KEY_FIELDS}},
            "filled": {"type": "array", "maxItems": 1, "items": {"$ref": "#/components/schemas/Filled"}},
            "decision_path": {"type": "array", "items": {"type": "integer"},
                              "description": "Tree node ids from the root to the leaf"},
        },
    }


def _error_properties() -> dict:
    return {
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
        "omitted": {"type": "integer", "description": f"errors beyond the first {MAX_ERRORS_LISTED}, not listed"},
    }


def _not_scored_schema() -> dict:
    return {
        "type": "object", "required": ["status", "errors"],
        "description": "A client of a list that could not be scored, with its errors (fields as in Client)",
        "properties": {fields.CLIENT_ID: _client_id_schema("The client_id sent with this client, if any"),
                       "status": {"const": scorer.NOT_SCORED}, **_error_properties()},
    }


def _errors_schema() -> dict:
    return {"type": "object", "required": ["errors"], "properties": _error_properties()}


def _filled_schema() -> dict:
    tie = {
        "type": "object", "required": ["between", "votes", "broken_by", "deciding_neighbour"],
        "properties": {
            "between": {"type": "array", "minItems": 2, "items": {"type": "string"},
                        "description": "The categories that share the most votes, the chosen one first"},
            "votes": {"type": "integer", "minimum": 1, "description": "The votes each of them got"},
            "broken_by": {"const": "nearest_neighbour",
                          "description": "The tie went to the category of the nearest tied voter"},
            "deciding_neighbour": {"type": ["integer", "null"],
                                   "description": "That voter's row number (null when it is not among the "
                                                  "5 nearest listed in neighbours)"}}}
    return {
        "type": "object",
        "required": ["field", "value", "votes", "voters", "share", "uncertain", "alternative", "neighbours", "tie"],
        "properties": {
            "field": {"type": "string", "enum": list(fields.KEY_FIELDS)},
            "value": {"type": "string"},
            "votes": {"type": "array", "items": {
                "type": "object", "required": ["value", "count"],
                "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}}},
            "voters": {"type": "integer", "minimum": 1,
                       "description": f"How many training clients voted: the {N_NEIGHBOURS} nearest on the fields "
                                      f"given and every one as near as the {N_NEIGHBOURS}th (a field not given "
                                      "is left out of the distance; it is not the value 'unknown')"},
            "share": {"type": "number", "minimum": 0, "maximum": 1,
                      "description": "The winning value's share of the votes"},
            "uncertain": {"type": "boolean",
                          "description": f"True when the winner holds under {UNCERTAIN_SHARE:.0%} of the votes: "
                                         "the segment is then close to a coin flip"},
            "alternative": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["value", "segment"],
                "properties": {"value": {"type": "string", "description": "The runner-up value"},
                               "segment": {"type": "integer", "minimum": 1,
                                           "description": "The segment with the runner-up filled in"}}}],
                "description": "What the answer would be the other way; null when every voter held the winner"},
            "neighbours": {"type": "array", "items": {"type": "integer"},
                           "description": f"The {N_NEIGHBOURS} nearest voters' row numbers in the data file "
                                          "(0-based), nearest first (equal distances: time order)"},
            "tie": {"oneOf": [{"type": "null"}, tie],
                    "description": "null when the vote had a majority; else the tie and how it was broken. A tie "
                                   "means the filled value, and possibly the segment, could as well have been "
                                   "another"},
        },
    }


def _segment_schema() -> dict:
    return {
        "type": "object",
        "required": ["segment", "name", "description", "products", "original_recommendation", "colour"],
        "properties": {"segment": {"type": "integer"}, "name": {"type": "string"},
                       "description": {"type": "string"},
                       "products": {"type": "array", "items": {"type": "string"}},
                       "original_recommendation": {
                           "type": "string",
                           "description": "What the original study, " + catalogue.ORIGINAL_STUDY_URL
                                          + ", recommends for the segment"},
                       "colour": {"type": "string"}},
    }
