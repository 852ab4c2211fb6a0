"""Figures of the Targeting benchmark page: cumulative gain and lift of the models, the segments and random calls.

Builders take ``targeting.json`` as the build wrote it (:func:`dashapp.analysis.propensity.targeting_benchmark`) and an
optional share called to emphasise among the recorded ones (10%, 20%, 30%).
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashapp.analysis.propensity import METHODS
from dashapp.core import i18n
from dashapp.core.i18n import _
from dashapp.figures import axis_title, table_hints

#: One colour and dash per method, the same on both charts.
METHOD_STYLES = {"boosting": dict(color="#2a6f97"), "logistic": dict(color="#3d9970"),
                 "segments": dict(color="#e07a5f", dash="dash")}
RANDOM_STYLE = dict(color="#6c757d", dash="dot")


def _marks(figure: go.Figure, shares: list[float], emphasised: float | None) -> None:
    """A vertical line at each recorded share called; the emphasised one darker and labelled."""
    for share in shares:
        strong = emphasised is not None and abs(share - emphasised) < 1e-9
        label = dict(annotation_text=_("{share} called").format(share=i18n.percent(share)),
                     annotation_position="top right") if strong else {}
        figure.add_vline(x=share, line=dict(color="#212529" if strong else "#adb5bd", width=2 if strong else 1,
                                            dash="solid" if strong else "dot"), **label)


def _curve_figure(targeting: dict, value: str, emphasised: float | None, time_ordered: bool) -> go.Figure:
    """The gain (``value="reached"``) or lift (``value="lift"``) of every method, plus random calls; the test
    clients are a period when ``time_ordered``, else a random part of the clients."""
    figure = go.Figure()
    for method, english_name in METHODS.items():
        name = _(english_name)
        curve = targeting["methods"][method]["curve"]
        points = [(c, r) for c, r in zip(curve["called"], curve["reached"]) if value == "reached" or c > 0]
        called = [c for c, _reached in points]
        y = [r if value == "reached" else r / c for c, r in points]
        at = {round(p["called"], 6): p for p in targeting["methods"][method]["at"]}
        hover = (_("%{x:.1%} called: %{y:.1%} of the subscribers") if value == "reached"
                 else _("%{x:.1%} called: lift %{y:.2f}"))
        figure.add_trace(go.Scatter(x=called, y=y, mode="lines", name=name, line=METHOD_STYLES[method],
                                    hovertemplate=hover + f"<extra>{name}</extra>"))
        marks = [at[round(s, 6)] for s in targeting["called_shares"]]
        figure.add_trace(go.Scatter(x=[p["called"] for p in marks], y=[p[value] for p in marks], mode="markers",
                                    marker=dict(color=METHOD_STYLES[method]["color"], size=8), showlegend=False,
                                    name=_("{method} at the marks").format(method=name),
                                    hovertemplate=hover + f"<extra>{name}</extra>", meta=table_hints(skip=True)))
    ends = [0.0, 1.0] if value == "reached" else [min(targeting["methods"]["segments"]["curve"]["called"][1:]), 1.0]
    figure.add_trace(go.Scatter(x=ends, y=ends if value == "reached" else [1.0, 1.0], mode="lines",
                                name=_("Random calls"), line=RANDOM_STYLE, hoverinfo="skip"))
    _marks(figure, targeting["called_shares"], emphasised)
    figure.update_xaxes(title=axis_title(_("Share of the test clients called, best-ranked first"), 40),
                        tickformat=".0%",
                        range=[0, 1])
    if value == "reached":
        title = (_("Share of the test period's subscribers reached") if time_ordered
                 else _("Share of the test clients' subscribers reached"))
        figure.update_yaxes(title=axis_title(title), tickformat=".0%", range=[0, 1])
    else:
        figure.update_yaxes(title=axis_title(_("Lift over random calls")), rangemode="tozero")
    figure.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=30),
                         meta=table_hints(series=_("Method")))
    return figure


def gain_figure(targeting: dict, emphasised: float | None = None, time_ordered: bool = True) -> go.Figure:
    """Cumulative gain: share of the subscribers reached against the share of clients called (``time_ordered``:
    whether the test clients are a period, the later calls, or a random part)."""
    return _curve_figure(targeting, "reached", emphasised, time_ordered)


def lift_figure(targeting: dict, emphasised: float | None = None, time_ordered: bool = True) -> go.Figure:
    """Cumulative lift: subscribers reached over those random calls reach, against the share called."""
    return _curve_figure(targeting, "lift", emphasised, time_ordered)


#: The month-by-month methods' styles (the pooled chart's three, and the rivals the campaign view adds).
CAMPAIGN_STYLES = METHOD_STYLES | {"client_only": dict(color="#8e44ad"), "rolling": dict(color="#3d9970", dash="dot"),
                                   "rules": dict(color="#b8860b", dash="dashdot")}


def _band_colour(colour: str) -> str:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.15)"


def stratified_gain_figure(targeting: dict, names: dict[str, str], emphasised: float | None = None) -> go.Figure:
    """Month-stratified cumulative gain of every method (each month calls the same share of its clients), with
    each curve's 95% band from the bootstrap over calendar months.

    Parameters
    ----------
    targeting : dict
        ``targeting.json`` with its ``campaign`` section.
    names : dict
        Method key -> its name as shown, in the order to draw (:data:`dashapp.views.targeting.CAMPAIGN_METHODS`,
        translated).
    """
    section = targeting["campaign"]
    figure = go.Figure()
    for method, name in names.items():
        curve, bands = section["methods"][method]["stratified_curve"], section["bootstrap"][method]
        called = [index / (len(curve) - 1) for index in range(len(curve))]
        style = CAMPAIGN_STYLES[method]
        figure.add_trace(go.Scatter(x=called + called[::-1], y=bands["curve_high"] + bands["curve_low"][::-1],
                                    fill="toself", fillcolor=_band_colour(style["color"]), line=dict(width=0),
                                    hoverinfo="skip", showlegend=False, meta=table_hints(skip=True),  # a polygon
                                    name=_("{method}: 95% band").format(method=name)))
        figure.add_trace(go.Scatter(x=called, y=curve, mode="lines", name=name, line=style,
                                    hovertemplate=_("%{x:.1%} of each month called: %{y:.1%} of the subscribers")
                                    + f"<extra>{name}</extra>"))
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=_("Random calls"), line=RANDOM_STYLE,
                                hoverinfo="skip"))
    if emphasised is not None:
        _marks(figure, [emphasised], emphasised)
    figure.update_xaxes(title=axis_title(_("Share of each month's clients called, best-ranked first"), 40),
                        tickformat=".0%",
                        range=[0, 1])
    figure.update_yaxes(title=axis_title(_("Share of the test period's subscribers reached")), tickformat=".0%",
                        range=[0, 1])
    figure.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=30),
                         meta=table_hints(series=_("Method")))
    return figure


def calibration_figure(targeting: dict, names: dict[str, str]) -> go.Figure:
    """Observed subscription rate against the mean predicted probability, per decile of the prediction, for each
    model of ``names`` (key -> name shown); the diagonal is a perfect calibration."""
    calibration = targeting["campaign"]["calibration"]
    figure = go.Figure()
    top = 0.0
    for method, name in names.items():
        entry = calibration[method]
        top = max(top, *entry["predicted"], *entry["observed"])
        figure.add_trace(go.Scatter(x=entry["predicted"], y=entry["observed"], mode="lines+markers", name=name,
                                    line=CAMPAIGN_STYLES[method],
                                    hovertemplate=_("predicted %{x:.1%}, subscribed %{y:.1%}")
                                    + f"<extra>{name}</extra>"))
    figure.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name=_("Perfect calibration"),
                                line=RANDOM_STYLE, hoverinfo="skip", meta=table_hints(skip=True)))
    figure.update_xaxes(title=axis_title(_("Mean predicted probability (deciles of the test period)"), 40),
                        tickformat=".0%",
                        rangemode="tozero")
    figure.update_yaxes(title=_("Subscribed"), tickformat=".0%", rangemode="tozero")
    figure.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=30),
                         meta=table_hints(series=_("Method")))
    return figure


def profit_figure(profit: dict, names: dict[str, str]) -> go.Figure:
    """Profit over the share of each month's clients called, per method (``profit`` from
    :func:`dashapp.views.targeting.profit_curves`; ``names``: key -> name shown), each curve's best point marked."""
    figure = go.Figure()
    styles = CAMPAIGN_STYLES | {"random": RANDOM_STYLE}
    for method, name in names.items():
        values = profit["curves"][method]
        figure.add_trace(go.Scatter(x=profit["called"], y=values, mode="lines", name=name, line=styles[method],
                                    meta=table_hints(columns={"y": _("Profit over the test period, €")}),
                                    hovertemplate=_("%{x:.1%} called: %{y:,.0f}") + f"<extra>{name}</extra>"))
        share, best = profit["best"][method]
        figure.add_trace(go.Scatter(x=[share], y=[best], mode="markers", showlegend=False,
                                    marker=dict(color=styles[method]["color"], size=9),
                                    name=_("{method}: most profitable").format(method=name),
                                    meta=table_hints(skip=True),
                                    hovertemplate=_("best: %{x:.1%} called, %{y:,.0f}") + f"<extra>{name}</extra>"))
    figure.add_hline(y=0, line=dict(color="#adb5bd", width=1))
    figure.update_xaxes(title=axis_title(_("Share of each month's clients called, best-ranked first"), 40),
                        tickformat=".0%",
                        range=[0, 1])
    figure.update_yaxes(title=_("Profit over the test period"))
    figure.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=30),
                         meta=table_hints(series=_("Method")))
    return figure
