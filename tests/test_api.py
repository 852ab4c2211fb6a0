"""The scoring API: answers equal the core's, every bad input gets a 4xx with the field, and a fuzzer finds no 500."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from dashapp import api, catalogue, scoring
from dashapp.artifacts import ArtifactError

SCORE = "/api/v1/score"


def _app(loader) -> Flask:
    # What the app factory does, minus Dash.
    app = Flask(__name__)
    app.config[api.STORE_LOADER_KEY] = loader
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    return app


@pytest.fixture(scope="module")
def client(full_store):
    return _app(lambda: full_store).test_client()


@pytest.fixture(scope="module")
def model(full_store):
    return scoring.scoring_model(full_store)


def test_one_client_gets_the_same_answer_as_the_core(client, model):
    body = {"job": "unknown", "housing": "yes", "loan": "no", "age": 47, "marital": "married",
            "education": "basic.9y", "default": "unknown"}
    response = client.post(SCORE, json=body)
    assert response.status_code == 200
    expected = scoring.score_client(scoring.validate_client(body), model).to_dict()
    assert response.get_json() == expected
    assert response.get_json()["filled"][0]["field"] == "job"
    assert sum(v["count"] for v in expected["filled"][0]["votes"]) == 5


def test_a_list_of_clients_is_scored_in_order(client, model):
    clients = [{"job": "student", "housing": "no", "loan": "no"}, {"job": "admin.", "housing": "yes", "loan": "yes"},
               {"job": "technician", "housing": "yes", "loan": None, "age": 30}]
    response = client.post(SCORE, json={"clients": clients})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results == [r.to_dict() for r in scoring.score_clients([scoring.validate_client(c) for c in clients],
                                                                   model)]
    assert results[1]["segment"] == 2
    assert results[2]["filled"][0]["field"] == "loan"


def test_bad_clients_in_a_list_get_422_naming_each_field(client):
    clients = [{"job": "admin.", "housing": "yes", "loan": "no"}] * 3 + [{"job": "pilot", "housing": "yes",
                                                                         "loan": "no", "age": "forty"}]
    response = client.post(SCORE, json={"clients": clients})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["clients[3].job", "clients[3].age"]
    assert errors[0]["reason"].startswith("'pilot' is not a job category; expected one of admin.,")


def test_two_unknown_key_fields_get_422(client):
    response = client.post(SCORE, json={"job": "admin."})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["housing", "loan"]


@pytest.mark.parametrize(("body", "field", "reason"), [
    (b"{not json", "body", "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "body", "not valid JSON"),
    (b'{"age": ' + b"9" * 5000 + b"}", "body", "not valid JSON"),
    (b"\xff\xfe\x00", "body", "not valid JSON"),
    (b"null", "body", "a client must be an object"),
    (b'"admin."', "body", "a client must be an object"),
    (b'{"clients": {"job": "admin."}}', "clients", "must be a list of client objects"),
    (b'{"clients": []}', "clients", "must list from 1 to 10,000 clients; got 0"),
    (b'{"job": "admin.", "housing": "yes", "loan": "no", "age": 1e400}', "age", "is not an age"),
    (b'{"job": ["admin."], "housing": {"a": 1}, "loan": 3}', "job", "a list is not a job category"),
    (b'{"job": ' + b"[" * 900 + b"]" * 900 + b"}", "job", "a list is not a job category"),
])
def test_malformed_input_gets_422_with_field_and_reason(client, body, field, reason):
    response = client.post(SCORE, data=body, content_type="application/json")
    assert response.status_code == 422
    first = response.get_json()["errors"][0]
    assert first["field"] == field and reason in first["reason"]


def test_too_many_clients_get_422_and_errors_are_capped(client):
    response = client.post(SCORE, json={"clients": [{"job": "x"}] * 10_001})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["reason"] == "must list from 1 to 10,000 clients; got 10,001"
    response = client.post(SCORE, json={"clients": [{"job": "x"}] * 500})
    assert len(response.get_json()["errors"]) == api.MAX_ERRORS_LISTED
    assert response.get_json()["omitted"] == 500 * 3 - api.MAX_ERRORS_LISTED


def test_wrong_content_type_gets_415(client):
    response = client.post(SCORE, data="job=admin.", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["errors"][0]["field"] == "Content-Type"
    assert client.post(SCORE, data=b"{}").status_code == 415


def test_oversized_body_gets_413_without_being_read(client):
    body = b" " * (api.MAX_BODY_BYTES + 1)
    response = client.post(SCORE, data=body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than 4 MiB" in response.get_json()["errors"][0]["reason"]


def test_missing_artifacts_get_503_not_500():
    def broken():
        raise ArtifactError("No artifacts in model (no manifest.json).")

    response = _app(broken).test_client().post(SCORE, json={"job": "admin.", "housing": "yes", "loan": "no"})
    assert response.status_code == 503
    assert "make artifacts" in response.get_json()["errors"][0]["reason"]


def test_segments_lists_descriptions_and_products(client):
    segments = client.get("/api/v1/segments").get_json()["segments"]
    assert [s["segment"] for s in segments] == [1, 2, 3, 4]
    assert segments[2]["products"] == list(catalogue.SEGMENTS[3].products)


def test_openapi_document_names_the_mounted_server_and_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    assert set(document["paths"]) == {"/score", "/segments", "/openapi.json"}
    client_schema = document["components"]["schemas"]["Client"]
    assert client_schema["properties"]["job"]["enum"][:2] == ["admin.", "blue-collar"]
    assert set(document["paths"]["/score"]["post"]["responses"]) == {"200", "400", "413", "415", "422", "503"}


def test_the_real_app_serves_the_api_under_its_prefix(full_store, model):
    from app import server

    body = {"job": "services", "housing": "unknown", "loan": "no", "age": 29}
    response = server.test_client().post(SCORE, json=body)
    assert response.status_code == 200
    assert response.get_json() == scoring.score_client(scoring.validate_client(body), model).to_dict()


@pytest.fixture
def live_api(full_store):
    """The blueprint served over real HTTP on a free 127.0.0.1 port, stopped when the test ends."""
    server = make_server("127.0.0.1", 0, _app(lambda: full_store), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.slow
def test_schema_driven_fuzzing_finds_no_server_error_and_no_schema_violation(live_api, tmp_path):
    """Schemathesis generates valid and invalid bodies, types and content types from the OpenAPI document.

    Checks (all of schemathesis'): no 5xx, documented status codes, content types and response schemas,
    schema-invalid data rejected with a 4xx and schema-valid data accepted.
    """
    command = [str(Path(sys.executable).with_name("schemathesis")), "--no-color", "run",
               f"{live_api}/api/v1/openapi.json", "--checks", "all", "--mode", "all", "--max-examples", "100",
               "--seed", "20240601", "--workers", "2", "--request-timeout", "10",
               "--phases", "examples,coverage,fuzzing", "--report-dir", str(tmp_path)]
    # From tmp_path, so schemathesis' example database stays out of the repository.
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout


def test_api_module_needs_flask_but_not_dash():
    code = "import sys, dashapp.api; print('dash' in sys.modules, 'flask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split() == ["False", "True"]
