"""Response held to the calendar: every comparison of subscription between groups made within calendar month.

The UCI file's subscription rate moves with the calendar far more than with anything about the client: about 3-6%
a month in 2008, 9-18% in spring 2009, then 35-57% a month to the end of 2010 (the file's own monthly rates). A
group that was called more often in the later months (segment 4 was) shows a higher pooled rate without any
client in it being likelier to subscribe than a client of another group called in the same month. So a group is
compared with the others *within* each calendar month (year and month: May 2008 and May 2009 are two strata):

- :func:`month_adjusted_test`: does the grouping add anything once the month is known? The likelihood-ratio test
  of a logistic model of subscription on month and group against one on month alone (statsmodels' GLM).
- :func:`stratified_odds`: each group against the other clients called in the same months, as the Mantel-Haenszel
  pooled odds ratio with its 95% interval (Robins-Breslow-Greenland variance) and the Cochran-Mantel-Haenszel test
  (statsmodels' ``StratifiedTable``).
- :func:`adjusted_rate_ratio`: a lever (a previous success, the sixth call and beyond, ...) against its comparison
  group, as a month-adjusted *rate* ratio with its 95% interval: a Poisson model of subscription on month and the
  lever with a robust (sandwich) covariance (Zou 2004, "modified Poisson"): a rate ratio reads as "1.6 times as
  likely", which an odds ratio of a common outcome does not.

A month in which every client answered the same way, or in which one side of the comparison has no clients,
says nothing about the difference; it is left out of that comparison and the clients it holds are counted as
such. :func:`monthly_rates` and :func:`calendar_break` describe the calendar itself: the rate, the calls, the
three-month Euribor and the share of clients called before, month by month.

Plain numbers from counts and from statsmodels' fits (deterministic: iteratively reweighted least squares from a
fixed start), written by the build into ``response.json``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2

from dashapp.analysis.response import CAMPAIGN_BINS, CONFIDENCE, FEW_CLIENTS, campaign_bin, independence_test, rate_cell
from dashapp.core import domain
from dashapp.sources import bank_table

#: How a calendar month is written: year and month, so that the same month of two years are two strata.
MONTH_FORMAT = "%Y-%m"

#: The levers the data supports (the Response page's first card), each as (exposed, comparison): which clients
#: have it and whom they are compared with, by the cleaned table's columns. Keys are the artifact's.
LEVERS: tuple[str, ...] = ("previous_success", "retired_or_student", "cellular", "many_calls")


def calendar_months(dates: pd.Series) -> np.ndarray:
    """Each row's calendar month as ``"2009-05"`` (object array); raises if a date is missing."""
    dates = pd.to_datetime(dates)
    if dates.isna().any():
        raise ValueError(f"{int(dates.isna().sum())} rows have no contact date; the calendar month needs every one")
    return dates.dt.strftime(MONTH_FORMAT).to_numpy(dtype=object)


def _fit(family, outcome: np.ndarray, design: np.ndarray, cov_type: str = "nonrobust",
         freq_weights: np.ndarray | None = None):
    import statsmodels.api as sm

    with warnings.catch_warnings():
        # A month with a handful of clients can leave a coefficient large; the fit still converges and the
        # comparison's terms are what is read, so the warning would only be noise in the build's log.
        warnings.simplefilter("ignore")
        return sm.GLM(outcome, design, family=family, freq_weights=freq_weights).fit(cov_type=cov_type)


def _month_dummies(months: np.ndarray) -> np.ndarray:
    """An intercept and one indicator per month but the first (in sorted order)."""
    levels, code = np.unique(months, return_inverse=True)
    design = np.zeros((len(months), len(levels)))
    design[np.arange(len(months)), code] = 1.0
    design[:, 0] = 1.0  # the first month's indicator becomes the intercept
    return design


def _mixed_months(subscribed: np.ndarray, months: np.ndarray, *sides: np.ndarray) -> np.ndarray:
    """Rows of the months where both outcomes occur and every side of the comparison has clients."""
    frame = pd.DataFrame({"month": months, "y": subscribed.astype(int)})
    grouped = frame.groupby("month")["y"]
    keep = grouped.transform("min").to_numpy() < grouped.transform("max").to_numpy()
    for side in sides:
        keep &= pd.Series(side).groupby(months).transform("any").to_numpy()
    return keep


def month_adjusted_test(levels: np.ndarray, subscribed: np.ndarray, months: np.ndarray) -> dict | None:
    """Whether a grouping adds to the calendar month: the likelihood-ratio test of month + group against month.

    Parameters
    ----------
    levels : array
        Each client's group.
    subscribed : array of bool
    months : array of str
        Each client's calendar month (:func:`calendar_months`).

    Returns
    -------
    dict or None
        ``statistic`` (twice the log-likelihood gain), ``dof`` (groups - 1), ``p_value``, ``clients`` and
        ``months`` (the months that inform the test: both outcomes present), ``left_out`` (clients of the other
        months); None when fewer than two groups remain.
    """
    levels, subscribed, months = np.asarray(levels).astype(str), np.asarray(subscribed, bool), np.asarray(months)
    keep = _mixed_months(subscribed, months)
    present = np.unique(levels[keep])
    if len(present) < 2:
        return None
    import statsmodels.api as sm

    # The clients of one (month, group, outcome) share every term of the likelihood: one row per such cell,
    # weighted by its clients, is the same fit as one row per client (the same log-likelihood, to the last
    # digits), a few hundred rows instead of tens of thousands.
    cells = pd.DataFrame({"month": months[keep], "level": levels[keep], "y": subscribed[keep]}).value_counts(
        sort=False).reset_index()
    cell_months, cell_levels = cells["month"].to_numpy(), cells["level"].to_numpy()
    month_design = _month_dummies(cell_months)
    group_design = (cell_levels[:, None] == present[1:][None, :]).astype(float)
    outcome, clients = cells["y"].to_numpy(dtype=float), cells["count"].to_numpy(dtype=float)
    month_only = _fit(sm.families.Binomial(), outcome, month_design, freq_weights=clients)
    with_group = _fit(sm.families.Binomial(), outcome, np.column_stack([month_design, group_design]),
                      freq_weights=clients)
    statistic = max(0.0, 2.0 * (with_group.llf - month_only.llf))
    dof = len(present) - 1
    return {"statistic": float(statistic), "dof": int(dof), "p_value": float(chi2.sf(statistic, dof)),
            "clients": int(keep.sum()), "months": int(len(np.unique(months[keep]))), "left_out": int((~keep).sum())}


def stratified_odds(in_group: np.ndarray, subscribed: np.ndarray, months: np.ndarray) -> dict | None:
    """A group against the other clients called in the same months: the Mantel-Haenszel odds ratio.

    Returns
    -------
    dict or None
        ``odds_ratio`` (None when infinite), ``interval`` (95%, Robins-Breslow-Greenland; None when the odds
        ratio is 0 or infinite), ``p_value`` (Cochran-Mantel-Haenszel, without
        continuity correction), ``strata`` (months that inform it) and ``clients`` in them; None when no month
        has clients on both sides and both outcomes.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    in_group, subscribed, months = np.asarray(in_group, bool), np.asarray(subscribed, bool), np.asarray(months)
    keep = _mixed_months(subscribed, months, in_group, ~in_group)
    if not keep.any():
        return None
    strata, code = np.unique(months[keep], return_inverse=True)
    tables = np.zeros((2, 2, len(strata)))
    np.add.at(tables, ((~in_group[keep]).astype(int), (~subscribed[keep]).astype(int), code), 1)
    table = StratifiedTable(tables)
    odds_ratio = float(table.oddsratio_pooled)
    interval = None
    if 0 < odds_ratio < np.inf:  # no subscriber on one side in every month: an odds ratio of 0 or infinity
        low, high = table.oddsratio_pooled_confint(alpha=1 - CONFIDENCE)
        interval = [float(low), float(high)]
    return {"odds_ratio": odds_ratio if np.isfinite(odds_ratio) else None, "interval": interval,
            "p_value": float(table.test_null_odds(correction=False).pvalue), "strata": int(len(strata)),
            "clients": int(keep.sum())}


def adjusted_rate_ratio(exposed: np.ndarray, subscribed: np.ndarray, months: np.ndarray) -> dict | None:
    """The month-adjusted rate ratio of the exposed clients against the others (a Poisson model with robust
    covariance on month and exposure).

    Returns
    -------
    dict or None
        ``rate_ratio``, ``interval`` (95%), ``p_value`` (Wald, robust), ``clients`` (in the informative months);
        None when no month has both sides and both outcomes.
    """
    import statsmodels.api as sm

    exposed, subscribed, months = np.asarray(exposed, bool), np.asarray(subscribed, bool), np.asarray(months)
    keep = _mixed_months(subscribed, months, exposed, ~exposed)
    if not keep.any():
        return None
    design = np.column_stack([_month_dummies(months[keep]), exposed[keep].astype(float)])
    fit = _fit(sm.families.Poisson(), subscribed[keep].astype(float), design, cov_type="HC0")
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[-1]
    return {"rate_ratio": float(np.exp(fit.params[-1])), "interval": [float(np.exp(low)), float(np.exp(high))],
            "p_value": float(fit.pvalues[-1]), "clients": int(keep.sum())}


def group_comparison(levels: np.ndarray, subscribed: np.ndarray, months: np.ndarray,
                     order: Sequence) -> dict:
    """A grouping's rates, pooled and month-adjusted: the test, and each group against the rest.

    Returns
    -------
    dict
        ``pooled`` (:func:`dashapp.analysis.response.independence_test`, the months pooled), ``test``
        (:func:`month_adjusted_test`) and ``levels``: one entry per level of ``order`` with clients:
        ``level``, the pooled :func:`dashapp.analysis.response.rate_cell` and ``adjusted``
        (:func:`stratified_odds` against the other levels).
    """
    levels = np.asarray(levels).astype(str)
    subscribed = np.asarray(subscribed, bool)
    entries = []
    for value in (str(v) for v in order):
        member = levels == value
        if member.any():
            entries.append({"level": value, **rate_cell(int(subscribed[member].sum()), int(member.sum())),
                            "adjusted": stratified_odds(member, subscribed, months)})
    return {"pooled": independence_test(levels, subscribed), "test": month_adjusted_test(levels, subscribed, months),
            "levels": entries}


def monthly_rates(levels: np.ndarray, subscribed: np.ndarray, months: np.ndarray, order: Sequence) -> list[dict]:
    """Every calendar month's rate, over all clients and per group: ``[{month, clients, ..., groups: [{level,
    clients, ...}]}]`` in calendar order (rate cells with Wilson intervals)."""
    levels, subscribed, months = np.asarray(levels).astype(str), np.asarray(subscribed, bool), np.asarray(months)
    entries = []
    for month in np.unique(months):
        at = months == month
        groups = [{"level": str(value), **rate_cell(int(subscribed[at & (levels == str(value))].sum()),
                                                    int((at & (levels == str(value))).sum()))} for value in order]
        entries.append({"month": str(month), **rate_cell(int(subscribed[at].sum()), int(at.sum())),
                        "groups": groups})
    return entries


def calendar_break(clean: pd.DataFrame, months: np.ndarray) -> list[dict]:
    """What changed with the calendar, month by month: calls, the rate, the mean three-month Euribor, the share
    of clients called in an earlier campaign and the share whose earlier campaign succeeded."""
    subscribed = (clean["y"].astype(str) == "yes").to_numpy()
    frame = pd.DataFrame({"month": months, "subscribed": subscribed,
                          "euribor3m": clean["euribor3m"].to_numpy(dtype=float),
                          "called_before": clean["previous"].to_numpy() > 0,
                          "previous_success": clean["poutcome"].astype(str).to_numpy() == "success"})
    entries = []
    for month, rows in frame.groupby("month", sort=True):
        entries.append({"month": str(month), **rate_cell(int(rows["subscribed"].sum()), len(rows)),
                        "euribor3m": float(rows["euribor3m"].mean()),
                        "called_before": float(rows["called_before"].mean()),
                        "previous_success": float(rows["previous_success"].mean())})
    return entries


def period_summary(clean: pd.DataFrame, mask: np.ndarray, months: np.ndarray) -> dict:
    """A population's calendar in figures: its months, the median calls a month, the mean three-month Euribor,
    the share of clients called in an earlier campaign, and its lowest and highest monthly rates (among months of
    at least :data:`dashapp.analysis.response.FEW_CLIENTS` calls, whose rates mean something)."""
    frame = pd.DataFrame({"month": months[mask],
                          "subscribed": (clean["y"].astype(str) == "yes").to_numpy()[mask]})
    by_month = frame.groupby("month")["subscribed"].agg(["size", "mean"])
    read = by_month[by_month["size"] >= FEW_CLIENTS]
    lowest = read["mean"].idxmin() if len(read) else None
    highest = read["mean"].idxmax() if len(read) else None
    return {"months": int(len(by_month)), "calls_per_month": float(by_month["size"].median()),
            "euribor3m": float(clean["euribor3m"].to_numpy(float)[mask].mean()),
            "called_before": float((clean["previous"].to_numpy()[mask] > 0).mean()),
            "lowest": None if lowest is None else {"month": str(lowest), "rate": float(read.loc[lowest, "mean"])},
            "highest": None if highest is None else {"month": str(highest), "rate": float(read.loc[highest, "mean"])}}


def lever_groups(clean: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each lever's exposed clients and the clients they are compared with (boolean masks over the rows).

    - ``previous_success``: the previous campaign succeeded, against clients never contacted before;
    - ``retired_or_student``: retired clients and students, against every other known job;
    - ``cellular``: called on a mobile phone, against a fixed line;
    - ``many_calls``: the sixth call or later in this campaign, against the first call.
    """
    poutcome = clean["poutcome"].astype(str).to_numpy()
    job = clean["job"].astype(str).to_numpy()
    contact = clean["contact"].astype(str).to_numpy()
    calls = campaign_bin(clean["campaign"]).to_numpy()
    retired_or_student = np.isin(job, ["retired", "student"])
    return {
        "previous_success": (poutcome == "success", poutcome == "nonexistent"),
        "retired_or_student": (retired_or_student, ~retired_or_student & (job != "unknown")),
        "cellular": (contact == "cellular", contact == "telephone"),
        "many_calls": (calls == "6+", calls == "1"),
    }


def lever_effects(clean: pd.DataFrame, mask: np.ndarray, months: np.ndarray) -> dict[str, dict]:
    """Each lever in the rows of ``mask``: the exposed and comparison clients' pooled rates, the month-adjusted
    rate ratio (:func:`adjusted_rate_ratio`) and the share of the clients the lever covers."""
    subscribed = (clean["y"].astype(str) == "yes").to_numpy()
    effects = {}
    for key, (exposed, comparison) in lever_groups(clean).items():
        exposed, comparison = exposed & mask, comparison & mask
        compared = exposed | comparison
        effects[key] = {
            "exposed": rate_cell(int(subscribed[exposed].sum()), int(exposed.sum())),
            "comparison": rate_cell(int(subscribed[comparison].sum()), int(comparison.sum())),
            "reach": float(exposed.sum() / mask.sum()) if mask.any() else None,
            "adjusted": adjusted_rate_ratio(exposed[compared], subscribed[compared], months[compared]),
        }
    return effects


#: The groupings compared within month besides the segments: the client's job (the one key field with a response
#: signal once the month is held) and the drivers of :mod:`dashapp.analysis.response`.
GROUPINGS: tuple[str, ...] = ("segment", "job", "contact", "poutcome", "campaign")


def _grouping_levels(clean: pd.DataFrame, segments: np.ndarray, grouping: str) -> np.ndarray:
    if grouping == "segment":
        return np.asarray(segments).astype(str)
    if grouping == "campaign":
        return campaign_bin(clean["campaign"]).to_numpy().astype(str)
    return clean[grouping].astype(str).to_numpy()


def _grouping_order(grouping: str, segment_numbers: Sequence[int]) -> tuple[str, ...]:
    if grouping == "segment":
        return tuple(str(number) for number in segment_numbers)
    if grouping == "campaign":
        return tuple(label for label, _, _ in CAMPAIGN_BINS)
    return domain.CATEGORIES[grouping]


def calendar_analysis(clean: pd.DataFrame, segments: np.ndarray, n_train: int,
                      segment_numbers: Sequence[int]) -> dict | None:
    """Response held to the calendar month, for ``response.json``'s ``calendar`` section; None without dates.

    Returns
    -------
    dict or None
        ``months`` (:func:`calendar_break` over all rows), ``segments_by_month`` (:func:`monthly_rates` of the
        segments) and ``populations``: for ``all``, ``train``, ``test`` and each contact year, ``groupings``
        ({grouping: :func:`group_comparison`} for :data:`GROUPINGS`), ``levers`` (:func:`lever_effects`) and
        ``summary`` (:func:`period_summary`).
    """
    if bank_table.CONTACT_DATE not in clean.columns or pd.to_datetime(clean[bank_table.CONTACT_DATE]).isna().any():
        return None
    months = calendar_months(clean[bank_table.CONTACT_DATE])
    subscribed = (clean["y"].astype(str) == "yes").to_numpy()
    rows = np.arange(len(clean))
    masks = {"all": np.ones(len(clean), dtype=bool), "train": rows < n_train, "test": rows >= n_train}
    years = np.array([month[:4] for month in months])
    masks |= {year: years == year for year in sorted(set(years.tolist()))}
    levels = {grouping: _grouping_levels(clean, segments, grouping) for grouping in GROUPINGS}
    orders = {grouping: _grouping_order(grouping, segment_numbers) for grouping in GROUPINGS}
    populations = {}
    for key, mask in masks.items():
        populations[key] = {
            "groupings": {grouping: group_comparison(levels[grouping][mask], subscribed[mask], months[mask],
                                                     orders[grouping]) for grouping in GROUPINGS},
            "levers": lever_effects(clean, mask, months),
            "summary": period_summary(clean, mask, months),
        }
    return {"months": calendar_break(clean, months),
            "segments_by_month": monthly_rates(levels["segment"], subscribed, months, orders["segment"]),
            "populations": populations}
