"""What the Data page shows: its client filter (and the filter's URL query), and the small aggregates its charts draw.

Dash-free. A :class:`ClientFilter` says which clients an analyst is looking at; a :class:`FilterSpace` reads it
from a URL and from the widgets; the aggregates turn the selected clients into frames of a few dozen numbers,
which is all that travels to the browser. Each aggregate is made of counts (``*_table``), so the page's SQL engine
(:mod:`dashapp.views.data_queries`, what the page uses) and the in-memory :class:`ClientTable` and
:class:`Selection` here (the reference it is tested against, and what a notebook filters a frame with) give the
same frames. The figures are drawn by :mod:`dashapp.figures.data`. The module runs over 450 lines on purpose: the
filter and the aggregates are the one view of one page, read together (every aggregate takes the filtered rows),
and a split would leave two halves that only each other and the page import.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashapp.core import catalogue, domain
from dashapp.core.i18n import N_, _
from dashapp.views import inputs, rates, url_state
from dashapp.views.month_odds import odds_against_the_rest

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

    def toggled(self, column: str, value, values: tuple) -> ClientFilter:
        """This filter with ``column`` set to just ``value``, or cleared if it already was (a bar click).

        ``values`` are the column's possible values (:meth:`FilterSpace.list_filter_values`).

        Raises
        ------
        InvalidInput
            When ``value`` is not one of the column's values (a bar the chart does not draw).
        """
        if column not in LIST_FILTERS:
            raise ValueError(f"column={column!r} must be one of {', '.join(LIST_FILTERS)}")
        value = inputs.one_of(column, value, values)
        return replace(self, **{column: () if getattr(self, column) == (value,) else (value,)})




def _as_list(value) -> list[str]:
    """Query values arrive as ``"a,b"`` or, when a key repeats, as a list of such strings."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else [value]
    return [item.strip() for part in parts for item in str(part).split(",") if item.strip()]


class FilterSpace:
    """What a filter can range over: the clients' number, their ages and the campaign's months; and the filter
    read from a URL, from the widgets, and shown on them. The rows are selected by a subclass: in memory
    (:class:`ClientTable`) or by SQL (:class:`dashapp.views.data_queries.ClientEngine`).

    Parameters
    ----------
    rows : int
        How many clients there are.
    age_bounds : (int, int)
        The youngest and oldest client's age.
    first_contact, last_contact : Timestamp or None
        The first and last contact date (None when the source has no dates).
    segment_numbers : sequence of int
        The segments a client can be in, 1 to k (the store's :attr:`segment_numbers`).
    calls : int
        The calls of this campaign to these clients (the sum of ``campaign``: a row is a client, called once or
        more).
    """

    def __init__(self, rows: int, age_bounds: tuple[int, int], first_contact, last_contact, segment_numbers,
                 calls: int):
        self.rows = int(rows)
        self.calls = int(calls)
        self.segment_numbers: tuple[int, ...] = tuple(sorted(int(number) for number in segment_numbers))
        self.first_contact, self.last_contact = first_contact, last_contact
        self.age_bounds: tuple[int, int] = (int(age_bounds[0]), int(age_bounds[1]))
        #: The campaign's ``"YYYY-MM"`` months; none when the source has no contact dates (then the period
        #: filter has one position and filters nothing).
        self.months: tuple[str, ...] = () if pd.isna(first_contact) else tuple(
            str(period) for period in pd.period_range(first_contact, last_contact, freq="M"))

    def __len__(self) -> int:
        return self.rows

    def list_filter_values(self, column: str) -> tuple:
        """The values a list filter can hold, in the order the filter bar lists them."""
        return self.segment_numbers if column == "segment" else domain.CATEGORIES[column]

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
            low, _dash, high = text.partition("-")
            if low.isdigit() and high.isdigit() and int(low) <= int(high):
                age = self._normalise_age(int(low), int(high))
            else:
                problems.append(_("age={text} is not a range such as 25-40; showing every age.").format(
                    text=repr(text)))
        chosen = {}
        for name in ("job", "marital", "education"):
            allowed = domain.CATEGORIES[name]
            values = _as_list(query.get(name))
            bad = [value for value in values if value not in allowed]
            if bad:
                problems.append(_("{name} {values} ignored; expected one of {allowed}.").format(
                    name=name, values=", ".join(map(repr, bad)), allowed=", ".join(allowed)))
            chosen[name] = tuple(value for value in allowed if value in values)
        segments = _as_list(query.get("segment"))
        bad = [value for value in segments if not (value.isdigit() and int(value) in self.segment_numbers)]
        if bad:
            problems.append(_("segment {values} ignored; expected 1 to {last}.").format(
                values=", ".join(map(repr, bad)), last=len(self.segment_numbers)))
        chosen["segment"] = tuple(number for number in self.segment_numbers if str(number) in segments)
        period = None
        if not self.months:
            if query.get("from") or query.get("to"):
                problems.append(_("period ignored; the source has no contact dates."))
            return ClientFilter(age=age, period=None, **chosen), problems
        start, end = query.get("from") or self.months[0], query.get("to") or self.months[-1]
        if start not in self.months or end not in self.months or start > end:
            problems.append(_("period {start} to {end} ignored; contacts run from {first} to {last}.").format(
                start=start, end=end, first=self.months[0], last=self.months[-1]))
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
        chosen = {name: inputs.subset(name, values, self.list_filter_values(name))
                  for name, values in (("job", job), ("marital", marital), ("education", education),
                                       ("segment", segment))}
        return ClientFilter(
            age=self._normalise_age(*age_range) if age_range else None,
            period=self._normalise_period(*months) if months else None,
            **{name: tuple(v for v in self.list_filter_values(name) if v in chosen[name]) for name in chosen},
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



class ClientTable(FilterSpace):
    """The clients in memory, prepared for fast filtering: category codes, ages and month numbers as numpy arrays.

    The reference the SQL engine is tested against, and what a notebook or a test filters a frame of clients with.

    Parameters
    ----------
    clients : DataFrame
        The artifact store's clients table (categorical columns, ``contact_date``, ``segment``).
    """

    def __init__(self, clients: pd.DataFrame):
        self.frame = clients.loc[:, list(_DATA_COLUMNS)]
        dates = self.frame["contact_date"]
        ages = self.frame["age"].to_numpy()
        segments = self.frame["segment"].dropna().unique()  # every segment has clients: K-means leaves none empty
        super().__init__(len(self.frame), (ages.min(), ages.max()), dates.min(), dates.max(), segments,
                         self.frame["campaign"].sum())
        self._codes = {column: self.frame[column].cat.codes.to_numpy() for column in ("job", "marital",
                                                                                        "education")}
        self._categories = {column: list(self.frame[column].cat.categories) for column in self._codes}
        self._age = ages
        self._segment = self.frame["segment"].to_numpy()
        first = dates.min()
        # Months since the first contact month: a period filter is then two integer comparisons.
        self._month = (np.zeros(len(dates), dtype=np.int64) if not self.months
                       else ((dates.dt.year - first.year) * 12 + dates.dt.month - first.month).to_numpy())

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
               exclude: Iterable = (), by_month: bool | None = None) -> pd.DataFrame:
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
    by_month : bool, optional
        Whether to compare the values within calendar month too (default: when some client has a contact date).

    Returns
    -------
    DataFrame
        Columns ``value`` (the code), ``label`` (what an axis shows), ``clients``, ``subscribed`` and ``rate``,
        one row per value that occurs, in category or numeric order; where the clients have contact dates, each
        value's odds against the other values within calendar month too (:func:`outcome_table`).
    """
    if by_month is None:
        by_month = bool(frame["contact_date"].notna().any())
    counted = value_month_counts(frame, column) if by_month else value_counts(frame, column)
    return outcome_table(column, *counted, cap=cap, exclude=exclude)


def _value_positions(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A column's values in category or numeric order, each row's position among them (rows with a value) and
    which rows have one: what :func:`value_counts` and :func:`value_month_counts` count with ``np.bincount``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        keep = codes >= 0
        return np.array(values.cat.categories, dtype=object), codes[keep].astype(np.int64), keep
    domain_values, positions = np.unique(values.to_numpy(), return_inverse=True)
    return domain_values, positions, np.ones(len(positions), dtype=bool)


def value_counts(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value of ``column`` (in category or numeric order): the value, its clients, those who subscribed."""
    # np.bincount over category codes or small integers: a tenth of the time of a pandas groupby.
    domain_values, positions, keep = _value_positions(frame[column])
    clients = np.bincount(positions, minlength=len(domain_values))
    yes = np.bincount(positions, weights=_subscribed(frame)[keep], minlength=len(domain_values)).astype("int64")
    return domain_values, clients, yes


#: A missing contact date's month in :func:`value_month_counts` (and the SQL engine's): one stratum of its own.
NO_MONTH = -1


def value_month_counts(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`value_counts` per calendar month: the values, then clients and subscriptions as arrays of shape
    (values, months), the months in time order (a missing date counted as month :data:`NO_MONTH`)."""
    dates = frame["contact_date"]
    month_numbers = (dates.dt.year * 12 + dates.dt.month - 1).fillna(NO_MONTH).to_numpy(dtype=np.int64)
    months, month_positions = np.unique(month_numbers, return_inverse=True)
    domain_values, positions, keep = _value_positions(frame[column])
    cells = positions * len(months) + month_positions[keep]
    shape = (len(domain_values), len(months))
    clients = np.bincount(cells, minlength=shape[0] * shape[1]).reshape(shape)
    yes = np.bincount(cells, weights=_subscribed(frame)[keep],
                      minlength=shape[0] * shape[1]).astype("int64").reshape(shape)
    return domain_values, clients, yes


def outcome_table(column: str, values, clients, subscribed, cap: int | None = None,
                  exclude: Iterable = ()) -> pd.DataFrame:
    """:func:`outcome_by` from counts already made: ``values`` in category or numeric order, with each one's
    ``clients`` and ``subscribed`` (by :func:`value_counts`, or by a query); values without clients are left out.

    When ``clients`` and ``subscribed`` are counted per calendar month too (shape (values, months), by
    :func:`value_month_counts`), each value is also compared with the other values shown, within calendar month
    (:func:`dashapp.views.month_odds.odds_against_the_rest`): columns ``odds_ratio``, ``odds_low``, ``odds_high``
    and ``p_value``, NaN where no comparison can be made.
    """
    values = np.asarray(values, dtype=object)
    clients, subscribed = np.asarray(clients, dtype=np.int64), np.asarray(subscribed, dtype=np.int64)
    # Counts per month are a second axis; the rows stay the values.
    monthly = clients.ndim == 2
    totals = clients.sum(axis=1) if monthly else clients
    keep = (totals > 0) & ~np.isin(values, list(exclude))
    values, clients, subscribed = values[keep], clients[keep], subscribed[keep]
    capped = cap is not None and bool(len(values)) and values.max() > cap
    if capped:
        over = np.array([value > cap for value in values])
        values = np.append(values[~over], cap + 1).astype(object)
        clients = np.concatenate([clients[~over], clients[over].sum(axis=0, keepdims=True)])
        subscribed = np.concatenate([subscribed[~over], subscribed[over].sum(axis=0, keepdims=True)])
    labels = [_value_label(column, value) for value in values]
    if capped:
        labels[-1] = f">{cap}"
    value_clients = clients.sum(axis=1) if monthly else clients
    value_subscribed = subscribed.sum(axis=1) if monthly else subscribed
    with np.errstate(invalid="ignore"):
        rate = value_subscribed / value_clients
    # One frame from one dict: a column added to a frame costs pandas a tenth of a millisecond, fifty a filter.
    return pd.DataFrame({"value": values, "label": labels, "clients": value_clients, "subscribed": value_subscribed,
                         "rate": rate, **(odds_against_the_rest(clients, subscribed) if monthly else {})})


def _value_label(column: str, value) -> str:
    if column == "segment":
        return _("Segment {number}").format(number=value)
    return catalogue.category_label(column, value) if isinstance(value, str) else str(value)


def _subscribed(frame: pd.DataFrame) -> np.ndarray:
    return (frame["y"] == SUBSCRIBED).to_numpy()


#: The credit columns side by side in one chart, under these group names.
CREDIT_GROUPS: dict[str, str] = {"default": N_("In default"), "housing": N_("Housing loan"),
                                 "loan": N_("Personal loan")}
#: The answers of the credit columns, as the credit chart labels them under each group.
CREDIT_ANSWERS: dict[str, str] = {"no": N_("No"), "yes": N_("Yes"), "unknown": N_("Unknown")}


def credit_outcomes(frame: pd.DataFrame, by_month: bool | None = None) -> pd.DataFrame:
    """:func:`outcome_by` for ``default``, ``housing`` and ``loan`` stacked, with a ``group`` column naming each.

    The ``label`` is the answer (No, Yes, Unknown): the group already says what was asked. Each answer's odds are
    against the other answers to the same question.
    """
    return credit_table({column: outcome_by(frame, column, by_month=by_month) for column in CREDIT_GROUPS})


def credit_table(outcomes: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`credit_outcomes` from each credit column's :func:`outcome_table`."""
    parts = [outcomes[column].assign(label=lambda counts: [_(CREDIT_ANSWERS[value]) for value in counts["value"]],
                                     group=_(group))
             for column, group in CREDIT_GROUPS.items()]
    return pd.concat(parts, ignore_index=True)


def age_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Clients per year of age, split by the outcome: columns ``age``, ``not_subscribed``, ``subscribed``."""
    return age_table(*value_counts(frame, "age"))


def age_table(ages, clients, subscribed) -> pd.DataFrame:
    """:func:`age_counts` from the clients and subscriptions per age (ascending)."""
    clients, subscribed = np.asarray(clients, dtype=np.int64), np.asarray(subscribed, dtype=np.int64)
    keep = clients > 0
    return pd.DataFrame({"age": np.asarray(ages, dtype=np.int64)[keep], "not_subscribed": (clients - subscribed)[keep],
                         "subscribed": subscribed[keep]})


def outcome_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Clients who subscribed and did not: columns ``value`` (no, yes), ``label``, ``clients``, ``share``."""
    counts = frame["y"].value_counts().reindex(list(domain.CATEGORIES["y"]), fill_value=0)
    return share_table(counts.to_numpy())


def share_table(counts) -> pd.DataFrame:
    """:func:`outcome_share` from the clients per answer, in the order of ``domain.CATEGORIES["y"]`` (no, yes)."""
    counts = np.asarray(counts, dtype=np.int64)
    total = counts.sum()
    return pd.DataFrame({"value": np.array(domain.CATEGORIES["y"], dtype=object),
                         "label": [_("Did not subscribe"), _("Subscribed")],
                         "clients": counts, "share": counts / total if total else np.nan})


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
    channels = {channel: (frame["contact"] == channel).to_numpy() for channel in domain.CATEGORIES["contact"]}
    return duration_table({(channel, answer): duration[by_channel & by_answer]
                           for channel, by_channel in channels.items() for answer, by_answer in outcomes.items()})


def duration_table(seconds: Mapping[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """:func:`duration_summary` from the durations of each (contact, y) pair, in the order of the mapping."""
    rows = [(channel, answer, len(values), values.mean(), *np.quantile(values, DURATION_QUANTILES))
            for (channel, answer), values in seconds.items() if len(values)]
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
    index = month_index(months if months is not None else np.unique(dates))
    # Each client's row in the index by binary search, then sums per row with bincount: no groupby.
    index_months = index.to_numpy().astype("datetime64[M]")
    rows = np.searchsorted(index_months, dates)
    inside = rows < len(index_months)
    inside[inside] = index_months[rows[inside]] == dates[inside]
    rows = rows[inside]
    totals = {column: np.bincount(rows, weights=frame[column].to_numpy()[inside], minlength=len(index))
              for column in domain.SOCIO_ECONOMIC_COLUMNS}
    return monthly_table(index, np.bincount(rows, minlength=len(index)),
                         np.bincount(rows, weights=_subscribed(frame)[inside], minlength=len(index)), totals)


def month_index(months: Iterable) -> pd.DatetimeIndex:
    """The months of :func:`monthly_summary`'s rows: ``"YYYY-MM"`` texts or dates, sorted, as first days."""
    return pd.DatetimeIndex(sorted(pd.Timestamp(month) for month in months), name="month")


def monthly_table(index: pd.DatetimeIndex, clients, subscribed, totals: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """:func:`monthly_summary` from the clients, subscriptions and socio-economic sums of each month of ``index``."""
    clients = np.asarray(clients, dtype=np.int64)
    summary = pd.DataFrame({"clients": clients, "subscribed": np.asarray(subscribed).astype("int64")}, index=index)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["rate"] = np.where(clients > 0, summary["subscribed"] / np.maximum(clients, 1), np.nan)
        for column in domain.SOCIO_ECONOMIC_COLUMNS:
            summary[column] = np.where(clients > 0, totals[column] / np.maximum(clients, 1), np.nan)
    return summary


def unknown_audit(frame: pd.DataFrame) -> pd.DataFrame:
    """How many clients have ``unknown`` in each column where it occurs.

    Returns
    -------
    DataFrame
        Columns ``column``, ``unknown`` (count) and ``share`` (of the clients in ``frame``), one row per
        ``domain.COLUMNS_WITH_UNKNOWN``, in that order.
    """
    return unknown_table({column: int((frame[column] == domain.UNKNOWN).sum())
                          for column in domain.COLUMNS_WITH_UNKNOWN}, len(frame))


def unknown_table(unknown: Mapping[str, int], total: int) -> pd.DataFrame:
    """:func:`unknown_audit` from the count of ``unknown`` per column and the clients counted."""
    counts = [int(unknown[column]) for column in domain.COLUMNS_WITH_UNKNOWN]
    return pd.DataFrame({"column": list(domain.COLUMNS_WITH_UNKNOWN), "unknown": counts,
                         "share": [count / total if total else np.nan for count in counts]})


def headline(frame: pd.DataFrame, total: int) -> dict[str, float]:
    """The numbers above the charts: ``clients``, their ``share`` of ``total``, ``subscription_rate``."""
    return headline_numbers(len(frame), int(_subscribed(frame).sum()), total)


def headline_numbers(clients: int, subscribed: int, total: int) -> dict[str, float]:
    """:func:`headline` from the selected clients, those who subscribed, and every client."""
    return {"clients": clients, "share": clients / total if total else 0.0,
            "subscription_rate": subscribed / clients if clients else float("nan")}


#: The populations' names :mod:`dashapp.views.rates` gives the rates these pages show, marked for the catalogue
#: here, where they are shown (a filter's selection in one period is two of them: ``filtered clients, test period``).
def population(spec: ClientFilter) -> str:
    """What the charts' clients are called: all clients, or the filtered clients."""
    return rates.PERIODS["all"] if spec.is_empty() else rates.FILTERED


class Selection:
    """The clients a filter selects, as the charts ask for them: their number, rate and months, and each
    aggregate (:func:`outcome_by` ...) by a method of the same name and parameters, less the frame.

    This one holds the rows in memory; :class:`dashapp.views.data_queries.QuerySelection` answers the same
    questions by SQL, and is what the page uses.
    """

    def __init__(self, frame: pd.DataFrame, population_name: str, months: tuple[str, ...]):
        self.frame = frame
        #: How many clients the filter selects.
        self.clients = len(frame)
        #: Their subscription rate, named after the population: each chart's reference line.
        self.rate = rates.rate_of(frame, population_name)
        #: The ``"YYYY-MM"`` months of the filter's period.
        self.months = months

    def outcome_by(self, column: str, cap: int | None = None, exclude: Iterable = ()) -> pd.DataFrame:
        return outcome_by(self.frame, column, cap, exclude, by_month=bool(self.months))

    def credit_outcomes(self) -> pd.DataFrame:
        return credit_outcomes(self.frame, by_month=bool(self.months))

    def age_counts(self) -> pd.DataFrame:
        return age_counts(self.frame)

    def outcome_share(self) -> pd.DataFrame:
        return outcome_share(self.frame)

    def duration_summary(self) -> pd.DataFrame:
        return duration_summary(self.frame)

    def monthly_summary(self) -> pd.DataFrame:
        return monthly_summary(self.frame, self.months)

    def unknown_audit(self) -> pd.DataFrame:
        return unknown_audit(self.frame)

    def subscription_rates(self, names: dict[str, str], segment_numbers: tuple[int, ...]) -> rates.SubscriptionRates:
        """Every period's rate, overall and per segment, of these clients (named after :attr:`rate`)."""
        return rates.subscription_rates(self.frame, self.rate.population, names, segment_numbers)


def selection(table: ClientTable, spec: ClientFilter) -> Selection:
    """The clients ``spec`` selects from ``table``, their subscription rate and their months."""
    return Selection(table.select(spec), population(spec), table.period_months(spec))
