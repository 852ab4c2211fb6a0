"""Figures of the Campaign response page: the rate of each segment with its interval, and segment x driver.

Builders take what :mod:`dashapp.views.response` prepares from ``response.json`` (plain dicts) and draw rates in
percent with their 95% Wilson intervals as error bars; a cell with few clients is drawn hollow.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashapp.core import i18n
from dashapp.core.i18n import N_, _, pgettext
from dashapp.figures import SEGMENT_COLOURS, empty_figure, table_hints

#: The base rate's line and band, and each level's rate over every segment.
BASE_COLOUR = "#6c757d"
#: Marker symbols of a cell with enough clients and one with few (hollow: read its interval first).
SYMBOL, FEW_CLIENTS_SYMBOL = "circle", "circle-open"
LEVEL_RATE_NAME = N_("All segments")


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _error_bars(rows: list[dict]) -> dict:
    """Asymmetric error bars from each row's ``rate`` and ``interval`` (in percent)."""
    return dict(type="data", symmetric=False, thickness=1.5, width=4,
                array=[100 * (row["interval"][1] - row["rate"]) for row in rows],
                arrayminus=[100 * (row["rate"] - row["interval"][0]) for row in rows])


def _symbols(rows: list[dict]) -> list[str]:
    return [FEW_CLIENTS_SYMBOL if row["few_clients"] else SYMBOL for row in rows]


def _rate_columns(lift: bool = False, **axes: str | None) -> dict:
    """How a rate trace's download names its points: ``axes`` (x when no axis title does, None to leave it out),
    then :func:`_hover_cells`' items (the few-clients note left out), and the lift."""
    names = [_("Clients"), _("Subscribed"), _("95% interval from, %"), _("95% interval to, %"), None]
    return table_hints(columns={"customdata": names + ([_("Lift")] if lift else []), **axes})


def _hover_cells(rows: list[dict]) -> list[list]:
    """customdata of a rate's hover: clients, subscribers, interval low and high (percent), a few-clients note."""
    return [[row["clients"], row["subscribers"], 100 * row["interval"][0], 100 * row["interval"][1],
             " " + _("(few clients)") if row["few_clients"] else ""] for row in rows]


#: A rate's hover (plotly's template: plotly.js puts the language's separators in its numbers).
_HOVER_RATE = N_("%{y:.1f}% subscribed (95% interval %{customdata[2]:.1f}-%{customdata[3]:.1f}%)<br>"
                 "%{customdata[1]:,} of %{customdata[0]:,} clients%{customdata[4]}")


def _rate_axis() -> str:
    # A context: elsewhere the same words label the outcome column, which Russian says in the singular.
    return pgettext("a chart's axis of rates", "Subscribed a term deposit")


def _segment(number: int) -> str:
    return _("Segment {number}").format(number=number)


def segment_rate_figure(rates: dict) -> go.Figure:
    """The subscription rate of each segment in one population, with 95% intervals, over the base rate.

    Parameters
    ----------
    rates : dict
        From :func:`dashapp.views.response.segment_rates`: ``population`` (name), ``base`` (``rate``,
        ``interval``) and ``segments`` (``segment``, ``clients``, ``subscribers``, ``rate``, ``interval``,
        ``lift``, ``few_clients``).

    Returns
    -------
    go.Figure
        One ``scatter`` trace per segment (name ``"Segment n"``, x ``"Segment n"``, y the rate in percent, error
        bars the interval; customdata clients, subscribers, interval, note, lift), a dashed line at the base
        rate and a grey band over its interval (``layout.shapes``).
    """
    if not rates["segments"] or rates["base"]["rate"] is None:
        return empty_figure(_("No clients in the {population}").format(population=rates["population"]))
    figure = go.Figure()
    for row in rates["segments"]:
        number = row["segment"]
        figure.add_trace(go.Scatter(
            x=[_segment(number)], y=[_percent(row["rate"])], name=_segment(number), mode="markers",
            marker=dict(size=12, color=SEGMENT_COLOURS[number], symbol=_symbols([row]),
                        line=dict(width=2, color=SEGMENT_COLOURS[number])),
            error_y=dict(_error_bars([row]), color=SEGMENT_COLOURS[number]),
            customdata=[_hover_cells([row])[0] + [row["lift"]]],
            hovertemplate=(f"<b>{_segment(number)}</b><br>{_(_HOVER_RATE)}<br>"
                           + _("%{customdata[5]:.2f} times the average client") + "<extra></extra>"),
        ))
    base = rates["base"]
    low, high = (_percent(value) for value in base["interval"])
    figure.add_hrect(y0=low, y1=high, fillcolor=BASE_COLOUR, opacity=0.15, line_width=0, layer="below")
    figure.add_hline(y=_percent(base["rate"]), line=dict(color=BASE_COLOUR, dash="dash", width=1.5),
                     annotation_text=f"{rates['population']}: {i18n.percent(base['rate'], 1)}",
                     annotation_position="top left", annotation_font_color=BASE_COLOUR)
    top = max(row["interval"][1] for row in rates["segments"] + [base])
    figure.update_traces(meta=_rate_columns(lift=True, x=None))  # a trace per segment, each its own x
    figure.update_layout(showlegend=False, margin=dict(l=60, r=20, t=30, b=40), meta=table_hints(series=_("Segment")),
                         yaxis=dict(title=dict(text=_rate_axis()), ticksuffix="%",
                                    range=[0, 100 * top * 1.15], rangemode="tozero"),
                         xaxis=dict(type="category"))
    return figure


def segment_driver_figure(table: dict) -> go.Figure:
    """The rate of each segment within each level of a driver (dots with 95% intervals), beside the level's
    rate over every segment.

    Parameters
    ----------
    table : dict
        From :func:`dashapp.views.response.driver_cells`: ``population`` and ``driver`` (names), ``levels``
        (``label``, ``clients``, ``subscribers``, ``rate``, ``interval``, ``few_clients``) and ``cells``
        (``segment``, ``label``, ``clients``, ``subscribers``, ``rate``, ``interval``, ``few_clients``).

    Returns
    -------
    go.Figure
        A first ``scatter`` trace named :data:`LEVEL_RATE_NAME` (grey bars across each level: its rate over
        every segment), then one per segment with cells (name ``"Segment n"``), grouped side by side per level
        (``scattermode="group"``); x the levels' labels in order, y the rate in percent, error bars the
        intervals, hollow markers for cells with few clients; the hover says the interval and the clients.
    """
    if not table["cells"]:
        return empty_figure(_("No clients in the {population}").format(population=table["population"]))
    labels = [level["label"] for level in table["levels"]]
    levels = table["levels"]
    figure = go.Figure(go.Scatter(
        x=labels, y=[_percent(level["rate"]) for level in levels], name=_(LEVEL_RATE_NAME), mode="markers",
        marker=dict(symbol="line-ew", size=34, color=BASE_COLOUR, line=dict(width=3, color=BASE_COLOUR)),
        customdata=_hover_cells(levels),
        hovertemplate="<b>" + _("%{x}, every segment") + f"</b><br>{_(_HOVER_RATE)}<extra></extra>",
    ))
    for number in sorted({cell["segment"] for cell in table["cells"]}):
        rows = [cell for cell in table["cells"] if cell["segment"] == number]
        figure.add_trace(go.Scatter(
            x=[row["label"] for row in rows], y=[_percent(row["rate"]) for row in rows], name=_segment(number),
            mode="markers", marker=dict(size=9, color=SEGMENT_COLOURS[number], symbol=_symbols(rows),
                                        line=dict(width=2, color=SEGMENT_COLOURS[number])),
            error_y=dict(_error_bars(rows), color=SEGMENT_COLOURS[number]), customdata=_hover_cells(rows),
            hovertemplate=f"<b>{_segment(number)}, %{{x}}</b><br>{_(_HOVER_RATE)}<extra></extra>",
        ))
    figure.update_traces(meta=_rate_columns())
    figure.update_layout(
        scattermode="group", scattergap=0.5, meta=table_hints(series=_("Segment")),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
        margin=dict(l=60, r=20, t=40, b=60),
        xaxis=dict(type="category", categoryorder="array", categoryarray=labels,
                   title=dict(text=table["driver"])),
        yaxis=dict(title=dict(text=_rate_axis()), ticksuffix="%", rangemode="tozero"),
    )
    return figure


def segment_month_figure(months: dict) -> go.Figure:
    """Each segment's subscription rate by calendar month, with 95% intervals, over every client's.

    Parameters
    ----------
    months : dict
        From :func:`dashapp.views.response.segment_months`: ``labels`` (the months in words, in calendar order),
        ``all`` (rate cells of every client, one per month) and ``segments`` ([{segment, cells}]); a cell without
        clients has rate None and is left out.

    Returns
    -------
    go.Figure
        One line-and-marker trace per segment (name ``"Segment n"``), and every client's rate as a grey line
        (name :data:`LEVEL_RATE_NAME`), x the months as categories, y in percent.
    """
    if not months["labels"]:
        return empty_figure(_("No contact dates: the rates cannot be drawn by month"))
    figure = go.Figure()
    series = [(_(LEVEL_RATE_NAME), BASE_COLOUR, months["all"])]
    series += [(_segment(entry["segment"]), SEGMENT_COLOURS.get(entry["segment"], BASE_COLOUR),
                entry["cells"]) for entry in months["segments"]]
    for name, colour, cells in series:
        shown = [(label, cell) for label, cell in zip(months["labels"], cells) if cell["rate"] is not None]
        rows = [cell for _label, cell in shown]
        figure.add_trace(go.Scatter(
            x=[label for label, _cell in shown], y=[_percent(row["rate"]) for row in rows], name=name,
            mode="lines+markers", line=dict(color=colour, width=2 if name == _(LEVEL_RATE_NAME) else 1.5),
            marker=dict(color=colour, symbol=_symbols(rows), size=7), error_y=_error_bars(rows) | {"color": colour},
            customdata=_hover_cells(rows),
            hovertemplate=f"<b>{name}</b>, %{{x}}<br>" + _(_HOVER_RATE) + "<extra></extra>"))
    figure.update_traces(meta=_rate_columns(x=_("Month")))
    figure.update_layout(margin=dict(l=50, r=10, t=10, b=60), legend=dict(orientation="h", y=-0.25),
                         meta=table_hints(series=_("Segment")),
                         yaxis=dict(title=_rate_axis(), ticksuffix="%", rangemode="tozero"),
                         xaxis=dict(type="category", categoryorder="array", categoryarray=months["labels"]))
    return figure


def calendar_figure(months: dict) -> go.Figure:
    """The calendar's story month by month: the calls and the rate above, the three-month Euribor and the share
    of clients called before below.

    Parameters
    ----------
    months : dict
        From :func:`dashapp.views.response.calendar_story`: ``labels`` and, one per month, ``clients``, ``rate``,
        ``euribor3m`` (percent) and ``called_before`` (share).
    """
    from plotly.subplots import make_subplots

    if not months["labels"]:
        return empty_figure(_("No contact dates: the calendar cannot be drawn"))
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           specs=[[{"secondary_y": True}], [{"secondary_y": True}]])
    labels = months["labels"]
    figure.add_trace(go.Bar(x=labels, y=months["clients"], name=_("Calls"), marker_color="#ced4da",
                            hovertemplate="%{x}: %{y:,}<extra></extra>"), row=1, col=1)
    figure.add_trace(go.Scatter(x=labels, y=[_percent(r) for r in months["rate"]], name=_("Subscribed"),
                                mode="lines+markers", line=dict(color="#0d6efd"),
                                hovertemplate="%{x}: %{y:.1f}%<extra></extra>"), row=1, col=1, secondary_y=True)
    figure.add_trace(go.Scatter(x=labels, y=months["euribor3m"], name=_("Three-month Euribor"), mode="lines",
                                line=dict(color="#6f42c1"), hovertemplate="%{x}: %{y:.2f}%<extra></extra>"),
                     row=2, col=1)
    figure.add_trace(go.Scatter(x=labels, y=[_percent(r) for r in months["called_before"]],
                                name=_("Called in an earlier campaign"), mode="lines", line=dict(color="#fd7e14"),
                                hovertemplate="%{x}: %{y:.1f}%<extra></extra>"), row=2, col=1, secondary_y=True)
    figure.update_yaxes(title_text=_("Calls"), row=1, col=1, secondary_y=False)
    figure.update_yaxes(title_text=_("Subscribed"), ticksuffix="%", rangemode="tozero", row=1, col=1,
                        secondary_y=True)
    figure.update_yaxes(title_text=_("Euribor"), ticksuffix="%", rangemode="tozero", row=2, col=1,
                        secondary_y=False)
    figure.update_yaxes(title_text=_("Called before"), ticksuffix="%", rangemode="tozero", row=2, col=1,
                        secondary_y=True)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    figure.update_traces(meta=table_hints(columns={"x": _("Month")}))
    figure.update_layout(margin=dict(l=60, r=60, t=10, b=60), legend=dict(orientation="h", y=-0.15),
                         bargap=0.2, meta=table_hints(merge=True))
    return figure
