"""The Data page's month-adjusted odds (:mod:`dashapp.views.month_odds`) are statsmodels' ``StratifiedTable``'s, and
two months worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from dashapp.views.month_odds import odds_against_the_rest


def _statsmodels(clients: np.ndarray, subscribed: np.ndarray, value: int) -> tuple[float, float, float, float]:
    """One value against the rest, by statsmodels, over the months that inform the comparison."""
    others_clients = clients.sum(axis=0) - clients[value]
    others_subscribed = subscribed.sum(axis=0) - subscribed[value]
    month_subscribed, month_clients = subscribed.sum(axis=0), clients.sum(axis=0)
    informative = ((month_subscribed > 0) & (month_subscribed < month_clients) & (clients[value] > 0)
                   & (others_clients > 0))
    tables = np.array([[subscribed[value], clients[value] - subscribed[value]],
                       [others_subscribed, others_clients - others_subscribed]], dtype=float)[:, :, informative]
    table = StratifiedTable(tables)
    low, high = table.oddsratio_pooled_confint(alpha=0.05)
    return table.oddsratio_pooled, low, high, table.test_null_odds(correction=False).pvalue


@pytest.mark.parametrize("seed", range(5))
def test_every_value_is_statsmodels_stratified_table_against_the_rest(seed):
    rng = np.random.default_rng(seed)
    clients = rng.integers(0, 60, size=(6, 9))
    clients[2, :4] = 0  # a value absent from some months
    subscribed = rng.binomial(clients, rng.uniform(0.05, 0.6, size=(1, 9)))
    subscribed[:, 5] = 0  # a month in which nobody subscribed informs nothing
    answer = odds_against_the_rest(clients, subscribed)
    for value in range(len(clients)):
        expected = _statsmodels(clients, subscribed, value)
        got = [answer[key][value] for key in ("odds_ratio", "odds_low", "odds_high", "p_value")]
        np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_two_months_worked_by_hand():
    # The Mantel-Haenszel estimator is sum(a d / n) / sum(b c / n) over the strata. Month 1: a=10 b=20 c=5 d=40
    # (n=75); month 2: a=8 b=12 c=6 d=30 (n=56).
    clients = np.array([[30, 20], [45, 36]])
    subscribed = np.array([[10, 8], [5, 6]])
    answer = odds_against_the_rest(clients, subscribed)
    r = 10 * 40 / 75 + 8 * 30 / 56
    s = 20 * 5 / 75 + 12 * 6 / 56
    assert answer["odds_ratio"][0] == pytest.approx(r / s, rel=1e-12)
    assert answer["odds_ratio"][1] == pytest.approx(s / r, rel=1e-12)
    # Two values: each one's interval is the other's, inverted.
    assert answer["odds_low"][0] == pytest.approx(1 / answer["odds_high"][1], rel=1e-12)
    assert answer["p_value"][0] == pytest.approx(answer["p_value"][1], rel=1e-12)


def test_values_that_cannot_be_compared_are_nan():
    # Value 0 never subscribed (odds ratio 0); value 2 is alone in its only month.
    clients = np.array([[10, 5, 0], [10, 5, 0], [0, 0, 7]])
    subscribed = np.array([[0, 0, 0], [4, 2, 0], [0, 0, 3]])
    answer = odds_against_the_rest(clients, subscribed)
    assert np.isnan(answer["odds_ratio"][0]) and np.isnan(answer["odds_low"][0])
    assert np.isnan(answer["odds_ratio"][2]) and np.isnan(answer["p_value"][2])
    assert np.isnan(answer["odds_ratio"][1])  # the mirror of value 0: infinite
