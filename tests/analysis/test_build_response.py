"""The build writes response.json, and its counts agree with the clients table every other page counts from."""

from __future__ import annotations

import pytest

from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.views.rates import subscription_rates


def check_response_matches_the_clients(store: ArtifactStore) -> None:
    """Every segment's and period's clients and subscribers in response.json are those of the clients table."""
    response, rates = store.response, subscription_rates(store.clients)
    for period in ("all", "train", "test"):
        population = response["populations"][period]
        assert (population["clients"], population["subscribers"]) == (rates.of(period).clients,
                                                                      rates.of(period).subscribed)
        for row in population["segments"]:
            rate = rates.of(period, row["segment"])
            assert (row["clients"], row["subscribers"]) == (rate.clients, rate.subscribed)
            assert row["interval"][0] <= row["rate"] <= row["interval"][1]
        for driver, levels in response["segment_by_driver"][period].items():
            assert sum(level["clients"] for level in levels) == population["clients"], driver
            for level in levels:
                assert sum(cell["clients"] for cell in level["segments"]) == level["clients"]
    years = [key for key in response["populations"] if key not in ("all", "train", "test")]
    assert years == sorted(years) and sum(response["populations"][y]["clients"] for y in years) == len(store.clients)


def test_quick_build_writes_a_response_that_matches_its_clients(quick_model_dir):
    store = ArtifactStore(quick_model_dir)
    check_response_matches_the_clients(store)
    store.preload()
    assert store.response["segments"] == [1, 2, 3, 4]


@pytest.mark.parametrize("period", ["train", "test"])
def test_quick_build_tests_the_segments_in_each_period(quick_model_dir, period):
    test = ArtifactStore(quick_model_dir).response["populations"][period]["segment_test"]
    assert test is not None and 0 <= test["p_value"] <= 1 and 0 <= test["cramers_v"] <= 1
