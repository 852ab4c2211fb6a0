"""Exploratory analysis of the clients table: the data page's filter and the small aggregates its charts show.

Dash-free. A :class:`ClientFilter` says which clients an analyst is looking at; a :class:`ClientTable` holds the
clients once per process as numpy codes so that a filter is a handful of boolean operations; the aggregate
functions turn the selected rows into frames of a few dozen numbers, which is all that travels to the browser.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd

from dashapp import catalogue, domain

#: The columns the filter bar offers as lists of values, in the order the bar shows them.
LIST_FILTERS: tuple[str, ...] = ("job", "marital", "education", "segment")

#: What the data page aggregates (``split``: for the segments' rates per period); the rest of the clients table
#: (imputed fields) stays on the server.
_EDA_COLUMNS: tuple[str, ...] = (
    "age", "job", "marital", "education", "default", "housing", "loan", "contact", "day_of_week", "duration",
    "campaign", "pdays", "previous", "poutcome", *domain.SOCIO_ECONOMIC_COLUMNS, "y", "contact_date", "segment",
    "split",
)

SUBSCRIBED = "yes"


@dataclass(frozen=True)
class ClientFilter:
    """Which clients the data page looks at; an empty filter selects everyone.

    Attributes
    ----------
    age : (int, int) or None
        Inclusive age range; None for every age.
    job, marital, education : tuple of str
        Allowed category codes (``domain.CATEGORIES``); empty for every value.
    segment : tuple of int
        Allowed segment numbers 1-4; empty for every segment.
    period : (str, str) or None
        Inclusive range of contact months as ``"YYYY-MM"``; None for the whole campaign.
    """

    age: tuple[int, int] | None = None
    job: tuple[str, ...] = ()
    marital: tuple[str, ...] = ()
    education: tuple[str, ...] = ()
    segment: tuple[int, ...] = ()
    period: tuple[str, str] | None = None

    def query_string(self) -> str:
        """The filter as a URL query (``"?age=25-40&job=admin.,technician"``); ``""`` for no filter."""
        query = {}
        if self.age is not None:
            query["age"] = f"{self.age[0]}-{self.age[1]}"
        for name in LIST_FILTERS:
            values = getattr(self, name)
            if values:
                query[name] = ",".join(str(value) for value in values)
        if self.period is not None:
            query["from"], query["to"] = self.period
        # Keep commas and dots readable in a shared link; no category code contains a comma.
        return "?" + urlencode(query, safe=",.") if query else ""

    def is_empty(self) -> bool:
        return self == ClientFilter()

    def toggled(self, column: str, value) -> ClientFilter:
        """This filter with ``column`` set to just ``value``, or cleared if it already was (a bar click)."""
        if column not in LIST_FILTERS:
            raise ValueError(f"column={column!r} must be one of {', '.join(LIST_FILTERS)}")
        return replace(self, **{column: () if getattr(self, column) == (value,) else (value,)})


def query_parameters(search: str | None) -> dict[str, str | list[str]]:
    """URL query parameters as Dash passes them to a page layout: ``"?a=1&b=2&b=3"`` -> ``{"a": "1", "b": [...]}``."""
    parsed = parse_qs((search or "").removeprefix("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _as_list(value) -> list[str]:
    """Query values arrive as ``"a,b"`` or, when a key repeats, as a list of such strings."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else [value]
    return [item.strip() for part in parts for item in str(part).split(",") if item.strip()]


class ClientTable:
    """The clients prepared once for fast filtering: category codes, ages and month numbers as numpy arrays.

    Parameters
    ----------
    clients : DataFrame
        The artifact store's clients table (categorical columns, ``contact_date``, ``segment``).
    """

    def __init__(self, clients: pd.DataFrame):
        self.frame = clients.loc[:, list(_EDA_COLUMNS)]
        self._codes = {column: self.frame[column].cat.codes.to_numpy() for column in ("job", "marital",
                                                                                        "education")}
        self._categories = {column: list(self.frame[column].cat.categories) for column in self._codes}
        self._age = self.frame["age"].to_numpy()
        self._segment = self.frame["segment"].to_numpy()
        dates = self.frame["contact_date"]
        first = dates.min()
        # Months since the first contact month: a period filter is then two integer comparisons.
        self._month = ((dates.dt.year - first.year) * 12 + dates.dt.month - first.month).to_numpy()
        self.months: tuple[str, ...] = tuple(
            str(period) for period in pd.period_range(first, dates.max(), freq="M"))
        self.age_bounds: tuple[int, int] = (int(self._age.min()), int(self._age.max()))

    def __len__(self) -> int:
        return len(self.frame)

    # --- filter <-> URL <-> widgets -------------------------------------------------------------------------

    def parse_query(self, query: Mapping[str, object]) -> tuple[ClientFilter, list[str]]:
        """Read a filter from URL query parameters, dropping what is invalid.

        Parameters
        ----------
        query : mapping
            Parameters as Dash passes them to a page layout (``{"job": "admin.,student", "age": "25-40"}``);
            unknown keys are ignored.

        Returns
        -------
        filter : ClientFilter
        problems : list of str
            One readable sentence per value that was ignored.
        """
        problems: list[str] = []
        age = None
        if query.get("age"):
            text = str(query["age"])
            low, _, high = text.partition("-")
            if low.isdigit() and high.isdigit() and int(low) <= int(high):
                age = self._normalise_age(int(low), int(high))
            else:
                problems.append(f"age={text!r} is not a range such as 25-40; showing every age.")
        chosen = {}
        for name in ("job", "marital", "education"):
            allowed = domain.CATEGORIES[name]
            values = _as_list(query.get(name))
            bad = [value for value in values if value not in allowed]
            if bad:
                problems.append(f"{name} {', '.join(map(repr, bad))} ignored; expected one of {', '.join(allowed)}.")
            chosen[name] = tuple(value for value in allowed if value in values)
        segments = _as_list(query.get("segment"))
        bad = [value for value in segments if not (value.isdigit() and int(value) in catalogue.SEGMENTS)]
        if bad:
            problems.append(f"segment {', '.join(map(repr, bad))} ignored; expected 1 to {len(catalogue.SEGMENTS)}.")
        chosen["segment"] = tuple(number for number in catalogue.SEGMENTS if str(number) in segments)
        period = None
        start, end = query.get("from") or self.months[0], query.get("to") or self.months[-1]
        if start not in self.months or end not in self.months or start > end:
            problems.append(f"period {start} to {end} ignored; contacts run from {self.months[0]} to "
                            f"{self.months[-1]}.")
        else:
            period = self._normalise_period(self.months.index(start), self.months.index(end))
        return ClientFilter(age=age, period=period, **chosen), problems

    def filter_from_controls(self, age=None, job=None, marital=None, education=None, segment=None,
                             period=None) -> ClientFilter:
        """The filter the data page's widgets describe (the inverse of :meth:`controls`).

        Parameters
        ----------
        age : [int, int] or None
            The age range slider.
        job, marital, education : list of str or None
            The multi-select dropdowns (None or ``[]``: every value).
        segment : list of int or None
        period : [int, int] or None
            Positions in :attr:`months` of the period slider.
        """
        age_range = self._normalise_age(*age) if age else None
        months = self._normalise_period(*period) if period else None
        return ClientFilter(
            age=age_range,
            job=tuple(v for v in domain.CATEGORIES["job"] if v in (job or ())),
            marital=tuple(v for v in domain.CATEGORIES["marital"] if v in (marital or ())),
            education=tuple(v for v in domain.CATEGORIES["education"] if v in (education or ())),
            segment=tuple(n for n in catalogue.SEGMENTS if n in {int(s) for s in segment or ()}),
            period=months,
        )

    def controls(self, spec: ClientFilter) -> dict[str, list]:
        """Widget values that show ``spec``: ``age`` and ``period`` as ``[low, high]``, the rest as lists."""
        period = spec.period or (self.months[0], self.months[-1])
        return {
            "age": list(spec.age or self.age_bounds),
            "job": list(spec.job), "marital": list(spec.marital), "education": list(spec.education),
            "segment": list(spec.segment),
            "period": [self.months.index(period[0]), self.months.index(period[1])],
        }

    def period_months(self, spec: ClientFilter) -> tuple[str, ...]:
        """The ``"YYYY-MM"`` months of ``spec``'s period (every month of the campaign when it has none)."""
        if spec.period is None:
            return self.months
        return self.months[self.months.index(spec.period[0]):self.months.index(spec.period[1]) + 1]

    def _normalise_age(self, low: int, high: int) -> tuple[int, int] | None:
        low, high = max(int(low), self.age_bounds[0]), min(int(high), self.age_bounds[1])
        # The full range is no filter; keeping it None keeps shared links short and canonical.
        return None if (low, high) == self.age_bounds else (low, high)

    def _normalise_period(self, first: int, last: int) -> tuple[str, str] | None:
        first, last = max(int(first), 0), min(int(last), len(self.months) - 1)
        return None if (first, last) == (0, len(self.months) - 1) else (self.months[first], self.months[last])

    # --- selecting rows --------------------------------------------------------------------------------------

    def mask(self, spec: ClientFilter) -> np.ndarray:
        """Boolean array over the clients, True for those ``spec`` selects."""
        selected = np.ones(len(self), dtype=bool)
        if spec.age is not None:
            selected &= (self._age >= spec.age[0]) & (self._age <= spec.age[1])
        for name in ("job", "marital", "education"):
            values = getattr(spec, name)
            if values:
                # A lookup table indexed by category code beats np.isin on strings by two orders of magnitude.
                allowed = np.array([category in values for category in self._categories[name]])
                selected &= allowed[self._codes[name]]
        if spec.segment:
            selected &= np.isin(self._segment, spec.segment)
        if spec.period is not None:
            first, last = self.months.index(spec.period[0]), self.months.index(spec.period[1])
            selected &= (self._month >= first) & (self._month <= last)
        return selected

    def select(self, spec: ClientFilter) -> pd.DataFrame:
        """The rows ``spec`` selects (the same frame, unfiltered, when ``spec`` is empty)."""
        return self.frame if spec.is_empty() else self.frame[self.mask(spec)]


@functools.lru_cache(maxsize=2)
def client_table(store) -> ClientTable:
    """The :class:`ClientTable` of an artifact store, built on first use and kept for the process."""
    return ClientTable(store.clients)


# --- Aggregates ------------------------------------------------------------------------------------------------


def outcome_by(frame: pd.DataFrame, column: str, cap: int | None = None,
               exclude: Iterable = ()) -> pd.DataFrame:
    """Clients and subscriptions per value of one column.

    Parameters
    ----------
    frame : DataFrame
        Clients with ``column`` and ``y``.
    column : str
        A categorical or integer column.
    cap : int, optional
        For integer columns: values above ``cap`` are counted together, in a last row labelled ``">cap"``
        (a few clients were called up to 56 times; one bar each would hide the rest).
    exclude : iterable
        Values left out (e.g. ``-1``, "never contacted", for ``pdays``).

    Returns
    -------
    DataFrame
        Columns ``value`` (the code), ``label`` (what an axis shows), ``clients``, ``subscribed`` and ``rate``,
        one row per value that occurs, in category or numeric order.
    """
    values = frame[column]
    subscribed = _subscribed(frame)
    exclude = list(exclude)
    # np.bincount over category codes or small integers: a tenth of the time of a pandas groupby, which
    # matters with a dozen such charts redrawn on every filter change.
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        domain_values = np.array(values.cat.categories, dtype=object)
        keep = (codes >= 0) & ~np.isin(domain_values, exclude)[codes]
        positions = codes[keep]
    else:
        numbers = values.to_numpy()
        keep = ~np.isin(numbers, exclude) if exclude else np.ones(len(numbers), dtype=bool)
        numbers = numbers[keep]
        if cap is not None:
            numbers = np.minimum(numbers, cap + 1)
        low = int(numbers.min()) if len(numbers) else 0
        positions = numbers - low
        domain_values = np.arange(low, low + (positions.max() + 1 if len(positions) else 0))
    clients = np.bincount(positions, minlength=len(domain_values))
    yes = np.bincount(positions, weights=subscribed[keep], minlength=len(domain_values)).astype("int64")
    present = clients > 0
    counts = pd.DataFrame({"value": domain_values[present].astype(object), "clients": clients[present],
                           "subscribed": yes[present]})
    labels = [_value_label(column, value) for value in counts["value"]]
    if cap is not None and len(counts) and counts["value"].iloc[-1] == cap + 1:
        labels[-1] = f">{cap}"
    counts.insert(1, "label", labels)
    counts["rate"] = counts["subscribed"] / counts["clients"]
    return counts


def _value_label(column: str, value) -> str:
    if column == "segment":
        return f"Segment {value}"
    return catalogue.category_label(column, value) if isinstance(value, str) else str(value)


def _subscribed(frame: pd.DataFrame) -> np.ndarray:
    return (frame["y"] == SUBSCRIBED).to_numpy()


#: The credit columns side by side in one chart, under these group names.
CREDIT_GROUPS: dict[str, str] = {"default": "In default", "housing": "Housing loan",
                                 "loan": "Personal loan"}


def credit_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`outcome_by` for ``default``, ``housing`` and ``loan`` stacked, with a ``group`` column naming each.

    The ``label`` is the answer (No, Yes, Unknown): the group already says what was asked.
    """
    parts = [outcome_by(frame, column).assign(label=lambda counts: counts["value"].str.capitalize(), group=group)
             for column, group in CREDIT_GROUPS.items()]
    return pd.concat(parts, ignore_index=True)


def age_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Clients per year of age, split by the outcome: columns ``age``, ``not_subscribed``, ``subscribed``."""
    subscribed = (frame["y"] == SUBSCRIBED).to_numpy()
    ages = frame["age"].to_numpy()
    if not len(ages):
        return pd.DataFrame({"age": [], "not_subscribed": [], "subscribed": []}, dtype="int64")
    low = ages.min()
    # bincount over integer ages is a few times faster than a groupby on 41,188 rows.
    yes = np.bincount(ages[subscribed] - low, minlength=ages.max() - low + 1)
    every = np.bincount(ages - low, minlength=ages.max() - low + 1)
    counts = pd.DataFrame({"age": np.arange(low, ages.max() + 1), "not_subscribed": every - yes,
                           "subscribed": yes})
    return counts[every > 0].reset_index(drop=True)


def outcome_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Clients who subscribed and did not: columns ``value`` (no, yes), ``label``, ``clients``, ``share``."""
    counts = frame["y"].value_counts().reindex(list(domain.CATEGORIES["y"]), fill_value=0)
    total = counts.sum()
    return pd.DataFrame({"value": counts.index.astype(object),
                         "label": ["Did not subscribe", "Subscribed"],
                         "clients": counts.to_numpy().astype("int64"),
                         "share": counts.to_numpy() / total if total else np.nan})


#: Percentiles the duration boxes show: whiskers at the 5th and 95th, since calls run up to an hour and a
#: full-range whisker would squash the boxes.
DURATION_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def duration_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Call duration (seconds) by contact type and outcome, as the five numbers of a box.

    Returns
    -------
    DataFrame
        Columns ``contact``, ``y``, ``clients``, ``mean``, ``p05``, ``q1``, ``median``, ``q3``, ``p95``; one
        row per (contact, y) pair that occurs, contact types first.
    """
    duration = frame["duration"].to_numpy()
    # Comparing a categorical column with a value compares integer codes, not strings.
    outcomes = {answer: (frame["y"] == answer).to_numpy() for answer in domain.CATEGORIES["y"]}
    rows = []
    for channel in domain.CATEGORIES["contact"]:
        by_channel = (frame["contact"] == channel).to_numpy()
        for answer, by_answer in outcomes.items():
            seconds = duration[by_channel & by_answer]
            if len(seconds):
                rows.append((channel, answer, len(seconds), seconds.mean(),
                             *np.quantile(seconds, DURATION_QUANTILES)))
    return pd.DataFrame(rows, columns=["contact", "y", "clients", "mean", "p05", "q1", "median", "q3", "p95"])


def monthly_summary(frame: pd.DataFrame, months: Iterable[str] | None = None) -> pd.DataFrame:
    """Contacts, subscriptions and the socio-economic indicators month by month.

    Parameters
    ----------
    frame : DataFrame
        Clients with ``contact_date`` (first day of the month), ``y`` and the socio-economic columns.
    months : iterable of str, optional
        ``"YYYY-MM"`` months to report even when no client was contacted then (a gap, not a missing bar);
        default: the months that occur in ``frame``.

    Returns
    -------
    DataFrame
        Indexed by ``month`` (Timestamp, first day); columns ``clients``, ``subscribed``, ``rate`` and the
        monthly mean of each of ``domain.SOCIO_ECONOMIC_COLUMNS`` (NaN in months without contacts).
    """
    dates = frame["contact_date"].to_numpy().astype("datetime64[M]")
    index = (pd.DatetimeIndex(sorted(pd.Timestamp(month) for month in months), name="month")
             if months is not None else pd.DatetimeIndex(np.unique(dates), name="month"))
    # Each client's row in the index by binary search, then sums per row with bincount: no groupby.
    index_months = index.to_numpy().astype("datetime64[M]")
    rows = np.searchsorted(index_months, dates)
    inside = rows < len(index_months)
    inside[inside] = index_months[rows[inside]] == dates[inside]
    rows = rows[inside]
    clients = np.bincount(rows, minlength=len(index))
    summary = pd.DataFrame({"clients": clients, "subscribed": np.bincount(
        rows, weights=_subscribed(frame)[inside], minlength=len(index)).astype("int64")}, index=index)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["rate"] = np.where(clients > 0, summary["subscribed"] / np.maximum(clients, 1), np.nan)
        for column in domain.SOCIO_ECONOMIC_COLUMNS:
            totals = np.bincount(rows, weights=frame[column].to_numpy()[inside], minlength=len(index))
            summary[column] = np.where(clients > 0, totals / np.maximum(clients, 1), np.nan)
    return summary


def unknown_audit(frame: pd.DataFrame) -> pd.DataFrame:
    """How many clients have ``unknown`` in each column where it occurs.

    Returns
    -------
    DataFrame
        Columns ``column``, ``unknown`` (count) and ``share`` (of the clients in ``frame``), one row per
        ``domain.COLUMNS_WITH_UNKNOWN``, in that order.
    """
    total = len(frame)
    counts = [int((frame[column] == domain.UNKNOWN).sum()) for column in domain.COLUMNS_WITH_UNKNOWN]
    return pd.DataFrame({"column": list(domain.COLUMNS_WITH_UNKNOWN), "unknown": counts,
                         "share": [count / total if total else np.nan for count in counts]})


def headline(frame: pd.DataFrame, total: int) -> dict[str, float]:
    """The numbers above the charts: ``clients``, their ``share`` of ``total``, ``subscription_rate``."""
    clients = len(frame)
    return {"clients": clients, "share": clients / total if total else 0.0,
            "subscription_rate": float((frame["y"] == SUBSCRIBED).mean()) if clients else float("nan")}


# --- One client -------------------------------------------------------------------------------------------------

#: The few fields the explorer's t-SNE hover shows beside the client id.
HOVER_FIELDS: tuple[str, ...] = ("age", "job", "housing", "loan")


def tsne_points(tsne: pd.DataFrame, clients: pd.DataFrame, k: int) -> pd.DataFrame:
    """A configuration's t-SNE map for ``k`` clusters, with the hover fields of each client.

    Parameters
    ----------
    tsne : DataFrame
        ``ArtifactStore.tsne(config)``: ``client_id``, ``x``, ``y``, ``label_k2`` ...
    clients : DataFrame
        The clients table, indexed by ``client_id``.
    k : int
        Which ``label_k{k}`` column becomes ``cluster``.

    Returns
    -------
    DataFrame
        ``client_id``, ``x``, ``y``, ``cluster`` and :data:`HOVER_FIELDS` as readable text (category labels,
        e.g. ``"No personal loan"``), one row per mapped client.
    """
    column = f"label_k{k}"
    if column not in tsne:
        raise ValueError(f"k={k} has no t-SNE labels; the map has "
                         f"{', '.join(c.removeprefix('label_k') for c in tsne if c.startswith('label_k'))}")
    points = tsne[["client_id", "x", "y", column]].rename(columns={column: "cluster"})
    fields = clients.loc[points["client_id"], list(HOVER_FIELDS)].astype(str).reset_index(drop=True)
    for column in fields:
        fields[column] = fields[column].map(lambda value, column=column: catalogue.category_label(column, value))
    return pd.concat([points.reset_index(drop=True), fields], axis=1)


#: Columns the client card leaves out: ``month`` repeats ``contact_date`` without the year.
_RECORD_HIDDEN: tuple[str, ...] = ("month",)


def client_record(clients: pd.DataFrame, client_id: int) -> pd.DataFrame:
    """Every field of one client as readable ``field``/``value`` rows; empty when the id is unknown.

    Field names and category values use the labels of :mod:`dashapp.catalogue` (``"Education"``,
    ``"Basic (9 years)"``), never the file's codes; the segment carries its name.
    """
    if client_id not in clients.index:
        return pd.DataFrame({"field": [], "value": []}, dtype=object)
    row = clients.loc[client_id].drop(labels=[c for c in _RECORD_HIDDEN if c in clients.columns])
    values = []
    for column, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = value.strftime("%B %Y")
        elif column == "pdays" and value == domain.PDAYS_NEVER_RECODED:
            value = "never contacted before"
        elif column == "segment" and int(value) in catalogue.SEGMENTS:
            value = f"{int(value)}: {catalogue.SEGMENTS[int(value)].name}"
        elif isinstance(value, str):
            value = catalogue.category_label(column.removesuffix("_imputed"), value)
        values.append(str(value))
    return pd.DataFrame({"field": [catalogue.column_label(str(column)) for column in row.index], "value": values})


# --- The clustering explorer ------------------------------------------------------------------------------------

#: A K-means solution with a cluster holding less than this share of the clients is flagged as degenerate: its
#: scores mostly measure how far one small group sits from everyone else (a silhouette of 0.9 at k = 2 can be
#: 99.7% of the clients against 0.3%), not a segmentation.
SMALL_CLUSTER_SHARE = 0.02


def is_degenerate(smallest_share: float) -> bool:
    """Whether a solution whose smallest cluster holds ``smallest_share`` of the clients is flagged."""
    return bool(smallest_share < SMALL_CLUSTER_SHARE)


def share_text(share: float) -> str:
    """A cluster's share as the explorer writes it: ``"26%"``, or ``"0.3%"`` below 10%."""
    return f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"


def shares_text(shares) -> str:
    """The clusters' shares in label order: ``"26% / 15% / 43% / 16%"``."""
    return " / ".join(share_text(float(share)) for share in shares)


def configuration_metrics(grid_metrics: pd.DataFrame, config: str) -> pd.DataFrame:
    """One configuration's rows of the grid, by k."""
    rows = grid_metrics[grid_metrics["config_id"] == config]
    if rows.empty:
        raise ValueError(f"config={config!r} is not in the grid")
    return rows.sort_values("k").reset_index(drop=True)


def silhouette_basis(silhouette_clients: int, train_rows: int) -> str:
    """How a silhouette was computed: ``"exact, all 28,831 training clients"`` or ``"on a sample of 5,000"``."""
    if int(silhouette_clients) >= int(train_rows):
        return f"exact, all {int(train_rows):,} training clients"
    return f"on the shared sample of {int(silhouette_clients):,} training clients"


def final_model_facts(grid_metrics: pd.DataFrame, evaluation: dict, clients: pd.DataFrame | None = None) -> dict:
    """The numbers behind the choice of the final model, read from the grid and the evaluation artifacts.

    Parameters
    ----------
    grid_metrics : DataFrame
        ``ArtifactStore.grid_metrics``.
    evaluation : dict
        ``ArtifactStore.evaluation`` (its ``final`` part: treatment, pipeline, k, silhouette, shares).
    clients : DataFrame, optional
        ``ArtifactStore.clients``, to count the distinct (job, housing, loan) values of the training clients.

    Returns
    -------
    dict
        ``config`` (id), ``k``, ``silhouette`` and ``silhouette_clients`` (the grid's, exact),
        ``evaluation_silhouette`` and ``evaluation_silhouette_sampled`` (the final segmentation's report),
        ``shares`` (by K-means label), ``smallest_share``, ``knee`` (int or None), ``by_k`` (DataFrame: ``k``,
        ``silhouette``, ``smallest_share``, ``degenerate``), ``best_k`` and ``best_silhouette`` (the best k
        without a small cluster), ``pipelines_at_k`` (DataFrame: ``pipeline``, ``silhouette``,
        ``smallest_share`` of the distinct pipelines at k, same treatment and feature set), ``rank_at_k`` and
        ``configurations_at_k`` (the final configuration's rank by silhouette at k among the grid's distinct
        configurations without a small cluster), ``distinct_values`` (int or None).
    """
    final = evaluation["final"]
    k = int(final["k"])
    config = domain.config_id(final["treatment"], int(final["pipeline"]), "final")
    rows = configuration_metrics(grid_metrics, config)
    chosen = rows.loc[rows["k"] == k].iloc[0]
    by_k = rows[["k", "silhouette", "smallest_share"]].assign(
        degenerate=rows["smallest_share"] < SMALL_CLUSTER_SHARE)
    sound = by_k[~by_k["degenerate"]]
    best = sound.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    knee = rows["knee"].iloc[0]
    at_k = grid_metrics[grid_metrics["k"] == k]
    # Copies of one matrix (pipelines 5-8 of the final feature set) count once.
    at_k = at_k[[domain.same_matrix_pipeline(int(p), f) == int(p) for p, f in zip(at_k["pipeline"],
                                                                                  at_k["feature_set"])]]
    same_space = at_k[(at_k["treatment"] == final["treatment"]) & (at_k["feature_set"] == "final")]
    sound_at_k = at_k[at_k["smallest_share"] >= SMALL_CLUSTER_SHARE]
    rank = int((sound_at_k["silhouette"] > chosen["silhouette"]).sum()) + 1
    distinct_values = None
    if clients is not None:
        keys = [f"{column}_imputed" for column in domain.SEGMENT_FEATURES]
        distinct_values = int(len(clients.loc[clients["split"] == "train", keys].drop_duplicates()))
    return {
        "config": config, "k": k, "silhouette": float(chosen["silhouette"]),
        "silhouette_clients": int(chosen["silhouette_clients"]),
        "evaluation_silhouette": float(final["silhouette"]),
        "evaluation_silhouette_sampled": float(final["silhouette_sampled"]),
        "shares": [float(share) for share in chosen["cluster_shares"]],
        "smallest_share": float(chosen["smallest_share"]),
        "knee": None if pd.isna(knee) else int(knee),
        "by_k": by_k.reset_index(drop=True),
        "best_k": int(best["k"]), "best_silhouette": float(best["silhouette"]),
        "pipelines_at_k": same_space[["pipeline", "silhouette", "smallest_share"]].sort_values("pipeline")
        .reset_index(drop=True),
        "rank_at_k": rank, "configurations_at_k": int(len(sound_at_k)),
        "distinct_values": distinct_values,
    }
