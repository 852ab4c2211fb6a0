"""What the Segments page shows: the selected segment (and its URL query), the points of the 3-D segment space,
and a segment's profile.

Dash-free, over the clients table and ``profiles.json``. The figures are drawn by
:mod:`dashapp.figures.segments`.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping

import pandas as pd

from dashapp.artifacts.client_queries import client_queries
from dashapp.core import i18n
from dashapp.core.i18n import _, ngettext
from dashapp.views import facts, url_state

#: Columns of the clients table the 3-D space is built from, and the names they get in the aggregate.
_SPACE_COLUMNS = {"job_imputed": "job", "housing_imputed": "housing", "loan_imputed": "loan",
                  "segment": "segment"}


def parse_segment(value: str | None, numbers: Collection[int]) -> int | None:
    """The segment number of a ``?segment=`` query value; None when it names none of ``numbers``.

    Parameters
    ----------
    value : str or None
        The raw query value, e.g. ``"2"``.
    numbers : collection of int
        The store's segment numbers, 1 to k.

    Returns
    -------
    int or None
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in numbers else None


def segment_from_search(search: str | None, numbers: Collection[int]) -> int | None:
    """The segment an address's query selects (``"?segment=2"`` -> 2) among ``numbers``; None when it selects
    none."""
    value = url_state.query_parameters(search).get("segment")
    # A repeated key arrives as a list: the first one counts.
    return parse_segment(value[0] if isinstance(value, list) else value, numbers)


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
    return _space_table(frame.groupby(list(_SPACE_COLUMNS.values()), observed=True).size().rename("clients")
                        .reset_index())


def _space_table(counts: pd.DataFrame) -> pd.DataFrame:
    """:func:`segment_space_counts`' columns, types and order, from counts however made."""
    counts = counts[counts["clients"] > 0].copy()
    for column in ("job", "housing", "loan"):
        counts[column] = counts[column].astype(str)
    counts["segment"] = counts["segment"].astype(int)
    counts["clients"] = counts["clients"].astype(int)
    return counts.sort_values(["segment", "job", "housing", "loan"]).reset_index(drop=True)


@functools.cache
def training_space_counts(store) -> pd.DataFrame:
    """:func:`segment_space_counts` of the training clients (the partition the profiles describe), counted by a
    query once per process."""
    keys = ", ".join(f"{column}::VARCHAR AS {name}" for column, name in _SPACE_COLUMNS.items() if name != "segment")
    return _space_table(client_queries(store).frame(
        f"SELECT {keys}, segment, count(*) AS clients FROM clients WHERE split = 'train' GROUP BY ALL"))


def segment_profile(profiles: dict, number: int) -> dict:
    """Segment ``number``'s entry of ``profiles.json`` (its clients, share, mean age, radar and job counts)."""
    return next(profile for profile in profiles["segments"] if int(profile["segment"]) == number)


# --- How stable the segments are -----------------------------------------------------------------------------




def _and_join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else _("{items} and {last}").format(items=", ".join(words[:-1]),
                                                                          last=words[-1])


def _alternative_cluster(entry: dict, segment_clients: dict[int, int]) -> str:
    """One cluster of the alternative partition by the published segments it holds: ``"cluster 2 (15.1%) is
    segment 2"``, ``"... holds 7,727 of segment 3's 12,308 clients"``, ``"... joins segments 1 and 4 (7,553 and
    4,607 clients)"``."""
    # JSON turns the segment keys into strings.
    held = {int(segment): int(count) for segment, count in entry["segments"].items() if int(count) > 0}
    head = _("cluster {number} ({share})").format(number=int(entry["cluster"]),
                                                  share=i18n.percent(float(entry["share"]), 1))
    whole = all(count == segment_clients[segment] for segment, count in held.items())
    if not held:
        return _("{cluster} is empty").format(cluster=head)
    if len(held) == 1:
        (segment, count), = held.items()
        if whole:
            return _("{cluster} is segment {segment}").format(cluster=head, segment=segment)
        return ngettext("{cluster} holds {count} of segment {segment}'s {total} client",
                        "{cluster} holds {count} of segment {segment}'s {total} clients",
                        segment_clients[segment]).format(cluster=head, count=i18n.number(count), segment=segment,
                                                         total=i18n.number(segment_clients[segment]))
    numbers = _and_join([str(segment) for segment in sorted(held)])
    counts = _and_join([i18n.number(held[segment]) for segment in sorted(held)])
    return (_("{cluster} joins segments {segments} ({counts} clients)") if whole else
            _("{cluster} mixes clients of segments {segments} ({counts})")).format(cluster=head, segments=numbers,
                                                                                   counts=counts)


def stability_summary(stability: dict, names: Mapping[int, str]) -> dict:
    """The final segmentation's stability under bootstrap resampling, in words an analyst reads.

    Parameters
    ----------
    stability : dict
        ``evaluation.json``'s ``stability``: ``resamples``, ``random_state``, ``n_init``, ``train_clients``, ``ari``
        (``median``, ``min``, ``max``), ``same_partition_ari``, ``jaccard_recovered``, ``jaccard_dissolved``,
        ``segments`` (each ``segment``, ``jaccard_median``, ``jaccard_min``, ``recovered``, ``dissolved``),
        ``alternative`` (``inertia_gap``, ``composition``: each cluster's ``cluster``, ``share`` and clients by
        published segment, ``ari_with_published``, ``starts``, ``found_in``) and ``lands_on`` (``published``,
        ``alternative``, ``other``).
    names : mapping
        Segment number -> name (:func:`dashapp.core.catalogue.segment_names`).

    Returns
    -------
    dict
        ``outcome`` (what the refits came back as), ``agreement`` (the adjusted Rand index), ``rule`` (what
        recovered and dissolved mean), ``segments`` (one sentence per segment, by number) and ``alternative``
        (the near-tied second partition).
    """
    resamples, ari = int(stability["resamples"]), stability["ari"]
    alternative = stability["alternative"]
    outcome = _("Refitted {outcome} (K-means, {starts} starts each, seed {seed}; a refit counts as a partition when "
                "their adjusted Rand index reaches {threshold}).").format(
        outcome=facts.stability_outcome(stability), starts=int(stability["n_init"]), seed=stability["random_state"],
        threshold=i18n.number(stability["same_partition_ari"], 2))
    agreement = _("Agreement with the published segments: median adjusted Rand index {median} (range "
                  "{lowest}-{highest}); 1 means the same segments, 0 no better than chance.").format(
                      median=i18n.number(ari["median"], 2), lowest=i18n.number(ari["min"], 2),
                      highest=i18n.number(ari["max"], 2))
    recovered, dissolved = float(stability["jaccard_recovered"]), float(stability["jaccard_dissolved"])
    rule = _("A segment is recovered in a resample when, of the clients in it or in the refitted cluster that "
             "matches it best, at least {recovered_share} are in both (a Jaccard index of {recovered} or more), and "
             "dissolved when under {dissolved_share} are (Hennig's clusterboot rule).").format(
                 recovered_share=i18n.percent(recovered), recovered=i18n.number(recovered, 2),
                 dissolved_share=i18n.percent(dissolved))
    segments = []
    for entry in sorted(stability["segments"], key=lambda entry: int(entry["segment"])):
        number = int(entry["segment"])
        segments.append(ngettext(
            "Segment {number}, {name}, is recovered in {recovered} of {resamples} resample and dissolved "
            "{dissolved}; median Jaccard {median}, lowest {lowest}.",
            "Segment {number}, {name}, is recovered in {recovered} of {resamples} resamples and dissolved "
            "{dissolved}; median Jaccard {median}, lowest {lowest}.", resamples).format(
                number=number, name=names[number], recovered=int(entry["recovered"]),
                resamples=resamples, dissolved=facts.in_resamples(entry["dissolved"], resamples),
                median=i18n.number(entry["jaccard_median"], 2), lowest=i18n.number(entry["jaccard_min"], 2)))
    composition = sorted(alternative["composition"], key=lambda entry: int(entry["cluster"]))
    segment_clients: dict[int, int] = {}
    for entry in composition:
        for segment, count in entry["segments"].items():
            segment_clients[int(segment)] = segment_clients.get(int(segment), 0) + int(count)
    alternative_words = ngettext(
        "The near-tied alternative has an inertia only {gap} above the published segmentation's ({found} of "
        "{starts} single K-means start on the training clients ended in it) and cuts the clients differently: its "
        "{clusters}. Its adjusted Rand index with the published segments is {ari}.",
        "The near-tied alternative has an inertia only {gap} above the published segmentation's ({found} of "
        "{starts} single K-means starts on the training clients ended in it) and cuts the clients differently: its "
        "{clusters}. Its adjusted Rand index with the published segments is {ari}.", int(alternative["starts"])).format(
            gap=i18n.percent(alternative["inertia_gap"], 1), found=i18n.number(int(alternative["found_in"])),
            starts=i18n.number(int(alternative["starts"])),
            clusters="; ".join(_alternative_cluster(entry, segment_clients) for entry in composition),
            ari=i18n.number(alternative["ari_with_published"], 2))
    return {"outcome": outcome, "agreement": agreement, "rule": rule, "segments": segments,
            "alternative": alternative_words}
