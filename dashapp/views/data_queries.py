"""The Data page's aggregates answered by SQL over the clients artifact, so that no worker holds the clients.

Dash-free. :class:`ClientEngine` is the page's filter space (:class:`dashapp.views.data.FilterSpace`) over
:mod:`dashapp.artifacts.client_queries`; a filter becomes a ``WHERE`` clause, and :class:`QuerySelection` answers each
question the charts ask with the same frame :class:`dashapp.views.data.Selection` computes from rows in memory
(tested equal on a build). Every chart's counts by value come from one scan (``GROUPING SETS``), and the
answers are kept per filter, so the section callbacks of one filter change share them: four queries a filter.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from dashapp.artifacts.client_queries import CLIENTS, ClientQueries, client_queries, quoted
from dashapp.core import domain
from dashapp.views import rates
from dashapp.views.data import (CREDIT_GROUPS, NO_MONTH, ClientFilter, FilterSpace, age_table, credit_table,
                                duration_table, headline_numbers, month_index, monthly_table, outcome_table, population,
                                share_table, unknown_table)

SUBSCRIBED = f"y = '{rates.SUBSCRIBED}'"
#: The columns the charts count by value, all in one scan (``GROUPING SETS``): on the UCI file one query of the
#: fifteen costs 30 ms of CPU, four queries of a section's few 160 ms, the cost of a query being mostly its own.
COUNTED_TOGETHER: tuple[tuple[str, ...], ...] = (
    ("age", "y", "marital", "job", "education", "default", "housing", "loan", "segment", "campaign", "contact",
     "day_of_week", "poutcome", "pdays", "previous"),
)


class ClientEngine(FilterSpace):
    """The clients of one artifact store as the Data page filters them, by SQL.

    Parameters
    ----------
    queries : ClientQueries
        The store's clients (:func:`dashapp.artifacts.client_queries.client_queries`).
    segment_numbers : sequence of int
        The store's segments, 1 to k.
    """

    def __init__(self, queries: ClientQueries, segment_numbers):
        bounds = queries.frame(f"SELECT count(*) AS rows, min(age) AS youngest, max(age) AS oldest, "
                               f"min(contact_date) AS first, max(contact_date) AS last, sum(campaign) AS calls "
                               f"FROM {CLIENTS}").iloc[0]
        super().__init__(bounds["rows"], (bounds["youngest"], bounds["oldest"]), bounds["first"], bounds["last"],
                         segment_numbers, bounds["calls"])
        self.queries = queries
        # The last filters' answers: the page's section callbacks for one filter change come together.
        self.selection = functools.lru_cache(maxsize=16)(self._selection)

    def where(self, spec: ClientFilter) -> tuple[str, list]:
        """``spec`` as a ``WHERE`` clause (``""`` for no filter) and its parameters."""
        clauses, parameters = [], []
        if spec.age is not None:
            clauses.append("age BETWEEN ? AND ?")
            parameters += [int(spec.age[0]), int(spec.age[1])]
        for name in ("job", "marital", "education"):
            if getattr(spec, name):
                clauses.append(f"{quoted(name)} IN (SELECT UNNEST(?::VARCHAR[]))")
                parameters.append(list(getattr(spec, name)))
        if spec.segment:
            clauses.append("segment IN (SELECT UNNEST(?::INTEGER[]))")
            parameters.append([int(number) for number in spec.segment])
        if spec.period is not None:
            first, last = (pd.Period(month, freq="M") for month in spec.period)
            clauses.append("contact_date >= ? AND contact_date < ?")
            parameters += [first.start_time.to_pydatetime(), (last + 1).start_time.to_pydatetime()]
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), parameters

    def _selection(self, spec: ClientFilter) -> QuerySelection:
        return QuerySelection(self, spec)

    def headline(self, spec: ClientFilter) -> dict[str, float]:
        """:func:`dashapp.views.data.headline` of the clients ``spec`` selects."""
        selected = self.selection(spec)
        return headline_numbers(selected.clients, selected.rate.subscribed, len(self))


@functools.lru_cache(maxsize=2)
def client_engine(store) -> ClientEngine:
    """The :class:`ClientEngine` of an artifact store, made on first use and kept for the process."""
    return ClientEngine(client_queries(store), store.segment_numbers)


def _kept(method):
    """Keep a :class:`QuerySelection` method's answer per arguments: several charts and callbacks ask for it."""

    @functools.wraps(method)
    def kept(self, *arguments):
        key = (method.__name__, repr(arguments))  # the arguments are a few names and numbers
        if key not in self._answers:
            self._answers[key] = method(self, *arguments)
        return self._answers[key]

    return kept


class QuerySelection:
    """The clients a filter selects, as :class:`dashapp.views.data.Selection` describes them, by SQL."""

    def __init__(self, engine: ClientEngine, spec: ClientFilter):
        self._queries = engine.queries
        self._where, self._parameters = engine.where(spec)
        self._counts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._answers: dict[tuple, object] = {}
        # The clients and subscriptions come with the counts by value, which every chart section asks for.
        _, answers, subscribed = self.value_counts("y")
        self.clients = int(answers.sum())
        self.rate = rates.Rate(population(spec), self.clients, int(subscribed.sum()))
        self.months = engine.period_months(spec)

    def _frame(self, sql: str) -> pd.DataFrame:
        return self._queries.frame(sql, self._parameters)

    def value_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`dashapp.views.data.value_counts` of ``column``, counted with every other charted column."""
        values, clients, subscribed = self.value_month_counts(column)
        return values, clients.sum(axis=1), subscribed.sum(axis=1)

    def value_month_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`dashapp.views.data.value_month_counts` of ``column``, counted with every other charted column."""
        if column not in self._counts:
            together = next((group for group in COUNTED_TOGETHER if column in group), (column,))
            self._counts.update(self._count(together))
        return self._counts[column]

    def _count(self, columns: tuple[str, ...]) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        names = [quoted(column) for column in columns]
        # Each column's counts per value and calendar month (months since year 0, as the pandas computation
        # numbers them; a missing date is month NO_MONTH): the month adjusted odds need them, and the counts per
        # value are their sums.
        month = f"coalesce(year(contact_date) * 12 + month(contact_date) - 1, {NO_MONTH})"
        counts = self._queries.arrays(
            f"SELECT {', '.join(names)}, calendar_month, GROUPING_ID({', '.join(names)}) AS grouping, "
            f"count(*) AS clients, count_if({SUBSCRIBED}) AS subscribed "
            f"FROM (SELECT *, {month} AS calendar_month FROM {CLIENTS} {self._where}) "
            f"GROUP BY GROUPING SETS ({', '.join(f'({n}, calendar_month)' for n in names)})", self._parameters)
        # GROUPING_ID's bits, first column highest, are set for the columns a row is not grouped by: the rows of
        # the set of column ``position`` have every bit set but that column's. Laid out with numpy, not pandas:
        # fifteen small frames cost more than the query.
        every = (1 << len(columns)) - 1
        grouping, clients, subscribed = (counts[name] for name in ("grouping", "clients", "subscribed"))
        months, month_places = np.unique(counts["calendar_month"].astype(np.int64), return_inverse=True)
        answers = {}
        for position, column in enumerate(columns):
            rows = grouping == every ^ (1 << (len(columns) - 1 - position))
            values = counts[column][rows]
            if column in domain.CATEGORIES:
                # In the categories' order, as the clients table's categoricals hold them.
                order = {value: index for index, value in enumerate(domain.CATEGORIES[column])}
                ordered_values = np.array(domain.CATEGORIES[column], dtype=object)
                places = np.array([order[value] for value in values], dtype=np.intp)
            else:
                values = values.astype(np.int64)
                ordered_values, places = np.unique(values, return_inverse=True)
            cells = places * len(months) + month_places[rows]
            shape = (len(ordered_values), len(months))
            answers[column] = (ordered_values, *(
                np.bincount(cells, weights=counted[rows], minlength=shape[0] * shape[1]).astype(np.int64)
                .reshape(shape) for counted in (clients, subscribed)))
        return answers

    def outcome_by(self, column: str, cap: int | None = None, exclude: Iterable = ()) -> pd.DataFrame:
        counted = self.value_month_counts(column) if self.months else self.value_counts(column)
        return outcome_table(column, *counted, cap=cap, exclude=exclude)

    def credit_outcomes(self) -> pd.DataFrame:
        return credit_table({column: self.outcome_by(column) for column in CREDIT_GROUPS})

    def age_counts(self) -> pd.DataFrame:
        return age_table(*self.value_counts("age"))

    def outcome_share(self) -> pd.DataFrame:
        _, clients, _ = self.value_counts("y")
        return share_table(clients)

    @_kept
    def duration_summary(self) -> pd.DataFrame:
        # Seconds are whole numbers: each pair's durations come back as counts per second, and are laid out
        # again for numpy's own quantiles, so the boxes are exactly those of the rows.
        counts = self._frame(f"SELECT contact::VARCHAR AS contact, y::VARCHAR AS y, duration, count(*) AS clients "
                             f"FROM {CLIENTS} {self._where} GROUP BY ALL ORDER BY duration")
        seconds = {}
        for channel in domain.CATEGORIES["contact"]:
            for answer in domain.CATEGORIES["y"]:
                rows = counts[(counts["contact"] == channel) & (counts["y"] == answer)]
                seconds[(channel, answer)] = np.repeat(rows["duration"].to_numpy(np.int64),
                                                       rows["clients"].to_numpy(np.int64))
        return duration_table(seconds)

    @_kept
    def monthly_summary(self) -> pd.DataFrame:
        sums = ", ".join(f"sum({quoted(column)}) AS {quoted(column)}" for column in domain.SOCIO_ECONOMIC_COLUMNS)
        counts = self._frame(f"SELECT date_trunc('month', contact_date) AS month, count(*) AS clients, "
                             f"count_if({SUBSCRIBED}) AS subscribed, {sums} FROM {CLIENTS} {self._where} "
                             "GROUP BY ALL")
        index = month_index(self.months)
        counts = counts.drop(columns="month").set_index(pd.DatetimeIndex(counts["month"])).reindex(index, fill_value=0)
        return monthly_table(index, counts["clients"].to_numpy(), counts["subscribed"].to_numpy(),
                             {column: counts[column].to_numpy(np.float64) for column in domain.SOCIO_ECONOMIC_COLUMNS})

    @_kept
    def unknown_audit(self) -> pd.DataFrame:
        # From the counts per value: every column with unknowns is among the counted ones.
        unknown = {}
        for column in domain.COLUMNS_WITH_UNKNOWN:
            values, clients, _ = self.value_counts(column)
            unknown[column] = int(clients[values == domain.UNKNOWN].sum())
        return unknown_table(unknown, self.clients)

    @_kept
    def subscription_rates(self, names: dict[str, str], segment_numbers: tuple[int, ...]) -> rates.SubscriptionRates:
        """Every period's rate, overall and per segment, of these clients (named after :attr:`rate`)."""
        return rates.queried_rates(self._queries, self._where, tuple(self._parameters), self.rate.population,
                                   dict(names), segment_numbers)

