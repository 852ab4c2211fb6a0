"""Figures of the final segments: the job x housing x loan space, profiles, sizes, job mix and the shares.

Builders take the aggregates the artifacts hold (``profiles.json``, ``evaluation.json``) or the small frame
:func:`dashapp.views.segments.segment_space_counts` makes from the clients, and an optional ``highlight``
segment that is drawn in full colour while the others fade.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import _, ngettext
from dashapp.figures import SEGMENT_COLOURS, empty_figure, table_hints
from dashapp.views.rates import SubscriptionRates, population_label

#: Opacity of the segments that are not highlighted: faint, but still there for comparison.
FADED_OPACITY = 0.2
#: The 3-D view: the jobs run left to right in front, the loans go up and back; from far enough that on a phone's
#: 390 pixels the loans' and the last jobs' labels stay inside the chart (plotly draws them beyond the scene's box).
EYE = (0.72, -2.73, 1.3)
#: Where the camera looks: a little left of the box's centre, so that the box sits right of the chart's middle and
#: the personal-loan labels on its left edge have room.
CENTRE = (-0.12, 0.0, 0.0)
ASPECT = (1.8, 0.8, 1.0)
#: Marker diameters (px) of the smallest and largest point in the 3-D space.
_MIN_MARKER, _MAX_MARKER = 6, 42

def segment_title(number: int, names: Mapping[int, str]) -> str:
    """``'Segment 3: No loans'``: the number and name of a segment (``names``: number -> name, from
    :func:`dashapp.core.catalogue.segment_names`), for hover texts and headings."""
    return _("Segment {number}: {name}").format(number=number, name=names[number])


def segment_label(number: int) -> str:
    """``'Segment 3'``: a segment's number as legends and axes say it."""
    return _("Segment {number}").format(number=number)


def _check_highlight(highlight: int | None, numbers) -> None:
    """Refuse a highlight that is none of the segments ``numbers``."""
    if highlight is not None and highlight not in set(numbers):
        raise ValueError(f"highlight={highlight!r} is not a segment; expected one of {sorted(numbers)} or None")


def _profile_numbers(profiles: dict) -> list[int]:
    """The segment numbers ``profiles.json`` describes."""
    return [int(segment["segment"]) for segment in profiles["segments"]]


def _opacity(number: int, highlight: int | None) -> float:
    return 1.0 if highlight is None or number == highlight else FADED_OPACITY


def _by_segment(mapping: dict) -> dict[int, float]:
    # JSON turns the segment keys into strings; the builders accept either.
    return {int(key): value for key, value in mapping.items()}


# --- The 3-D space -------------------------------------------------------------------------------------


def _marker_sizes(counts: pd.Series, largest: int) -> list[float]:
    # Area proportional to the count, so a point twice as large in area holds twice the clients.
    return [_MIN_MARKER + (_MAX_MARKER - _MIN_MARKER) * math.sqrt(n / largest) for n in counts]


def _stacked(label: str) -> str:
    """A tick label a word a line (``No<br>personal<br>loan``)."""
    return "<br>".join(label.split())


def segment_space_figure(counts: pd.DataFrame, names: Mapping[int, str], highlight: int | None = None) -> go.Figure:
    """The segments in the job x housing x loan space: one point per combination, sized by its clients.

    Parameters
    ----------
    counts : DataFrame
        From :func:`dashapp.views.segments.segment_space_counts`.
    names : mapping
        Segment number -> name (:func:`dashapp.core.catalogue.segment_names`): every segment, in its hover text.
    highlight : int, optional
        A segment to show in full colour; the others fade. None shows all alike.

    Returns
    -------
    go.Figure
        One ``scatter3d`` trace per segment (in segment order) with the segment number as ``customdata``;
        the axes show readable category labels (jobs too) in the domain's order.
    """
    _check_highlight(highlight, names)
    if counts.empty:
        return empty_figure(_("No clients to show"))
    jobs = [catalogue.category_label("job", job) for job in domain.known_categories("job")
            if job in set(counts["job"])]
    housing = [catalogue.category_label("housing", value) for value in domain.known_categories("housing")]
    loan = [catalogue.category_label("loan", value) for value in domain.known_categories("loan")]
    largest = int(counts["clients"].max())
    figure = go.Figure()
    for number in sorted(names):
        members = counts[counts["segment"] == number]
        if members.empty:
            continue
        housing_labels = [catalogue.category_label("housing", value) for value in members["housing"]]
        loan_labels = [catalogue.category_label("loan", value) for value in members["loan"]]
        figure.add_trace(go.Scatter3d(
            x=[catalogue.category_label("job", job) for job in members["job"]], y=housing_labels, z=loan_labels,
            mode="markers", name=segment_label(number),
            marker=dict(size=_marker_sizes(members["clients"], largest), color=SEGMENT_COLOURS[number],
                        opacity=_opacity(number, highlight), line=dict(width=0)),
            customdata=[[number, n] for n in members["clients"]],
            meta=table_hints(columns={"y": _("Housing loan"), "z": _("Personal loan"),
                                      "customdata": [None, _("Clients")]}),
            hovertemplate=(f"<b>{segment_title(number, names)}</b><br>" + _("Job: %{x}") + "<br>%{y}<br>%{z}<br>"
                           + _("Clients: %{customdata[1]:,}") + "<extra></extra>"),
        ))
    axis = dict(type="category", backgroundcolor="#fbfbfc", gridcolor="#dee2e6", showspikes=False,
                tickfont=dict(size=10), categoryorder="array")
    figure.update_layout(
        scene=dict(
            # Every job gets its tick (plotly would skip every other one); the loan ticks read as words
            # ("Housing loan", "No personal loan"), so those two axes need no title, and stand a word a line: plotly
            # draws them outside the box, where on a phone a long one ran off the chart.
            # The ranges leave half a category of room at each end: points on the box's walls get cut by them.
            xaxis=dict(axis, title=dict(text=_("Job")), categoryarray=jobs, tickmode="array", tickvals=jobs,
                       range=[-0.6, len(jobs) - 0.4]),
            yaxis=dict(axis, title=dict(text=""), categoryarray=housing, range=[-0.5, len(housing) - 0.5],
                       tickmode="array", tickvals=housing, ticktext=[_stacked(label) for label in housing]),
            zaxis=dict(axis, title=dict(text=""), categoryarray=loan, range=[-0.5, len(loan) - 0.5],
                       tickmode="array", tickvals=loan, ticktext=[_stacked(label) for label in loan]),
            camera=dict(eye=dict(x=EYE[0], y=EYE[1], z=EYE[2]), center=dict(x=CENTRE[0], y=CENTRE[1], z=CENTRE[2])),
            aspectmode="manual", aspectratio=dict(x=ASPECT[0], y=ASPECT[1], z=ASPECT[2]),
        ),
        # The legend under the scene: above it, on a phone, its two rows ran under the mode bar.
        legend=dict(orientation="h", yanchor="top", y=0.0, xanchor="left", x=0.0, itemsizing="constant"),
        margin=dict(l=0, r=0, t=30, b=0),
        # Keeps the camera where the user turned it when the highlight changes.
        uirevision="segment-space",
        meta=table_hints(series=_("Segment")),
    )
    return figure


# --- Profiles ------------------------------------------------------------------------------------------


def segment_radar_figure(profiles: dict, highlight: int | None = None) -> go.Figure:
    """Each segment's profile on the radar axes: the share of its clients with each property.

    Parameters
    ----------
    profiles : dict
        ``profiles.json``: ``segments`` (each with ``segment`` and ``radar``) and ``radar_axes``
        ({key: label}).
    highlight : int, optional
        A segment to draw filled and in full colour; the others fade.

    Returns
    -------
    go.Figure
        One closed ``scatterpolar`` trace per segment, values in percent.
    """
    _check_highlight(highlight, _profile_numbers(profiles))
    axes = profiles["radar_axes"]
    # Two short lines rather than one long one: on a phone the long labels ran off the chart's sides.
    names = [_(label) for label in axes.values()]
    wrapped = [_two_lines(label) for label in names]
    labels = wrapped + wrapped[:1]
    figure = go.Figure()
    for profile in profiles["segments"]:
        number = int(profile["segment"])
        values = [100 * profile["radar"][key] for key in axes]
        chosen = highlight == number
        figure.add_trace(go.Scatterpolar(
            r=values + values[:1], theta=labels, name=segment_label(number),
            line=dict(color=SEGMENT_COLOURS[number], width=3 if chosen else 2),
            fill="toself" if chosen else "none", opacity=_opacity(number, highlight),
            customdata=names + names[:1],
            hovertemplate=segment_label(number) + "<br>%{customdata}: %{r:.1f}%<extra></extra>",
            # The download: one row per property (its name on one line), the polygon's closing point left out.
            meta=table_hints(columns={"category": None, "customdata": _("Property"),
                                      "value": _("Share of the segment's training clients, %")}),
        ))
    figure.update_layout(
        polar=dict(
            # First axis at the top, clockwise; the radial ticks sit between the first two axes, off the labels.
            radialaxis=dict(range=[0, 100], ticksuffix="%", tickvals=[50, 100], tickfont=dict(size=9),
                            angle=90 - 180 / len(axes), tickangle=90 - 180 / len(axes), showline=False),
            angularaxis=dict(tickfont=dict(size=11), rotation=90, direction="clockwise"),
        ),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="center", x=0.5),
        margin=dict(l=70, r=70, t=30, b=20), meta=table_hints(series=_("Segment")),
    )
    return figure


def _two_lines(label: str, longest: int = 14) -> str:
    """A label longer than ``longest`` characters broken at its middle space: ``'Subscribed a<br>deposit'``."""
    if len(label) <= longest or " " not in label:
        return label
    spaces = [i for i, character in enumerate(label) if character == " "]
    middle = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return f"{label[:middle]}<br>{label[middle + 1:]}"


def segment_size_figure(profiles: dict, rates: SubscriptionRates, highlight: int | None = None) -> go.Figure:
    """Training clients per segment, and each segment's subscription rate in the training and test periods.

    Parameters
    ----------
    profiles : dict
        ``profiles.json``: ``segments``, each with ``segment``, ``clients`` and ``share`` (of the training
        clients).
    rates : SubscriptionRates
        From :func:`dashapp.views.rates.subscription_rates` on the clients table.
    highlight : int, optional
        A segment to show in full colour.

    Returns
    -------
    go.Figure
        A ``bar`` trace of clients per segment number (left, x axis ``x``), then one ``bar`` trace per period,
        "training period" and "test period" (right, ``x2``), in percent per segment number and, last,
        ``"All"`` (every segment) in grey; the test period's bars are hatched. Two empty grey traces after
        them make the legend (a bar trace's own legend swatch would take its first segment's colour).
    """
    _check_highlight(highlight, _profile_numbers(profiles))
    segments = profiles["segments"]
    numbers = [int(s["segment"]) for s in segments]
    names = [str(n) for n in numbers]
    colours = [SEGMENT_COLOURS[n] for n in numbers]
    opacity = [_opacity(n, highlight) for n in numbers]
    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                           subplot_titles=(_("Training clients (share)"), _("Subscribed a term deposit")))
    figure.add_trace(go.Bar(
        x=names, y=[s["clients"] for s in segments], name=_("Clients"), showlegend=False,
        marker=dict(color=colours, opacity=opacity),
        text=[i18n.percent(s["share"]) for s in segments], textposition="outside", cliponaxis=False,
        hovertemplate=_("Segment %{x}: %{y:,} training clients (%{text})") + "<extra></extra>",
        meta=table_hints(value=_("Training clients")),
    ), row=1, col=1)
    # Every segment together as a grey group of its own: the rates are close within a period, so a reference
    # line would cross the labels.
    patterns = {"train": "", "test": "/"}
    for period, pattern in patterns.items():
        period_rates = [rates.of(period, n) for n in numbers] + [rates.of(period)]
        population = population_label(period_rates[-1].population)
        figure.add_trace(go.Bar(
            x=names + [_("All")], y=[100 * r.value for r in period_rates], name=population, showlegend=False,
            marker=dict(color=colours + ["#6c757d"], opacity=opacity + [1.0], line=dict(width=0),
                        pattern=dict(shape=pattern, fgcolor="white", solidity=0.45)),
            hovertemplate=_("Segment %{{x}}, {population}: %{{y:.1f}}% subscribed").format(population=population)
            + "<extra></extra>", meta=table_hints(value=_("Subscribed, {population}, %").format(population=population)),
        ), row=1, col=2)
    for period, pattern in patterns.items():
        figure.add_trace(go.Bar(x=[None], y=[None], name=population_label(rates.of(period).population),
                                hoverinfo="skip", meta=table_hints(skip=True),  # the legend's key only
                                marker=dict(color="#6c757d", pattern=dict(shape=pattern, fgcolor="white"))),
                         row=1, col=2)
    figure.update_xaxes(title_text=_("Segment"), type="category")
    figure.update_yaxes(rangemode="tozero", row=1, col=1)
    figure.update_yaxes(ticksuffix="%", rangemode="tozero", row=1, col=2)
    figure.update_layout(barmode="group", bargroupgap=0.05, meta=table_hints(merge=True),
                         legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="right", x=1.0),
                         margin=dict(l=50, r=10, t=40, b=40))
    figure.update_annotations(font_size=13)  # the two titles side by side on a phone
    return figure


def segment_job_mix_figure(profiles: dict, highlight: int | None = None) -> go.Figure:
    """Which jobs each segment's clients have: the share of the segment in each job.

    Parameters
    ----------
    profiles : dict
        ``profiles.json``: ``jobs`` (the job order) and ``segments`` (each with ``segment``, ``clients`` and
        ``job_counts``).
    highlight : int, optional
        A segment to show in full colour.

    Returns
    -------
    go.Figure
        One horizontal ``bar`` trace per segment (grouped), x in percent of the segment's clients, y the jobs'
        readable labels (first job at the top).
    """
    _check_highlight(highlight, _profile_numbers(profiles))
    jobs = list(profiles["jobs"])
    labels = [catalogue.category_label("job", job) for job in jobs]
    figure = go.Figure()
    for profile in profiles["segments"]:
        number = int(profile["segment"])
        total = profile["clients"] or 1
        counts = [profile["job_counts"].get(job, 0) for job in jobs]
        figure.add_trace(go.Bar(
            y=labels, x=[100 * n / total for n in counts], orientation="h", name=segment_label(number),
            marker=dict(color=SEGMENT_COLOURS[number], opacity=_opacity(number, highlight)),
            customdata=counts, meta=table_hints(columns={"y": _("Job"), "customdata": _("Clients")}),
            hovertemplate=segment_label(number) + "<br>" + _("%{y}: %{x:.1f}% (%{customdata:,} clients)")
            + "<extra></extra>",
        ))
    figure.update_layout(
        barmode="group", bargap=0.25, bargroupgap=0.05,
        xaxis=dict(title=dict(text=_("% of the segment's clients")), ticksuffix="%", rangemode="tozero"),
        yaxis=dict(categoryorder="array", categoryarray=labels, autorange="reversed"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
        margin=dict(l=100, r=20, t=50, b=40), meta=table_hints(series=_("Segment")),
    )
    return figure


# --- Stability ---------------------------------------------------------------------------------------


def segment_stability_figure(stability: dict, names: Mapping[int, str]) -> go.Figure:
    """Each segment's Jaccard stability over the bootstrap refits: the median, down to the lowest, beside the
    recovered and dissolved thresholds.

    Parameters
    ----------
    stability : dict
        ``evaluation.json``'s ``stability``: ``resamples``, ``jaccard_recovered``, ``jaccard_dissolved`` and
        ``segments`` (each ``segment``, ``jaccard_median``, ``jaccard_min``, ``recovered``, ``dissolved``).
    names : mapping
        Segment number -> name (:func:`dashapp.core.catalogue.segment_names`), for the hover texts.

    Returns
    -------
    go.Figure
        One ``scatter`` trace per segment (segment 1 on top): a marker at the median Jaccard index, an error bar
        down to the lowest; dashed vertical lines at the recovered and dissolved thresholds, labelled.
    """
    resamples = int(stability["resamples"])
    entries = sorted(stability["segments"], key=lambda entry: int(entry["segment"]))
    figure = go.Figure()
    for entry in entries:
        number = int(entry["segment"])
        median, lowest = float(entry["jaccard_median"]), float(entry["jaccard_min"])
        figure.add_trace(go.Scatter(
            x=[median], y=[segment_label(number)], mode="markers", name=segment_label(number), showlegend=False,
            meta=table_hints(columns={"x": _("Median Jaccard index"), "y": _("Segment"),
                                      "customdata": _("Lowest Jaccard index")}),
            customdata=[lowest],
            marker=dict(size=12, color=SEGMENT_COLOURS[number]),
            error_x=dict(type="data", symmetric=False, array=[0], arrayminus=[median - lowest],
                         color=SEGMENT_COLOURS[number], thickness=2, width=6),
            hovertemplate=(segment_title(number, names) + "<br>" + _("median Jaccard {median}, lowest {lowest}").format(
                median=i18n.number(median, 2), lowest=i18n.number(lowest, 2)) + "<br>" + ngettext(
                "recovered in {recovered} of {resamples} resample, dissolved in {dissolved}",
                "recovered in {recovered} of {resamples} resamples, dissolved in {dissolved}", resamples).format(
                recovered=int(entry["recovered"]), resamples=resamples, dissolved=int(entry["dissolved"]))
                + "<extra></extra>")))
    for threshold, words in ((float(stability["jaccard_recovered"]), _("recovered {threshold}")),
                             (float(stability["jaccard_dissolved"]), _("dissolved below {threshold}"))):
        figure.add_vline(x=threshold, line=dict(color="#6c757d", dash="dash", width=1),
                         annotation=dict(text=words.format(threshold=i18n.number(threshold, 2)),
                                         font=dict(size=10, color="#495057")),
                         annotation_position="top")
    figure.update_layout(
        xaxis=dict(title=dict(text=_("Jaccard index with the refitted cluster (median, and lowest)")),
                   range=[0, 1.02]),
        yaxis=dict(categoryorder="array", categoryarray=[segment_label(int(e["segment"])) for e in entries],
                   autorange="reversed"),
        margin=dict(l=80, r=15, t=30, b=45), meta=table_hints(series=_("Segment")))
    return figure


# --- Overview ------------------------------------------------------------------------------------------


def share_comparison_figure(shares: dict, reference_shares: dict) -> go.Figure:
    """This build's segment shares beside the original study's.

    Parameters
    ----------
    shares, reference_shares : dict
        {segment: share in [0, 1]} (keys may be strings, as in ``evaluation.json``); ``reference_shares`` empty
        for a build of other data than the original study's (the UCI file).

    Returns
    -------
    go.Figure
        Two grouped ``bar`` traces, "This build" then "Original study", x the segments, y in percent; only the
        first when ``reference_shares`` is empty.
    """
    ours, reference = _by_segment(shares), _by_segment(reference_shares)
    numbers = sorted(set(ours) | set(reference))
    names = [segment_label(n) for n in numbers]
    figure = go.Figure()
    for label, values, colour in ((_("This build"), ours, "#2a6f97"), (_("Original study"), reference, "#adb5bd")):
        if not values:
            continue
        percents = [100 * values[n] if n in values else None for n in numbers]
        figure.add_trace(go.Bar(
            x=names, y=percents, name=label, marker_color=colour,
            texttemplate="%{y:.0f}%", textposition="outside", cliponaxis=False,
            hovertemplate=f"{label}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
            meta=table_hints(columns={"x": _("Segment")}, value=_("{source}: share of the clients, %").format(
                source=label)),
        ))
    figure.update_layout(
        barmode="group",
        yaxis=dict(title=dict(text=_("% of the clients")), ticksuffix="%", rangemode="tozero"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
        margin=dict(l=60, r=10, t=30, b=30), meta=table_hints(merge=True),
    )
    return figure
