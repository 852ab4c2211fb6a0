"""What the Campaign response page shows: do the segments tell a likely subscriber from an unlikely one?

Plain data from ``response.json`` (:mod:`dashapp.analysis.response`): the answer per population in sentences, the
rates by segment with their intervals, what else splits response, and segment x driver cells. No Dash, no
plotly; the charts are drawn by :mod:`dashapp.figures.response`.

When do the segments "differ"? Two conditions, both needed:

- **the test**: the chi-square test of independence of segment and outcome rejects at 5% (``p <``
  :data:`SIGNIFICANCE`). It says whether a difference is there at all; on 12,000 clients it finds differences
  far too small to act on, so it cannot be the whole rule;
- **the effect size**: Cramér's V is at least :data:`MEANINGFUL_V` = 0.10, Cohen's conventional "small"
  effect for a table with two outcome columns (where V is Cohen's w). Below it the grouping explains under 1%
  of the outcome's variation (V² is the share, as R² is for a regression), which is not worth steering a
  campaign's budget by; the month (V 0.23 in the training period) and the previous outcome clear it.

So there are three answers: "differ" (both), "differ only slightly" (the test, not the effect: real but too
small to target by) and "do not differ" (no significant difference). A test over an expected count under 5
is said to be approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel import numbers

from dashapp.artifacts.provenance import DataProvenance
from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _, ngettext, pgettext
from dashapp.views.rates import RANDOM_SPLIT_POPULATIONS, month_label, population_label, population_names

SIGNIFICANCE = 0.05
MEANINGFUL_V = 0.10
#: The chi-square approximation needs expected counts of about 5 or more in every cell.
MIN_EXPECTED = 5

DIFFER, DIFFER_SLIGHTLY, DO_NOT_DIFFER, UNTESTED = "differ", "differ only slightly", "do not differ", "untested"
#: What a sentence says of segments with each verdict ("they differ"), and the comparison table's cell.
VERDICT_WORDS: dict[str, str] = {DIFFER: N_("differ"), DIFFER_SLIGHTLY: N_("differ only slightly"),
                                 DO_NOT_DIFFER: N_("do not differ"), UNTESTED: N_("cannot be compared")}

#: The drivers compared with the segments, by key of ``response.json``, with how the page names them.
DRIVER_NAMES: dict[str, str] = {
    "period": N_("Period (training or test)"), "month": N_("Month of the call"), "contact": N_("Contact channel"),
    "poutcome": N_("Outcome of the previous campaign"), "campaign": N_("Calls in this campaign"),
}
#: The split's driver when the split was random: two groups of clients drawn by chance, not two periods.
RANDOM_SPLIT_DRIVER_NAME = N_("Training or test clients")
QUESTION = N_("Do the segments tell a likely subscriber from an unlikely one?")
#: The populations the page opens on, in the order its answer reads.
ANSWER_POPULATIONS: tuple[str, ...] = ("train", "test")


@dataclass(frozen=True)
class Verdict:
    """What a test says about a grouping: one of :data:`DIFFER`, :data:`DIFFER_SLIGHTLY`,
    :data:`DO_NOT_DIFFER`, :data:`UNTESTED`, and the evidence in short ("p = 0.19, Cramér's V 0.013")."""

    key: str
    evidence: str


def significant(value: float) -> str:
    """Two significant digits (``0.19``, ``0.013``) with the current language's decimal mark (``0,19``).

    Python's ``.2g`` rounds the digits, so the English text stays what it was; only the mark is the language's.
    """
    return f"{value:.2g}".replace(".", numbers.get_decimal_symbol(i18n.current_language()))


def format_p(p: float) -> str:
    """A p value as an analyst reads it: ``0.19``, ``0.031``, ``7e-7``, ``< 1e-300`` (below double precision)."""
    if p >= 0.001:
        return significant(p)
    if p == 0:
        return "< 1e-300"
    mantissa, exponent = f"{p:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def format_interval(interval: list[float] | None) -> str:
    """``'26.4-30.0%'`` (``'26,4–30,0 %'`` in Russian); ``'-'`` without one."""
    if interval is None:
        return "-"
    return _("{low}-{high}").format(low=i18n.number(100 * interval[0], 1), high=i18n.percent(interval[1], 1))


def format_rate(rate: float | None) -> str:
    return "-" if rate is None else i18n.percent(rate, 1)


def format_lift(lift: float | None) -> str:
    """A lift or a ratio of rates with two decimals (``1.15``); ``'-'`` without one."""
    return "-" if lift is None else i18n.number(lift, 2)




def verdict(test: dict | None) -> Verdict:
    """The rule of this module's docstring applied to one test of
    :func:`dashapp.analysis.response.independence_test`."""
    if test is None:
        return Verdict(UNTESTED, _("nothing to compare"))
    evidence = _("p = {p}, Cramér's V {v}").format(p=format_p(test["p_value"]), v=significant(test["cramers_v"]))
    if test["min_expected"] < MIN_EXPECTED:
        evidence += _(", approximate: few clients in some cells")
    if test["p_value"] >= SIGNIFICANCE:
        return Verdict(DO_NOT_DIFFER, evidence)
    return Verdict(DIFFER if test["cramers_v"] >= MEANINGFUL_V else DIFFER_SLIGHTLY, evidence)


def as_built(response: dict, provenance: DataProvenance) -> dict:
    """``response.json`` as the pages may show it for the data it was built from (a new dict; the artifact is
    left as it is).

    The training and test populations are named as the split was made (:func:`dashapp.views.rates.population_names`:
    periods in time order, or training and test clients of a random split). Without contact dates the
    populations lose their months and the contact years are left out; a random split is no driver of response
    (its two parts differ by chance only), so its test and tables are left out too.
    """
    names = population_names(provenance)
    populations = {}
    for key, data in response["populations"].items():
        if key in names:
            data = {**data, "name": names[key]}
        elif not provenance.period_known:
            continue  # a contact year, which needs the dates
        if not provenance.period_known:
            data = {**data, "first_month": None, "last_month": None}
        if not provenance.split_is_time_ordered:
            data = {**data, "driver_tests": {k: t for k, t in data["driver_tests"].items() if k != "period"}}
        populations[key] = data
    by_driver = {key: {driver: table for driver, table in tables.items()
                       if provenance.split_is_time_ordered or driver != "period"}
                 for key, tables in response["segment_by_driver"].items() if key in populations}
    return {**response, "populations": populations, "segment_by_driver": by_driver}


def _time_ordered(response: dict) -> bool:
    """Whether the training and test populations are periods (:func:`as_built` names them)."""
    return response["populations"]["train"]["name"] != RANDOM_SPLIT_POPULATIONS["train"]


def populations(response: dict) -> list[dict]:
    """The populations as selector options: ``[{"label": "Training period (May 2008 to Apr 2009)", "value":
    "train"}, ...]``, in the artifact's order (all, training, test, then the years); the months only when
    known."""
    def label(key: str, data: dict) -> str:
        name = population_name(response, key)
        name = f"{name[0].upper()}{name[1:]}"
        if not data.get("first_month") or data["first_month"] == "-":
            return name
        return _("{population} ({first} to {last})").format(population=name, first=month_label(data["first_month"]),
                                                            last=month_label(data["last_month"]))

    return [{"label": label(key, data), "value": key} for key, data in response["populations"].items()]


def population_name(response: dict, population: str) -> str:
    """A population's name in the current language: ``'training period'``, ``'calls in 2009'``."""
    name = _population(response, population)["name"]
    if population.isdigit():  # a contact year, which response.json names in English
        return _("calls in {year}").format(year=population)
    return population_label(name)


def driver_name(response: dict, driver: str) -> str:
    """How the page names a driver: :data:`DRIVER_NAMES`, the split named as it was made."""
    if driver == "period" and not _time_ordered(response):
        return _(RANDOM_SPLIT_DRIVER_NAME)
    return _(DRIVER_NAMES[driver])


def driver_options(response: dict) -> list[dict]:
    """The segment x driver tables' drivers as selector options, in the artifact's order."""
    drivers = next(iter(response["segment_by_driver"].values()))
    return [{"label": driver_name(response, key), "value": key} for key in drivers]


def level_label(driver: str, level: str) -> str:
    """A driver level in words: ``('month', 'may') -> 'May'``, ``('campaign', '4-5') -> '4-5 calls'``."""
    if driver == "campaign":
        # "4-5" and "6+" take the form of their last number (4-5 звонков).
        last = int("".join(character for character in level.split("-")[-1] if character.isdigit()))
        return ngettext("{calls} call", "{calls} calls", last).format(calls=level)
    if driver == "period":
        return catalogue.category_label("split", level)
    return catalogue.category_label(driver, level)


def _population(response: dict, population: str) -> dict:
    if population not in response["populations"]:
        raise KeyError(f"population={population!r} is not one of {list(response['populations'])}")
    return response["populations"][population]


def where(response: dict, population: str) -> str:
    """How a sentence starts for a population: "In the test period", "Over all clients", "Among the calls in
    2009"."""
    _population(response, population)
    if population == "all":
        return _("Over all clients")
    if population in ("train", "test"):
        if _time_ordered(response):
            return _("In the training period") if population == "train" else _("In the test period")
        return _("Among the training clients") if population == "train" else _("Among the test clients")
    return _("Among the calls in {year}").format(year=population)


def segment_sentence(response: dict, population: str) -> str:
    """The answer for one population in a sentence, the rates, the test and its verdict in it.

    E.g. "In the test period segment 4 subscribes 1.15 times as often as the average client (28.1%, 95%
    interval 26.4-30.0%), segment 1 0.89 times (21.9%, 20.6-23.4%): a real difference, but a small one (p =
    8e-7, Cramér's V 0.05; a campaign needs 0.10)."
    """
    data = _population(response, population)
    start, result = where(response, population), verdict(data["segment_test"])
    rows = [row for row in data["segments"] if row["rate"] is not None and row["lift"] is not None]
    base = ngettext("{rate} of its {clients} client subscribed", "{rate} of its {clients} clients subscribed",
                    data["clients"]).format(rate=format_rate(data["rate"]), clients=i18n.number(data["clients"]))
    if result.key == UNTESTED or len(rows) < 2:
        return _("{start} there is nothing to compare ({base}).").format(start=start, base=base)
    if result.key == DO_NOT_DIFFER:
        low, high = min(r["rate"] for r in rows), max(r["rate"] for r in rows)
        return _("{start} the segments do not differ ({evidence}): {low} to {high} subscribed, against {rate} of "
                 "all its clients.").format(start=start, evidence=result.evidence, low=format_rate(low),
                                            high=format_rate(high), rate=format_rate(data["rate"]))
    best = max(rows, key=lambda row: (row["lift"], -row["segment"]))
    worst = min(rows, key=lambda row: (row["lift"], row["segment"]))
    told = _("{start} segment {best} subscribes {best_lift} times as often as the average client ({best_rate}, "
             "95% interval {best_interval}), segment {worst} {worst_lift} times ({worst_rate}, "
             "{worst_interval})").format(
        start=start, best=best["segment"], best_lift=format_lift(best["lift"]), best_rate=format_rate(best["rate"]),
        best_interval=format_interval(best["interval"]), worst=worst["segment"],
        worst_lift=format_lift(worst["lift"]), worst_rate=format_rate(worst["rate"]),
        worst_interval=format_interval(worst["interval"]))
    if result.key == DIFFER:
        return _("{told}: the segments differ ({evidence}).").format(told=told, evidence=result.evidence)
    return _("{told}: a real difference, but a small one ({evidence}; worth a campaign's attention from "
             "{threshold}).").format(told=told, evidence=result.evidence, threshold=i18n.number(MEANINGFUL_V, 2))


def _strongest_driver(data: dict) -> tuple[str, dict] | None:
    tested = [(key, test) for key, test in data["driver_tests"].items() if test is not None]
    return max(tested, key=lambda item: (item[1]["cramers_v"], item[0])) if tested else None


def headline(response: dict) -> str:
    """The answer to :data:`QUESTION` in one line, per period.

    "Yes" when they differ in every period of :data:`ANSWER_POPULATIONS`, "Partly" when in some, "No" when in
    none; then what each period says.
    """
    verdicts = {key: verdict(_population(response, key)["segment_test"]).key for key in ANSWER_POPULATIONS}
    word = (_("Yes") if all(v == DIFFER for v in verdicts.values())
            else _("Partly") if any(v == DIFFER for v in verdicts.values()) else _("No"))
    said = "; ".join(_("{where} they {verdict}").format(where=_lowered(where(response, key)),
                                                        verdict=_(VERDICT_WORDS[v]))
                     for key, v in verdicts.items())
    if len(set(verdicts.values())) == 1 and len(verdicts) > 1:  # one verdict for every period: say it once
        verdict_key = next(iter(verdicts.values()))
        every = _("in every period") if _time_ordered(response) else _("in both groups")
        said = _("{where} they {verdict}").format(where=every, verdict=_(VERDICT_WORDS[verdict_key]))
    return f"{word}. {said[0].upper()}{said[1:]}."


def _lowered(start: str) -> str:
    """A sentence's start ("In the test period") inside a sentence: its first letter lower-cased."""
    return start[:1].lower() + start[1:]


def driver_sentence(response: dict, population: str = "all", driver: str | None = None) -> str:
    """How a driver splits response against the segments in a population, in a sentence; by default the
    population's strongest driver. Empty when either cannot be tested there."""
    data = _population(response, population)
    strongest, segments = _strongest_driver(data), data["segment_test"]
    if driver is not None:
        strongest = (driver, data["driver_tests"][driver]) if data["driver_tests"][driver] else None
    if strongest is None or segments is None:
        return ""
    key, test = strongest
    start, name = where(response, population), driver_name(response, key).lower()
    values = dict(start=start, driver=name, driver_v=significant(test["cramers_v"]),
                  segments_v=significant(segments["cramers_v"]))
    if test["cramers_v"] <= segments["cramers_v"]:
        sentence = _("{start} the {driver} splits response no more than the segments (Cramér's V {driver_v} "
                     "against {segments_v})").format(**values)
    else:
        sentence = _("{start} the {driver} splits response {times} as strongly as the segments (Cramér's V "
                     "{driver_v} against {segments_v})").format(
            times=_times(test["cramers_v"], segments["cramers_v"]), **values)
    if key == "period":
        train, test_period = response["populations"]["train"], response["populations"]["test"]
        sentence += _(": {train} subscribed in the training period, {test} in the test period").format(
            train=format_rate(train["rate"]), test=format_rate(test_period["rate"]))
    return sentence + "."


def _times(value: float, reference: float) -> str:
    if reference <= 0 or not math.isfinite(value / reference):
        return _("far more")
    ratio = value / reference
    if ratio >= 2:
        return ngettext("{times} time", "{times} times", round(ratio)).format(times=i18n.number(ratio))
    # A ratio with a decimal takes one form in Russian (в 1,5 раза).
    return pgettext("a ratio with a decimal", "{times} times").format(times=i18n.number(ratio, 1))


def answer(response: dict) -> dict:
    """The page's plain answer: ``headline``, one sentence per period of :data:`ANSWER_POPULATIONS`
    (``sentences``), and what splits response more (``drivers``: the period over all clients, then each
    period's strongest driver)."""
    drivers = [driver_sentence(response, "all", "period")] if "period" in response["populations"]["all"][
        "driver_tests"] else []
    drivers += [driver_sentence(response, key) for key in ANSWER_POPULATIONS]
    return {"headline": headline(response),
            "sentences": [segment_sentence(response, key) for key in ANSWER_POPULATIONS],
            "drivers": [sentence for sentence in drivers if sentence]}


def segment_table(response: dict, population: str) -> dict:
    """Rates by segment in a population, as a table: ``columns`` and ``rows`` (lists of cell texts), the last
    row the population's base rate; plus ``sentence`` (:func:`segment_sentence`)."""
    data = _population(response, population)
    rows = [[_("Segment {number}").format(number=row["segment"]), i18n.number(row["clients"]),
             i18n.number(row["subscribers"]), format_rate(row["rate"]), format_interval(row["interval"]),
             format_lift(row["lift"]), _("few clients") if row["few_clients"] else ""] for row in data["segments"]]
    rows.append([_("All segments"), i18n.number(data["clients"]), i18n.number(data["subscribers"]),
                 format_rate(data["rate"]), format_interval(data["interval"]), format_lift(1.0), ""])
    columns = ["", _("Clients"), pgettext("a count of clients", "Subscribed"), _("Rate"), _("95% interval"),
               _("Lift"), ""]
    return {"columns": columns, "rows": rows, "sentence": segment_sentence(response, population)}


def comparison_table(response: dict, population: str) -> dict:
    """What splits response in a population, strongest first: the segments beside each driver, with the
    test, the effect size and the verdict. ``columns`` and ``rows`` (lists of cell texts)."""
    data = _population(response, population)
    # Sorted by the English names, so that ties keep one order in every language.
    tests = [("Segment", _("Segment"), data["segment_test"])]
    tests += [(DRIVER_NAMES[key], driver_name(response, key), test) for key, test in data["driver_tests"].items()]
    tests.sort(key=lambda item: (-(item[2]["cramers_v"] if item[2] else -1.0), item[0]))
    rows = [[name, "-" if test is None else i18n.number(test["cramers_v"], 3),
             "-" if test is None else format_p(test["p_value"]),
             _(VERDICT_WORDS[verdict(test).key]) if test is not None else _("one level only")]
            for _key, name, test in tests]
    return {"columns": [_("What splits response"), _("Cramér's V"), _("p value"), _("Its groups' rates")],
            "rows": rows}


def segment_rates(response: dict, population: str) -> dict:
    """What the rate-by-segment chart draws: ``population`` (its name), ``base`` (rate and interval) and
    ``segments`` (each with ``segment``, ``clients``, ``subscribers``, ``rate``, ``interval``, ``lift``,
    ``few_clients``; segments without clients left out)."""
    data = _population(response, population)
    return {"population": population_name(response, population),
            "base": {"rate": data["rate"], "interval": data["interval"]},
            "segments": [row for row in data["segments"] if row["clients"]]}


def driver_cells(response: dict, population: str, driver: str) -> dict:
    """What the segment x driver chart draws for one population and driver.

    Returns
    -------
    dict
        ``population`` and ``driver`` (names), ``levels`` ([{level, label, clients, subscribers, rate, interval,
        few_clients, verdict}]
        in the artifact's order; ``verdict`` says whether the segments differ among that level's clients) and
        ``cells`` ([{segment, level, label, clients, subscribers, rate, interval, few_clients}] for every
        segment and level with clients).
    """
    data = _population(response, population)
    by_driver = response["segment_by_driver"].get(population)
    if by_driver is None or driver not in by_driver:
        raise KeyError(f"no segment x {driver!r} table for population={population!r}")
    levels, cells = [], []
    for entry in by_driver[driver]:
        label = level_label(driver, entry["level"])
        levels.append({"level": entry["level"], "label": label, "clients": entry["clients"],
                       "subscribers": entry["subscribers"], "rate": entry["rate"], "interval": entry["interval"],
                       "few_clients": entry["few_clients"], "verdict": verdict(entry["segment_test"])})
        cells += [{**cell, "level": entry["level"], "label": label} for cell in entry["segments"] if cell["clients"]]
    return {"population": population_name(response, population), "driver": driver_name(response, driver),
            "levels": levels, "cells": cells}


def driver_sentence_within(response: dict, population: str, driver: str) -> str:
    """Where the segments matter within a driver: the levels among whose clients they differ, in a sentence."""
    table = driver_cells(response, population, driver)
    differing = [level["label"] for level in table["levels"] if level["verdict"].key == DIFFER]
    slight = [level["label"] for level in table["levels"] if level["verdict"].key == DIFFER_SLIGHTLY]
    start = _("{where}, by {driver}").format(where=where(response, population), driver=table["driver"].lower())
    if not differing and not slight:
        return _("{start}: within every group the segments do not differ; the group, not the segment, sets the "
                 "rate.").format(start=start)
    parts = []
    if differing:
        parts.append(_("the segments differ within {groups}").format(groups=", ".join(differing)))
    if slight:
        parts.append((_("only slightly within {groups}") if differing
                      else _("the segments differ only slightly within {groups}")).format(groups=", ".join(slight)))
    return _("{start}: {parts}; within the other groups they do not differ.").format(start=start,
                                                                                     parts="; ".join(parts))
