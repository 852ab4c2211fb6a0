"""Pure figure builders: artifacts or small frames in, ``plotly.graph_objects.Figure`` out (plotly only).

Every builder uses the one template registered here, so all charts share fonts, margins and colours.
Sub-modules, one per page they were made for: ``data``, ``explorer``, ``segments`` (and the Overview's share
comparison), ``tree`` (the decision tree; the Score page draws a client's path on it) with ``classifier`` (the Tree
page's quality charts, kept apart so that the tree's drawing stays one readable module).
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashapp.core import catalogue

TEMPLATE_NAME = "studio"

#: The longest line of an axis title before it is broken: a rotated title longer than its plot, or a horizontal
#: one wider than a phone's chart, is cut at the chart's edge (Russian titles run a third longer).
AXIS_TITLE_LINE = 26


def axis_title(text: str, line: int = AXIS_TITLE_LINE) -> str:
    """An axis title broken into lines of at most about ``line`` characters at spaces (``<br>``), so that it
    fits a narrow chart in either language; a word longer than a line stays whole."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)

def table_hints(**hints) -> dict:
    """A trace's or a layout's ``meta``: how its data reads as a downloaded table
    (:func:`dashapp.results.chart_data.figure_table`); plotly draws nothing of it.

    On a trace: ``columns`` (names of its points' ``x``, ``y``, ``z``, ``text``, ``customdata`` (a list, one per
    item, None leaving one out) where an axis title does not name them), ``value`` (its values' column when the
    layout merges the traces), ``skip`` (a drawing aid: edges, bands, guides). On the layout: ``series`` (the
    column naming each trace) and ``merge`` (one row per category the traces share, one column per trace).
    """
    return {"table": hints}


#: Segment colours, by segment number (as many as the grid has values of k).
SEGMENT_COLOURS = {number: catalogue.segment_colour(number)
                   for number in range(1, len(catalogue.SEGMENT_PALETTE) + 1)}


_TEMPLATE_LAYOUT_KEYS = ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor",
                         "plot_bgcolor", "polar", "xaxis", "yaxis", "scene", "shapedefaults", "annotationdefaults",
                         "title")


def _register_template() -> None:
    # Only the parts of plotly_white's layout our charts use. Its per-trace-type defaults (two dozen trace
    # types), colour scales and map settings are validated and deep-copied into every figure: they made each
    # figure about 6x slower to build (3.3 ms -> 0.5 ms before traces) and heavier on the wire.
    white = pio.templates["plotly_white"].layout.to_plotly_json()
    template = go.layout.Template(layout={key: white[key] for key in _TEMPLATE_LAYOUT_KEYS if key in white})
    template.layout.font = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=12)
    template.layout.margin = dict(l=50, r=20, t=40, b=40)
    template.layout.colorway = ["#2a6f97", "#e07a5f", "#3d9970", "#f2a541", "#6c757d", "#9b5de5", "#00b4d8",
                                "#d62828"]
    template.layout.title = dict(font=dict(size=14), x=0.01, xanchor="left")
    template.layout.hoverlabel = dict(font_size=12)
    # Axes write numbers out with the page's thousands separator (20,000; 20 000 in Russian), not plotly's SI
    # abbreviations (20k): those have no Russian form.
    for axis in (template.layout.xaxis, template.layout.yaxis):
        axis.update(exponentformat="none", separatethousands=True)
    pio.templates[TEMPLATE_NAME] = template
    # The default, rather than named in each figure: a named template is deep-copied into every figure (5 ms
    # each, a fifth of a Data page chart's cost), the default is shared by reference, as plotly shares its own.
    pio.templates.default = TEMPLATE_NAME


_register_template()


def empty_figure(message: str) -> go.Figure:
    """A blank figure that says why there is nothing to plot (e.g. a filter that leaves no clients)."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font=dict(size=14, color="#6c757d"))
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
