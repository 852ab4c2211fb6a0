"""Figures of how well the segment classifier does on the later calls: its confusion matrix and the class balance.

The Tree page shows them beside the tree (drawn by :mod:`dashapp.figures.tree`) from ``evaluation.json``'s
``classifier``: the decision tree and the logistic regression it is compared with, on the test rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashapp.core import i18n
from dashapp.core.i18n import _
from dashapp.figures import table_hints


def confusion_matrix_figure(matrix: list[list[int]], numbers: Sequence[int], title: str | None = None) -> go.Figure:
    """A confusion matrix of the segments as an annotated heatmap.

    Parameters
    ----------
    matrix : list of list of int, one row and one column per segment
        Rows are the true segments, columns the predicted ones, both in segment order (as
        ``evaluation.json`` stores them).
    numbers : sequence of int
        The segment numbers, 1 to k (the store's ``segment_numbers``).
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
    numbers = sorted(numbers)
    if len(matrix) != len(numbers) or any(len(row) != len(numbers) for row in matrix):
        raise ValueError(f"the confusion matrix must be {len(numbers)} x {len(numbers)} (one row and column "
                         f"per segment), got {[len(row) for row in matrix]}")
    labels = [_("Segment {number}").format(number=n) for n in numbers]
    row_share = [[n / (sum(row) or 1) for n in row] for row in matrix]
    figure = go.Figure(go.Heatmap(
        z=matrix, x=labels, y=labels, colorscale="Blues", showscale=False,
        text=[[i18n.number(n) for n in row] for row in matrix], texttemplate="%{text}", textfont=dict(size=13),
        customdata=row_share,
        meta=table_hints(columns={"z": _("Clients"), "customdata": _("Share of the true segment")},
                         percent=["customdata"]),
        hovertemplate=_("True %{y}, predicted %{x}<br>%{text} clients (%{customdata:.1%} of the true segment)")
        + "<extra></extra>",
    ))
    figure.update_layout(
        title=title,
        xaxis=dict(title=dict(text=_("Predicted segment")), side="bottom"),
        yaxis=dict(title=dict(text=_("True segment")), autorange="reversed"),
        margin=dict(l=90, r=10, t=40 if title else 10, b=50),
    )
    return figure


def class_balance_figure(train: dict, test: dict, time_ordered: bool = True) -> go.Figure:
    """How the segments are spread in the training period and in the test period.

    Parameters
    ----------
    train, test : dict
        {segment: clients} (``class_balance_train`` and ``class_balance_test`` of ``evaluation.json``; keys may
        be strings).
    time_ordered : bool
        Whether the split is in time order (two periods); after a random split the traces are "Training
        clients" and "Test clients".

    Returns
    -------
    go.Figure
        Two grouped ``bar`` traces, "Training period" then "Test period", y in percent of the period's
        clients, the counts as ``customdata``.
    """
    figure = go.Figure()
    train_label, test_label, axis_title = (
        (_("Training period"), _("Test period"), _("% of the period's clients")) if time_ordered
        else (_("Training clients"), _("Test clients"), _("% of the group's clients")))
    for label, counts, colour in ((train_label, train, "#2a6f97"), (test_label, test, "#e07a5f")):
        by_segment = {int(segment): int(n) for segment, n in counts.items()}
        total = sum(by_segment.values()) or 1
        numbers = sorted(by_segment)
        figure.add_trace(go.Bar(
            x=[_("Segment {number}").format(number=n) for n in numbers],
            y=[100 * by_segment[n] / total for n in numbers],
            name=f"{label} ({i18n.number(total)})", marker_color=colour, customdata=[by_segment[n] for n in numbers],
            meta=table_hints(columns={"x": _("Segment"), "customdata": _("Clients")}),
            texttemplate="%{y:.0f}%", textposition="outside", cliponaxis=False,
            hovertemplate=f"{label}<br>" + _("%{x}: %{customdata:,} clients (%{y:.1f}%)") + "<extra></extra>",
        ))
    figure.update_layout(
        barmode="group",
        yaxis=dict(title=dict(text=axis_title), ticksuffix="%", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="top", y=-0.1, xanchor="left", x=0.0),
        margin=dict(l=60, r=10, t=20, b=30), meta=table_hints(series=_("Period") if time_ordered else _("Clients")),
    )
    return figure
