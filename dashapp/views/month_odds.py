"""Each value of a Data-page chart against the other values, within calendar month (issue 23, item 1).

A Data-page chart counts clients and subscriptions per value of one column (a job, a number of calls, ...). Its
pooled rates mix the months, whose rates range from 3% to 57% in the UCI file: a value whose clients were called
mostly in the later months looks better without any of them being likelier to subscribe. So each value gets the
Mantel-Haenszel odds ratio of its clients against the chart's other clients called in the same calendar months,
with its 95% interval (Robins, Breslow and Greenland 1986) and the Cochran-Mantel-Haenszel test (no continuity
correction): the same figures statsmodels' ``StratifiedTable`` gives one value at a time, which
``tests/views/test_month_odds.py`` checks them against.

Why not statsmodels here, as the build's :mod:`dashapp.analysis.calendar_response` does: these figures are made in
the web tier on every filter change, for every value of some fifteen charts at once (about 150 values), and the
web tier imports no SciPy (statsmodels needs it): the closed forms below take one numpy pass for a whole chart.

A month informs a value's comparison when the month has both outcomes and clients on both sides; the others are
left out of that value's comparison, as ``StratifiedTable`` would have them contribute nothing.
"""

from __future__ import annotations

import math

import numpy as np

#: The normal quantile of a two-sided 95% interval.
Z_95 = 1.959963984540054


def odds_against_the_rest(clients: np.ndarray, subscribed: np.ndarray) -> dict[str, np.ndarray]:
    """Every value's month-adjusted odds ratio against the other values.

    Parameters
    ----------
    clients, subscribed : array of int, shape (values, months)
        Clients and subscriptions per value (rows) and calendar month (columns).

    Returns
    -------
    dict of arrays, one entry per value
        ``odds_ratio``, ``odds_low`` and ``odds_high`` (the 95% interval), ``p_value`` (Cochran-Mantel-Haenszel);
        NaN where no month informs the comparison or the odds ratio is 0 or infinite (no subscriber, or no one
        who did not, on one side in every informative month).
    """
    a = np.asarray(subscribed, dtype=float)              # the value's subscribers
    n1 = np.asarray(clients, dtype=float)                # the value's clients
    month_clients, month_subscribed = n1.sum(axis=0), a.sum(axis=0)
    b = n1 - a                                           # the value's other clients
    c = month_subscribed - a                             # the other values' subscribers
    n2 = month_clients - n1                              # the other values' clients
    d = n2 - c
    informative = ((month_subscribed > 0) & (month_subscribed < month_clients))[None, :] & (n1 > 0) & (n2 > 0)
    n = np.where(informative, month_clients[None, :], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(informative, a * d / n, 0.0)
        s = np.where(informative, b * c / n, 0.0)
        p = np.where(informative, (a + d) / n, 0.0)
        q = np.where(informative, (b + c) / n, 0.0)
        r_sum, s_sum = r.sum(axis=1), s.sum(axis=1)
        odds_ratio = r_sum / s_sum
        log_variance = ((p * r).sum(axis=1) / (2 * r_sum ** 2) + (p * s + q * r).sum(axis=1) / (2 * r_sum * s_sum)
                        + (q * s).sum(axis=1) / (2 * s_sum ** 2))
        half_width = Z_95 * np.sqrt(log_variance)
        m1 = month_subscribed[None, :]
        expected = np.where(informative, n1 * m1 / n, 0.0)
        variance = np.where(informative, n1 * n2 * m1 * (n - m1) / (n ** 2 * np.maximum(n - 1, 1)), 0.0)
        statistic = (a * informative - expected).sum(axis=1) ** 2 / variance.sum(axis=1)
    finite = informative.any(axis=1) & (r_sum > 0) & (s_sum > 0)
    nan = np.full(len(odds_ratio), np.nan)
    log_odds = np.log(np.where(finite, odds_ratio, 1.0))
    return {
        "odds_ratio": np.where(finite, odds_ratio, nan),
        "odds_low": np.where(finite, np.exp(log_odds - half_width), nan),
        "odds_high": np.where(finite, np.exp(log_odds + half_width), nan),
        # One degree of freedom: the chi-square's tail is erfc(sqrt(x / 2)).
        "p_value": np.where(finite, [math.erfc(math.sqrt(x / 2)) if np.isfinite(x) else np.nan
                                     for x in statistic], nan),
    }
