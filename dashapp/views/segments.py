"""What the Segments page shows: the selected segment (and its URL query), the points of the 3-D segment space,
and a segment's profile.

Dash-free, over the clients table and ``profiles.json``. The figures are drawn by
:mod:`dashapp.figures.segments`.
"""

from __future__ import annotations

import functools

import pandas as pd

from dashapp import catalogue, url_state

#: Columns of the clients table the 3-D space is built from, and the names they get in the aggregate.
_SPACE_COLUMNS = {"job_imputed": "job", "housing_imputed": "housing", "loan_imputed": "loan",
                  "segment": "segment"}


def parse_segment(value: str | None) -> int | None:
    """The segment number of a ``?segment=`` query value; None when it names no segment.

    Parameters
    ----------
    value : str or None
        The raw query value, e.g. ``"2"``.

    Returns
    -------
    int or None
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in catalogue.SEGMENTS else None


def segment_from_search(search: str | None) -> int | None:
    """The segment an address's query selects (``"?segment=2"`` -> 2); None when it selects none."""
    value = url_state.query_parameters(search).get("segment")
    # A repeated key arrives as a list: the first one counts.
    return parse_segment(value[0] if isinstance(value, list) else value)


def segment_query_string(number: int | None) -> str:
    """The URL query that selects segment ``number`` (``"?segment=2"``); ``""`` for no segment."""
    return url_state.query_string({"segment": number} if number is not None else {})


def segment_space_counts(clients: pd.DataFrame) -> pd.DataFrame:
    """Count clients per (job, housing, loan, segment): the points of the 3-D segment space.

    Parameters
    ----------
    clients : DataFrame
        The clients table (``clients.parquet``) or any subset of it; needs ``job_imputed``,
        ``housing_imputed``, ``loan_imputed`` and ``segment``.

    Returns
    -------
    DataFrame
        Columns ``job``, ``housing``, ``loan`` (str), ``segment`` (int) and ``clients`` (int), one row per
        combination that occurs, sorted by segment, job, housing, loan.

    Raises
    ------
    ValueError
        If a needed column is missing.
    """
    missing = [column for column in _SPACE_COLUMNS if column not in clients.columns]
    if missing:
        raise ValueError(f"the clients table lacks the column(s) {missing}; expected {list(_SPACE_COLUMNS)}")
    frame = clients[list(_SPACE_COLUMNS)].rename(columns=_SPACE_COLUMNS)
    counts = frame.groupby(list(_SPACE_COLUMNS.values()), observed=True).size().rename("clients").reset_index()
    counts = counts[counts["clients"] > 0]
    for column in ("job", "housing", "loan"):
        counts[column] = counts[column].astype(str)
    counts["segment"] = counts["segment"].astype(int)
    counts["clients"] = counts["clients"].astype(int)
    return counts.sort_values(["segment", "job", "housing", "loan"]).reset_index(drop=True)


@functools.cache
def training_space_counts(store) -> pd.DataFrame:
    """:func:`segment_space_counts` of the training clients (the partition the profiles describe), once per
    process."""
    clients = store.clients
    return segment_space_counts(clients[clients["split"] == "train"])


def segment_profile(profiles: dict, number: int) -> dict:
    """Segment ``number``'s entry of ``profiles.json`` (its clients, share, mean age, radar and job counts)."""
    return next(profile for profile in profiles["segments"] if int(profile["segment"]) == number)
