"""Figures of the data page: small aggregate frames from :mod:`dashapp.views.data` in, plotly figures out.

Most charts are one builder, :func:`count_rate_figure`: bars for the number of clients per value and markers
for their subscription rate on a second axis, so every chart reads the same way.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import N_, _
from dashapp.figures import axis_title, table_hints
from dashapp.views.rates import Rate, SubscriptionRates, population_label

CLIENTS_COLOUR = "#2a6f97"
RATE_COLOUR = "#e07a5f"
SUBSCRIBED_COLOUR = "#3d9970"
NOT_SUBSCRIBED_COLOUR = "#b8c2cc"

#: Readable names of the socio-economic indicators, with their units.
INDICATOR_LABELS: dict[str, str] = {
    "emp.var.rate": N_("Employment variation rate (%)"),
    "cons.price.idx": N_("Consumer price index"),
    "cons.conf.idx": N_("Consumer confidence index"),
    "euribor3m": N_("Euribor 3 months (%)"),
    "nr.employed": N_("Employees (thousands)"),
}


#: Zooming and panning add little to a bar chart and their buttons would sit on the legend of a narrow
#: card; the download button stays.
COMPACT_MODEBAR = dict(remove=["zoom", "pan", "select", "lasso2d", "zoomIn", "zoomOut", "autoScale", "resetScale"])
_TOP_LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0, xanchor="left")


def _layout(title: str | None, **extra) -> dict:
    # Without a title the card header names the chart; a smaller top margin then leaves room for the bars.
    margin = None if title else dict(t=30)
    return dict(title=dict(text=title) if title else None, modebar=COMPACT_MODEBAR,
                margin=margin, **extra)


#: The longest line of a category's name under a bar before it is broken.
CATEGORY_LINE = 16


def count_rate_figure(counts: pd.DataFrame, title: str | None = None, x_title: str | None = None, *,
                      x: str = "label", rate_lines: bool = False, baseline: Rate | None = None,
                      dimension: str | None = None) -> go.Figure:
    """Bars of clients per value, with each value's subscription rate on a right-hand axis.

    Parameters
    ----------
    counts : DataFrame
        From :func:`dashapp.views.data.outcome_by` (or shaped alike): ``clients``, ``subscribed``, ``rate`` and the
        ``x`` column; optional ``value`` (the code a click reports, as the bars' customdata) and ``group``
        (a first level of the x axis, e.g. ``default``/``housing``/``loan`` side by side).
    title, x_title : str, optional
    x : str
        The column on the x axis (default ``label``; ``month`` for a time series).
    rate_lines : bool
        Join the rate markers with a line: for ordered values (number of calls, months), not for categories.
    baseline : Rate, optional
        The subscription rate of every selected client, drawn as a dashed line to compare with and labelled
        with its population (``all clients: 11.3%``, ``filtered clients: 8.2%``).

    Returns
    -------
    Figure
        Trace 0: ``Bar`` of clients (y axis), trace 1: ``Scatter`` of rates (y2, percent).
    """
    # Long category names in two lines (a click reports the value's code, not its label): slanted or upright
    # whole, they would take most of a narrow chart's height, and its axis titles with it.
    labels = [axis_title(label, CATEGORY_LINE) if isinstance(label, str) else label for label in counts[x]]
    x_values = ([[axis_title(group, CATEGORY_LINE) for group in counts["group"]], labels] if "group" in counts
                else labels)
    customdata = counts["value"].tolist() if "value" in counts else None
    # Numbers as numpy arrays: plotly takes a pandas column through narwhals, a seventh of a chart's cost.
    # The download reads one row per value: its name (``dimension``: what the values are, e.g. "Job"), its clients
    # and its rate.
    named = table_hints(columns={"x": dimension or x_title or _("Value")})
    bars = go.Bar(x=x_values, y=counts["clients"].to_numpy(), name=_("Clients"), marker_color=CLIENTS_COLOUR,
                  customdata=customdata, hovertemplate=_("%{y:,} clients") + "<extra></extra>", meta=named)
    held_to_month = "odds_ratio" in counts
    rates = go.Scatter(x=x_values, y=counts["rate"].to_numpy(), name=_("Subscription rate"), yaxis="y2",
                       customdata=customdata, meta=named,
                       mode="lines+markers" if rate_lines else "markers",
                       marker=dict(color=RATE_COLOUR, size=8, line=dict(color="white", width=1)),
                       line=dict(color=RATE_COLOUR, width=2),
                       text=_month_odds_texts(counts) if held_to_month else None,
                       hovertemplate=_("%{y:.1%} subscribed") + ("%{text}" if held_to_month else "")
                       + "<extra></extra>")
    reference = {}
    if baseline is not None and baseline.clients:
        # A plain shape and annotation in the layout: add_hline resolves the subplots on every call, which
        # cost about 10 ms a chart.
        level = baseline.value
        reference = dict(
            shapes=[dict(type="line", xref="paper", x0=0, x1=1, yref="y2", y0=level, y1=level,
                         line=dict(color=RATE_COLOUR, dash="dot", width=1))],
            annotations=[dict(text=baseline.labelled, xref="paper", x=1, xanchor="right", yref="y2",
                              y=level, yanchor="bottom", showarrow=False,
                              font=dict(size=10, color=RATE_COLOUR))])
    return go.Figure([bars, rates], layout=_layout(
        title,
        # Long category names (jobs, education) at the first of these angles at which they do not overlap:
        # slanted on a wide screen, upright on a phone.
        xaxis=dict(title=dict(text=x_title) if x_title else None, autotickangles=[0, -40, -90]),
        yaxis=dict(title=dict(text=_("Clients")), rangemode="tozero"),
        # An explicit range: autorange would pad a 100% rate up to a meaningless 103%.
        # automargin: the right margin grows to hold the rate's title, which is two lines in Russian.
        yaxis2=dict(title=dict(text=axis_title(_("Subscription rate"))), overlaying="y", side="right",
                    tickformat=".0%", automargin=True,
                    range=[0, _rate_ceiling(counts["rate"], baseline.value if baseline and baseline.clients else None)],
                    showgrid=False),
        legend=_TOP_LEGEND, hovermode="x unified", bargap=0.25, meta=table_hints(merge=True), **reference,
    ))


#: A value's month-adjusted odds against the chart's other values, under its rate in the hover: three short lines,
#: since a hover wider than a narrow card is cut.
MONTH_ODDS = N_("Odds against the others<br>called in the same months: ×{ratio}<br>"
                "95% confidence interval: {low}–{high}")


def _month_odds_texts(counts: pd.DataFrame) -> list[str]:
    """Each value's :data:`MONTH_ODDS` line (from :func:`dashapp.views.data.outcome_table`'s odds columns), or
    nothing where no comparison could be made."""
    template = _(MONTH_ODDS)
    return [("<br>" + template.format(ratio=i18n.number(ratio, 2), low=i18n.number(low, 2),
                                      high=i18n.number(high, 2))) if ratio == ratio else ""
            for ratio, low, high in zip(counts["odds_ratio"], counts["odds_low"], counts["odds_high"])]


def _rate_ceiling(rates: pd.Series, baseline: float | None) -> float:
    highest = max(rates.max(skipna=True) if rates.notna().any() else 0.0, baseline or 0.0)
    return min(1.0, highest * 1.1) if highest > 0 else 0.1


#: Markers of the periods' rates in :func:`segment_outcome_figure`.
PERIOD_MARKERS = {"train": "triangle-left", "test": "triangle-right"}


def segment_outcome_figure(counts: pd.DataFrame, rates: SubscriptionRates, baseline: Rate | None = None,
                           title: str | None = None) -> go.Figure:
    """:func:`count_rate_figure` of the segments, with each segment's rate in the training and test periods.

    Parameters
    ----------
    counts : DataFrame
        :func:`dashapp.views.data.outcome_by` of ``segment`` (``value`` is the segment number).
    rates : SubscriptionRates
        :func:`dashapp.views.rates.subscription_rates` of the same clients; its populations' names label the
        traces (``training period``, or ``filtered clients, training period`` for a filter's selection).
    baseline : Rate, optional
        As in :func:`count_rate_figure`.

    Returns
    -------
    Figure
        Trace 0: clients, trace 1: the rate of the segment's selected clients, traces 2 and 3: the training
        and the test period's rates, each with the segment as customdata. The legend names the periods
        (``training period``); each hover names the whole population (``filtered clients, training period``).
    """
    figure = count_rate_figure(counts, title, baseline=baseline, dimension=_("Segment"))
    numbers = [int(value) for value in counts["value"]]
    everyone = population_label(rates.overall["all"].population)
    figure.update_traces(selector=dict(type="scatter"), name=everyone,
                         hovertemplate=everyone + ": %{y:.1%}<extra></extra>")
    ceiling = figure.layout.yaxis2.range[1]
    for period, symbol in PERIOD_MARKERS.items():
        period_rates = [rates.of(period, number) for number in numbers]
        population = population_label(rates.overall[period].population)
        values = [rate.value if rate.clients else None for rate in period_rates]
        figure.add_trace(go.Scatter(
            x=counts["label"].tolist(), y=values, name=population_label(rates.names[period]), yaxis="y2",
            mode="markers", meta=table_hints(columns={"x": _("Segment")}),
            customdata=numbers,
            marker=dict(symbol=symbol, size=9, color="white", line=dict(color=RATE_COLOUR, width=1.5)),
            hovertemplate=population + ": %{y:.1%}<extra></extra>"))
        ceiling = max(ceiling, _rate_ceiling(pd.Series(values, dtype=float), None))
    figure.update_layout(yaxis2=dict(range=[0, ceiling]))
    return figure


def monthly_outcome_figure(monthly: pd.DataFrame, baseline: Rate | None = None,
                           title: str | None = None) -> go.Figure:
    """Contacts and subscription rate per month (from :func:`dashapp.views.data.monthly_summary`)."""
    figure = count_rate_figure(monthly.reset_index(), title, x="month", rate_lines=True, baseline=baseline,
                               dimension=_("Month"))
    # Month over year on two lines: six-monthly labels fit side by side on a phone.
    figure.update_xaxes(type="date", dtick="M6", tickformat="%b<br>%Y", tickangle=0)
    return figure


def age_figure(counts: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Stacked histogram of clients per year of age, subscribed on top (from :func:`dashapp.views.data.age_counts`)."""
    return go.Figure([
        go.Bar(x=counts["age"].to_numpy(), y=counts["not_subscribed"].to_numpy(), name=_("Did not subscribe"),
               marker_color=NOT_SUBSCRIBED_COLOUR, hovertemplate=_("%{y:,} did not subscribe") + "<extra></extra>",
               meta=table_hints(value=_("Did not subscribe"))),
        go.Bar(x=counts["age"].to_numpy(), y=counts["subscribed"].to_numpy(), name=_("Subscribed"),
               marker_color=SUBSCRIBED_COLOUR, hovertemplate=_("%{y:,} subscribed") + "<extra></extra>",
               meta=table_hints(value=_("Subscribed"))),
    ], layout=_layout(title, barmode="stack", bargap=0.05, hovermode="x unified", legend=_TOP_LEGEND,
                      meta=table_hints(merge=True),
                      xaxis=dict(title=dict(text=_("Age (years)"))), yaxis=dict(title=dict(text=_("Clients")))))


def share_figure(share: pd.DataFrame, title: str | None = None) -> go.Figure:
    """A donut of the subscription outcome (from :func:`dashapp.views.data.outcome_share`)."""
    return go.Figure(go.Pie(
        labels=share["label"], values=share["clients"], hole=0.55, sort=False, direction="clockwise",
        meta=table_hints(columns={"label": _("Outcome"), "value": _("Clients")}),
        marker=dict(colors=[NOT_SUBSCRIBED_COLOUR, SUBSCRIBED_COLOUR]), textinfo="percent",
        hovertemplate=_("%{label}: %{value:,} clients") + "<extra></extra>",
    ), layout=_layout(title, showlegend=True, legend=dict(orientation="h", y=-0.05, x=0.5, xanchor="center")))


def duration_figure(summary: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Boxes of call duration by contact type, one colour per outcome (from
    :func:`dashapp.views.data.duration_summary`).

    The boxes are drawn from precomputed quartiles, so no individual call travels to the browser; the
    whiskers are the 5th and 95th percentiles.
    """
    traces = []
    for answer, name, colour in (("no", _("Did not subscribe"), NOT_SUBSCRIBED_COLOUR),
                                 ("yes", _("Subscribed"), SUBSCRIBED_COLOUR)):
        rows = summary[summary["y"] == answer]
        traces.append(go.Box(
            x=[catalogue.category_label("contact", contact) for contact in rows["contact"]], q1=rows["q1"],
            median=rows["median"], q3=rows["q3"], lowerfence=rows["p05"], upperfence=rows["p95"], mean=rows["mean"],
            name=name, marker_color=colour, line=dict(color=colour if answer == "yes" else "#6c757d"),
            fillcolor=colour, hoverinfo="y",
            meta=table_hints(columns={"x": _("Contact type"), "lower fence": _("5th percentile, seconds"),
                                      "q1": _("First quartile, seconds"), "median": _("Median, seconds"),
                                      "q3": _("Third quartile, seconds"), "upper fence": _("95th percentile, seconds"),
                                      "mean": _("Mean, seconds")}),
        ))
    return go.Figure(traces, layout=_layout(
        title, boxmode="group", legend=_TOP_LEGEND, meta=table_hints(series=_("Outcome")),
        yaxis=dict(title=dict(text=_("Call duration (seconds)")), rangemode="tozero")))


def indicators_figure(monthly: pd.DataFrame, title: str | None = None) -> go.Figure:
    """The five socio-economic indicators month by month, as small multiples sharing one time axis.

    Parameters
    ----------
    monthly : DataFrame
        From :func:`dashapp.views.data.monthly_summary`: indexed by month, one column per indicator.

    Returns
    -------
    Figure
        One ``Scatter`` per indicator, each on a y axis of its own (``y``, ``y2`` ...), stacked top to bottom
        over the x axis ``x``.
    """
    columns = domain.SOCIO_ECONOMIC_COLUMNS
    gap, height = 0.05, (1 - 0.05 * (len(columns) - 1)) / len(columns)
    layout = _layout(title, showlegend=False, hovermode="x unified", meta=table_hints(merge=True),
                     xaxis=dict(type="date", dtick="M6", tickformat="%b<br>%Y", tickangle=0,
                                anchor=f"y{len(columns)}"))
    traces = []
    for position, column in enumerate(columns):
        axis = "y" if position == 0 else f"y{position + 1}"
        # Rounded and clipped: float error would put the last panel a hair below 0, which plotly rejects.
        top = round(1 - position * (height + gap), 6)
        values = monthly[column] / 1000 if column == "nr.employed" else monthly[column]
        traces.append(go.Scatter(x=monthly.index, y=values, yaxis=axis, name=_(INDICATOR_LABELS[column]),
                                 mode="lines+markers", connectgaps=False, marker=dict(size=4),
                                 hovertemplate="%{y:.3f}",
                                 meta=table_hints(columns={"x": _("Month")}, value=_(INDICATOR_LABELS[column]))))
        # Each panel is titled by an annotation: stacked axis titles would not fit beside 60-pixel panels.
        layout[f"yaxis{position + 1 if position else ''}"] = dict(domain=[max(0.0, round(top - height, 6)), top],
                                                                  nticks=3)
        layout.setdefault("annotations", []).append(dict(
            text=_(INDICATOR_LABELS[column]), xref="paper", yref="paper", x=0, y=top, xanchor="left",
            yanchor="bottom", showarrow=False, font=dict(size=10, color="#495057")))
    return go.Figure(traces, layout=layout)


def unknown_figure(audit: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Horizontal bars of ``unknown`` values per column (from :func:`dashapp.views.data.unknown_audit`)."""
    return go.Figure(go.Bar(
        y=[catalogue.column_label(column) for column in audit["column"]], x=audit["unknown"], orientation="h",
        marker_color=CLIENTS_COLOUR,
        text=[f"{i18n.number(count)} ({i18n.percent(share, 1)})"
              for count, share in zip(audit["unknown"], audit["share"].fillna(0))],
        textposition="auto", hovertemplate=_("%{y}: %{x:,} unknown") + "<extra></extra>",
        meta=table_hints(columns={"y": _("Column")}),
    ), layout=_layout(title, yaxis=dict(autorange="reversed"),
                      xaxis=dict(title=dict(text=axis_title(_("Clients with 'unknown'"))), rangemode="tozero")))
