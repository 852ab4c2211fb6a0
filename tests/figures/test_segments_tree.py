"""Unit tests of the segment and tree figure builders on small hand-made frames and dicts (no browser, no artifacts)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.figures import SEGMENT_COLOURS, TEMPLATE_NAME
from dashapp.figures.classifier import class_balance_figure, confusion_matrix_figure
from dashapp.figures.segments import (FADED_OPACITY, segment_job_mix_figure, segment_radar_figure, segment_size_figure,
                                      segment_space_figure, segment_title, share_comparison_figure)
from dashapp.figures.tree import MIN_PIXELS_PER_LEAF, WIDE_HEIGHT, is_stacked, tree_figure, tree_height
from dashapp.views.segments import segment_space_counts
from dashapp.views.tree import node_path, readable_rule

# --- Hand-made inputs ----------------------------------------------------------------------------------


def _clients() -> pd.DataFrame:
    """Seven clients in three combinations; categorical dtypes as clients.parquet stores them."""
    rows = [("admin.", "yes", "no", 1)] * 3 + [("technician", "yes", "no", 4)] * 2 + [("student", "no", "no", 3)] \
        + [("admin.", "no", "yes", 2)]
    frame = pd.DataFrame(rows, columns=["job_imputed", "housing_imputed", "loan_imputed", "segment"])
    for column in ("job_imputed", "housing_imputed", "loan_imputed"):
        frame[column] = frame[column].astype("category")
    frame["segment"] = frame["segment"].astype("int8")
    frame["age"] = 40
    return frame


def _profiles() -> dict:
    """profiles.json for two jobs, with string-free int segments as segment_profiles writes them."""
    def profile(number, clients, share, rate, radar, jobs):
        return {"segment": number, "clients": clients, "share": share, "subscription_rate": rate,
                "mean_age": 40.0, "radar": radar, "job_counts": jobs}

    radar = lambda housing, loan: {"housing_loan": housing, "personal_loan": loan, "subscribed": 0.1}  # noqa: E731
    return {
        "segments": [
            profile(1, 30, 0.3, 0.05, radar(1.0, 0.0), {"admin.": 30, "technician": 0}),
            profile(2, 20, 0.2, 0.10, radar(0.5, 1.0), {"admin.": 15, "technician": 5}),
            profile(3, 40, 0.4, 0.20, radar(0.0, 0.0), {"admin.": 10, "technician": 30}),
            profile(4, 10, 0.1, 0.08, radar(1.0, 0.0), {"admin.": 0, "technician": 10}),
        ],
        "radar_axes": {"housing_loan": "Housing loan", "personal_loan": "Personal loan",
                       "subscribed": "Subscribed a deposit"},
        "jobs": ["admin.", "technician"],
        "overall_subscription_rate": 0.12,
    }


def _tree_nodes() -> list[dict]:
    """A depth-2 tree as evaluation.json stores it (segment keys are strings after JSON)."""
    def node(id_, parent, depth, rule, split, counts, segment):
        return {"id": id_, "parent": parent, "depth": depth, "rule": rule, "split": split,
                "samples": sum(counts.values()), "segment_counts": counts, "segment": segment,
                "is_leaf": split is None}

    return [
        node(0, None, 0, None, "housing = no", {"1": 50, "2": 20, "3": 30, "4": 0}, 1),
        node(1, 0, 1, "housing = no", "loan = no", {"1": 0, "2": 10, "3": 30, "4": 0}, 3),
        node(2, 1, 2, "loan = no", None, {"1": 0, "2": 0, "3": 30, "4": 0}, 3),
        node(3, 1, 2, "loan = yes", None, {"1": 0, "2": 10, "3": 0, "4": 0}, 2),
        node(4, 0, 1, "housing = yes", None, {"1": 50, "2": 10, "3": 0, "4": 0}, 1),
    ]


# --- Segments ------------------------------------------------------------------------------------------


def test_space_counts_aggregates_clients_per_combination_and_segment():
    counts = segment_space_counts(_clients())
    assert list(counts.columns) == ["job", "housing", "loan", "segment", "clients"]
    assert counts["clients"].sum() == 7
    as_tuples = set(counts.itertuples(index=False, name=None))
    assert as_tuples == {("admin.", "yes", "no", 1, 3), ("admin.", "no", "yes", 2, 1),
                         ("student", "no", "no", 3, 1), ("technician", "yes", "no", 4, 2)}
    assert counts["segment"].tolist() == [1, 2, 3, 4]  # sorted by segment


def test_space_counts_names_the_missing_column():
    with pytest.raises(ValueError, match="loan_imputed"):
        segment_space_counts(_clients().drop(columns="loan_imputed"))


def test_space_figure_has_one_3d_trace_per_segment_with_readable_labels():
    figure = segment_space_figure(segment_space_counts(_clients()), catalogue.segment_names(current_store()))
    assert [trace.type for trace in figure.data] == ["scatter3d"] * 4
    assert [trace.name for trace in figure.data] == [f"Segment {n}" for n in (1, 2, 3, 4)]
    first = figure.data[0]
    assert list(first.x) == ["Administrative"] and list(first.y) == ["Housing loan"]
    assert list(first.z) == ["No personal loan"]
    assert first.marker.color == SEGMENT_COLOURS[1]
    assert [list(point) for point in first.customdata] == [[1, 3]]
    # Jobs keep the domain's order and only those present; jobs, housing and loan read as words.
    assert list(figure.layout.scene.xaxis.categoryarray) == ["Administrative", "Student", "Technician"]
    assert list(figure.layout.scene.yaxis.categoryarray) == ["No housing loan", "Housing loan"]
    assert figure.layout.template.layout.font.family  # the studio template is applied
    assert figure.layout.uirevision == "segment-space"


def test_space_figure_sizes_points_by_clients():
    figure = segment_space_figure(segment_space_counts(_clients()), catalogue.segment_names(current_store()))
    sizes = {trace.name: trace.marker.size[0] for trace in figure.data}
    assert sizes["Segment 1"] > sizes["Segment 4"] > sizes["Segment 3"]  # 3 > 2 > 1 clients


def test_space_figure_fades_all_but_the_highlighted_segment():
    figure = segment_space_figure(segment_space_counts(_clients()), catalogue.segment_names(current_store()),
                                  highlight=4)
    opacity = {trace.name: trace.marker.opacity for trace in figure.data}
    assert opacity == {"Segment 1": FADED_OPACITY, "Segment 2": FADED_OPACITY, "Segment 3": FADED_OPACITY,
                       "Segment 4": 1.0}


def test_space_figure_rejects_an_unknown_highlight():
    with pytest.raises(ValueError, match="highlight=7"):
        segment_space_figure(segment_space_counts(_clients()), catalogue.segment_names(current_store()), highlight=7)


def test_space_figure_without_clients_says_so():
    empty = segment_space_counts(_clients().iloc[:0])
    figure = segment_space_figure(empty, catalogue.segment_names(current_store()))
    assert figure.data == ()
    assert figure.layout.annotations[0].text == "No clients to show"


def test_radar_closes_each_profile_in_percent_and_fills_the_highlight():
    figure = segment_radar_figure(_profiles(), highlight=2)
    assert [trace.type for trace in figure.data] == ["scatterpolar"] * 4
    second = figure.data[1]
    # Long labels on two lines, so that a phone shows them whole; the hover says them on one.
    assert list(second.theta) == ["Housing loan", "Personal loan", "Subscribed<br>a deposit", "Housing loan"]
    assert list(second.customdata) == ["Housing loan", "Personal loan", "Subscribed a deposit", "Housing loan"]
    assert list(second.r) == [50.0, 100.0, 10.0, 50.0]
    assert second.fill == "toself" and figure.data[0].fill == "none"
    assert figure.data[0].opacity == FADED_OPACITY and second.opacity == 1.0
    assert tuple(figure.layout.polar.radialaxis.range) == (0, 100)


def _rates():
    """Subscription rates of 20 hand-made clients: 12 in the training period, 8 in the test period."""
    from dashapp.views.rates import subscription_rates

    rows = ([(1, "train", "yes")] + [(1, "train", "no")] * 3 + [(2, "train", "no")] * 4 + [(3, "train", "yes")] * 2
            + [(4, "train", "no")] * 2 + [(1, "test", "yes")] * 2 + [(2, "test", "no")] * 2
            + [(3, "test", "yes"), (3, "test", "no"), (4, "test", "yes"), (4, "test", "yes")])
    return subscription_rates(pd.DataFrame(rows, columns=["segment", "split", "y"]))


def test_size_figure_shows_clients_and_each_periods_subscription_rates_beside_every_segment():
    figure = segment_size_figure(_profiles(), _rates(), highlight=1)
    clients, train, test, *legend = figure.data
    assert (clients.type, train.type, test.type) == ("bar", "bar", "bar")
    assert list(clients.x) == ["1", "2", "3", "4"]
    assert list(clients.y) == [30, 20, 40, 10] and list(clients.text) == ["30%", "20%", "40%", "10%"]
    assert (train.name, test.name) == ("training period", "test period")
    assert list(train.x) == list(test.x) == ["1", "2", "3", "4", "All"]
    assert list(train.y) == pytest.approx([25.0, 0.0, 100.0, 0.0, 100 * 3 / 12])
    assert list(test.y) == pytest.approx([100.0, 0.0, 50.0, 100.0, 100 * 5 / 8])
    assert train.xaxis == test.xaxis == "x2"
    assert train.hovertemplate.startswith("Segment %{x}, training period: ")
    assert test.marker.pattern.shape == "/" and not train.marker.pattern.shape
    assert list(clients.marker.opacity) == [1.0, FADED_OPACITY, FADED_OPACITY, FADED_OPACITY]
    assert train.marker.opacity[-1] == test.marker.opacity[-1] == 1.0  # every segment together never fades
    assert [trace.name for trace in legend] == ["training period", "test period"]
    assert all(trace.showlegend is False for trace in (clients, train, test))


def test_job_mix_is_the_share_of_each_segment_per_job():
    figure = segment_job_mix_figure(_profiles(), highlight=3)
    assert [trace.orientation for trace in figure.data] == ["h"] * 4
    third = figure.data[2]
    assert list(third.y) == ["Administrative", "Technician"]  # labels, not the codes admin. and technician
    assert list(third.x) == pytest.approx([25.0, 75.0])
    assert list(third.customdata) == [10, 30]
    assert figure.layout.barmode == "group"
    assert figure.data[0].marker.opacity == FADED_OPACITY and third.marker.opacity == 1.0


def test_share_comparison_puts_this_build_beside_the_original_and_accepts_json_keys():
    figure = share_comparison_figure({"1": 0.25, "2": 0.75}, {1: 0.3, 2: 0.7})
    ours, original = figure.data
    assert (ours.name, original.name) == ("This build", "Original study")
    assert list(ours.x) == ["Segment 1", "Segment 2"]
    assert list(ours.y) == [25.0, 75.0] and list(original.y) == pytest.approx([30.0, 70.0])
    assert figure.layout.barmode == "group"


def test_segment_title_names_the_segment():
    assert segment_title(3, catalogue.segment_names(current_store())) == "Segment 3: No loans"


# --- Tree ----------------------------------------------------------------------------------------------


def _node_trace(figure: go.Figure) -> go.Scatter:
    return next(trace for trace in figure.data if trace.name == "nodes")


def test_tree_figure_places_leaves_left_to_right_and_parents_over_children():
    figure = tree_figure(_tree_nodes(), catalogue.segment_names(current_store()))
    nodes = _node_trace(figure)
    x = dict(zip(nodes.customdata, nodes.x))
    assert (x[2], x[3], x[4]) == (0.0, 1.0, 2.0)
    assert x[1] == 0.5 and x[0] == pytest.approx(1.25)
    # Root at the top: the y axis runs downwards.
    assert figure.layout.yaxis.range[0] > figure.layout.yaxis.range[1]


def test_tree_nodes_say_their_question_clients_and_prediction():
    nodes = _node_trace(tree_figure(_tree_nodes(), catalogue.segment_names(current_store())))
    text = dict(zip(nodes.customdata, nodes.text))
    assert text[0].startswith("<b>Housing loan?</b>") and "100 clients" in text[0]
    assert text[3].startswith("<b>Segment 2</b>") and "100% segment 2" in text[3]
    hover = dict(zip(nodes.customdata, nodes.hovertext))
    assert "No housing loan<br>and Personal loan" in hover[3]
    assert "segment 2: 10 (100%)" in hover[3]


def test_tree_edges_carry_their_rules_and_nodes_their_colours():
    figure = tree_figure(_tree_nodes(), catalogue.segment_names(current_store()))
    rules = sorted(annotation.text for annotation in figure.layout.annotations)
    # Each box asks its question ("Housing loan?"), each edge answers it.
    assert rules == ["No", "No", "Yes", "Yes"]
    boxes = [shape for shape in figure.layout.shapes if shape.line.width != 0]
    assert len(boxes) == 5
    assert boxes[0].line.color == SEGMENT_COLOURS[1]  # the root predicts segment 1
    # One mix-bar piece per segment present: root 3, node 1 two, pure leaves 2 and 3 one each, leaf 4 two.
    mix = [shape for shape in figure.layout.shapes if shape.line.width == 0]
    assert len(mix) == 3 + 2 + 1 + 1 + 2
    assert [trace.name for trace in figure.data if trace.showlegend is not False] == \
        [f"Segment {n}" for n in (1, 2, 3, 4)]


def test_tree_highlight_path_draws_the_path_bold_and_fades_the_rest():
    nodes = _tree_nodes()
    figure = tree_figure(nodes, catalogue.segment_names(current_store()), highlight_path=[0, 1, 3])
    path = next(trace for trace in figure.data if trace.name == "decision path")
    assert list(path.x) == [1.25, 0.5, None, 0.5, 1.0, None]
    assert path.line.width > next(trace for trace in figure.data if trace.name == "edges").line.width
    boxes = {round((shape.x0 + shape.x1) / 2, 2): shape for shape in figure.layout.shapes if shape.line.width != 0}
    assert boxes[1.0].opacity == 1.0 and boxes[2.0].opacity < 1.0  # leaf 3 on the path, leaf 4 off it
    assert boxes[1.0].line.width > boxes[2.0].line.width


def test_tree_without_highlight_has_an_empty_path_trace():
    figure = tree_figure(_tree_nodes(), catalogue.segment_names(current_store()))
    path = next(trace for trace in figure.data if trace.name == "decision path")
    assert list(path.x) == []


def test_tree_highlight_path_rejects_unknown_nodes():
    with pytest.raises(ValueError, match=r"\[9\]"):
        tree_figure(_tree_nodes(), catalogue.segment_names(current_store()), highlight_path=[0, 9])


def test_node_path_runs_from_the_root():
    assert node_path(_tree_nodes(), 3) == [0, 1, 3]
    assert node_path(_tree_nodes(), 0) == [0]
    with pytest.raises(ValueError, match="node_id=12"):
        node_path(_tree_nodes(), 12)


def test_confusion_matrix_is_an_annotated_heatmap_with_segment_1_on_top():
    matrix = [[5, 1, 0, 0], [0, 4, 0, 0], [0, 0, 6, 0], [2, 0, 0, 3]]
    figure = confusion_matrix_figure(matrix, current_store().segment_numbers)
    heatmap, = figure.data
    assert heatmap.type == "heatmap"
    assert [list(row) for row in heatmap.z] == matrix
    assert list(heatmap.x) == [f"Segment {n}" for n in (1, 2, 3, 4)]
    assert heatmap.text[0][1] == "1" and heatmap.customdata[3][0] == pytest.approx(0.4)
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.xaxis.title.text == "Predicted segment"
    assert figure.layout.template.layout.colorway == pytest.importorskip("plotly.io").templates[TEMPLATE_NAME] \
        .layout.colorway


def test_confusion_matrix_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match="4 x 4"):
        confusion_matrix_figure([[1, 2], [3, 4]], current_store().segment_numbers)


def test_class_balance_compares_the_periods_in_percent():
    figure = class_balance_figure({"1": 30, "2": 70}, {1: 10, 2: 10})
    train, test = figure.data
    assert train.name == "Training period (100)" and test.name == "Test period (20)"
    assert list(train.y) == [30.0, 70.0] and list(test.y) == [50.0, 50.0]
    assert list(train.customdata) == [30, 70]


def _depth_three_tree() -> list[dict]:
    """A full depth-3 tree on job, housing and loan with the long job rules of the real one (8 leaves)."""
    left_jobs = "admin., blue-collar, entrepreneur, housemaid, management"
    right_jobs = "retired, self-employed, services, student, technician, unemployed"
    rules = {1: "housing = no", 2: "loan = no", 3: f"job in {{{left_jobs}}}", 4: f"job in {{{right_jobs}}}",
             5: "loan = yes", 6: "job = student", 7: "job in {admin., blue-collar}",
             8: "housing = yes", 9: "loan = no", 10: f"job in {{{left_jobs}}}", 11: f"job in {{{right_jobs}}}",
             12: "loan = yes", 13: "job = retired", 14: "job in {services, technician}"}
    parents = {1: 0, 2: 1, 3: 2, 4: 2, 5: 1, 6: 5, 7: 5, 8: 0, 9: 8, 10: 9, 11: 9, 12: 8, 13: 12, 14: 12}
    nodes = []
    for node_id in range(15):
        depth, parent = 0, parents.get(node_id)
        while parent is not None:
            depth, parent = depth + 1, parents.get(parent)
        leaf = depth == 3
        segment = 1 + node_id % 4
        nodes.append({"id": node_id, "parent": parents.get(node_id), "depth": depth, "rule": rules.get(node_id),
                      "split": None if leaf else "job in {admin., blue-collar}", "samples": 12345,
                      "segment_counts": {str(segment): 12000, str(1 + (segment % 4)): 345}, "segment": segment,
                      "is_leaf": leaf})
    return nodes


_CODES = ("admin.", "housing =", "loan =", "job in", "job =", "{")


def _figure_texts(figure: go.Figure) -> list[str]:
    nodes = _node_trace(figure)
    return [*nodes.text, *nodes.hovertext, *(annotation.text for annotation in figure.layout.annotations)]


def test_readable_rule_says_the_labels_not_the_codes():
    assert readable_rule("housing = yes") == "Housing loan"
    assert readable_rule("loan = no") == "No personal loan"
    assert readable_rule("job = student") == "Job: Student"
    assert readable_rule("job in {admin., blue-collar, management}") == \
        "Job: Administrative, Blue-collar or Management"
    assert readable_rule("job in {admin., blue-collar}", link=" is ") == "Job is Administrative or Blue-collar"
    assert readable_rule("something else") == "something else"


@pytest.mark.parametrize("width", [None, 1300, 390])
def test_tree_shows_no_category_code(width):
    texts = _figure_texts(tree_figure(_depth_three_tree(), catalogue.segment_names(current_store()), width=width))
    assert texts and not [text for text in texts if any(code in text for code in _CODES)]


def test_tree_edges_answer_a_job_question_with_the_jobs_labels():
    figure = tree_figure(_depth_three_tree(), catalogue.segment_names(current_store()), width=None)
    answers = {annotation.text.replace("<br>", " ") for annotation in figure.layout.annotations}
    assert "Administrative, Blue-collar, Entrepreneur, Housemaid or Management" in answers
    assert "Student" in answers and "Yes" in answers and "No" in answers


def test_tree_keeps_the_classic_layout_where_every_leaf_has_room():
    nodes = _depth_three_tree()
    assert not is_stacked(nodes, None) and not is_stacked(nodes, 8 * MIN_PIXELS_PER_LEAF)
    assert is_stacked(nodes, 8 * MIN_PIXELS_PER_LEAF - 1)
    names = catalogue.segment_names(current_store())
    wide, default = tree_figure(nodes, names, width=1300), tree_figure(nodes, names)
    assert wide.to_plotly_json() == default.to_plotly_json()
    assert tree_height(nodes, 1300) == tree_height(nodes) == WIDE_HEIGHT


def _stacked_rows(figure: go.Figure) -> list[tuple]:
    """(x0, y0, x1, y1) of every node box, top to bottom (the shapes with a border are the boxes)."""
    boxes = [shape for shape in figure.layout.shapes if shape.line.width != 0]
    return sorted(((box.x0, box.y0, box.x1, box.y1) for box in boxes), key=lambda box: box[1])


@pytest.mark.parametrize("width", [350, 600])
def test_tree_on_a_phone_stacks_one_node_per_row_inside_the_width(width):
    nodes = _depth_three_tree()
    figure = tree_figure(nodes, catalogue.segment_names(current_store()), width=width)
    rows = _stacked_rows(figure)
    assert len(rows) == 15
    # Rows one under the other, never overlapping, every box inside the plot's width, indented by depth.
    assert all(upper[3] < lower[1] for upper, lower in zip(rows, rows[1:]))
    plot_width = width - figure.layout.margin.l - figure.layout.margin.r
    assert all(0 <= x0 < x1 <= plot_width for x0, _, x1, _ in rows)
    assert len({x0 for x0, *_ in rows}) == 4
    # One pixel per unit: the y axis spans the plot's height, which tree_height gives the graph.
    height = tree_height(nodes, width)
    assert height > WIDE_HEIGHT
    assert figure.layout.yaxis.range[0] == pytest.approx(height - figure.layout.margin.t - figure.layout.margin.b,
                                                         abs=1)
    assert figure.layout.xaxis.range[1] == plot_width
    # The rules are written in the boxes, not on the edges, so nothing can overlap.
    assert not figure.layout.annotations
    text = dict(zip(_node_trace(figure).customdata, _node_trace(figure).text))
    assert text[0].startswith("<b>All training clients</b>")
    assert text[1].startswith("<b>No housing loan</b>") and "then: Job?" in text[2]
    assert text[3].startswith("<b>Job: Administrative, Blue-collar,") and "then:" not in text[3]  # a leaf


def test_tree_on_a_phone_wraps_every_line_to_its_box():
    from dashapp.figures import tree as module

    figure = tree_figure(_depth_three_tree(), catalogue.segment_names(current_store()), width=350)
    nodes = _node_trace(figure)
    rows = dict(zip(nodes.customdata, zip(nodes.x, nodes.text)))
    boxes = {round(box[0]): box for box in _stacked_rows(figure)}
    for node_id, (x, text) in rows.items():
        box = boxes[round(x - module._PADDING)]
        room = box[2] - box[0] - 2 * module._PADDING
        for line in text.split("<br>"):
            plain = line.replace("<b>", "").replace("</b>", "")
            assert len(plain) * module._CHARACTER <= room, (node_id, line)


def test_tree_on_a_phone_draws_the_highlighted_path_as_elbows():
    nodes = _depth_three_tree()
    figure = tree_figure(nodes, catalogue.segment_names(current_store()), highlight_path=node_path(nodes, 4), width=350)
    path = next(trace for trace in figure.data if trace.name == "decision path")
    # Three edges (root -> 1 -> 2 -> 4), each an elbow of three points and a break.
    assert len(path.x) == 3 * 4 and list(path.x).count(None) == 3
    boxes = [shape for shape in figure.layout.shapes if shape.line.width != 0]
    assert sum(box.opacity == 1.0 for box in boxes) == 4
