"""Subscription rates, each with the clients it is over: the one place every page gets a rate from.

The clients of the UCI file fall into two periods in time order: the first 70% of the calls (the *training
period*, on which K-means and the tree were fitted) and the rest (the *test period*). Far more of the later
clients subscribed, so a rate means nothing without its population; every rate here carries one:

- ``all clients``: every row of the file, both periods;
- ``training period`` and ``test period``;
- ``filtered clients``: what a filter on the Data page selected (:func:`rate_of`).

A source without dates is split at random (:mod:`dashapp.artifacts.provenance`): its two parts are no periods, so they
are named ``training clients`` and ``test clients`` (:data:`RANDOM_SPLIT_POPULATIONS`, :func:`population_names`).

A table of rates is data, the same in every language: its names are the English ones above (the message
catalogue's keys) and its months English (``'May 2008'``), so that a table cached for one request serves any
other. What a person reads is translated where it is said: :attr:`Rate.percent`, :attr:`Rate.labelled`,
:attr:`Period.description`, :func:`population_label`, :func:`month_label`, :func:`split_explanation`.

A segment's rates are the same populations restricted to the segment. Rates are counted from the clients
table (columns ``y``, ``segment``, ``split``), never taken from a pre-computed artifact, so the same population
gives the same number on every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashapp.artifacts.client_queries import client_queries
from dashapp.core import i18n
from dashapp.core.i18n import N_, _, ngettext

SUBSCRIBED = "yes"
#: The populations of the whole file, by key: the key of ``split`` in the clients table, or ``all``.
PERIODS: dict[str, str] = {"all": N_("all clients"), "train": N_("training period"), "test": N_("test period")}
#: The same populations when the split was random (no time order known): the parts are not periods.
RANDOM_SPLIT_POPULATIONS: dict[str, str] = {"all": N_("all clients"), "train": N_("training clients"),
                                            "test": N_("test clients")}
#: The population of a selection made by a filter.
FILTERED = N_("filtered clients")
#: Between a selection's name and a period's in a population's name (``filtered clients, training period``).
_SELECTION_SEPARATOR = ", "


def population_label(name: str) -> str:
    """A population's name (one of this module's, or a selection's and a period's joined as
    :func:`period_names` joins them) in the current language: ``'filtered clients, training period'`` ->
    ``'клиенты по фильтру, обучающий период'``."""
    return _SELECTION_SEPARATOR.join(_(part) for part in name.split(_SELECTION_SEPARATOR))


def month_label(month: str) -> str:
    """A month as this module and ``response.json`` write it (``'May 2008'``) in the current language
    (``'май 2008'``); ``'-'`` (no month) as it is."""
    if not month or month == "-":
        return month
    return i18n.month_year(dt.datetime.strptime(month, "%b %Y").date(), abbreviated=True)


@dataclass(frozen=True)
class Rate:
    """Clients of one population and how many of them subscribed a term deposit.

    ``population`` names the clients (e.g. ``"training period"``); a segment's rate names the period only,
    the segment being said by where the rate is shown.
    """

    population: str
    clients: int
    subscribed: int

    @property
    def value(self) -> float:
        """The share that subscribed, in [0, 1]; NaN when the population is empty."""
        return self.subscribed / self.clients if self.clients else float("nan")

    @property
    def percent(self) -> str:
        """``'5.6%'`` (``'5,6 %'`` in Russian), or ``'-'`` for an empty population."""
        return i18n.percent(self.value, 1) if self.clients else "-"

    @property
    def labelled(self) -> str:
        """``'training period: 5.6%'``: the form every page shows a rate in, in the current language."""
        return _("{population}: {rate}").format(population=population_label(self.population), rate=self.percent)


@dataclass(frozen=True)
class Period:
    """One period of the file: its key, name, clients and first and last contact month (``'May 2008'``)."""

    key: str
    name: str
    clients: int
    first_month: str
    last_month: str

    @property
    def description(self) -> str:
        """``'training period: 28,831 calls, May 2008 to Nov 2009'``."""
        return ngettext("{period}: {calls} call, {first} to {last}", "{period}: {calls} calls, {first} to {last}",
                        self.clients).format(period=population_label(self.name), calls=i18n.number(self.clients),
                                             first=month_label(self.first_month), last=month_label(self.last_month))


@dataclass(frozen=True)
class SubscriptionRates:
    """The rates of every period, overall and per segment (see :func:`subscription_rates`).

    ``names`` are the populations' names before any filter (:data:`PERIODS` or
    :data:`RANDOM_SPLIT_POPULATIONS`), for a legend or a column heading.
    """

    overall: dict[str, Rate]
    by_segment: dict[int, dict[str, Rate]]
    periods: dict[str, Period]
    names: dict[str, str] = dataclasses.field(default_factory=lambda: dict(PERIODS))

    @property
    def time_ordered(self) -> bool:
        """Whether the training and test clients are two periods in time order (not a random split)."""
        return self.names == PERIODS

    def of(self, period: str = "all", segment: int | None = None) -> Rate:
        """The rate of one period (``all``, ``train``, ``test``), of every segment or of one.

        Raises
        ------
        KeyError
            If the period or the segment is not one of the table's.
        """
        if period not in PERIODS:
            raise KeyError(f"period={period!r} is not one of {list(PERIODS)}")
        if segment is None:
            return self.overall[period]
        if segment not in self.by_segment:
            raise KeyError(f"segment={segment!r} is not one of {sorted(self.by_segment)}")
        return self.by_segment[segment][period]


def _counts(subscribed: np.ndarray, population: str) -> Rate:
    return Rate(population, int(len(subscribed)), int(subscribed.sum()))


def _months(dates: np.ndarray) -> tuple[str, str]:
    """The first and last month of some dates as ``'May 2008'`` (``'-'`` when there are none)."""
    known = dates[~np.isnat(dates)]
    if not len(known):
        return "-", "-"
    return f"{pd.Timestamp(known.min()):%b %Y}", f"{pd.Timestamp(known.max()):%b %Y}"


def population_names(provenance) -> dict[str, str]:
    """The populations' names for a build (:class:`dashapp.artifacts.provenance.DataProvenance`): :data:`PERIODS` when
    its split is in time order, :data:`RANDOM_SPLIT_POPULATIONS` when random."""
    return dict(PERIODS if provenance.split_is_time_ordered else RANDOM_SPLIT_POPULATIONS)


def period_names(selection: str = PERIODS["all"], names: dict[str, str] = PERIODS) -> dict[str, str]:
    """The populations' names for a selection of clients: ``names`` (:data:`PERIODS` by default) for all
    clients, and for a filter's selection ``{"all": "filtered clients", "train": "filtered clients, training
    period", ...}``."""
    if selection == names["all"]:
        return dict(names)
    return {key: selection if key == "all" else f"{selection}{_SELECTION_SEPARATOR}{name}"
            for key, name in names.items()}


def subscription_rates(clients: pd.DataFrame, selection: str = PERIODS["all"],
                       names: dict[str, str] = PERIODS,
                       segment_numbers: tuple[int, ...] | None = None) -> SubscriptionRates:
    """Count the subscription rate of every period, overall and per segment.

    Parameters
    ----------
    clients : DataFrame
        The clients table (``ArtifactStore.clients``) or any selection of its rows; needs ``y``, ``segment``
        and ``split`` (``train``/``test``); ``contact_date`` is used for the periods' months when present.
    selection : str
        What ``clients`` are, for the populations' names (see :func:`period_names`): ``"all clients"``
        (the default) or e.g. :data:`FILTERED`.
    names : dict
        The populations' names (:func:`population_names` of the build): :data:`PERIODS` by default.
    segment_numbers : tuple of int, optional
        The segments to count (``ArtifactStore.segment_numbers``); default those in ``clients``.

    Returns
    -------
    SubscriptionRates
        Every segment of ``segment_numbers`` and every period of :data:`PERIODS`, with zero clients where the
        selection has none.

    Raises
    ------
    ValueError
        If a needed column is missing.
    """
    missing = [column for column in ("y", "segment", "split") if column not in clients.columns]
    if missing:
        raise ValueError(f"the clients table lacks the column(s) {missing}; expected y, segment and split")
    subscribed = (clients["y"] == SUBSCRIBED).to_numpy()
    segment = clients["segment"].to_numpy().astype(np.intp)
    split = clients["split"].astype(object).to_numpy()
    # numpy's datetime64: pandas' min and max over a masked Series cost ten times as much.
    dates = (clients["contact_date"].to_numpy() if "contact_date" in clients.columns
             else np.full(len(clients), np.datetime64("NaT")))
    counts, months = [], {}
    for key in ("train", "test"):
        in_split = split == key
        # One count per segment with np.bincount: the Data page recounts on every change of its filter.
        size = int(segment[in_split].max()) + 1 if in_split.any() else 0
        clients_in = np.bincount(segment[in_split], minlength=size)
        subscribed_in = np.bincount(segment[in_split], weights=subscribed[in_split], minlength=size)
        counts += [(number, key, int(clients_in[number]), int(subscribed_in[number]))
                   for number in np.flatnonzero(clients_in)]
        months[key] = _months(dates[in_split])
    months["all"] = _months(dates)
    table = pd.DataFrame(counts, columns=list(COUNT_COLUMNS))
    return rates_from_counts(table, months, selection, names, segment_numbers)


#: The columns of the table :func:`rates_from_counts` takes: clients and subscriptions per segment and split.
COUNT_COLUMNS = ("segment", "split", "clients", "subscribed")


def rates_from_counts(counts: pd.DataFrame, months: dict[str, tuple[str, str]], selection: str = PERIODS["all"],
                      names: dict[str, str] = PERIODS,
                      segment_numbers: tuple[int, ...] | None = None) -> SubscriptionRates:
    """:func:`subscription_rates` from counts already made (by a query, or from the rows).

    Parameters
    ----------
    counts : DataFrame
        :data:`COUNT_COLUMNS`: one row per (segment, split) holding clients; ``split`` is ``train`` or ``test``.
    months : dict
        Per population (``all``, ``train``, ``test``): its first and last contact month, as :func:`_months`
        says them (``'May 2008'``, or ``'-'``).
    selection, names, segment_numbers
        As for :func:`subscription_rates`.
    """
    base_names, names = dict(names), period_names(selection, names)
    numbers = tuple(int(n) for n in (sorted(counts["segment"].unique()) if segment_numbers is None
                                     else segment_numbers))
    totals = {(int(row.segment), row.split): (int(row.clients), int(row.subscribed))
              for row in counts.itertuples(index=False)}

    def rate(key: str, number: int | None) -> Rate:
        splits = ("train", "test") if key == "all" else (key,)
        chosen = [totals[(s, split)] for (s, split) in totals if split in splits and number in (None, s)]
        return Rate(names[key], sum(c for c, _ in chosen), sum(y for _, y in chosen))

    overall = {key: rate(key, None) for key in PERIODS}
    by_segment = {number: {key: rate(key, number) for key in PERIODS} for number in numbers}
    periods = {key: Period(key, names[key], overall[key].clients, *months[key]) for key in PERIODS}
    return SubscriptionRates(overall, by_segment, periods, base_names)


def queried_rates(queries, where: str = "", parameters: tuple = (), selection: str = PERIODS["all"],
                  names: dict[str, str] = PERIODS, segment_numbers: tuple[int, ...] | None = None) -> SubscriptionRates:
    """:func:`subscription_rates` of the clients a query selects, counted by SQL (one query, a few rows back).

    Parameters
    ----------
    queries : dashapp.artifacts.client_queries.ClientQueries
    where, parameters : str, tuple
        A ``WHERE`` clause over the clients (``""`` for every client) and its parameters.
    selection, names, segment_numbers
        As for :func:`subscription_rates`.
    """
    counts = queries.frame(f"SELECT segment, split::VARCHAR AS split, count(*) AS clients, "
                           f"count_if(y = '{SUBSCRIBED}') AS subscribed, min(contact_date) AS first, "
                           f"max(contact_date) AS last FROM clients {where} GROUP BY segment, split", parameters)
    months = {key: _months(counts.loc[counts["split"] == key, ["first", "last"]].to_numpy("datetime64[ns]").ravel())
              for key in ("train", "test")}
    months["all"] = _months(counts[["first", "last"]].to_numpy("datetime64[ns]").ravel())
    return rates_from_counts(counts[list(COUNT_COLUMNS)], months, selection, names, segment_numbers)


#: How many times one period's rate must be the other's for the explanation to say "far more".
FAR_MORE = 2.0


def split_explanation(rates: SubscriptionRates) -> str:
    """Which clients each population of ``rates`` holds, in one sentence an analyst reads under a table.

    In time order: the calls and months of each period, and "Far more of the later clients subscribed" when the
    test period's rate is at least :data:`FAR_MORE` times the training period's (the UCI file: 24.6% and 5.6%);
    after a random split: how many clients each part holds, and that they were drawn at random.
    """
    train, test = rates.periods["train"], rates.periods["test"]
    if not rates.time_ordered:
        sentence = ngettext("The {train} are a random {train_clients} of the clients, on which the segments were "
                            "found; the {test} the other {test_clients}.",
                            "The {train} are a random {train_clients} of the clients, on which the segments were "
                            "found; the {test} the other {test_clients}.", train.clients).format(
            train=population_label(train.name), test=population_label(test.name),
            train_clients=i18n.number(train.clients), test_clients=i18n.number(test.clients))
        return sentence[:1].upper() + sentence[1:]  # a population's name may start it

    def months(period: Period) -> str:
        return (" " + _("({first} to {last})").format(first=month_label(period.first_month),
                                                      last=month_label(period.last_month))
                if period.first_month != "-" else "")

    sentence = ngettext("The training period is the first {train_calls} call{train_months}, on which the segments "
                        "were found; the test period the other {test_calls}{test_months}.",
                        "The training period is the first {train_calls} calls{train_months}, on which the segments "
                        "were found; the test period the other {test_calls}{test_months}.", train.clients).format(
        train_calls=i18n.number(train.clients), train_months=months(train), test_calls=i18n.number(test.clients),
        test_months=months(test))
    train_rate, test_rate = rates.of("train").value, rates.of("test").value
    if test_rate >= FAR_MORE * train_rate > 0:
        sentence += " " + _("Far more of the later clients subscribed.")
    elif train_rate >= FAR_MORE * test_rate > 0:
        sentence += " " + _("Far fewer of the later clients subscribed.")
    return sentence


@functools.lru_cache(maxsize=2)
def store_rates(store) -> SubscriptionRates:
    """:func:`subscription_rates` of every client of an artifact store, counted once per process by a query, its
    populations named as its split was made (:func:`population_names`)."""
    return queried_rates(client_queries(store), names=population_names(store.provenance),
                         segment_numbers=store.segment_numbers)


def rate_of(clients: pd.DataFrame, population: str) -> Rate:
    """The subscription rate of any selection of clients, under the name given (e.g. :data:`FILTERED`)."""
    return _counts((clients["y"] == SUBSCRIBED).to_numpy(), population)
