"""The request body limit: a live gunicorn refuses an oversized body from its Content-Length, before reading it.

A raw socket announces a body larger than the limit and sends a few bytes of it: the answer must be 413 at once
(were the worker waiting for the body, the read would time out). The API keeps its own, smaller limit and its
JSON 413; the limit leaves room for the largest upload the Score page sends.
"""

from __future__ import annotations

import base64
import json
import socket

import pytest

from dashapp.scoring.client_files import MAX_UPLOAD_BYTES
from dashapp.web import api
from dashapp.web.app import MAX_REQUEST_BYTES
from tests.browser_helpers import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn as the Procfile starts it, without artifacts (the limits come before any of them)."""
    live = LiveServer({"BANK_MODEL_DIR": str(tmp_path_factory.mktemp("no-model"))})
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()


def _post_head(server, path: str, length: int, content_type: str = "application/json") -> bytes:
    """Announce a POST body of ``length`` bytes, send its first few, and return the answer's status line and
    headers and as much of its body as arrives before the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(f"POST {server.prefix}{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                     f"Content-Length: {length}\r\n\r\n".encode() + b'{"output": "')
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        head, _, body = answer.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        while len(body) < int(headers.get("Content-Length", 0)):
            data = sock.recv(65536)
            if not data:
                break
            body += data
    return head.split(b"\r\n")[0], headers, body


@pytest.mark.parametrize("length", [MAX_REQUEST_BYTES + 1, 200 * 1024 * 1024, 10**12])
def test_a_callback_body_over_the_limit_is_refused_before_it_is_read(server, length):
    status, _headers, _body = _post_head(server, "_dash-update-component", length)
    assert status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"


@pytest.mark.parametrize("length", [api.MAX_BODY_BYTES + 1, MAX_REQUEST_BYTES + 1])
def test_the_api_keeps_its_own_smaller_limit_and_its_json_answer(server, length):
    status, headers, body = _post_head(server, "api/v1/score", length)
    assert status == b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"
    assert headers["Content-Type"].startswith("application/json")
    assert "larger than 4 MiB" in json.dumps(json.loads(body))


def test_the_limit_leaves_room_for_the_largest_upload_the_score_page_sends():
    # The download's request is the larger of the two: the upload, its name and the kept file's token.
    contents = "data:application/vnd.ms-excel;base64," + "A" * len(base64.b64encode(b"x" * MAX_UPLOAD_BYTES))
    name = "\u0416" * 255 + ".csv"  # the longest file name most file systems allow, in two-byte letters
    state = [{"id": "score-scored-file", "property": "data",
              "value": {"token": "t" * 22, "filename": name.replace(".csv", "-scored.csv")}},
             {"id": "score-upload", "property": "contents", "value": contents},
             {"id": "score-upload", "property": "filename", "value": name}]
    body = json.dumps({"output": "..score-download.data...score-download-message.children@" + "0" * 64 + "..",
                       "outputs": [{"id": "score-download", "property": "data"},
                                   {"id": "score-download-message", "property": "children@" + "0" * 64}],
                       "inputs": [{"id": "score-download-button", "property": "n_clicks", "value": 1}],
                       "changedPropIds": ["score-download-button.n_clicks"], "parsedChangedPropsIds": [],
                       "state": state}, ensure_ascii=False).encode()
    assert len(body) <= MAX_REQUEST_BYTES
    assert MAX_REQUEST_BYTES < MAX_UPLOAD_BYTES * 4 / 3 + 128 * 1024  # and not much more: about 67 MB
