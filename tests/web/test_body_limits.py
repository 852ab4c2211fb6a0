"""Request bodies sized to each callback (issue 25, item 4): only the Score page's upload takes megabytes, a chart's
data download a figure's few; every other callback's body over 256 KiB is refused with 413 before it is read."""

from __future__ import annotations

import json
import logging

from dash._callback import GLOBAL_CALLBACK_MAP

from dashapp.web import body_limits
from dashapp.web.app import MAX_REQUEST_BYTES, _body_limit
from dashapp.web.components import chart_data_ids
from tests.web.test_callback_inputs import DISPATCH, _envelope, _output_of, client, dash_app, start_values  # noqa


def test_each_callback_takes_the_body_its_inputs_need(dash_app):
    callbacks = {**GLOBAL_CALLBACK_MAP, **dash_app.callback_map}
    limits = {spec["callback"].__name__: _body_limit(dash_app, output)
              for output, spec in callbacks.items() if "callback" in spec}
    assert limits["score_file"] == limits["download_file"] == MAX_REQUEST_BYTES  # the upload
    assert limits["download_chart_data"] == body_limits.FIGURE_BODY_BYTES
    assert limits["update_profile"] == limits["score_one_client"] == body_limits.SMALL_BODY_BYTES
    assert _body_limit(dash_app, "..no-such.output..") == body_limits.SMALL_BODY_BYTES


def test_a_large_body_to_a_small_callback_is_refused_and_a_figure_passes(dash_app, client, start_values, caplog):
    caplog.set_level(logging.WARNING)
    output, spec = _output_of(dash_app, "update_headline")
    body = _envelope(spec, output, {**start_values, ("data-job", "value"): ["x" * 300_000]})
    response = client.post(DISPATCH, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 413 and "larger than its callback takes (256 KiB)" in response.get_json()["error"]
    # The same body with a small value is answered.
    small = _envelope(spec, output, start_values)
    assert client.post(DISPATCH, data=json.dumps(small), content_type="application/json").status_code == 200
    # A chart's download carries its figure: a megabyte of it is read, and the file comes back.
    csv_id, xlsx_id, download_id = chart_data_ids("data-age-chart")
    figure = {"data": [{"type": "bar", "x": list(range(40_000)), "y": list(range(40_000)), "name": "n" * 500_000}]}
    download = {"output": f"{download_id}.data", "outputs": {"id": download_id, "property": "data"},
                "inputs": [{"id": csv_id, "property": "n_clicks", "value": 1},
                           {"id": xlsx_id, "property": "n_clicks", "value": 0}],
                "state": [{"id": "data-age-chart", "property": "figure", "value": figure},
                          {"id": "shell-location", "property": "pathname", "value": "/data"},
                          {"id": "shell-location", "property": "search", "value": ""}],
                "changedPropIds": [f"{csv_id}.n_clicks"]}
    data = json.dumps(download)
    assert body_limits.SMALL_BODY_BYTES < len(data) < body_limits.FIGURE_BODY_BYTES
    answer = client.post(DISPATCH, data=data, content_type="application/json")
    assert answer.status_code == 200 and "response" in answer.get_json()
