"""What the pages say about the segments: every rate names its clients and agrees across pages; the job split,
the tree's accuracy and the original study's recommendations are said where the segments are shown.

Runs on the full artifacts in model/, rendering the Overview, Segments, Data, Decision tree and Score pages
(layouts and callbacks called directly).
"""

from __future__ import annotations

import dash
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.scoring import scorer
from dashapp.views import score as score_view
from dashapp.views.caveats import job_splits
from dashapp.views.rates import store_rates
from dashapp.web.components import ALL_SEGMENTS_ROW, RATE_COLUMNS
from tests.layout_helpers import by_id, components, text

NO_FILTER = {"age": None, "job": [], "marital": [], "education": [], "segment": [], "period": None}
#: A client the tree puts in each segment (full artifacts).
CLIENTS = {
    1: {"job": "admin.", "housing": "yes", "loan": "no"},
    2: {"job": "admin.", "housing": "no", "loan": "yes"},
    3: {"job": "admin.", "housing": "no", "loan": "no"},
    4: {"job": "technician", "housing": "yes", "loan": "no"},
}


@pytest.fixture(scope="module")
def rates(full_store):
    return store_rates(full_store)


def _layout(name: str, **query):
    return dash.page_registry[name]["layout"](**query)


def rate_tables(layout) -> list[dict[str, dict[str, str]]]:
    """Every subscription-rate table below ``layout`` as ``{row name: {column heading: cell}}``."""
    tables = []
    for table in components(layout):
        if type(table).__name__ == "Table" and "subscription-rates" in (table.className or ""):
            head, body = table.children
            headings = [text(cell).strip() for cell in head.children.children][1:]
            tables.append({text(name).strip(): dict(zip(headings, (text(cell).strip() for cell in cells)))
                           for name, *cells in (row.children for row in body.children)})
    return tables


def _expected_row(rates, segment=None) -> dict[str, str]:
    return {heading: rates.of(period, segment).percent for period, heading in RATE_COLUMNS}


def _score_card(full_store, segment: int):
    from pages import score

    client = scorer.validate_client({"education": "high.school", "marital": "married", "default": "no",
                                      "age": 40, **CLIENTS[segment]})
    result = scorer.score_client(client, scorer.scoring_model(full_store))
    assert result.segment == segment
    return score._segment_card(score_view.result_view(result, client, full_store.profiles,
                                                      catalogue.segments(current_store())))


def _data_segment_chart(**controls):
    from pages import data

    figures = data.update_education_credit_segments(**{**NO_FILTER, **controls})
    return figures[2]


# --- Rates: the same population gives the same number on every page ---------------------------------------


def test_the_period_rates_read_the_same_on_overview_segments_and_the_score_card(full_store, rates):
    everyone = _expected_row(rates)
    assert everyone == {"Training period": "5.6%", "Test period": "24.6%", "Both periods": "11.3%"}
    overview = rate_tables(_layout("pages.overview"))
    segments = rate_tables(_layout("pages.segments"))
    segment_2 = rate_tables(_layout("pages.segments", segment="2"))
    card = rate_tables(_score_card(full_store, 2))
    for tables in (overview, segments, segment_2, card):
        assert len(tables) == 1 and tables[0][ALL_SEGMENTS_ROW] == everyone
    for number in (1, 2, 3, 4):
        assert segments[0][f"Segment {number}"] == _expected_row(rates, number)
    assert segment_2[0]["Segment 2"] == card[0]["Segment 2"] == _expected_row(rates, 2)
    # The old mislabelled figure ("all clients: 5.6%") is gone.
    for layout in (_layout("pages.segments", segment="2"), _score_card(full_store, 2)):
        assert "all clients: 5.6%" not in text(layout)


def test_the_data_pages_segment_chart_shows_the_same_rates_per_period(rates):
    figure = _data_segment_chart()
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces) == ["Clients", "all clients", "training period", "test period"]
    numbers = list(traces["training period"].customdata)
    assert numbers == [1, 2, 3, 4]
    for name, period in (("all clients", "all"), ("training period", "train"), ("test period", "test")):
        assert [f"{value:.1%}" for value in traces[name].y] == [rates.of(period, n).percent for n in numbers]
        assert traces[name].hovertemplate.startswith(f"{name}: ")
    assert figure.layout.annotations[0].text == "all clients: 11.3%"


def test_the_data_pages_headline_and_reference_lines_name_all_clients_then_the_filtered_ones(full_store, rates):
    from pages import data

    assert "Subscribed, all clients: 11.3%" in text(data.update_headline(**NO_FILTER))
    clients = full_store.clients
    students = clients[clients["job"] == "student"]
    expected = f"filtered clients: {(students['y'] == 'yes').mean():.1%}"
    assert f"Subscribed, {expected}" in text(data.update_headline(**{**NO_FILTER, "job": ["student"]}))
    for figures in (data.update_profile(**{**NO_FILTER, "job": ["student"]}),
                    data.update_education_credit_segments(**{**NO_FILTER, "job": ["student"]})):
        for figure in figures:
            if figure.layout.annotations:
                assert [a.text for a in figure.layout.annotations] == [expected]
    segment_chart = _data_segment_chart(job=["student"])
    assert [trace.hovertemplate.split(":")[0] for trace in segment_chart.data][1:] == [
        "filtered clients", "filtered clients, training period", "filtered clients, test period"]
    # No chart still says "overall", filtered or not.
    for controls in (NO_FILTER, {**NO_FILTER, "segment": [2]}):
        for figure in data.update_campaign(1, **controls):
            assert all("overall" not in (a.text or "") for a in figure.layout.annotations)


def test_a_filter_from_the_url_labels_the_reference_line_as_filtered(full_store):
    from pages import data

    ids = by_id(_layout("pages.data", segment="2"))
    controls = {name: ids[component].value for name, component in data.FILTER_IDS.items()}
    assert controls["segment"] == [2]
    segment_2 = full_store.clients[full_store.clients["segment"] == 2]
    rate = f"{(segment_2['y'] == 'yes').mean():.1%}"
    assert _data_segment_chart(**controls).layout.annotations[0].text == f"filtered clients: {rate}"


def test_the_segments_size_chart_puts_the_periods_side_by_side(rates):
    from pages import segments

    figure = by_id(_layout("pages.segments"))[segments.SEGMENTS_SIZES].figure
    train, test = figure.data[1], figure.data[2]
    assert (train.name, test.name) == ("training period", "test period")
    assert list(train.x) == ["1", "2", "3", "4", "All"]
    assert [f"{v:.1f}%" for v in train.y] == [rates.of("train", n).percent for n in (1, 2, 3, 4, None)]
    assert [f"{v:.1f}%" for v in test.y] == [rates.of("test", n).percent for n in (1, 2, 3, 4, None)]


# --- The job split --------------------------------------------------------------------------------------------


def test_segments_and_tree_pages_say_the_job_split_is_alphabetical(full_store):
    (split,) = job_splits(full_store.evaluation["tree_nodes"])
    for name in ("pages.segments", "pages.tree"):
        page_text = text(_layout(name))
        assert "Segments 1 and 4 differ by an alphabetical cut of the job" in page_text, name
        assert split.first_rule in page_text and "no business meaning" in page_text
    from pages import tree

    rules = tree.rules_text(full_store.evaluation["tree_nodes"], catalogue.segment_names(current_store()))
    assert "Note: Segments 1 and 4 differ by an alphabetical cut of the job" in rules
    assert catalogue.ORIGINAL_STUDY_URL in rules


@pytest.mark.parametrize("segment", [1, 4])
def test_a_scored_client_of_segment_1_or_4_is_told_its_segment_follows_the_alphabet(full_store, segment):
    card = text(_score_card(full_store, segment))
    other = 5 - segment
    assert f"This client is in segment {segment} rather than segment {other} only because the job" in card
    assert "alphabetical cut of the job" in card and "nothing about the kind of work" in card
    assert catalogue.ORIGINAL_STUDY_NAME in card and "the Decision tree page says why" in card


@pytest.mark.parametrize("segment", [2, 3])
def test_a_client_the_job_does_not_place_gets_no_job_split_note(full_store, segment):
    assert "alphabetical cut" not in text(_score_card(full_store, segment))


def test_no_product_suggestion_claims_a_job_the_split_does_not_have():
    products = [product for segment in catalogue.segments(current_store()).values() for product in segment.products]
    assert not any("business" in product.lower() or "professional" in product.lower() for product in products)
    # Segments 1 and 4 hold the same loans; what we suggest cannot differ by an alphabetical cut.
    assert catalogue.segments(current_store())[1].products == catalogue.segments(current_store())[4].products
    for number in (1, 4):
        assert "alphabetical cut" in catalogue.segments(current_store())[number].description


# --- The tree's accuracy --------------------------------------------------------------------------------------


def test_the_tree_page_explains_its_accuracy_beside_the_number(full_store):
    from pages import tree

    ids = by_id(_layout("pages.tree"))
    note = text(ids[tree.TREE_ACCURACY_NOTE])
    accuracy = full_store.evaluation["classifier"]["tree"]["accuracy"]
    assert f"{accuracy:.3f}" in text(ids[tree.TREE_METRICS])
    assert f"The tree's accuracy of {accuracy:.3f}" in note and "by construction" in note
    assert "the same three fields" in note
    assert "not a prediction of anything about a client" in note
    assert "not evidence that the segments are useful or meaningful" in note


# --- The original study -------------------------------------------------------------------------------------


def _links(layout) -> list[str]:
    return [c.href for c in components(layout) if getattr(c, "href", None)]


@pytest.mark.parametrize("segment", [1, 2, 3, 4])
def test_the_original_recommendation_stands_beside_ours_on_every_page_that_shows_products(full_store, segment):
    recommendation = catalogue.segments(current_store())[segment].original_recommendation
    for layout in (_layout("pages.overview"), _layout("pages.segments", segment=str(segment)),
                   _score_card(full_store, segment)):
        page_text = text(layout)
        assert catalogue.segments(current_store())[segment].products[0] in page_text and recommendation in page_text
        assert "The original study's recommendation" in page_text
        assert catalogue.ORIGINAL_STUDY_URL in _links(layout)


def test_the_original_recommendations_are_the_studys_own():
    segments = catalogue.segments(current_store())
    assert segments[1].original_recommendation == segments[4].original_recommendation == (
        "A housing loan is unlikely to interest them; offer an ordinary loan in line with the credit-scoring "
        "model.")
    assert segments[2].original_recommendation == (
        "Buy-out of their loans or a new loan, in line with the credit-scoring model.")
    assert segments[3].original_recommendation == "Any product."


def test_every_page_that_cites_the_original_names_and_links_it(full_store):
    layouts = {"overview": _layout("pages.overview"), "segments": _layout("pages.segments"),
               "segment 4": _layout("pages.segments", segment="4"), "tree": _layout("pages.tree"),
               "score card": _score_card(full_store, 4)}
    for name, layout in layouts.items():
        page_text = text(layout)
        assert "original" in page_text.lower(), name
        assert catalogue.ORIGINAL_STUDY_NAME in page_text and catalogue.ORIGINAL_STUDY_URL in _links(layout), name


def test_the_overview_says_the_datas_paper_is_not_the_segmentation_study():
    page_text = text(_layout("pages.overview"))
    assert "The data's own paper (it predicts subscriptions; it is not the segmentation study)" in page_text
    assert "Decision Support Systems 62 (2014) 22-31" in page_text


def test_the_api_lists_the_original_recommendation_of_each_segment(client):
    segments = client.get("/api/v1/segments").get_json()["segments"]
    assert [s["original_recommendation"] for s in segments] == [
        catalogue.segments(current_store())[n].original_recommendation for n in (1, 2, 3, 4)]
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Segment"]
    assert "original_recommendation" in schema["required"]
    assert catalogue.ORIGINAL_STUDY_URL in schema["properties"]["original_recommendation"]["description"]
