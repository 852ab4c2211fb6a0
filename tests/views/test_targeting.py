"""The Targeting benchmark's and the k-modes card's views and figures, on small artifacts written here."""

from __future__ import annotations

import pytest

from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.figures.categorical import ari_by_k_figure, crosstab_figure
from dashapp.figures.targeting import gain_figure, lift_figure
from dashapp.views import categorical as categorical_view, targeting as view


def _method(points: list[tuple[float, float]], auc: float = 0.6) -> dict:
    curve = [(0.0, 0.0), *points, (1.0, 1.0)]
    return {"roc_auc": auc, "average_precision": 0.3, "distinct_scores": 100,
            "at": [{"called": c, "reached": r, "lift": r / c} for c, r in points],
            "curve": {"called": [c for c, _ in curve], "reached": [r for _, r in curve]}}


TARGETING = {
    "inputs": ["age", "job"], "excluded": ["duration", "y", "contact_date"], "base_rate": 0.25,
    "train_base_rate": 0.05, "train_clients": 700, "test_clients": 300, "test_subscribers": 75,
    "segment_rates": {"1": 0.05, "4": 0.06}, "called_shares": [0.1, 0.2, 0.3],
    "methods": {"boosting": _method([(0.1, 0.3), (0.2, 0.48), (0.3, 0.6)]),
                "logistic": _method([(0.1, 0.2), (0.2, 0.4), (0.3, 0.65)]),
                "segments": _method([(0.1, 0.12), (0.2, 0.23), (0.3, 0.32)], auc=0.52)},
}


def test_headline_words_the_better_model_against_the_segments():
    assert view.headline(TARGETING, 0.2) == (
        "Calling the 20% of test clients the gradient-boosted model ranks highest reaches 48% of the subscribers "
        "(lift 2.40); calling by segment reaches 23% (lift 1.15): ranked over the whole period at once, the model "
        "targets 2.1 times better.")
    # At 30% the logistic regression reaches more, so it is the one compared.
    assert view.headline(TARGETING, 0.3).startswith("Calling the 30% of test clients the logistic regression")


def test_headline_says_when_the_segments_target_better():
    worse = {**TARGETING, "methods": {**TARGETING["methods"], "boosting": _method([(0.1, 0.05), (0.2, 0.1),
                                                                                     (0.3, 0.2)]),
                                      "logistic": _method([(0.1, 0.06), (0.2, 0.115), (0.3, 0.3)])}}
    assert view.headline(worse, 0.2).endswith(": ranked over the whole period at once, the segments target 2.0 times "
                                              "better.")
    assert view.comparison(worse, 0.2)["model"] == "logistic"


def test_gain_table_has_every_method_and_random_calls():
    table = view.gain_table(TARGETING)
    assert table["header"][1] == "10% called: subscribers reached (lift)"
    assert table["rows"][0] == ["Gradient-boosted tree", "30.0% (3.00)", "48.0% (2.40)", "60.0% (2.00)"]
    assert table["rows"][-1] == ["Random calls", "10.0% (1.00)", "20.0% (1.00)", "30.0% (1.00)"]


def test_context_names_the_periods_inputs_and_ties():
    text = " ".join(view.context_sentences(TARGETING))
    assert "700 clients of the training period, where 5.0% subscribed" in text
    assert "300 clients of the test period, where 25.0% subscribed (75)" in text
    assert "Not used: duration, y, contact_date" in text and "tied" in text


@pytest.mark.parametrize("builder, y_of", [(gain_figure, lambda c, r: r), (lift_figure, lambda c, r: r / c)])
def test_gain_and_lift_figures_draw_three_methods_random_calls_and_the_marks(builder, y_of):
    figure = builder(TARGETING, 0.2)
    lines = [t for t in figure.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["Gradient-boosted tree", "Logistic regression", "Segments", "Random calls"]
    boosting = lines[0]
    assert list(boosting.y)[-1] == pytest.approx(y_of(1.0, 1.0))
    marks = [t for t in figure.data if t.mode == "markers"]
    assert [list(t.x) for t in marks] == [[0.1, 0.2, 0.3]] * 3
    assert list(marks[0].y) == pytest.approx([y_of(0.1, 0.3), y_of(0.2, 0.48), y_of(0.3, 0.6)])
    verticals = [shape for shape in figure.layout.shapes if shape.x0 == shape.x1]
    assert sorted(shape.x0 for shape in verticals) == [0.1, 0.2, 0.3]
    assert [a.text for a in figure.layout.annotations] == ["20% called"]


CATEGORICAL = {
    "clients": 100, "combinations": 12, "segments": [1, 2, 3, 4],
    "kmodes": [
        {"k": 2, "cost": 90.0, "ari": 0.3, "tied_solutions": 1, "tied_ari_range": [0.3, 0.3], "shares": [0.5, 0.5],
         "modes": [{"job": "admin.", "housing": "yes", "loan": "no"}] * 2},
        {"k": 4, "cost": 60.0, "ari": 0.62, "tied_solutions": 2, "tied_ari_range": [0.55, 0.62],
         "shares": [0.4, 0.2, 0.25, 0.15],
         "modes": [{"job": "admin.", "housing": "yes", "loan": "no"}, {"job": "admin.", "housing": "no", "loan": "no"},
                   {"job": "student", "housing": "no", "loan": "no"},
                   {"job": "blue-collar", "housing": "yes", "loan": "yes"}]},
    ],
    # Segments 1 and 4 both mostly in cluster A; segment 3 split between B and C.
    "crosstab": {"k": 4, "counts": [[25, 0, 0, 15], [0, 0, 20, 0], [0, 0, 25, 0], [0, 15, 0, 0]]},
    "rules": {"groups": ["no loans", "housing loan only", "personal loan only", "both loans"],
              "shares": [0.45, 0.4, 0.1, 0.05], "ari": 0.79, "counts": [[0, 0, 45, 0], [25, 0, 0, 15],
                                                                      [0, 10, 0, 0], [0, 5, 0, 0]]},
}


def test_merges_and_splits_are_read_from_the_crosstab():
    # A cluster holding under half of a segment does not merge it: segment 2 here is spread over A and D.
    spread = {**CATEGORICAL, "crosstab": {"k": 4, "counts": [[25, 7, 0, 15], [0, 0, 20, 0], [0, 0, 25, 0],
                                                             [0, 8, 0, 0]]}}
    assert categorical_view.merges_and_splits(spread)["merges"] == [(0, [1, 4])]
    assert [number for number, _ in categorical_view.merges_and_splits(spread)["splits"]] == [2, 3]
    found = categorical_view.merges_and_splits(CATEGORICAL)
    assert found["merges"] == [(0, [1, 4])]
    assert found["splits"] == [(3, [(2, pytest.approx(25 / 45)), (1, pytest.approx(20 / 45))])]


def test_agreement_sentences_come_from_the_numbers():
    sentences = categorical_view.agreement_sentences(CATEGORICAL, catalogue.segment_names(current_store()))
    assert sentences[0] == ("k-modes at k = 4 agrees with the published segments at ARI 0.62: it merges segments 1 "
                            "and 4 (cluster A holds 100% of segment 1 and 100% of segment 4) and splits segment 3, "
                            "no loans, into C 56% / B 44%.")
    assert sentences[1].startswith("The simplest baseline, four explicit groups by housing loan x personal loan, "
                                   "agrees at ARI 0.79: closer")
    assert "2 different partitions reach the same lowest cost (60 mismatches), with ARI 0.550 to 0.620" in sentences[2]


def test_ari_chart_shows_each_k_its_tied_range_and_the_rules():
    figure = ari_by_k_figure(categorical_view.ari_by_k(CATEGORICAL))
    trace = figure.data[0]
    assert list(trace.x) == [2, 4] and list(trace.y) == [0.3, 0.62]
    assert list(trace.error_y.arrayminus) == pytest.approx([0.0, 0.07])
    assert [shape.y0 for shape in figure.layout.shapes if shape.y0 == shape.y1] == [0.79]


def test_crosstab_chart_colours_shares_of_each_segment_and_labels_clients():
    crosstab = categorical_view.crosstab_view(CATEGORICAL)
    assert crosstab["clusters"][0] == "A: Administrative, housing loan, no personal loan"
    figure = crosstab_figure(crosstab)
    heatmap = figure.data[0]
    assert list(heatmap.x) == ["Segment 1", "Segment 2", "Segment 3", "Segment 4"]
    assert heatmap.z[1][2] == pytest.approx(20 / 45) and heatmap.text[1][2] == "20"
