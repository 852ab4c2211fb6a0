"""Targeting judged the way a campaign runs: month by month, against fair rivals, with honest intervals.

A bank plans its calls month by month: each month it can call some share of the clients it could reach that
month. Ranking the test period's clients all together (the pooled gain curve of :mod:`dashapp.analysis.propensity`)
lets a model "win" by picking the months with high rates, which no campaign can choose after the fact: in the UCI
file the rate went from about 5% a month in 2008 to about 50% in 2010. So, beside the pooled figures:

- **within-month AUC** (:func:`within_month_auc`): how well a score ranks the clients *of one month*, from the
  pairs (a subscriber, a non-subscriber) called in the same month;
- **month-stratified gain** (:func:`stratified_gain_curve`): each month's budget is the same share of that
  month's calls, given to the month's best-scored clients;
- **a client-only model** (:data:`CLIENT_INPUTS`): the logistic model without the calendar's columns (month, day,
  the economic indicators), the fair rival to segments, which know nothing of the calendar either;
- **the evidence rules** (:func:`rule_scores`): clients ranked by their training-period rate of the levers the
  data supports (previous outcome, calls so far, retired or student, channel);
- **a rolling monthly refit** (:func:`rolling_refit`): the logistic model refitted before every test month on
  every earlier call, scoring that month, as Moro et al. (2014) evaluated theirs (a rolling window);
- **a bootstrap over calendar months** (:func:`month_bootstrap`): the test months resampled with replacement, so
  an interval says how much the figures would move with another set of months, not only with other clients;
- a **calibration** table per model, and the **drift** of the economic indicators between the periods.

Everything is deterministic: fixed seeds, ties taken together (:func:`dashapp.analysis.propensity.gain_curve`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from dashapp.analysis.calendar_response import LEVERS, calendar_months
from dashapp.analysis.propensity import (CURVE_SHARES, PROPENSITY_CATEGORICAL, PROPENSITY_NUMERIC, gain_at, gain_curve,
                                         logistic_model, model_frame)
from dashapp.analysis.response import campaign_bin
from dashapp.core import domain
from dashapp.sources import bank_table

#: The calendar's columns: the month and day of the call and the economic indicators of its month or quarter.
CALENDAR_INPUTS: tuple[str, ...] = ("month", "day_of_week") + domain.SOCIO_ECONOMIC_COLUMNS
#: The client-only model's inputs: the client's record and contact history, and the channel; nothing of the date.
CLIENT_INPUTS: tuple[str, ...] = tuple(c for c in PROPENSITY_CATEGORICAL + PROPENSITY_NUMERIC
                                       if c not in CALENDAR_INPUTS)
#: Bootstrap resamples of the test months; the interval is the middle 95% of them.
BOOTSTRAP_RESAMPLES = 400
BOOTSTRAP_SEED = 20140601
#: Bins of the calibration table: deciles of the predicted probability.
CALIBRATION_BINS = 10


def within_month_auc(scores: np.ndarray, outcomes: np.ndarray, months: np.ndarray) -> float | None:
    """The AUC over the pairs (subscriber, non-subscriber) called in the same month: each month's AUC weighted by
    its number of such pairs. None when no month has both outcomes."""
    scores, outcomes, months = np.asarray(scores, float), np.asarray(outcomes).astype(int), np.asarray(months)
    aucs, pairs = _monthly_aucs(scores, outcomes, months)
    return float(np.average(aucs, weights=pairs)) if pairs.sum() else None


def _monthly_aucs(scores, outcomes, months) -> tuple[np.ndarray, np.ndarray]:
    aucs, pairs = [], []
    for month in np.unique(months):
        at = months == month
        positives = int(outcomes[at].sum())
        negatives = int(at.sum()) - positives
        if positives and negatives:
            aucs.append(roc_auc_score(outcomes[at], scores[at]))
            pairs.append(positives * negatives)
        else:
            aucs.append(0.0)
            pairs.append(0)
    return np.asarray(aucs, float), np.asarray(pairs, float)


def _monthly_reached(scores, outcomes, months, shares) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per month: subscribers reached at each share of its calls, its subscribers and its clients."""
    reached, subscribers, clients = [], [], []
    for month in np.unique(months):
        at = months == month
        total = float(outcomes[at].sum())
        reached.append(gain_at(scores[at], outcomes[at], shares) * total if total else np.zeros(len(shares)))
        subscribers.append(total)
        clients.append(float(at.sum()))
    return np.asarray(reached), np.asarray(subscribers), np.asarray(clients)


def stratified_gain_curve(scores: np.ndarray, outcomes: np.ndarray, months: np.ndarray,
                          shares=CURVE_SHARES) -> np.ndarray:
    """Share of all subscribers reached when each month calls ``share`` of its clients, its best-scored first
    (ties within a month taken together)."""
    scores, outcomes, months = np.asarray(scores, float), np.asarray(outcomes).astype(float), np.asarray(months)
    reached, subscribers, _ = _monthly_reached(scores, outcomes, months, np.asarray(shares, float))
    return reached.sum(axis=0) / subscribers.sum()


def alift(called: np.ndarray, reached: np.ndarray) -> float:
    """The area under the cumulative gain curve (Moro et al.'s ALIFT): 0.5 for random calling, 1 at best."""
    return float(np.trapezoid(reached, called))


def client_only_model(random_state: int):
    """The logistic model of :mod:`dashapp.analysis.propensity` on :data:`CLIENT_INPUTS` only."""
    return logistic_model(random_state, [c for c in PROPENSITY_CATEGORICAL if c in CLIENT_INPUTS],
                          [c for c in PROPENSITY_NUMERIC if c in CLIENT_INPUTS])


def rule_cells(clean: pd.DataFrame) -> np.ndarray:
    """Each client's cell of the evidence levers: previous outcome, calls so far (binned), retired or student,
    channel, as one string."""
    job = clean["job"].astype(str).to_numpy()
    return (clean["poutcome"].astype(str).to_numpy().astype(object) + "|"
            + campaign_bin(clean["campaign"]).to_numpy().astype(object) + "|"
            + np.where(np.isin(job, ["retired", "student"]), "retired-or-student", "other").astype(object) + "|"
            + clean["contact"].astype(str).to_numpy().astype(object))


def rule_scores(train: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """Each of ``rows`` scored by the training-period rate of its lever cell (:func:`rule_cells`); a cell no
    training client holds takes the training base rate."""
    subscribed = (train["y"].astype(str) == "yes").to_numpy(dtype=float)
    rates = pd.Series(subscribed).groupby(rule_cells(train)).mean()
    return pd.Series(rule_cells(rows)).map(rates).fillna(subscribed.mean()).to_numpy(dtype=float)


def rolling_refit(clean: pd.DataFrame, n_train: int, months: np.ndarray, random_state: int,
                  inputs: tuple[str, ...] | None = None, window: int | None = None) -> np.ndarray:
    """The logistic model refitted before each test month on every earlier call (the ``window`` latest when
    given: a build fitted on a sample keeps its refits to the sample's size), scoring that month's clients.

    Returns
    -------
    ndarray of float
        One score per test row (rows ``n_train:``), in their order.
    """
    subscribed = (clean["y"].astype(str) == "yes").to_numpy(dtype=int)
    frame = model_frame(clean)
    test_months = months[n_train:]
    scores = np.empty(len(clean) - n_train)
    categorical = [c for c in PROPENSITY_CATEGORICAL if inputs is None or c in inputs]
    numeric = [c for c in PROPENSITY_NUMERIC if inputs is None or c in inputs]
    for month in pd.unique(test_months):
        # The window's calls end just before the month's first row: the file is in time order.
        start = n_train + int(np.flatnonzero(test_months == month)[0])
        first = 0 if window is None else max(0, start - window)
        at = np.flatnonzero(months == month)
        model = logistic_model(random_state, categorical, numeric).fit(frame.iloc[first:start],
                                                                       subscribed[first:start])
        scores[at - n_train] = model.predict_proba(frame.iloc[at])[:, 1]
    return scores


def method_report(scores: np.ndarray, outcomes: np.ndarray, months: np.ndarray) -> dict:
    """Pooled and within-month AUC, ALIFT, and the month-stratified gain curve of one score."""
    curve = stratified_gain_curve(scores, outcomes, months)
    called, reached = gain_curve(scores, outcomes)
    return {"roc_auc": float(roc_auc_score(outcomes, scores)),
            "within_month_auc": within_month_auc(scores, outcomes, months),
            "alift": alift(called, reached), "stratified_alift": alift(CURVE_SHARES, curve),
            "stratified_curve": [float(v) for v in curve]}


def month_bootstrap(scores: dict[str, np.ndarray], outcomes: np.ndarray, months: np.ndarray,
                    resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> dict:
    """Intervals from resampling the test months with replacement (each month with all its clients).

    Returns
    -------
    dict
        ``resamples``, ``months`` and, per method, the 2.5% and 97.5% points of the pooled AUC, the within-month
        AUC and the month-stratified gain curve (``curve_low``, ``curve_high``, at
        :data:`dashapp.analysis.propensity.CURVE_SHARES`).
    """
    outcomes, months = np.asarray(outcomes).astype(float), np.asarray(months)
    month_list, month_code = np.unique(months, return_inverse=True)
    counts = np.random.default_rng(seed).multinomial(len(month_list), np.full(len(month_list), 1 / len(month_list)),
                                                     size=resamples)
    # A resample with no subscriber at all (one all-"no" month drawn every time) has no curve: left out.
    counts = counts[(counts * np.bincount(month_code, weights=outcomes, minlength=len(month_list))).sum(axis=1) > 0]
    report = {"resamples": int(len(counts)), "months": int(len(month_list))}
    for name, score in scores.items():
        score = np.asarray(score, float)
        reached, subscribers, _ = _monthly_reached(score, outcomes, months, CURVE_SHARES)
        curves = (counts @ reached) / (counts @ subscribers)[:, None]
        aucs, pairs = _monthly_aucs(score, outcomes, months)
        weights = counts * pairs
        within = (weights @ aucs) / np.where(weights.sum(axis=1) > 0, weights.sum(axis=1), np.nan)
        pooled = resampled_aucs(score, outcomes, month_code, counts)
        report[name] = {"roc_auc": _middle(pooled), "within_month_auc": _middle(within),
                        "curve_low": [float(v) for v in np.percentile(curves, 2.5, axis=0)],
                        "curve_high": [float(v) for v in np.percentile(curves, 97.5, axis=0)]}
    return report


def resampled_aucs(scores: np.ndarray, outcomes: np.ndarray, month_code: np.ndarray,
                   counts: np.ndarray) -> np.ndarray:
    """The pooled AUC of every resample of months at once: ``roc_auc_score(outcomes, scores, sample_weight=
    counts[r][month_code])`` for each row ``r`` of ``counts`` (a resample's copies of each month).

    The AUC is the share of (subscriber, non-subscriber) pairs the score orders rightly, ties counting half; a
    resample weighs each client by its month's copies, so the pairs are counted per tied score and month once,
    and every resample is two matrix products (scikit-learn's call, once per resample, is a hundred times slower).
    """
    values, value_code = np.unique(scores, return_inverse=True)
    n_months = counts.shape[1]
    positive = np.zeros((n_months, len(values)))
    negative = np.zeros((n_months, len(values)))
    np.add.at(positive, (month_code, value_code), outcomes == 1)
    np.add.at(negative, (month_code, value_code), outcomes != 1)
    positives, negatives = counts @ positive, counts @ negative  # (resamples, distinct scores)
    below = np.cumsum(negatives, axis=1) - negatives  # non-subscribers with a lower score
    right = (positives * (below + 0.5 * negatives)).sum(axis=1)
    pairs = positives.sum(axis=1) * negatives.sum(axis=1)
    return np.divide(right, pairs, out=np.full(len(counts), np.nan), where=pairs > 0)


def _middle(values: np.ndarray) -> list[float]:
    values = values[np.isfinite(values)]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def calibration(scores: np.ndarray, outcomes: np.ndarray) -> dict:
    """Observed rate against mean predicted probability in deciles of the prediction (scikit-learn's
    ``calibration_curve``, quantile bins)."""
    observed, predicted = calibration_curve(outcomes, scores, n_bins=CALIBRATION_BINS, strategy="quantile")
    return {"predicted": [float(v) for v in predicted], "observed": [float(v) for v in observed],
            "mean_predicted": float(np.mean(scores)), "observed_rate": float(np.mean(outcomes))}


def indicator_drift(clean: pd.DataFrame, n_train: int) -> list[dict]:
    """Each economic indicator's range in the training period and where the test period's values fall."""
    entries = []
    for column in domain.SOCIO_ECONOMIC_COLUMNS:
        train, test = clean[column].iloc[:n_train].to_numpy(float), clean[column].iloc[n_train:].to_numpy(float)
        entries.append({"column": column, "train_range": [float(train.min()), float(train.max())],
                        "test_range": [float(test.min()), float(test.max())],
                        "below": float(np.mean(test < train.min())), "above": float(np.mean(test > train.max()))})
    return entries


def campaign_view(clean: pd.DataFrame, n_train: int, scores: dict[str, np.ndarray], random_state: int,
                  fit_rows: np.ndarray | None = None) -> dict:
    """The test period judged month by month: every method's report, the rolling refit, the bootstrap, the
    calibration of the models and the indicators' drift.

    Parameters
    ----------
    clean : DataFrame
        Every cleaned row in time order (training first), with ``contact_date``.
    scores : dict
        Method -> scores of the test rows (:data:`dashapp.analysis.propensity.METHODS` keys); the client-only model,
        the rules and the rolling refit are added here.
    fit_rows : ndarray of int, optional
        The training rows the client-only model is fitted on (as the other models are).
    """
    months = calendar_months(clean[bank_table.CONTACT_DATE])
    subscribed = (clean["y"].astype(str) == "yes").to_numpy(dtype=int)
    train, test = clean.iloc[:n_train], clean.iloc[n_train:]
    fit = train if fit_rows is None else train.iloc[fit_rows]
    scores = dict(scores)
    scores["client_only"] = client_only_model(random_state).fit(
        model_frame(fit), (fit["y"].astype(str) == "yes").to_numpy(dtype=int)).predict_proba(model_frame(test))[:, 1]
    scores["rules"] = rule_scores(train, test)
    scores["rolling"] = rolling_refit(clean, n_train, months, random_state,
                                      window=None if fit_rows is None else len(fit_rows))
    outcomes, test_months = subscribed[n_train:], months[n_train:]
    return {
        "months": [str(m) for m in np.unique(test_months)],
        "methods": {name: method_report(score, outcomes, test_months) for name, score in scores.items()},
        "bootstrap": month_bootstrap(scores, outcomes, test_months),
        "calibration": {name: calibration(scores[name], outcomes) for name in ("logistic", "boosting", "rolling")
                        if name in scores},
        "drift": indicator_drift(clean, n_train),
        "client_inputs": list(CLIENT_INPUTS),
        "levers": list(LEVERS),
    }
