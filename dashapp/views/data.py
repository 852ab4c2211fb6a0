"""What the Data page shows: its client filter (and the filter's URL query), and the small aggregates its charts draw.

Dash-free. A :class:`ClientFilter` says which clients an analyst is looking at; a :class:`ClientTable` holds the
clients once per process as numpy codes so that a filter is a handful of boolean operations; the aggregate
functions turn the selected rows into frames of a few dozen numbers, which is all that travels to the browser.
The figures are drawn by :mod:`dashapp.figures.data`. The module runs a little over 450 lines on purpose: the
filter and the aggregates are the one view of one page, read together (every aggregate takes the filtered rows),
and a split would leave two halves that only each other and the page import.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashapp import catalogue, domain, url_state
from dashapp.views import inputs, rates

#: The columns the filter bar offers as lists of values, in the order the bar shows them.
LIST_FILTERS: tuple[str, ...] = ("job", "marital", "education", "segment")

#: What the data page aggregates (``split``: for the segments' rates per period); the rest of the clients table
#: (imputed fields) stays on the server.
_DATA_COLUMNS: tuple[str, ...] = (
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
        return url_state.query_string(query)

    def is_empty(self) -> bool:
        return self == ClientFilter()

    def toggled(self, column: str, value) -> ClientFilter:
        """This filter with ``column`` set to just ``value``, or cleared if it already was (a bar click).

        Raises
        ------
        InvalidInput
            When ``value`` is not one of the column's values (a bar the chart does not draw).
        """
        if column not in LIST_FILTERS:
            raise ValueError(f"column={column!r} must be one of {', '.join(LIST_FILTERS)}")
        value = inputs.one_of(column, value, _list_filter_values(column))
        return replace(self, **{column: () if getattr(self, column) == (value,) else (value,)})


def _list_filter_values(column: str) -> tuple:
    """The values a list filter can hold, in the order the filter bar lists them."""
    return tuple(catalogue.segments()) if column == "segment" else domain.CATEGORIES[column]


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
        self.frame = clients.loc[:, list(_DATA_COLUMNS)]
        self._codes = {column: self.frame[column].cat.codes.to_numpy() for column in ("job", "marital",
                                                                                        "education")}
        self._categories = {column: list(self.frame[column].cat.categories) for column in self._codes}
        self._age = self.frame["age"].to_numpy()
        self._segment = self.frame["segment"].to_numpy()
        dates = self.frame["contact_date"]
        first = dates.min()
        #: The campaign's ``"YYYY-MM"`` months; none when the source has no contact dates (then the period
        #: filter has one position and filters nothing).
        self.months: tuple[str, ...] = () if pd.isna(first) else tuple(
            str(period) for period in pd.period_range(first, dates.max(), freq="M"))
        # Months since the first contact month: a period filter is then two integer comparisons.
        self._month = (np.zeros(len(dates), dtype=np.int64) if not self.months
                       else ((dates.dt.year - first.year) * 12 + dates.dt.month - first.month).to_numpy())
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
        bad = [value for value in segments if not (value.isdigit() and int(value) in catalogue.segment_names())]
        if bad:
            problems.append(f"segment {', '.join(map(repr, bad))} ignored; expected 1 to {len(catalogue.segments())}.")
        chosen["segment"] = tuple(number for number in catalogue.segment_names() if str(number) in segments)
        period = None
        if not self.months:
            if query.get("from") or query.get("to"):
                problems.append("period ignored; the source has no contact dates.")
            return ClientFilter(age=age, period=None, **chosen), problems
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
            The age range slider, within :attr:`age_bounds`.
        job, marital, education : list of str or None
            The multi-select dropdowns (None or ``[]``: every value).
        segment : list of int or None
        period : [int, int] or None
            Positions in :attr:`months` of the period slider.

        Raises
        ------
        InvalidInput
            For a value the widgets never send (:mod:`dashapp.views.inputs`): words for an age, a job that is
            a number, a position outside the period slider.
        """
        age_range = inputs.number_range("age", age, *self.age_bounds)
        months = inputs.number_range("period", period, 0, max(len(self.months) - 1, 0))
        if not self.months:  # the hidden slider of a source without dates: nothing to filter by
            months = None
        chosen = {name: inputs.subset(name, values, _list_filter_values(name))
                  for name, values in (("job", job), ("marital", marital), ("education", education),
                                       ("segment", segment))}
        return ClientFilter(
            age=self._normalise_age(*age_range) if age_range else None,
            period=self._normalise_period(*months) if months else None,
            **{name: tuple(v for v in _list_filter_values(name) if v in chosen[name]) for name in chosen},
        )

    def controls(self, spec: ClientFilter) -> dict[str, list]:
        """Widget values that show ``spec``: ``age`` and ``period`` as ``[low, high]``, the rest as lists."""
        period = spec.period or (self.months[0], self.months[-1]) if self.months else None
        return {
            "age": list(spec.age or self.age_bounds),
            "job": list(spec.job), "marital": list(spec.marital), "education": list(spec.education),
            "segment": list(spec.segment),
            "period": [self.months.index(period[0]), self.months.index(period[1])] if period else [0, 0],
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


def population(spec: ClientFilter) -> str:
    """What the charts' clients are called: all clients, or the filtered clients."""
    return rates.PERIODS["all"] if spec.is_empty() else rates.FILTERED


class Selection(NamedTuple):
    """The clients a filter selects, with what every chart of them needs beside the rows."""

    clients: pd.DataFrame
    #: Their subscription rate, named after the population: each chart's reference line.
    rate: rates.Rate
    #: The ``"YYYY-MM"`` months of the filter's period.
    months: tuple[str, ...]


def selection(table: ClientTable, spec: ClientFilter) -> Selection:
    """The clients ``spec`` selects from ``table``, their subscription rate and their months."""
    clients = table.select(spec)
    return Selection(clients, rates.rate_of(clients, population(spec)), table.period_months(spec))
