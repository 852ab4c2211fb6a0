"""What the segments are worth to a term-deposit campaign: subscription rates with their uncertainty.

For each population (all clients, the training and test periods, each contact year) the rate of every
segment with a 95% Wilson interval and its lift over the population's base rate, the chi-square test of
independence of segment and outcome with its effect size (Cramér's V), and the same test for what else splits
response (the period, the month, the contact channel, the previous campaign's outcome, the number of calls).
Then segment x driver: the rate of every (segment, level) of each driver, per population.

Plain pandas, numpy and scipy (the build writes the result as ``response.json``); every number is an exact
count or a deterministic function of counts, so a rebuild gives the same bytes on any machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest, chi2_contingency
from scipy.stats.contingency import association

from dashapp.core import domain
from dashapp.sources import bank_table

SUBSCRIBED = "yes"
CONFIDENCE = 0.95
INTERVAL_METHOD = "wilson"

#: A cell with fewer clients is kept and flagged: below 50 clients the 95% interval of a rate of 10-25% spans
#: 17-25 percentage points, wider than any difference between segments worth reading.
FEW_CLIENTS = 50

#: The populations besides the contact years, by key: all rows, and the time split's two periods.
PERIOD_POPULATIONS: dict[str, str] = {"all": "all clients", "train": "training period", "test": "test period"}
#: The same populations when the split is random (a source without dates): the two parts are not periods.
RANDOM_SPLIT_POPULATIONS: dict[str, str] = {"all": "all clients", "train": "training clients",
                                            "test": "test clients"}
#: The populations the segment x driver tables are made for.
DRIVER_POPULATIONS: tuple[str, ...] = ("all", "train", "test")

#: Calls in this campaign, binned 1, 2, 3, 4-5, 6+: the count is skewed (of the UCI file's 41,188 clients,
#: 17,642 got one call, 10,570 two, 5,341 three, then it thins out to a tail reaching 56), so the first three
#: values each hold thousands of clients and the tail is pooled into bins of a few thousand (4-5: 4,250; 6+:
#: 3,385), enough for an interval of a few points in every segment. Each bin is (label, lowest, highest); None
#: means no upper bound.
CAMPAIGN_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4-5", 4, 5), ("6+", 6, None))

#: What else splits response, compared with the segments: key -> the column its level is read from.
#: ``period`` is the time split; ``campaign`` the binned number of calls.
DRIVERS: tuple[str, ...] = ("period", "month", "contact", "poutcome", "campaign")
#: The drivers of the segment x driver tables (the period is the populations themselves).
SEGMENT_DRIVERS: tuple[str, ...] = ("month", "contact", "poutcome", "campaign")

_REQUIRED_COLUMNS = ("y", "month", "contact", "poutcome", "campaign")


def campaign_bin(calls: pd.Series) -> pd.Series:
    """The bin of :data:`CAMPAIGN_BINS` of each number of calls, as its label (``"4-5"``).

    Raises
    ------
    ValueError
        If a count is below the first bin (the data file's ``campaign`` counts this call, so it is at least 1).
    """
    values = calls.to_numpy().astype(np.int64)
    if len(values) and values.min() < CAMPAIGN_BINS[0][1]:
        raise ValueError(f"campaign={values.min()} is below {CAMPAIGN_BINS[0][1]}: every client has been called "
                         "at least once in this campaign")
    labels = np.empty(len(values), dtype=object)
    for label, low, high in CAMPAIGN_BINS:
        labels[(values >= low) & (values <= (high if high is not None else np.iinfo(np.int64).max))] = label
    return pd.Series(labels, index=calls.index, name="campaign")


def wilson_interval(subscribers: int, clients: int) -> list[float] | None:
    """The 95% Wilson interval of ``subscribers / clients`` (scipy's), as ``[low, high]``; None for no clients."""
    if clients == 0:
        return None
    interval = binomtest(int(subscribers), int(clients)).proportion_ci(confidence_level=CONFIDENCE,
                                                                       method=INTERVAL_METHOD)
    return [float(interval.low), float(interval.high)]


def rate_cell(subscribers: int, clients: int) -> dict:
    """Clients, subscribers, rate, Wilson interval and the few-clients flag of one group (rate None if empty)."""
    return {"clients": int(clients), "subscribers": int(subscribers),
            "rate": subscribers / clients if clients else None,
            "interval": wilson_interval(subscribers, clients), "few_clients": bool(clients < FEW_CLIENTS)}


def independence_test(levels: np.ndarray, subscribed: np.ndarray) -> dict | None:
    """The chi-square test of independence of a grouping and the outcome, with Cramér's V.

    Parameters
    ----------
    levels : array
        Each client's group (a segment, a month, ...).
    subscribed : array of bool
        Whether each client subscribed.

    Returns
    -------
    dict or None
        ``chi2``, ``dof``, ``p_value``, ``cramers_v``, ``clients``, ``levels`` (groups with clients) and
        ``min_expected`` (the smallest expected count: under 5 the chi-square approximation is rough); None when
        there is nothing to test (fewer than two groups, or everyone or no one subscribed).
    """
    table = pd.crosstab(pd.Series(levels, dtype=object), pd.Series(subscribed, dtype=bool)).to_numpy()
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        return None
    # No continuity correction: scipy would apply Yates' only to the 2 x 2 tables (period, contact channel),
    # and Cramér's V (``association``) is computed without it; one statistic for every table.
    result = chi2_contingency(table, correction=False)
    return {"chi2": float(result.statistic), "dof": int(result.dof), "p_value": float(result.pvalue),
            "cramers_v": float(association(table, method="cramer", correction=False)),
            "clients": int(table.sum()), "levels": int(table.shape[0]),
            "min_expected": float(result.expected_freq.min())}


def _month_name(date) -> str | None:
    return None if pd.isna(date) else f"{date:%b %Y}"


def _populations(clean: pd.DataFrame, n_train: int, time_ordered: bool) -> dict[str, tuple[str, np.ndarray]]:
    """Every population's name and row mask, in order: all, training, test, then each contact year (only
    when the dates are known)."""
    rows = np.arange(len(clean))
    names = PERIOD_POPULATIONS if time_ordered else RANDOM_SPLIT_POPULATIONS
    masks = {"all": (names["all"], np.ones(len(clean), dtype=bool)),
             "train": (names["train"], rows < n_train),
             "test": (names["test"], rows >= n_train)}
    dates = _contact_dates(clean)
    if dates.notna().all():
        years = dates.dt.year.to_numpy()
        for year in sorted(set(years.tolist())):
            masks[str(year)] = (f"calls in {year}", years == year)
    return masks


def _contact_dates(clean: pd.DataFrame) -> pd.Series:
    # The cleaned table carries them (NaT where the source has no dates); without the column there are none:
    # a month column says nothing of the year unless the rows are the UCI file in its order.
    if bank_table.CONTACT_DATE in clean.columns:
        return pd.to_datetime(clean[bank_table.CONTACT_DATE])
    return pd.Series(pd.NaT, index=clean.index, dtype="datetime64[ns]")


def driver_levels(clean: pd.DataFrame, n_train: int) -> dict[str, pd.Series]:
    """Each driver's level for every row: ``period`` (``train``/``test``), the month, the contact channel, the
    previous outcome (data file codes) and the binned number of calls (:data:`CAMPAIGN_BINS` labels)."""
    period = np.where(np.arange(len(clean)) < n_train, "train", "test")
    return {"period": pd.Series(period, index=clean.index, name="period"),
            "month": clean["month"].astype(str), "contact": clean["contact"].astype(str),
            "poutcome": clean["poutcome"].astype(str), "campaign": campaign_bin(clean["campaign"])}


def _level_order(driver: str) -> tuple[str, ...]:
    if driver == "period":
        return tuple(PERIOD_POPULATIONS)[1:]
    if driver == "campaign":
        return tuple(label for label, _, _ in CAMPAIGN_BINS)
    return domain.CATEGORIES[driver]


def _segment_rates(segment: np.ndarray, subscribed: np.ndarray, base_rate: float | None,
                   segments: tuple[int, ...]) -> list[dict]:
    rows = []
    for number in segments:
        member = segment == number
        cell = rate_cell(int(subscribed[member].sum()), int(member.sum()))
        lift = cell["rate"] / base_rate if cell["rate"] is not None and base_rate else None
        rows.append({"segment": number, **cell, "lift": lift})
    return rows


def _population(name: str, mask: np.ndarray, dates: pd.Series, segment: np.ndarray, subscribed: np.ndarray,
                levels: dict[str, pd.Series], segments: tuple[int, ...], drivers: tuple[str, ...]) -> dict:
    base = rate_cell(int(subscribed[mask].sum()), int(mask.sum()))
    in_population = dates[mask]
    return {"name": name, "first_month": _month_name(in_population.min()),
            "last_month": _month_name(in_population.max()), **base,
            "segments": _segment_rates(segment[mask], subscribed[mask], base["rate"], segments),
            "segment_test": independence_test(segment[mask], subscribed[mask]),
            "driver_tests": {driver: (independence_test(levels[driver].to_numpy()[mask], subscribed[mask])
                                      if driver in drivers else None) for driver in DRIVERS}}


def _segment_by_driver(level: np.ndarray, segment: np.ndarray, subscribed: np.ndarray, order: tuple[str, ...],
                       segments: tuple[int, ...]) -> list[dict]:
    """One entry per level present: the level's rate over every segment, each segment's, and the test of
    segment x outcome within the level (do the segments differ among, say, the clients called in May?)."""
    entries = []
    for value in (v for v in order if (level == v).any()):
        at = level == value
        cells = []
        for number in segments:
            member = at & (segment == number)
            cells.append({"segment": number, **rate_cell(int(subscribed[member].sum()), int(member.sum()))})
        entries.append({"level": value, **rate_cell(int(subscribed[at].sum()), int(at.sum())),
                        "segments": cells, "segment_test": independence_test(segment[at], subscribed[at])})
    return entries


def response_analysis(clean: pd.DataFrame, segments: np.ndarray, n_train: int,
                      segment_numbers: tuple[int, ...] | None = None, time_ordered: bool = True) -> dict:
    """Response by segment, with intervals, tests and effect sizes, and segment x driver; JSON-serialisable.

    Parameters
    ----------
    clean : DataFrame
        The cleaned table (:func:`dashapp.sources.bank_table.clean_bank_table`, or ``clients.parquet``), training rows
        first; needs ``y``, ``month``, ``contact``, ``poutcome`` and ``campaign``; ``contact_date`` gives the contact
        years and each population's first and last month when every row has one (none when it is missing).
    segments : array of int, shape (n_rows,)
        Every row's segment.
    n_train : int
        Rows of the training period: the first ``n_train`` rows (:func:`dashapp.sources.bank_table.time_split`).
    segment_numbers : tuple of int
        The segments to report, in order (default: those in ``segments``); a segment without clients in a
        population is reported with zero clients and no rate.
    time_ordered : bool
        Whether the training rows are the earlier ones (a time split). When not (a random split of a source
        without dates), the two parts are "training clients" and "test clients", not periods, and the
        ``period`` driver is not tested (its test is None): a random split says nothing of response.

    Returns
    -------
    dict
        ``confidence``, ``interval_method``, ``few_clients`` (the flag's threshold), ``segments``,
        ``campaign_bins`` (label, lowest, highest), ``dates_known`` (whether the contact years and months
        could be given), ``split`` (``"time"`` or ``"random"``), ``populations`` ({key: {name, first_month, last_month,
        clients, subscribers, rate, interval, few_clients, segments: [{segment, clients, subscribers, rate,
        interval, few_clients, lift}], segment_test, driver_tests: {driver: test}}}, keys ``all``, ``train``,
        ``test``, then the years), and ``segment_by_driver`` ({population: {driver: [{level, clients, ...,
        segments: [cell], segment_test}]}} for :data:`DRIVER_POPULATIONS` and :data:`SEGMENT_DRIVERS`).
        A test is None where there is nothing to test (see :func:`independence_test`).

    Raises
    ------
    ValueError
        If a column is missing, ``segments`` does not have one value per row, or ``n_train`` is out of range.
    """
    missing = [column for column in _REQUIRED_COLUMNS if column not in clean.columns]
    if missing:
        raise ValueError(f"the cleaned table lacks the column(s) {missing}; expected {list(_REQUIRED_COLUMNS)}")
    segment = np.asarray(segments).astype(np.int64)
    if segment.shape != (len(clean),):
        raise ValueError(f"segments has shape {segment.shape}; expected one segment per row ({len(clean)},)")
    if not 0 <= n_train <= len(clean):
        raise ValueError(f"n_train={n_train} must be between 0 and the number of rows, {len(clean)}")
    subscribed = (clean["y"].astype(str) == SUBSCRIBED).to_numpy()
    levels = driver_levels(clean, n_train)
    dates = _contact_dates(clean).reset_index(drop=True)
    populations = _populations(clean, n_train, time_ordered)
    segment_numbers = tuple(int(number) for number in (np.unique(segment) if segment_numbers is None
                                                      else segment_numbers))
    drivers = DRIVERS if time_ordered else tuple(d for d in DRIVERS if d != "period")
    return {
        "confidence": CONFIDENCE, "interval_method": INTERVAL_METHOD, "few_clients": FEW_CLIENTS,
        "segments": list(segment_numbers),
        "campaign_bins": [list(bin_) for bin_ in CAMPAIGN_BINS],
        "dates_known": bool(len(dates) and dates.notna().all()),
        "split": "time" if time_ordered else "random",
        "populations": {key: _population(name, mask, dates, segment, subscribed, levels, segment_numbers, drivers)
                        for key, (name, mask) in populations.items()},
        "segment_by_driver": {
            key: {driver: _segment_by_driver(levels[driver].to_numpy()[mask], segment[mask], subscribed[mask],
                                             _level_order(driver), segment_numbers)
                  for driver in SEGMENT_DRIVERS}
            for key, (_, mask) in populations.items() if key in DRIVER_POPULATIONS},
    }
