"""The Campaign response page through Flask's test client, its layout and its callback.

On the artifacts the settings name (the full build under `make test`); every expectation is read from the
store's ``response.json`` through the view, so none depends on the full data's numbers.
"""

from __future__ import annotations

from types import SimpleNamespace

import dash
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.figures.response import LEVEL_RATE_NAME
from dashapp.views import inputs, response as view
from tests.layout_helpers import by_id as _by_id, text as _text

RESPONSE, SEGMENTS = "pages.response", "pages.segments"


@pytest.fixture(scope="module")
def store():
    from dashapp.artifacts.current import current_store

    return current_store()


@pytest.fixture(scope="module")
def http(store):
    from app import server

    return server.test_client()


def _layout(name: str = RESPONSE, **query):
    return dash.page_registry[name]["layout"](**query)


def test_page_answers_and_sits_after_the_overview_in_the_navigation(http):
    response = http.get("/response")
    assert response.status_code == 200 and "_dash-config" in response.get_data(as_text=True)
    page = dash.page_registry[RESPONSE]
    assert (page["path"], page["name"], page["nav_group"]) == ("/response", "Response", "decide")
    body = http.get("/_dash-layout").get_data(as_text=True)
    # The pages that decide whom to call first, the original study's behind its menu after them.
    positions = [body.index(f'"{name}"') for name in ("Overview", "Response", "Targeting", "Segments",
                                                       "Decision tree")]
    assert positions == sorted(positions) and '"The original study"' in body


def test_layout_puts_the_plain_answer_first(store):
    from pages import response as page

    layout = _layout()
    ids = _by_id(layout)
    answer = view.answer(store.response)
    card = _text(ids[page.RESPONSE_ANSWER])
    assert view.QUESTION in card and answer["headline"] in card
    assert all(sentence in card for sentence in answer["sentences"])
    text = _text(layout)
    assert text.index(answer["headline"]) < text.index("Where a segment matters")


def test_what_the_data_supports_comes_first_with_every_lever_and_what_no_group_shows(store):
    from pages import response as page

    layout = _layout()
    levers = _text(_by_id(layout)[page.RESPONSE_LEVERS])
    answer = view.answer(store.response)
    assert len(answer["levers"]) == 4 and all(sentence in levers for sentence in answer["levers"])
    assert view.NOT_UPLIFT in levers and view.SEGMENTS_DESCRIBE in levers and answer["calendar"] in levers
    text = _text(layout)
    assert text.index("What the data supports") < text.index(view.QUESTION)


def test_the_segments_month_by_month_and_the_calendar_are_drawn_from_the_artifact(store):
    from pages import response as page

    ids = _by_id(_layout())
    months = view.segment_months(store.response)
    figure = ids[page.RESPONSE_MONTHS].figure
    assert [trace.name for trace in figure.data] == [LEVEL_RATE_NAME] + [
        f"Segment {entry['segment']}" for entry in months["segments"]]
    assert list(figure.data[0].x) == [label for label, cell in zip(months["labels"], months["all"])]
    calendar = ids[page.RESPONSE_CALENDAR].figure
    assert list(calendar.data[0].y) == view.calendar_story(store.response)["clients"]


def test_layout_draws_both_figures_for_the_default_population_and_driver(store):
    from pages import response as page

    ids = _by_id(_layout())
    assert ids[page.RESPONSE_POPULATION].value == page.DEFAULT_POPULATION
    assert ids[page.RESPONSE_DRIVER].value == page.DEFAULT_DRIVER
    rates = ids[page.RESPONSE_RATES].figure
    expected = [f"Segment {row['segment']}" for row in view.segment_rates(store.response, "test")["segments"]]
    assert [trace.name for trace in rates.data] == expected
    driver = ids[page.RESPONSE_DRIVER_GRAPH].figure
    assert driver.data[0].name == LEVEL_RATE_NAME
    assert _text(ids[page.RESPONSE_DRIVER_SENTENCE]) == view.driver_sentence_within(store.response, "test", "month")
    options = [option["value"] for option in ids[page.RESPONSE_POPULATION].options]
    assert options[:3] == ["all", "train", "test"] and len(options) > 3  # then the contact years


def _picked(monkeypatch, population, driver, search="", trigger=None):
    """The page's callback as Dash calls it when a picker (or, with ``trigger``, the address) changed."""
    from pages import response as page

    monkeypatch.setattr(page, "ctx", SimpleNamespace(triggered_id=trigger or page.RESPONSE_POPULATION))
    return page.show_response(population, driver, search)


def test_picking_a_population_and_a_driver_redraws_everything(store, monkeypatch):
    shown = _picked(monkeypatch, "train", "contact")
    assert set(shown) == {"rates", "rates_table", "comparison", "driver_graph", "driver_sentence", "population",
                          "driver", "search"}
    assert shown["search"] == "?clients=train&driver=contact"
    base = store.response["populations"]["train"]["rate"]
    line = next(shape for shape in shown["rates"].layout.shapes if shape.type == "line")
    assert line.y0 == pytest.approx(100 * base)
    assert view.segment_sentence(store.response, "train") in _text(shown["rates_table"])
    assert shown["driver_graph"].layout.xaxis.title.text == view.DRIVER_NAMES["contact"]
    assert shown["driver_sentence"] == view.driver_sentence_within(store.response, "train", "contact")
    assert "p within the month" in _text(shown["comparison"]) and "Cramér" not in _text(shown["comparison"])


def test_a_contact_year_shows_its_rates_and_all_clients_segment_x_driver(store, monkeypatch):
    year = next(key for key in store.response["populations"] if key not in ("all", "train", "test"))
    shown = _picked(monkeypatch, year, "campaign")
    line = next(shape for shape in shown["rates"].layout.shapes if shape.type == "line")
    assert line.y0 == pytest.approx(100 * store.response["populations"][year]["rate"])
    assert shown["driver_sentence"] == view.driver_sentence_within(store.response, "all", "campaign")


def test_the_address_sets_the_pickers_and_is_not_written_back(store, monkeypatch):
    from pages import response as page

    shown = _picked(monkeypatch, "test", "month", "?clients=all&driver=poutcome&lang=en", trigger=page.RESPONSE_URL)
    assert (shown["population"], shown["driver"]) == ("all", "poutcome")
    assert shown["search"] is dash.no_update  # back and forward are never rewritten
    assert shown["driver_sentence"] == view.driver_sentence_within(store.response, "all", "poutcome")


@pytest.mark.parametrize("population, driver", [("1999", "month"), ("test", "age"), (None, "month")])
def test_values_no_widget_sends_are_refused(population, driver, monkeypatch):
    with pytest.raises(inputs.InvalidInput):
        _picked(monkeypatch, population, driver)


def test_callback_answers_over_http(http):
    from pages import response as page

    payload = {"output": "..response-rates.figure...response-driver-sentence.children..",
               "outputs": [{"id": i, "property": p} for i, p in (
                   (page.RESPONSE_RATES, "figure"), (page.RESPONSE_RATES_TABLE, "children"),
                   (page.RESPONSE_COMPARISON, "children"), (page.RESPONSE_DRIVER_GRAPH, "figure"),
                   (page.RESPONSE_DRIVER_SENTENCE, "children"), (page.RESPONSE_POPULATION, "value"),
                   (page.RESPONSE_DRIVER, "value"), (page.RESPONSE_URL, "search"))],
               "inputs": [{"id": page.RESPONSE_POPULATION, "property": "value", "value": "all"},
                          {"id": page.RESPONSE_DRIVER, "property": "value", "value": "poutcome"},
                          {"id": page.RESPONSE_URL, "property": "search", "value": ""}],
               "changedPropIds": [f"{page.RESPONSE_DRIVER}.value"], "state": []}
    dependencies = http.get("/_dash-dependencies").get_json()
    payload["output"] = next(c["output"] for c in dependencies if f"{page.RESPONSE_DRIVER_GRAPH}.figure" in c["output"])
    answer = http.post("/_dash-update-component", json=payload)
    assert answer.status_code == 200
    body = answer.get_json()["response"]
    assert body[page.RESPONSE_DRIVER_GRAPH]["figure"]["data"][0]["name"] == LEVEL_RATE_NAME
    assert "previous campaign" in body[page.RESPONSE_DRIVER_SENTENCE]["children"]


def test_segments_page_links_here_beside_its_rates():
    from pages.segments import SEGMENTS_RESPONSE_LINK

    link = _by_id(_layout(SEGMENTS))[SEGMENTS_RESPONSE_LINK]
    assert link.href == "/response"


def test_without_artifacts_the_page_says_what_to_run(monkeypatch):
    from pages import response as page

    monkeypatch.setattr(page, "artifact_status", lambda: (None, "No artifacts in /nowhere."))
    layout = _layout()
    assert "artifact-problem" in layout.className and "/nowhere" not in _text(layout)


def test_page_ids_are_prefixed_by_the_page():
    ids = _by_id(_layout())
    assert ids and all(component_id.startswith("response-") for component_id in ids)
