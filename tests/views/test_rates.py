"""Subscription rates per population (dashapp.views.rates): each one counted from the clients table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.views.rates import FILTERED, PERIODS, Rate, rate_of, store_rates, subscription_rates

#: The segments of the build these clients come from (ArtifactStore.segment_numbers).
SEGMENTS = (1, 2, 3, 4)


def _clients() -> pd.DataFrame:
    # Ten clients: six in the training period, four in the test period; segments 1-3 (none in 4).
    return pd.DataFrame({
        "y": ["yes", "no", "no", "no", "yes", "no", "yes", "yes", "no", "yes"],
        "segment": [1, 1, 2, 2, 3, 3, 1, 2, 3, 3],
        "split": pd.Categorical(["train"] * 6 + ["test"] * 4, categories=["train", "test"]),
        "contact_date": pd.to_datetime(["2008-05-01"] * 3 + ["2008-07-01"] * 3 + ["2009-01-01"] * 2
                                       + ["2010-11-01"] * 2),
    })


def _count(frame: pd.DataFrame) -> tuple[int, int]:
    return len(frame), int((frame["y"] == "yes").sum())


def test_every_population_rate_equals_the_count_from_the_clients_table():
    clients = _clients()
    table = subscription_rates(clients, segment_numbers=SEGMENTS)
    populations = {"all": clients, "train": clients[clients["split"] == "train"],
                   "test": clients[clients["split"] == "test"]}
    for period, members in populations.items():
        rate = table.of(period)
        assert (rate.clients, rate.subscribed) == _count(members)
        assert rate.population == PERIODS[period]
        for number in (1, 2, 3, 4):
            in_segment = members[members["segment"] == number]
            assert (table.of(period, number).clients, table.of(period, number).subscribed) == _count(in_segment)
    assert table.of("train").value == pytest.approx(2 / 6) and table.of("test").value == pytest.approx(3 / 4)
    assert table.of("all", 1).labelled == "all clients: 66.7%"


def test_segments_and_periods_partition_the_clients():
    table = subscription_rates(_clients(), segment_numbers=SEGMENTS)
    for period in PERIODS:
        assert sum(table.of(period, n).clients for n in (1, 2, 3, 4)) == table.of(period).clients
        assert sum(table.of(period, n).subscribed for n in (1, 2, 3, 4)) == table.of(period).subscribed
    assert table.of("train").clients + table.of("test").clients == table.of("all").clients


def test_an_empty_population_says_so_instead_of_a_number():
    rate = subscription_rates(_clients(), segment_numbers=SEGMENTS).of("test", 4)
    assert rate.clients == 0 and np.isnan(rate.value)
    assert rate.percent == "-" and rate.labelled == "test period: -"


def test_periods_carry_their_calls_and_months():
    periods = subscription_rates(_clients(), segment_numbers=SEGMENTS).periods
    assert (periods["train"].clients, periods["train"].first_month, periods["train"].last_month) == (
        6, "May 2008", "Jul 2008")
    assert (periods["test"].first_month, periods["test"].last_month) == ("Jan 2009", "Nov 2010")
    assert periods["test"].description == "test period: 4 calls, Jan 2009 to Nov 2010"


def test_a_filtered_selection_is_named_as_such():
    clients = _clients()
    chosen = clients[clients["segment"] == 3]
    assert rate_of(chosen, FILTERED) == Rate(FILTERED, 4, 2)
    assert rate_of(chosen, FILTERED).labelled == "filtered clients: 50.0%"
    table = subscription_rates(chosen, FILTERED, segment_numbers=SEGMENTS)
    assert [table.of(p).population for p in PERIODS] == [
        "filtered clients", "filtered clients, training period", "filtered clients, test period"]
    assert table.of("train", 3).population == "filtered clients, training period"


def test_unknown_periods_segments_and_missing_columns_are_refused():
    table = subscription_rates(_clients(), segment_numbers=SEGMENTS)
    with pytest.raises(KeyError, match="period='2009'"):
        table.of("2009")
    with pytest.raises(KeyError, match="segment=7"):
        table.of("all", 7)
    with pytest.raises(ValueError, match="split"):
        subscription_rates(_clients().drop(columns="split"))


# --- The full artifacts --------------------------------------------------------------------------------------


def test_the_full_file_rates_are_the_ones_each_period_really_has(full_store):
    clients = full_store.clients
    table = store_rates(full_store)
    assert store_rates(full_store) is table  # counted once per process
    # The numbers: 11.3% of all clients, 5.6% of the training period, 24.6% of the test period.
    assert [table.of(p).percent for p in ("all", "train", "test")] == ["11.3%", "5.6%", "24.6%"]
    for period, members in (("train", clients[clients["split"] == "train"]),
                            ("test", clients[clients["split"] == "test"])):
        for number in (1, 2, 3, 4):
            in_segment = members[members["segment"] == number]
            assert table.of(period, number).subscribed == int((in_segment["y"] == "yes").sum())
    assert table.periods["train"].clients == full_store.evaluation["classifier"]["train_rows"]


def test_the_segments_training_rates_match_the_builds_profiles(full_store):
    # profiles.json was computed by the build on the training clients; counting them again must agree.
    table = store_rates(full_store)
    for profile in full_store.profiles["segments"]:
        rate = table.of("train", int(profile["segment"]))
        assert rate.clients == profile["clients"]
        assert rate.value == pytest.approx(profile["subscription_rate"])
    assert table.of("train").value == pytest.approx(full_store.profiles["overall_subscription_rate"])
