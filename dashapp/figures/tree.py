"""The decision tree as a figure, for the Tree page and (a client's way through it) the Score page.

The tree is drawn from ``evaluation.json``'s ``tree_nodes`` (see :func:`dashapp.analysis.segmentation.tree_nodes`):
each node is a box coloured by its predicted segment with a bar of its segment mix, each edge carries its rule
in words (:mod:`dashapp.views.tree`). The Score page passes a client's ``highlight_path`` to show the way the
tree decided. The classifier's quality charts are :mod:`dashapp.figures.classifier`'s.

Two layouts: the classic one (root on top, leaves side by side) where the figure is wide enough for every leaf,
and a stacked one (one node per row, indented by depth, each rule written in its node's box) on a narrow
screen, where the leaves side by side would squeeze their text out of the boxes.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from dashapp.core import catalogue, i18n
from dashapp.core.i18n import _, ngettext
from dashapp.figures import SEGMENT_COLOURS, table_hints
from dashapp.views.tree import node_path, readable_rule, rule_answer

#: Box size in data units: one unit between neighbouring leaves, one between depths.
_BOX_WIDTH, _BOX_HEIGHT = 0.86, 0.5
#: The segment-mix bar inside the bottom of each box.
_MIX_BAR_TOP, _MIX_BAR_HEIGHT = 0.12, 0.07
#: In the classic layout, rules longer than this wrap onto several lines between words.
_WRAP_AT = 30
#: The classic layout needs this many pixels per leaf for a box's text and the answers between boxes to fit
#: (two lists of five jobs side by side, wrapped at :data:`_WRAP_AT` characters).
MIN_PIXELS_PER_LEAF = 150
#: Height of the classic layout, in pixels.
WIDE_HEIGHT = 620
#: The stacked layout: pixels of indent per depth, of padding inside a box, per text line, between rows; the
#: figure's margins; the average width of a character of the 12-pixel font (for wrapping); the mix bar's height.
_INDENT, _PADDING, _LINE, _ROW_GAP = 18, 8, 16, 10
_STACKED_MARGIN = dict(l=6, r=6, t=30, b=6)
_CHARACTER = 6.8
_MIX_BAR_PIXELS = 6
_PATH_COLOUR = "#212529"
_EDGE_COLOUR = "#adb5bd"
_FADED_NODE_OPACITY = 0.35


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _wrap(text: str, width: int = _WRAP_AT) -> str:
    """Break a long rule between words (after a comma where there is one) so that no line is much longer than
    ``width`` characters."""
    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and len(candidate) > width:
            lines.append(line)
            line = word
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


def _question(node: dict) -> str:
    # The split is stated as the rule of the left branch, e.g. "job in {...}"; its first word is the feature.
    return _("{column}?").format(column=catalogue.column_label(node["split"].split(" ", 1)[0]))


def _purity(node: dict) -> float:
    return _counts(node).get(node["segment"], 0) / node["samples"] if node["samples"] else 0.0


def _clients(node: dict) -> str:
    return ngettext("{clients} client", "{clients} clients", node["samples"]).format(
        clients=i18n.number(node["samples"]))


def _purity_text(node: dict) -> str:
    """``'95% segment 3'``: the share of a node's clients in the segment it predicts."""
    return _("{share} segment {number}").format(share=i18n.percent(_purity(node)), number=node["segment"])


def _segment(number: int) -> str:
    return _("Segment {number}").format(number=number)


def _node_text(node: dict) -> str:
    head = f"<b>{_segment(node['segment'])}</b>" if node["is_leaf"] else f"<b>{_question(node)}</b>"
    return f"{head}<br>{_clients(node)}<br>{_purity_text(node)}"


def _node_hover(node: dict, rules: list[str], names: Mapping[int, str]) -> str:
    counts = _counts(node)
    total = node["samples"] or 1
    conditions = ("<br>" + _("and") + " ").join(readable_rule(rule) for rule in rules) if rules else \
        _("All training clients")
    mix = "<br>".join("  " + _("segment {number}: {clients} ({share})").format(
        number=segment, clients=i18n.number(n), share=i18n.percent(n / total)) for segment, n in sorted(counts.items()))
    outcome = _("Leaf") if node["is_leaf"] else _("Next question: {question}").format(question=_question(node))
    training = ngettext("{clients} training client", "{clients} training clients", node["samples"]).format(
        clients=i18n.number(node["samples"]))
    predicted = _("Predicted: {name} (segment {number})").format(name=names[node["segment"]],
                                                                 number=node["segment"])
    return (_("<b>Node {id}</b>").format(id=node["id"]) + f"<br>{conditions}<br>{training}<br>"
            + _("Segment mix:") + f"<br>{mix}<br>{predicted}<br>{outcome}")


def is_stacked(nodes: list[dict], width: int | None) -> bool:
    """Whether :func:`tree_figure` draws the stacked layout at ``width`` pixels (too narrow for the leaves)."""
    leaves = sum(1 for node in nodes if node["is_leaf"])
    return width is not None and width < MIN_PIXELS_PER_LEAF * leaves


def _plain_length(text: str) -> int:
    return len(text.replace("<b>", "").replace("</b>", ""))


def _lines(pieces: list[str], characters: int, separator: str = " \u00b7 ") -> list[str]:
    """Pieces joined by ``separator`` into lines of at most about ``characters`` (markup not counted)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and _plain_length(lines[-1] + separator + piece) <= characters:
            lines[-1] += separator + piece
        else:
            lines.append(piece)
    return lines


def _stacked_rows(nodes: list[dict], width: int) -> list[dict]:
    """The stacked layout: one row per node in reading order (a node, then its subtrees, the rule that holds
    first), with its box in pixels and its text as lines."""
    by_id = {node["id"]: node for node in nodes}
    children = _children(nodes)
    right = width - _STACKED_MARGIN["l"] - _STACKED_MARGIN["r"]
    rows: list[dict] = []
    top = 0.0

    def add(node_id: int) -> None:
        nonlocal top
        node = by_id[node_id]
        left = node["depth"] * _INDENT
        characters = max(12, int((right - left - 2 * _PADDING) / _CHARACTER))
        title = readable_rule(node["rule"]) if node["rule"] else _("All training clients")
        lines = [f"<b>{line}</b>" for line in _wrap(title, characters).split("<br>")]
        facts = [_clients(node), _purity_text(node)]
        facts = ([f"<b>{_segment(node['segment'])}</b>", *facts] if node["is_leaf"]
                 else [*facts, _("then: {question}").format(question=_question(node))])
        lines += _lines(facts, characters)
        text_height = len(lines) * _LINE
        bottom = top + 2 * _PADDING + text_height + _MIX_BAR_PIXELS
        rows.append(dict(node=node, x0=left, x1=right, y0=top, y1=bottom, text="<br>".join(lines),
                         text_y=top + _PADDING + text_height / 2, bar_y0=bottom - _PADDING / 2 - _MIX_BAR_PIXELS,
                         bar_y1=bottom - _PADDING / 2))
        top = bottom + _ROW_GAP
        for child in sorted(children[node_id]):
            add(child)

    add(next(node["id"] for node in nodes if node["parent"] is None))
    return rows


def tree_height(nodes: list[dict], width: int | None = None) -> int:
    """The height in pixels that :func:`tree_figure` needs at ``width`` (give its graph this height).

    Parameters
    ----------
    nodes : list of dict
        ``tree_nodes`` from ``evaluation.json``.
    width : int, optional
        The figure's width in pixels; None for a wide one.

    Returns
    -------
    int
        :data:`WIDE_HEIGHT` for the classic layout; the rows and margins of the stacked one.
    """
    if not is_stacked(nodes, width):
        return WIDE_HEIGHT
    rows = _stacked_rows(nodes, width)
    return int(rows[-1]["y1"] + _STACKED_MARGIN["t"] + _STACKED_MARGIN["b"] + 1)


def _node_shapes(node: dict, box: tuple[float, float, float, float], bar: tuple[float, float, float, float],
                 highlighted: set[int]) -> list[dict]:
    """A node's box and, inside it, its segment mix as a thin stacked bar (purity shows without hovering)."""
    colour = SEGMENT_COLOURS[node["segment"]]
    on_path = node["id"] in highlighted
    opacity = 1.0 if not highlighted or on_path else _FADED_NODE_OPACITY
    x0, y0, x1, y1 = box
    shapes = [dict(type="rect", layer="below", x0=x0, x1=x1, y0=y0, y1=y1, opacity=opacity,
                   fillcolor=_rgba(colour, 0.16),
                   line=dict(color=_PATH_COLOUR if on_path else colour, width=3 if on_path else 1.5))]
    left, bar_y0, right, bar_y1 = bar
    total = node["samples"] or 1
    for segment, n in sorted(_counts(node).items()):
        if n == 0:
            continue
        width = (right - left) * n / total
        shapes.append(dict(type="rect", layer="below", x0=left, x1=left + width, y0=bar_y0, y1=bar_y1,
                           fillcolor=SEGMENT_COLOURS[segment], line=dict(width=0), opacity=opacity))
        left += width
    return shapes


def tree_figure(nodes: list[dict], names: Mapping[int, str], highlight_path: list[int] | None = None,
                width: int | None = None) -> go.Figure:
    """The decision tree as an interactive figure, laid out for the width it gets.

    Parameters
    ----------
    nodes : list of dict
        ``tree_nodes`` from ``evaluation.json``: ``id``, ``parent``, ``depth``, ``rule``, ``split``,
        ``samples``, ``segment_counts``, ``segment``, ``is_leaf``.
    names : mapping
        Segment number -> name (:func:`dashapp.core.catalogue.segment_names`): every segment, for the legend
        and the leaves' predictions.
    highlight_path : list of int, optional
        Node ids to emphasise, normally a root-to-leaf path (a scored client's decision path, or
        :func:`node_path`); the edges between consecutive highlighted nodes are drawn bold and the other
        nodes fade. None (default) draws every node alike.
    width : int, optional
        The figure's width in pixels, e.g. a phone's 390. None (default) or a width with
        :data:`MIN_PIXELS_PER_LEAF` per leaf draws the classic tree (root on top, x in leaf units, y in depths);
        a narrower one draws the stacked layout (one row per node, indented by depth, each box headed by the
        rule that leads to it; x and y in pixels, :func:`tree_height` high).

    Returns
    -------
    go.Figure
        Traces in order: the edges (``scatter`` lines; the highlighted path as a second trace), the nodes
        (a ``scatter`` of markers and text whose ``customdata`` is the node id, with a hover of the rules,
        clients, segment mix and prediction) and one legend entry per segment colour (shown in the classic
        layout only). Boxes and segment-mix bars are layout shapes; in the classic layout the answers to each
        box's question ("Yes", "No", the jobs) are annotations on the edges.

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
    path_edges = {(a, b) for a, b in zip(highlight_path or [], (highlight_path or [])[1:])}
    if is_stacked(nodes, width):
        layout = _stacked_layout(nodes, width, highlighted)
    else:
        layout = _classic_layout(nodes, highlighted, path_edges)
    figure = go.Figure([*_edge_traces(nodes, layout["edges"], path_edges),
                        _node_trace(nodes, layout, highlighted, names), *_legend_traces(names)])
    figure.update_layout(
        shapes=layout["shapes"], annotations=layout["annotations"],
        xaxis=dict(visible=False, range=layout["x_range"], fixedrange=True),
        yaxis=dict(visible=False, range=layout["y_range"], fixedrange=True),
        showlegend=layout["legend_title"] is not None,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0,
                    title=dict(text=layout["legend_title"] or "")),
        margin=layout["margin"], hoverlabel=dict(align="left"), clickmode="event",
        hovermode=layout["hovermode"],
    )
    return figure


def _edge_traces(nodes: list[dict], edges: dict[int, tuple[list[float], list[float]]],
                 path_edges: set[tuple[int, int]]) -> list[go.Scatter]:
    """Every edge as one line trace, the highlighted path's as a second, bold one (gaps of None between edges)."""
    edge_x: dict[bool, list] = {False: [], True: []}
    edge_y: dict[bool, list] = {False: [], True: []}
    for node in nodes:
        if node["parent"] is not None:
            xs, ys = edges[node["id"]]
            on_path = (node["parent"], node["id"]) in path_edges
            edge_x[on_path] += [*xs, None]
            edge_y[on_path] += [*ys, None]
    return [go.Scatter(x=edge_x[on_path], y=edge_y[on_path], mode="lines", hoverinfo="skip", showlegend=False,
                       name="decision path" if on_path else "edges", meta=table_hints(skip=True),
                       line=dict(color=_PATH_COLOUR if on_path else _EDGE_COLOUR, width=4 if on_path else 1.5))
            for on_path in (False, True)]


def _node_trace(nodes: list[dict], layout: dict, highlighted: set[int], names: Mapping[int, str]) -> go.Scatter:
    """The nodes' texts, with invisible markers that catch hovers and clicks; ``customdata`` is the node id."""
    by_id = {node["id"]: node for node in nodes}
    ordered = [by_id[node_id] for node_id in sorted(by_id)]
    rules_to = {node["id"]: [by_id[i]["rule"] for i in node_path(nodes, node["id"])[1:]] for node in ordered}
    return go.Scatter(
        x=[layout["anchors"][node["id"]][0] for node in ordered],
        y=[layout["anchors"][node["id"]][1] for node in ordered],
        mode="markers+text", name="nodes", showlegend=False,
        text=[layout["texts"][node["id"]] for node in ordered], textposition=layout["textposition"],
        textfont=dict(size=12, color=[_PATH_COLOUR if not highlighted or node["id"] in highlighted
                                      else "#adb5bd" for node in ordered]),
        marker=dict(symbol="square", size=layout["marker_size"], color="rgba(0, 0, 0, 0)"),
        customdata=[node["id"] for node in ordered],
        # The download: one row per node, its id and what its hover says (the drawing's coordinates left out).
        meta=table_hints(columns={"x": None, "y": None, "text": None, "customdata": _("Node"),
                                  "hovertext": _("Rule, clients and segments")}),
        hovertext=[_node_hover(node, rules_to[node["id"]], names) for node in ordered],
        hoverinfo="text",
    )


def _legend_traces(names: Mapping[int, str]) -> list[go.Scatter]:
    """One empty trace per segment, only for the legend's coloured squares."""
    return [go.Scatter(x=[None], y=[None], mode="markers", name=_segment(number), hoverinfo="skip",
                       meta=table_hints(skip=True),
                       marker=dict(symbol="square", size=12, color=SEGMENT_COLOURS[number]))
            for number in sorted(names)]


def _classic_layout(nodes: list[dict], highlighted: set[int], path_edges: set[tuple[int, int]]) -> dict:
    """Root on top, leaves one unit apart; each box asks its question ("Housing loan?"), each edge half way
    carries the answer ("Yes", or the jobs)."""
    positions = _positions(nodes)
    edges, annotations, shapes = {}, [], []
    for node in nodes:
        x, y = positions[node["id"]]
        if node["parent"] is not None:
            x0, y0 = positions[node["parent"]]
            edges[node["id"]] = ([x0, x], [y0 + _BOX_HEIGHT / 2, y - _BOX_HEIGHT / 2])
            on_path = (node["parent"], node["id"]) in path_edges
            annotations.append(dict(
                x=(x0 + x) / 2, y=(y0 + y) / 2, text=_wrap(rule_answer(node["rule"])), showarrow=False,
                font=dict(size=11, color=_PATH_COLOUR if on_path or not highlighted else "#6c757d"),
                bgcolor="rgba(255, 255, 255, 0.9)", borderpad=2,
            ))
        box = (x - _BOX_WIDTH / 2, y - _BOX_HEIGHT / 2, x + _BOX_WIDTH / 2, y + _BOX_HEIGHT / 2)
        bar = (x - _BOX_WIDTH / 2 + 0.04, y + _MIX_BAR_TOP, x + _BOX_WIDTH / 2 - 0.04,
               y + _MIX_BAR_TOP + _MIX_BAR_HEIGHT)
        shapes += _node_shapes(node, box, bar, highlighted)
    xs = [x for x, _ in positions.values()]
    max_depth = max(depth for _, depth in positions.values())
    return dict(
        edges=edges, annotations=annotations, shapes=shapes,
        anchors={node_id: (x, y - 0.05) for node_id, (x, y) in positions.items()},
        texts={node["id"]: _node_text(node) for node in nodes}, textposition="middle center", marker_size=70,
        x_range=[min(xs) - 0.5, max(xs) + 0.5], y_range=[max_depth + 0.4, -0.4],
        legend_title=_("Predicted segment:") + " ", margin=dict(l=10, r=10, t=30, b=10), hovermode="closest",
    )


def _stacked_layout(nodes: list[dict], width: int, highlighted: set[int]) -> dict:
    """One row per node, indented by depth; an elbow joins each node to its parent; no edge labels."""
    rows = _stacked_rows(nodes, width)
    by_node = {row["node"]["id"]: row for row in rows}
    edges, shapes = {}, []
    for row in rows:
        node = row["node"]
        if node["parent"] is not None:
            parent = by_node[node["parent"]]
            elbow = parent["x0"] + _INDENT / 2
            edges[node["id"]] = ([elbow, elbow, row["x0"]], [parent["y1"], (row["y0"] + row["y1"]) / 2,
                                                             (row["y0"] + row["y1"]) / 2])
        box = (row["x0"], row["y0"], row["x1"], row["y1"])
        bar = (row["x0"] + _PADDING, row["bar_y0"], row["x1"] - _PADDING, row["bar_y1"])
        shapes += _node_shapes(node, box, bar, highlighted)
    return dict(
        edges=edges, annotations=[], shapes=shapes,
        anchors={node_id: (row["x0"] + _PADDING, row["text_y"]) for node_id, row in by_node.items()},
        texts={node_id: row["text"] for node_id, row in by_node.items()}, textposition="middle right",
        # Text starts beside its point, after the marker: a tiny one leaves the line its whole box; a tap
        # anywhere on the row still finds the node (hovermode "y").
        marker_size=2,
        x_range=[0, rows[0]["x1"]], y_range=[rows[-1]["y1"] + 1, 0],
        # No legend: every box says its segment in words, and the legend's rows would run under the mode bar.
        legend_title=None, margin=_STACKED_MARGIN,
        # A tap anywhere along a node's row picks it, not only on its first letters.
        hovermode="y",
    )
