"""Figures of the segment classifier: the decision tree itself, its confusion matrix and the class balance.

The tree is drawn from ``evaluation.json``'s ``tree_nodes`` (see :func:`dashapp.segmentation.tree_nodes`):
each node is a box coloured by its predicted segment with a bar of its segment mix, each edge carries its rule
in words. The scoring page passes a client's ``highlight_path`` to show the way the tree decided.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashapp import catalogue
from dashapp.figures import SEGMENT_COLOURS, TEMPLATE_NAME

#: Box size in data units: one unit between neighbouring leaves, one between depths.
_BOX_WIDTH, _BOX_HEIGHT = 0.86, 0.5
#: The segment-mix bar inside the bottom of each box.
_MIX_BAR_TOP, _MIX_BAR_HEIGHT = 0.12, 0.07
#: Rules longer than this wrap onto several lines at their commas.
_WRAP_AT = 30
_PATH_COLOUR = "#212529"
_EDGE_COLOUR = "#adb5bd"
_FADED_NODE_OPACITY = 0.35


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _wrap(text: str, width: int = _WRAP_AT) -> str:
    """Break a long rule after commas so that no line is much longer than ``width`` characters."""
    lines, line = [], ""
    for piece in text.split(", "):
        candidate = f"{line}, {piece}" if line else piece
        if line and len(candidate) > width:
            lines.append(line + ",")
            line = piece
        else:
            line = candidate
    lines.append(line)
    return "<br>".join(lines)


def _counts(node: dict) -> dict[int, int]:
    # JSON turns the segment keys into strings; accept either.
    return {int(segment): int(n) for segment, n in node["segment_counts"].items()}


def _children(nodes: list[dict]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {node["id"]: [] for node in nodes}
    for node in nodes:
        if node["parent"] is not None:
            children[node["parent"]].append(node["id"])
    return children


def _positions(nodes: list[dict]) -> dict[int, tuple[float, float]]:
    """(x, depth) of every node: leaves one unit apart left to right, parents centred over their children."""
    children = _children(nodes)
    depth = {node["id"]: node["depth"] for node in nodes}
    positions: dict[int, tuple[float, float]] = {}
    next_leaf = 0

    def place(node_id: int) -> float:
        nonlocal next_leaf
        if not children[node_id]:
            x = float(next_leaf)
            next_leaf += 1
        else:
            # sklearn numbers the left child (the rule that holds) before the right one.
            xs = [place(child) for child in sorted(children[node_id])]
            x = sum(xs) / len(xs)
        positions[node_id] = (x, float(depth[node_id]))
        return x

    root = next(node["id"] for node in nodes if node["parent"] is None)
    place(root)
    return positions


def node_path(nodes: list[dict], node_id: int) -> list[int]:
    """Node ids from the root down to ``node_id`` (for highlighting the way to a node).

    Parameters
    ----------
    nodes : list of dict
        ``tree_nodes`` from ``evaluation.json``.
    node_id : int
        A node of the tree.

    Returns
    -------
    list of int
        Root first, ``node_id`` last.

    Raises
    ------
    ValueError
        If ``node_id`` is not a node of the tree.
    """
    parent = {node["id"]: node["parent"] for node in nodes}
    if node_id not in parent:
        raise ValueError(f"node_id={node_id!r} is not in the tree; its nodes are {sorted(parent)}")
    path = [node_id]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def _split_feature(node: dict) -> str:
    # The split is stated as the rule of the left branch, e.g. "job in {...}"; its first word is the feature.
    return node["split"].split(" ", 1)[0]


def _node_text(node: dict) -> str:
    counts = _counts(node)
    predicted = node["segment"]
    purity = counts.get(predicted, 0) / node["samples"] if node["samples"] else 0.0
    if node["is_leaf"]:
        head = f"<b>Segment {predicted}</b>"
    else:
        head = f"<b>Split on {_split_feature(node)}</b>"
    return f"{head}<br>{node['samples']:,} clients<br>{purity:.0%} segment {predicted}"


def _node_hover(node: dict, rules: list[str]) -> str:
    counts = _counts(node)
    total = node["samples"] or 1
    conditions = "<br>  and ".join(rules) if rules else "all training clients"
    mix = "<br>".join(f"  segment {segment}: {n:,} ({n / total:.0%})" for segment, n in sorted(counts.items()))
    outcome = "Leaf" if node["is_leaf"] else f"Next question: {node['split']}?"
    return (f"<b>Node {node['id']}</b><br>Clients with {conditions}<br>{node['samples']:,} training clients"
            f"<br>Segment mix:<br>{mix}<br>Predicted: {catalogue.SEGMENTS[node['segment']].name} "
            f"(segment {node['segment']})<br>{outcome}")


def tree_figure(nodes: list[dict], highlight_path: list[int] | None = None) -> go.Figure:
    """The decision tree as an interactive figure.

    Parameters
    ----------
    nodes : list of dict
        ``tree_nodes`` from ``evaluation.json``: ``id``, ``parent``, ``depth``, ``rule``, ``split``,
        ``samples``, ``segment_counts``, ``segment``, ``is_leaf``.
    highlight_path : list of int, optional
        Node ids to emphasise, normally a root-to-leaf path (a scored client's decision path, or
        :func:`node_path`); the edges between consecutive highlighted nodes are drawn bold and the other
        nodes fade. None (default) draws every node alike.

    Returns
    -------
    go.Figure
        Traces in order: the edges (``scatter`` lines; the highlighted path as a second trace), the nodes
        (a ``scatter`` of markers and text whose ``customdata`` is the node id, with a hover of the rules,
        clients, segment mix and prediction) and one legend entry per segment colour. Boxes and segment-mix
        bars are layout shapes; edge rules are annotations.

    Raises
    ------
    ValueError
        If ``nodes`` is empty or ``highlight_path`` names a node the tree does not have.
    """
    if not nodes:
        raise ValueError("nodes is empty; expected the tree_nodes of evaluation.json")
    by_id = {node["id"]: node for node in nodes}
    highlighted = set(highlight_path or ())
    unknown = sorted(highlighted - set(by_id))
    if unknown:
        raise ValueError(f"highlight_path names node(s) {unknown} that the tree does not have; "
                         f"its nodes are {sorted(by_id)}")
    positions = _positions(nodes)
    path_edges = {(a, b) for a, b in zip(highlight_path or [], (highlight_path or [])[1:])}

    figure = go.Figure()
    edge_x = {False: [], True: []}
    edge_y = {False: [], True: []}
    annotations = []
    for node in nodes:
        if node["parent"] is None:
            continue
        (x0, y0), (x1, y1) = positions[node["parent"]], positions[node["id"]]
        on_path = (node["parent"], node["id"]) in path_edges
        edge_x[on_path] += [x0, x1, None]
        edge_y[on_path] += [y0 + _BOX_HEIGHT / 2, y1 - _BOX_HEIGHT / 2, None]
        annotations.append(dict(
            x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=_wrap(node["rule"]), showarrow=False,
            font=dict(size=11, color=_PATH_COLOUR if on_path or not highlighted else "#6c757d"),
            bgcolor="rgba(255, 255, 255, 0.9)", borderpad=2,
        ))
    for on_path in (False, True):
        figure.add_trace(go.Scatter(
            x=edge_x[on_path], y=edge_y[on_path], mode="lines", hoverinfo="skip", showlegend=False,
            name="decision path" if on_path else "edges",
            line=dict(color=_PATH_COLOUR if on_path else _EDGE_COLOUR, width=4 if on_path else 1.5),
        ))

    shapes = []
    for node in nodes:
        x, y = positions[node["id"]]
        colour = SEGMENT_COLOURS[node["segment"]]
        emphasised = not highlighted or node["id"] in highlighted
        opacity = 1.0 if emphasised else _FADED_NODE_OPACITY
        shapes.append(dict(
            type="rect", layer="below", x0=x - _BOX_WIDTH / 2, x1=x + _BOX_WIDTH / 2,
            y0=y - _BOX_HEIGHT / 2, y1=y + _BOX_HEIGHT / 2, opacity=opacity,
            fillcolor=_rgba(colour, 0.16), line=dict(color=_PATH_COLOUR if node["id"] in highlighted else colour,
                                                     width=3 if node["id"] in highlighted else 1.5),
        ))
        # The segment mix as a thin stacked bar, so a node's purity shows without hovering.
        left = x - _BOX_WIDTH / 2 + 0.04
        span = _BOX_WIDTH - 0.08
        total = node["samples"] or 1
        for segment, n in sorted(_counts(node).items()):
            if n == 0:
                continue
            width = span * n / total
            shapes.append(dict(
                type="rect", layer="below", x0=left, x1=left + width, y0=y + _MIX_BAR_TOP,
                y1=y + _MIX_BAR_TOP + _MIX_BAR_HEIGHT, fillcolor=SEGMENT_COLOURS[segment],
                line=dict(width=0), opacity=opacity,
            ))
            left += width

    ordered = [by_id[node_id] for node_id in sorted(by_id)]
    rules_to = {node["id"]: [by_id[i]["rule"] for i in node_path(nodes, node["id"])[1:]] for node in ordered}
    figure.add_trace(go.Scatter(
        x=[positions[node["id"]][0] for node in ordered],
        y=[positions[node["id"]][1] - 0.05 for node in ordered],
        mode="markers+text", name="nodes", showlegend=False,
        text=[_node_text(node) for node in ordered], textposition="middle center",
        textfont=dict(size=12, color=[_PATH_COLOUR if not highlighted or node["id"] in highlighted
                                      else "#adb5bd" for node in ordered]),
        # Invisible square markers the size of a box catch hovers and clicks anywhere on a node.
        marker=dict(symbol="square", size=70, color="rgba(0, 0, 0, 0)"),
        customdata=[node["id"] for node in ordered],
        hovertext=[_node_hover(node, rules_to[node["id"]]) for node in ordered],
        hoverinfo="text",
    ))
    for number in sorted(catalogue.SEGMENTS):
        figure.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=f"Segment {number}", hoverinfo="skip",
            marker=dict(symbol="square", size=12, color=SEGMENT_COLOURS[number]),
        ))

    xs = [x for x, _ in positions.values()]
    max_depth = max(depth for _, depth in positions.values())
    figure.update_layout(
        template=TEMPLATE_NAME, shapes=shapes, annotations=annotations,
        xaxis=dict(visible=False, range=[min(xs) - 0.5, max(xs) + 0.5], fixedrange=True),
        yaxis=dict(visible=False, range=[max_depth + 0.4, -0.4], fixedrange=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0,
                    title=dict(text="Predicted segment: ")),
        margin=dict(l=10, r=10, t=30, b=10), hoverlabel=dict(align="left"), clickmode="event",
    )
    return figure


# --- Evaluation ----------------------------------------------------------------------------------------


def confusion_matrix_figure(matrix: list[list[int]], title: str | None = None) -> go.Figure:
    """A confusion matrix of the four segments as an annotated heatmap.

    Parameters
    ----------
    matrix : list of list of int, shape (4, 4)
        Rows are the true segments, columns the predicted ones, both in segment order (as
        ``evaluation.json`` stores them).
    title : str, optional
        Figure title.

    Returns
    -------
    go.Figure
        One ``heatmap`` trace, segment 1 in the top row; hover gives the share of the true segment's rows.

    Raises
    ------
    ValueError
        If ``matrix`` is not square with one row per segment.
    """
    numbers = sorted(catalogue.SEGMENTS)
    if len(matrix) != len(numbers) or any(len(row) != len(numbers) for row in matrix):
        raise ValueError(f"the confusion matrix must be {len(numbers)} x {len(numbers)} (one row and column "
                         f"per segment), got {[len(row) for row in matrix]}")
    labels = [f"Segment {n}" for n in numbers]
    row_share = [[n / (sum(row) or 1) for n in row] for row in matrix]
    figure = go.Figure(go.Heatmap(
        z=matrix, x=labels, y=labels, colorscale="Blues", showscale=False,
        text=[[f"{n:,}" for n in row] for row in matrix], texttemplate="%{text}", textfont=dict(size=13),
        customdata=row_share,
        hovertemplate="True %{y}, predicted %{x}<br>%{text} clients (%{customdata:.1%} of the true segment)"
                      "<extra></extra>",
    ))
    figure.update_layout(
        template=TEMPLATE_NAME, title=title,
        xaxis=dict(title=dict(text="Predicted segment"), side="bottom"),
        yaxis=dict(title=dict(text="True segment"), autorange="reversed"),
        margin=dict(l=90, r=10, t=40 if title else 10, b=50),
    )
    return figure


def class_balance_figure(train: dict, test: dict) -> go.Figure:
    """How the segments are spread in the training period and in the test period.

    Parameters
    ----------
    train, test : dict
        {segment: clients} (``class_balance_train`` and ``class_balance_test`` of ``evaluation.json``; keys may
        be strings).

    Returns
    -------
    go.Figure
        Two grouped ``bar`` traces, "Training period" then "Test period", y in percent of the period's
        clients, the counts as ``customdata``.
    """
    figure = go.Figure()
    for label, counts, colour in (("Training period", train, "#2a6f97"), ("Test period", test, "#e07a5f")):
        by_segment = {int(segment): int(n) for segment, n in counts.items()}
        total = sum(by_segment.values()) or 1
        numbers = sorted(by_segment)
        figure.add_trace(go.Bar(
            x=[f"Segment {n}" for n in numbers], y=[100 * by_segment[n] / total for n in numbers],
            name=f"{label} ({total:,})", marker_color=colour, customdata=[by_segment[n] for n in numbers],
            texttemplate="%{y:.0f}%", textposition="outside", cliponaxis=False,
            hovertemplate=f"{label}<br>%{{x}}: %{{customdata:,}} clients (%{{y:.1f}}%)<extra></extra>",
        ))
    figure.update_layout(
        template=TEMPLATE_NAME, barmode="group",
        yaxis=dict(title=dict(text="% of the period's clients"), ticksuffix="%", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0.0),
        margin=dict(l=60, r=10, t=20, b=30),
    )
    return figure
