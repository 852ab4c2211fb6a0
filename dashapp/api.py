"""The scoring JSON API: a Flask blueprint and its OpenAPI 3.1 document.

The app factory mounts :data:`blueprint` (``server.register_blueprint(blueprint, url_prefix="/api/v1")``).
Every answer is JSON; bad input gets 413, 415 or 422 with ``{"errors": [{"field": ..., "reason": ...}]}``,
missing artifacts 503, and nothing a client sends can cause a 500. The store comes from
``current_app.config["ARTIFACT_STORE_LOADER"]`` (a callable returning an
:class:`dashapp.artifacts.ArtifactStore`, the same one on every call) when set, else from
:func:`dashapp.store.current_store`, the process's store that the pages use too.
"""

from __future__ import annotations

import json
import logging
from itertools import combinations

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from dashapp import catalogue, domain, scoring, store
from dashapp.artifacts import ArtifactError

logger = logging.getLogger(__name__)

blueprint = Blueprint("scoring_api", __name__)

#: The config key the app factory may set to a zero-argument callable returning the artifact store.
STORE_LOADER_KEY = "ARTIFACT_STORE_LOADER"
MAX_CLIENTS = 10_000
#: Room for MAX_CLIENTS fully specified, pretty-printed clients.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: A 422 lists this many errors, then says how many more there were.
MAX_ERRORS_LISTED = 100


def current_store():
    """The artifact store this request scores with (see the module docstring)."""
    loader = current_app.config.get(STORE_LOADER_KEY, store.current_store)
    return loader()


def _errors(status: int, errors: list[scoring.FieldError]):
    body = {"errors": [{"field": e.field, "reason": e.reason} for e in errors[:MAX_ERRORS_LISTED]]}
    if len(errors) > MAX_ERRORS_LISTED:
        body["omitted"] = len(errors) - MAX_ERRORS_LISTED
    return jsonify(body), status


def _prefixed(prefix: str, errors: list[scoring.FieldError]) -> list[scoring.FieldError]:
    return [scoring.FieldError(f"{prefix}.{e.field}" if e.field else prefix, e.reason) for e in errors]


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _too_large():
    return _errors(413, [scoring.FieldError(
        "body", f"the body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB; send at most "
                f"{MAX_CLIENTS:,} clients per request")])


def _read_json():
    """The request's JSON document, or an error response (413, 415, 422)."""
    if not _is_json(request.mimetype):
        shown = request.mimetype or "none"
        return None, _errors(415, [scoring.FieldError(
            "Content-Type", f"{shown[:60]!r} is not JSON; send the body as application/json")])
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None, _too_large()
    try:
        # A body without Content-Length (chunked) is read only up to the limit.
        body = request.stream.read(MAX_BODY_BYTES + 1)
    except RequestEntityTooLarge:  # the app's own MAX_CONTENT_LENGTH is smaller
        return None, _too_large()
    except ClientDisconnected:
        return None, _errors(400, [scoring.FieldError("body", "the body ended before its announced length")])
    if len(body) > MAX_BODY_BYTES:
        return None, _too_large()
    try:
        return json.loads(body), None
    except (ValueError, RecursionError) as error:
        # ValueError covers bad JSON, bad UTF-8 and integers too long to convert; RecursionError deep nesting.
        reason = str(error) if isinstance(error, json.JSONDecodeError) else type(error).__name__
        return None, _errors(422, [scoring.FieldError("body", f"not valid JSON ({reason[:200]})")])


def _validate_payload(payload) -> tuple[list[scoring.Client] | None, bool, list[scoring.FieldError]]:
    """Clients, whether a list was sent, and the errors (for a list, fields like ``clients[3].job``)."""
    if isinstance(payload, dict) and "clients" in payload:
        extra = [scoring.FieldError(str(k)[:40], "a list of clients is sent as {\"clients\": [...]} and nothing else")
                 for k in payload if k != "clients"]
        items = payload["clients"]
        if not isinstance(items, list):
            return None, True, extra + [scoring.FieldError("clients", "must be a list of client objects")]
        if not 1 <= len(items) <= MAX_CLIENTS:
            return None, True, extra + [scoring.FieldError(
                "clients", f"must list from 1 to {MAX_CLIENTS:,} clients; got {len(items):,}")]
        clients, errors = [], list(extra)
        for i, item in enumerate(items):
            result = scoring.validate_client(item)
            if isinstance(result, list):
                errors.extend(_prefixed(f"clients[{i}]", result))
            else:
                clients.append(result)
        return clients, True, errors
    result = scoring.validate_client(payload)
    if isinstance(result, list):
        return None, False, [scoring.FieldError(e.field or "body", e.reason) for e in result]
    return [result], False, []


def _store_unavailable(error: Exception):
    logger.error("scoring API cannot load the artifacts: %s", error)
    return _errors(503, [scoring.FieldError("", "the segmentation model is not available on this server; "
                                                "an administrator must build it with `make artifacts`")])


@blueprint.post("/score")
def score():
    """Score one client (a client object) or a list (``{"clients": [...]}``)."""
    payload, failure = _read_json()
    if failure is not None:
        return failure
    clients, is_list, errors = _validate_payload(payload)
    if errors:
        return _errors(422, errors)
    try:
        model = scoring.scoring_model(current_store())
    except (ArtifactError, OSError, ValueError) as error:
        return _store_unavailable(error)
    results = [r.to_dict() for r in scoring.score_clients(clients, model)]
    return jsonify({"results": results} if is_list else results[0])


@blueprint.get("/segments")
def segments():
    """Every segment with its description, suggested products and the original study's recommendation."""
    return jsonify({"segments": [
        {"segment": s.number, "name": s.name, "description": s.description, "products": list(s.products),
         "original_recommendation": s.original_recommendation, "colour": s.colour}
        for s in catalogue.SEGMENTS.values()]})


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
    category = {name: {"type": ["string", "null"], "enum": [*domain.CATEGORIES[name], None],
                       "description": f"{name}; null, absent or 'unknown' when not known"}
                for name in scoring.CATEGORY_FIELDS}
    client = {
        "type": "object", "additionalProperties": False,
        "description": "One client. At least two of job, housing and loan must be known; a missing one is filled "
                       "by a majority vote of the 5 most similar training clients.",
        "properties": {**category, "age": {"type": ["integer", "null"], "minimum": scoring.AGE_RANGE[0],
                                           "maximum": scoring.AGE_RANGE[1]}},
        # "At least two key fields known", spelled out as the three pairs that may be known.
        "anyOf": [{"required": list(pair), "properties": {k: {"enum": list(domain.known_categories(k))}
                                                          for k in pair}}
                  for pair in combinations(scoring.KEY_FIELDS, 2)],
    }
    result = {
        "type": "object",
        "required": ["segment", "name", "description", "products", "key_fields", "filled", "decision_path"],
        "properties": {
            "segment": {"type": "integer", "enum": sorted(catalogue.SEGMENTS)},
            "name": {"type": "string"}, "description": {"type": "string"},
            "products": {"type": "array", "items": {"type": "string"}},
            "key_fields": {"type": "object", "required": list(scoring.KEY_FIELDS),
                           "properties": {k: {"type": "string", "enum": list(domain.known_categories(k))}
                                          for k in scoring.KEY_FIELDS}},
            "filled": {"type": "array", "maxItems": 1, "items": {"$ref": "#/components/schemas/Filled"}},
            "decision_path": {"type": "array", "items": {"type": "integer"},
                              "description": "Tree node ids from the root to the leaf"},
        },
    }
    filled = {
        "type": "object", "required": ["field", "value", "votes", "neighbours"],
        "properties": {
            "field": {"type": "string", "enum": list(scoring.KEY_FIELDS)},
            "value": {"type": "string"},
            "votes": {"type": "array", "items": {
                "type": "object", "required": ["value", "count"],
                "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}}},
            "neighbours": {"type": "array", "items": {"type": "integer"},
                           "description": "The voters' row numbers in the data file (0-based), nearest first"},
        },
    }
    errors = {
        "type": "object", "required": ["errors"],
        "properties": {
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}}}},
            "omitted": {"type": "integer", "description": "errors beyond the first 100, not listed"},
        },
    }
    segment = {"type": "object",
               "required": ["segment", "name", "description", "products", "original_recommendation", "colour"],
               "properties": {"segment": {"type": "integer"}, "name": {"type": "string"},
                              "description": {"type": "string"},
                              "products": {"type": "array", "items": {"type": "string"}},
                              "original_recommendation": {
                                  "type": "string",
                                  "description": "What the original study, " + catalogue.ORIGINAL_STUDY_URL
                                                 + ", recommends for the segment"},
                              "colour": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bank client segmentation: scoring API", "version": "1.0.0",
                 "description": "Assigns bank clients to the four segments of the segmentation studio."},
        "servers": [{"url": server_url}],
        "paths": {
            "/score": {"post": {
                "operationId": "score",
                "summary": f"Score one client, or a list of up to {MAX_CLIENTS:,}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                    {"$ref": "#/components/schemas/Client"},
                    {"type": "object", "required": ["clients"], "additionalProperties": False,
                     "properties": {"clients": {"type": "array", "minItems": 1, "maxItems": MAX_CLIENTS,
                                                "items": {"$ref": "#/components/schemas/Client"}}}},
                ]}}}},
                "responses": {
                    "200": {"description": "The segment of the client, or {\"results\": [...]} for a list",
                            "content": {"application/json": {"schema": {"oneOf": [
                                {"$ref": "#/components/schemas/ScoreResult"},
                                {"type": "object", "required": ["results"], "properties": {"results": {
                                    "type": "array", "items": {"$ref": "#/components/schemas/ScoreResult"}}}},
                            ]}}}},
                    "400": _error_response("The body ended before its announced length"),
                    "413": _error_response(f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB"),
                    "415": _error_response("The body is not JSON"),
                    "422": _error_response("Invalid JSON or invalid clients: each error names the field "
                                           "(clients[3].job for a list) and the reason"),
                    "503": _error_response("The model artifacts are not built on this server"),
                },
            }},
            "/segments": {"get": {
                "operationId": "segments", "summary": "The segments, their descriptions and suggested products",
                "responses": {"200": {"description": "Every segment", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["segments"],
                    "properties": {"segments": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Segment"}}}}}}}},
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": {"Client": client, "ScoreResult": result, "Filled": filled, "Errors": errors,
                                   "Segment": segment}},
    }
