"""Targeting judged month by month: each measure against a count of its own on small tables built here, and the
rolling refit and the campaign section on the quick build of the UCI file."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from dashapp.analysis import campaign_targeting
from dashapp.analysis.propensity import CURVE_SHARES
from dashapp.artifacts import model_folder

MONTHS = np.array(["2009-05"] * 4 + ["2010-06"] * 2, dtype=object)
SCORES = np.array([4.0, 3.0, 2.0, 1.0, 9.0, 8.0])
OUTCOMES = np.array([1, 0, 1, 0, 0, 1])


def test_within_month_auc_counts_only_the_pairs_called_in_the_same_month():
    right = total = 0.0
    for i, j in product(range(len(SCORES)), repeat=2):
        if MONTHS[i] == MONTHS[j] and OUTCOMES[i] == 1 and OUTCOMES[j] == 0:
            total += 1
            right += 1.0 if SCORES[i] > SCORES[j] else 0.5 if SCORES[i] == SCORES[j] else 0.0
    assert campaign_targeting.within_month_auc(SCORES, OUTCOMES, MONTHS) == pytest.approx(right / total)
    # Pooled, the second month's high scores would count against the first month's subscribers.
    assert roc_auc_score(OUTCOMES, SCORES) != pytest.approx(right / total)


def test_each_month_spends_the_same_share_of_its_calls_on_its_best_scored_clients():
    # Calling half of each month: the first month reaches 1 of its 2 subscribers, the second 0 of its 1.
    assert campaign_targeting.stratified_gain_curve(SCORES, OUTCOMES, MONTHS, [0.5, 1.0]).tolist() == \
        pytest.approx([1 / 3, 1.0])
    # A month whose clients share one score is called in expectation: a quarter of the month, a quarter of them.
    flat = np.array([1.0, 1.0, 1.0, 1.0, 9.0, 8.0])
    assert campaign_targeting.stratified_gain_curve(flat, OUTCOMES, MONTHS, [0.25])[0] == pytest.approx(0.5 / 3)


def test_the_resampled_aucs_are_scikit_learns_weighted_auc_of_each_resample():
    rng = np.random.default_rng(7)
    month_code = rng.integers(0, 5, 300)
    outcomes = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300), 1)  # many ties
    counts = rng.multinomial(5, np.full(5, 0.2), size=20)
    fast = campaign_targeting.resampled_aucs(scores, outcomes, month_code, counts)
    slow = [roc_auc_score(outcomes, scores, sample_weight=row[month_code]) for row in counts]
    assert fast == pytest.approx(slow, rel=1e-12)


def test_the_month_bootstrap_is_reproducible_and_brackets_each_method():
    rng = np.random.default_rng(3)
    months = np.repeat([f"2010-{m:02d}" for m in range(1, 9)], 50)
    outcomes = rng.integers(0, 2, len(months))
    scores = {"good": outcomes + rng.random(len(months)), "random": rng.random(len(months))}
    first = campaign_targeting.month_bootstrap(scores, outcomes, months, resamples=200)
    assert first == campaign_targeting.month_bootstrap(scores, outcomes, months, resamples=200)
    assert first["months"] == 8 and first["resamples"] == 200
    low, high = first["good"]["roc_auc"]
    assert 0.5 < low <= roc_auc_score(outcomes, scores["good"]) <= high
    assert len(first["random"]["curve_low"]) == len(CURVE_SHARES)
    assert all(lo <= hi for lo, hi in zip(first["random"]["curve_low"], first["random"]["curve_high"]))


def test_alift_is_a_half_for_random_calling_and_the_rules_fall_back_on_the_base_rate():
    assert campaign_targeting.alift(np.array([0.0, 1.0]), np.array([0.0, 1.0])) == pytest.approx(0.5)
    train = pd.DataFrame({"poutcome": ["success", "success", "nonexistent", "nonexistent"],
                          "campaign": [1, 1, 1, 7], "job": ["retired", "retired", "admin.", "admin."],
                          "contact": ["cellular"] * 4, "y": ["yes", "no", "no", "no"]})
    rows = train.assign(contact=["cellular", "telephone", "cellular", "telephone"])
    assert campaign_targeting.rule_scores(train, rows).tolist() == [0.5, 0.25, 0.0, 0.25]


def test_drift_says_where_the_test_periods_indicators_leave_the_training_range():
    clean = pd.DataFrame({column: [1.0, 2.0, 3.0, 0.5, 2.5] for column in
                          ("emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed")})
    drift = campaign_targeting.indicator_drift(clean, n_train=3)
    assert [entry["column"] for entry in drift][3] == "euribor3m"
    assert drift[3] == {"column": "euribor3m", "train_range": [1.0, 3.0], "test_range": [0.5, 2.5],
                        "below": 0.5, "above": 0.0}


def test_the_rolling_refit_scores_each_month_from_earlier_calls_only(quick_model_dir):
    clients = pd.read_parquet(quick_model_dir / model_folder.CLIENTS)
    months = campaign_targeting.calendar_months(clients["contact_date"])
    n_train = int((clients["split"] == "train").sum())
    scores = campaign_targeting.rolling_refit(clients, n_train, months, random_state=0)
    # Turn every answer of the last test month around: only that month's scores may change.
    last = months == months[-1]
    changed = clients.copy()
    changed.loc[last, "y"] = np.where(clients.loc[last, "y"].astype(str) == "yes", "no", "yes")
    again = campaign_targeting.rolling_refit(changed, n_train, months, random_state=0)
    before_last = ~last[n_train:]
    assert np.array_equal(scores[before_last], again[before_last])
    assert scores.shape == (len(clients) - n_train,) and ((scores > 0) & (scores < 1)).all()


def test_the_quick_build_judges_targeting_by_month_and_holds_response_to_the_calendar(quick_model_dir):
    targeting = json.loads((quick_model_dir / model_folder.TARGETING).read_text())["campaign"]
    assert set(targeting["methods"]) == {"logistic", "boosting", "segments", "client_only", "rules", "rolling"}
    for report in targeting["methods"].values():
        assert 0 <= report["within_month_auc"] <= 1 and len(report["stratified_curve"]) == len(CURVE_SHARES)
        assert report["stratified_curve"][0] == 0 and report["stratified_curve"][-1] == pytest.approx(1.0)
    assert not set(targeting["client_inputs"]) & {"month", "day_of_week", "euribor3m"}
    calendar = json.loads((quick_model_dir / model_folder.RESPONSE).read_text())["calendar"]
    assert [entry["month"] for entry in calendar["months"]] == sorted(entry["month"] for entry in calendar["months"])
    test = calendar["populations"]["test"]["groupings"]["segment"]["test"]
    assert test["dof"] == 3 and 0 <= test["p_value"] <= 1


def test_a_build_without_dates_has_no_calendar_to_hold(sample_model_dir):
    assert json.loads((sample_model_dir / model_folder.RESPONSE).read_text())["calendar"] is None
    assert json.loads((sample_model_dir / model_folder.TARGETING).read_text())["campaign"] is None
