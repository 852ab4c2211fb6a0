"""The scoring API: answers equal the core's, every bad input gets a 4xx with the field, and a fuzzer finds no 500."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from dashapp.artifacts import current
from dashapp.artifacts.current import current_store
from dashapp.artifacts.model_folder import ArtifactError
from dashapp.core import catalogue, fields
from dashapp.scoring import scorer
from dashapp.web import api

SCORE = "/api/v1/score"


def _app() -> Flask:
    # What the app factory does, minus Dash; the API scores with the process's store, the full artifacts in model/.
    app = Flask(__name__)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    return app


@pytest.fixture(scope="module")
def client(full_store):
    return _app().test_client()


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def test_one_client_gets_the_same_answer_as_the_core(client, model):
    body = {"job": "unknown", "housing": "yes", "loan": "no", "age": 47, "marital": "married",
            "education": "basic.9y", "default": "unknown"}
    response = client.post(SCORE, json=body)
    assert response.status_code == 200
    expected = scorer.score_client(scorer.validate_client(body), model).to_dict(catalogue.segments(current_store()))
    assert response.get_json() == {"status": "scored", **expected}
    assert response.get_json()["filled"][0]["field"] == "job"
    assert sum(v["count"] for v in expected["filled"][0]["votes"]) == expected["filled"][0]["voters"] >= 5


def test_a_list_of_clients_is_scored_in_order(client, model):
    clients = [{"job": "student", "housing": "no", "loan": "no"}, {"job": "admin.", "housing": "yes", "loan": "yes"},
               {"job": "technician", "housing": "yes", "loan": None, "age": 30}]
    response = client.post(SCORE, json={"clients": clients})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results == [{"status": "scored", **r.to_dict(catalogue.segments(current_store()))}
                       for r in scorer.score_clients([scorer.validate_client(c) for c in clients], model)]
    assert results[1]["segment"] == 2
    assert results[2]["filled"][0]["field"] == "loan"


def test_a_mixed_list_scores_the_good_clients_and_answers_the_bad_ones_in_order(client, model):
    good = {"job": "admin.", "housing": "yes", "loan": "no"}
    clients = [{**good, "client_id": "A-1"}, {"job": "pilot", "housing": "yes", "loan": "no", "age": "forty",
                                               "client_id": 2},
               {**good, "client_id": 3}, "not a client", {**good, "client_id": True}, {"job": "student"}]
    response = client.post(SCORE, json={"clients": clients})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["scored", "not scored", "scored", "not scored", "not scored",
                                              "not scored"]
    assert [r.get("client_id") for r in results] == ["A-1", 2, 3, None, None, None]
    segments = catalogue.segments(current_store())
    assert results[0] == {"client_id": "A-1", "status": "scored",
                          **scorer.score_client(scorer.validate_client(good), model).to_dict(segments)}
    assert [e["field"] for e in results[1]["errors"]] == ["job", "age"]
    assert results[1]["errors"][0]["reason"].startswith("'pilot' is not a category of Job; expected one of admin.,")
    assert results[3]["errors"][0]["reason"].startswith("a client must be an object")
    assert results[4]["errors"] == [{"field": "client_id", "reason": "True is not a client identifier; expected a "
                                                                     "string of at most 200 characters or an integer"}]
    assert [e["field"] for e in results[5]["errors"]] == ["housing", "loan"]
    assert "Housing loan and Personal loan are unknown" in results[5]["errors"][0]["reason"]


def test_a_client_id_is_echoed_for_one_client(client):
    response = client.post(SCORE, json={"client_id": 12345678901234567890, "job": "student", "housing": "no",
                                         "loan": "no"})
    assert response.status_code == 200
    assert response.get_json()["client_id"] == 12345678901234567890
    assert "client_id" not in client.post(SCORE, json={"job": "student", "housing": "no", "loan": "no"}).get_json()


def test_the_issues_tied_vote_is_said_in_the_answer(client, full_store):
    from dashapp.views.score import typical_client

    body = {**typical_client(full_store.clients), "job": "unknown", "age": 23, "marital": "single"}
    filled = client.post(SCORE, json=body).get_json()["filled"][0]
    assert [(v["value"], v["count"]) for v in filled["votes"]] == [("management", 2), ("admin.", 2),
                                                                   ("unemployed", 1)]
    assert filled["tie"]["between"] == ["management", "admin."]
    assert filled["tie"]["broken_by"] == "nearest_neighbour"
    assert filled["tie"]["deciding_neighbour"] in filled["neighbours"]
    assert filled["value"] == "management" and filled["uncertain"] and filled["share"] == 0.4


def test_only_the_fields_given_decide_who_votes_and_the_answer_says_how_sure_it_is(client, model, full_store):
    """The issue's example: job and personal loan only. Every training client with both votes; the split is said."""
    filled = client.post(SCORE, json={"job": "technician", "loan": "no"}).get_json()["filled"][0]
    train = full_store.clients[full_store.clients["split"] == "train"]
    same = train[(train["job"].astype(str) == "technician") & (train["loan"].astype(str) == "no")
                 & (train["housing"].astype(str) != "unknown")]
    assert filled["voters"] == len(same)
    assert filled["uncertain"] is True and 0.5 <= filled["share"] < 0.6
    assert filled["alternative"]["value"] != filled["value"] and filled["alternative"]["segment"] >= 1

def test_two_unknown_key_fields_get_422(client):
    response = client.post(SCORE, json={"job": "admin."})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["housing", "loan"]
    assert response.get_json()["errors"][0]["reason"] == ("Housing loan and Personal loan are unknown; at least two "
                                                          "of Job, Housing loan and Personal loan must be known")


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
    (b'{"job": ["admin."], "housing": {"a": 1}, "loan": 3}', "job", "a list is not a category of Job"),
    (b'{"job": ' + b"[" * 900 + b"]" * 900 + b"}", "job", "a list is not a category of Job"),
    (b'{"clients": [{"job": "admin."}], "extra": 1}', "extra", "a list of clients is sent as"),
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
    many = {f"x{i}": 1 for i in range(150)}
    response = client.post(SCORE, json=many)
    assert response.status_code == 422
    assert len(response.get_json()["errors"]) == api.MAX_ERRORS_LISTED
    assert response.get_json()["omitted"] == 150 + 3 - api.MAX_ERRORS_LISTED  # and job, housing, loan unknown
    (answer,) = client.post(SCORE, json={"clients": [many]}).get_json()["results"]
    assert len(answer["errors"]) == api.MAX_ERRORS_LISTED and answer["omitted"] == 53


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


def test_missing_artifacts_get_503_not_500(monkeypatch):
    def broken():
        raise ArtifactError("No artifacts in model (no manifest.json).")

    monkeypatch.setattr(current, "current_store", broken)
    response = _app().test_client().post(SCORE, json={"job": "admin.", "housing": "yes", "loan": "no"})
    assert response.status_code == 503
    assert "make artifacts" in response.get_json()["errors"][0]["reason"]


def test_segments_lists_descriptions_and_products(client):
    segments = client.get("/api/v1/segments").get_json()["segments"]
    assert [s["segment"] for s in segments] == [1, 2, 3, 4]
    assert segments[2]["products"] == list(catalogue.segments(current_store())[3].products)


def test_openapi_document_names_the_mounted_server_and_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    assert set(document["paths"]) == {"/score", "/segments", "/openapi.json"}
    client_schema = document["components"]["schemas"]["Client"]
    assert client_schema["properties"]["job"]["enum"][:2] == ["admin.", "blue-collar"]
    assert set(client_schema["properties"]) == {"client_id", *fields.NAMES}  # derived from dashapp.core.fields
    assert client_schema["properties"]["age"]["minimum"] == fields.AGE_RANGE[0]
    assert client_schema["properties"]["client_id"]["type"] == ["string", "integer"]
    schemas = document["components"]["schemas"]
    assert "tie" in schemas["Filled"]["required"] and schemas["NotScored"]["properties"]["status"] == {
        "const": "not scored"}
    assert set(document["paths"]["/score"]["post"]["responses"]) == {"200", "400", "413", "415", "422", "503"}


def test_the_real_app_serves_the_api_under_its_prefix(full_store, model):
    from app import server

    body = {"job": "services", "housing": "unknown", "loan": "no", "age": 29}
    response = server.test_client().post(SCORE, json=body)
    assert response.status_code == 200
    segments = catalogue.segments(current_store())
    assert response.get_json() == {"status": "scored",
                                   **scorer.score_client(scorer.validate_client(body), model).to_dict(segments)}


@pytest.mark.parametrize("prefix", ["/", "/studio/"])
def test_wrong_methods_and_unknown_api_paths_get_json_not_the_pages_html(full_store, prefix):
    """Mounted as the app mounts it, beside a catch-all page route like Dash's, under a URL prefix."""
    app = Flask(__name__)
    app.add_url_rule(prefix + "<path:path>", "page", lambda path: "<html>a page</html>")
    api.mount(app, prefix)
    web = app.test_client()
    response = web.get(prefix + "api/v1/score")
    assert response.status_code == 405 and response.headers["Allow"] == "OPTIONS, POST"
    assert response.get_json()["errors"][0] == {"field": "method", "reason": "GET is not allowed here; use POST"}
    assert web.post(prefix + "api/v1/segments").status_code == 405
    for path in ("api/v1/nope", "api/v2/score", "api/", "api"):
        response = web.get(prefix + path)
        assert response.status_code == 404 and response.is_json, path
        assert "is not a path of this API" in response.get_json()["errors"][0]["reason"]
    assert web.post(prefix + "api/v1/score", json={"job": "student", "housing": "no", "loan": "no"}).status_code == 200
    assert web.get(prefix + "score").get_data(as_text=True) == "<html>a page</html>"


def test_the_real_app_answers_json_for_wrong_methods_and_unknown_api_paths(full_store):
    from app import server

    web = server.test_client()
    assert web.get(SCORE).status_code == 405 and web.get(SCORE).is_json
    assert web.get("/api/nothing").status_code == 404 and web.get("/api/nothing").is_json
    assert web.get("/score").status_code == 200  # the page itself


@pytest.fixture
def live_api(full_store):
    """The blueprint served over real HTTP on a free 127.0.0.1 port, stopped when the test ends."""
    server = make_server("127.0.0.1", 0, _app(), threaded=True)
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
