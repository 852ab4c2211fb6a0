"""The response models and the gain and lift that compare them with the segments (small frames built here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.propensity import (CALLED_SHARES, EXCLUDED_INPUTS, PROPENSITY_INPUTS, fit_propensity_models,
                                         gain_at, gain_curve, lift_at, segment_scores, targeting_benchmark)
from dashapp.core import domain


def _clients(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """A cleaned-table-shaped frame in which a previous success and age drive the response, and duration
    (known only after the call) would give it away."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({column: rng.choice(domain.CATEGORIES[column], size=n)
                          for column in ("job", "marital", "education", "default", "housing", "loan", "contact",
                                         "month", "day_of_week", "poutcome")})
    for column in domain.NUMERIC_COLUMNS:
        frame[column] = rng.normal(size=n)
    frame["age"] = rng.integers(18, 90, size=n)
    chance = 0.05 + 0.6 * (frame["poutcome"] == "success") + 0.2 * (frame["age"] > 60)
    frame["y"] = np.where(rng.random(n) < chance, "yes", "no")
    frame["duration"] = np.where(frame["y"] == "yes", 900, 10)
    frame["contact_date"] = pd.Timestamp("2008-05-01")
    return frame


def test_inputs_exclude_duration_and_the_outcome():
    assert "duration" in EXCLUDED_INPUTS and "duration" not in PROPENSITY_INPUTS
    assert not set(EXCLUDED_INPUTS) & set(PROPENSITY_INPUTS)


def test_models_never_see_duration():
    clients = _clients()
    models = fit_propensity_models(clients.iloc[:400])
    assert "duration" not in list(models["logistic"].feature_names_in_)
    assert "duration" not in list(models["boosting"].feature_names_in_)
    # Shuffling duration changes no score: it is not an input.
    shuffled = clients.iloc[400:].assign(duration=clients["duration"].iloc[400:].to_numpy()[::-1])
    for name, model in models.items():
        from dashapp.analysis.propensity import model_scores
        assert np.array_equal(model_scores({name: model}, clients.iloc[400:])[name],
                              model_scores({name: model}, shuffled)[name])


def test_gain_of_a_perfect_ranking_reaches_every_subscriber_first():
    outcomes = np.array([1] * 10 + [0] * 90)
    scores = outcomes + np.linspace(0, 0.5, 100)  # every subscriber above every other client
    assert gain_at(scores, outcomes, [0.05, 0.1, 0.2]) == pytest.approx([0.5, 1.0, 1.0])
    assert lift_at(scores, outcomes, [0.1, 0.2, 0.3]) == pytest.approx([10.0, 5.0, 1 / 0.3])


def test_gain_with_ties_is_the_expected_gain_whatever_the_order_of_tied_rows():
    # Two blocks: 4 clients scored 0.9 with 1 subscriber, 6 scored 0.1 with 3.
    scores = np.array([0.9] * 4 + [0.1] * 6)
    outcomes = np.array([1, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    called, reached = gain_curve(scores, outcomes)
    assert called.tolist() == pytest.approx([0, 0.4, 1.0]) and reached.tolist() == pytest.approx([0, 0.25, 1.0])
    # Calling 2 of the first block reaches half its subscriber on average; 7 clients: the first block and
    # half of the second, 1 + 1.5 subscribers.
    assert gain_at(scores, outcomes, [0.2, 0.7]) == pytest.approx([0.125, 2.5 / 4])
    # The average over every order of calling tied clients equals it (enumerated for the first block).
    expected = np.mean([sum(order[:2]) for order in _orders([1, 0, 0, 0])]) / outcomes.sum()
    assert gain_at(scores, outcomes, [0.2])[0] == pytest.approx(expected)
    permutation = np.random.default_rng(1).permutation(10)
    assert gain_at(scores[permutation], outcomes[permutation], CALLED_SHARES) == pytest.approx(
        gain_at(scores, outcomes, CALLED_SHARES))


def _orders(values: list[int]) -> list[tuple[int, ...]]:
    from itertools import permutations

    return list(permutations(values))


def test_a_single_score_gains_as_random_calls_do():
    outcomes = np.array([1, 0, 0, 1, 0, 0, 0, 0, 1, 0])
    assert lift_at(np.zeros(10), outcomes, CALLED_SHARES) == pytest.approx([1.0, 1.0, 1.0])


def test_gain_refuses_outcomes_without_subscribers_and_bad_shares():
    with pytest.raises(ValueError, match="no subscriber"):
        gain_curve(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="between 0 and 1"):
        gain_at(np.ones(3), np.ones(3), [1.5])
    with pytest.raises(ValueError, match="above 0"):
        lift_at(np.ones(3), np.ones(3), [0.0])


def test_segment_scores_are_the_segments_training_rates():
    scores, rates = segment_scores(np.array([1, 1, 2, 2, 2]), np.array([1, 0, 1, 1, 0]), np.array([2, 1, 2]))
    assert rates == {1: 0.5, 2: pytest.approx(2 / 3)}
    assert scores.tolist() == pytest.approx([2 / 3, 0.5, 2 / 3])
    with pytest.raises(ValueError, match="no training clients"):
        segment_scores(np.array([1]), np.array([1]), np.array([3]))


def test_benchmark_is_reproducible_and_the_models_beat_random_on_a_learnable_response():
    clients = _clients()
    segments = np.where(clients["housing"] == "yes", 1, 3)
    first = targeting_benchmark(clients, segments, n_train=400, random_state=3)
    assert first == targeting_benchmark(clients, segments, n_train=400, random_state=3)
    assert first["test_clients"] == 200 and first["base_rate"] == pytest.approx((clients["y"][400:] == "yes").mean())
    for method in ("logistic", "boosting"):
        report = first["methods"][method]
        assert report["roc_auc"] > 0.7
        assert [point["called"] for point in report["at"]] == list(CALLED_SHARES)
        assert report["at"][0]["lift"] > 1.5
        curve = report["curve"]
        assert curve["reached"][0] == 0 and curve["reached"][-1] == pytest.approx(1.0)
        assert all(a <= b + 1e-12 for a, b in zip(curve["reached"], curve["reached"][1:]))
    assert first["methods"]["segments"]["distinct_scores"] == 2
    assert first["split"] == "time"


def test_benchmark_says_when_its_test_clients_are_a_random_part():
    clients = _clients()
    segments = np.where(clients["housing"] == "yes", 1, 3)
    timed = targeting_benchmark(clients, segments, n_train=400, random_state=3)
    random = targeting_benchmark(clients, segments, n_train=400, random_state=3, time_ordered=False)
    assert random["split"] == "random"
    assert {k: v for k, v in random.items() if k != "split"} == {k: v for k, v in timed.items() if k != "split"}
