"""What the Campaign response page shows: do the segments tell a likely subscriber from an unlikely one?

Plain data from ``response.json`` (:mod:`dashapp.response`): the answer per population in sentences, the
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

from dashapp import catalogue
from dashapp.provenance import DataProvenance
from dashapp.views.rates import RANDOM_SPLIT_POPULATIONS, population_names

SIGNIFICANCE = 0.05
MEANINGFUL_V = 0.10
#: The chi-square approximation needs expected counts of about 5 or more in every cell.
MIN_EXPECTED = 5

DIFFER, DIFFER_SLIGHTLY, DO_NOT_DIFFER, UNTESTED = "differ", "differ only slightly", "do not differ", "untested"

#: The drivers compared with the segments, by key of ``response.json``, with how the page names them.
DRIVER_NAMES: dict[str, str] = {
    "period": "Period (training or test)", "month": "Month of the call", "contact": "Contact channel",
    "poutcome": "Outcome of the previous campaign", "campaign": "Calls in this campaign",
}
#: The split's driver when the split was random: two groups of clients drawn by chance, not two periods.
RANDOM_SPLIT_DRIVER_NAME = "Training or test clients"
QUESTION = "Do the segments tell a likely subscriber from an unlikely one?"
#: The populations the page opens on, in the order its answer reads.
ANSWER_POPULATIONS: tuple[str, ...] = ("train", "test")


@dataclass(frozen=True)
class Verdict:
    """What a test says about a grouping: one of :data:`DIFFER`, :data:`DIFFER_SLIGHTLY`,
    :data:`DO_NOT_DIFFER`, :data:`UNTESTED`, and the evidence in short ("p = 0.19, Cramér's V 0.013")."""

    key: str
    evidence: str


def format_p(p: float) -> str:
    """A p value as an analyst reads it: ``0.19``, ``0.031``, ``7e-7``, ``< 1e-300`` (below double precision)."""
    if p >= 0.001:
        return f"{p:.2g}"
    if p == 0:
        return "< 1e-300"
    mantissa, exponent = f"{p:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def format_interval(interval: list[float] | None) -> str:
    """``'26.4-30.0%'``; ``'-'`` without one."""
    return "-" if interval is None else f"{100 * interval[0]:.1f}-{100 * interval[1]:.1f}%"


def format_rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def verdict(test: dict | None) -> Verdict:
    """The rule of this module's docstring applied to one test of :func:`dashapp.response.independence_test`."""
    if test is None:
        return Verdict(UNTESTED, "nothing to compare")
    evidence = f"p = {format_p(test['p_value'])}, Cramér's V {test['cramers_v']:.2g}"
    if test["min_expected"] < MIN_EXPECTED:
        evidence += ", approximate: few clients in some cells"
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
    def label(data: dict) -> str:
        name = f"{data['name'][0].upper()}{data['name'][1:]}"
        if not data.get("first_month") or data["first_month"] == "-":
            return name
        return f"{name} ({data['first_month']} to {data['last_month']})"

    return [{"label": label(data), "value": key} for key, data in response["populations"].items()]


def driver_name(response: dict, driver: str) -> str:
    """How the page names a driver: :data:`DRIVER_NAMES`, the split named as it was made."""
    if driver == "period" and not _time_ordered(response):
        return RANDOM_SPLIT_DRIVER_NAME
    return DRIVER_NAMES[driver]


def driver_options(response: dict) -> list[dict]:
    """The segment x driver tables' drivers as selector options, in the artifact's order."""
    drivers = next(iter(response["segment_by_driver"].values()))
    return [{"label": driver_name(response, key), "value": key} for key in drivers]


def level_label(driver: str, level: str) -> str:
    """A driver level in words: ``('month', 'may') -> 'May'``, ``('campaign', '4-5') -> '4-5 calls'``."""
    if driver == "campaign":
        return f"{level} call" + ("" if level == "1" else "s")
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
    name = _population(response, population)["name"]
    if population == "all":
        return f"Over {name}"
    in_period = population in ("train", "test") and _time_ordered(response)
    return f"In the {name}" if in_period else f"Among the {name}"


def segment_sentence(response: dict, population: str) -> str:
    """The answer for one population in a sentence, the rates, the test and its verdict in it.

    E.g. "In the test period segment 4 subscribes 1.15 times as often as the average client (28.1%, 95%
    interval 26.4-30.0%), segment 1 0.89 times (21.9%, 20.6-23.4%): a real difference, but a small one (p =
    7e-7, Cramér's V 0.05; a campaign needs 0.10)."
    """
    data = _population(response, population)
    start, result = where(response, population), verdict(data["segment_test"])
    rows = [row for row in data["segments"] if row["rate"] is not None and row["lift"] is not None]
    base = f"{format_rate(data['rate'])} of its {data['clients']:,} clients subscribed"
    if result.key == UNTESTED or len(rows) < 2:
        return f"{start} there is nothing to compare ({base})."
    if result.key == DO_NOT_DIFFER:
        low, high = min(r["rate"] for r in rows), max(r["rate"] for r in rows)
        return (f"{start} the segments do not differ ({result.evidence}): {format_rate(low)} to "
                f"{format_rate(high)} subscribed, against {format_rate(data['rate'])} of all its clients.")
    best = max(rows, key=lambda row: (row["lift"], -row["segment"]))
    worst = min(rows, key=lambda row: (row["lift"], row["segment"]))
    told = (f"{start} segment {best['segment']} subscribes {best['lift']:.2f} times as often as the "
            f"average client ({format_rate(best['rate'])}, 95% interval {format_interval(best['interval'])}), "
            f"segment {worst['segment']} {worst['lift']:.2f} times ({format_rate(worst['rate'])}, "
            f"{format_interval(worst['interval'])})")
    if result.key == DIFFER:
        return f"{told}: the segments differ ({result.evidence})."
    return (f"{told}: a real difference, but a small one ({result.evidence}; worth a campaign's attention "
            f"from {MEANINGFUL_V:.2f}).")


def _strongest_driver(data: dict) -> tuple[str, dict] | None:
    tested = [(key, test) for key, test in data["driver_tests"].items() if test is not None]
    return max(tested, key=lambda item: (item[1]["cramers_v"], item[0])) if tested else None


def headline(response: dict) -> str:
    """The answer to :data:`QUESTION` in one line, per period.

    "Yes" when they differ in every period of :data:`ANSWER_POPULATIONS`, "Partly" when in some, "No" when in
    none; then what each period says.
    """
    verdicts = {key: verdict(_population(response, key)["segment_test"]).key for key in ANSWER_POPULATIONS}
    word = ("Yes" if all(v == DIFFER for v in verdicts.values())
            else "Partly" if any(v == DIFFER for v in verdicts.values()) else "No")
    said = "; ".join(f"{where(response, key).lower()} they {'cannot be compared' if v == UNTESTED else v}"
                     for key, v in verdicts.items())
    if len(set(verdicts.values())) == 1 and len(verdicts) > 1:  # one verdict for every period: say it once
        verdict_key = next(iter(verdicts.values()))
        every = "in every period" if _time_ordered(response) else "in both groups"
        said = f"{every} they {'cannot be compared' if verdict_key == UNTESTED else verdict_key}"
    return f"{word}. {said[0].upper()}{said[1:]}."


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
    if test["cramers_v"] <= segments["cramers_v"]:
        sentence = (f"{start} the {name} splits response no more than the segments (Cramér's V "
                    f"{test['cramers_v']:.2g} against {segments['cramers_v']:.2g})")
    else:
        sentence = (f"{start} the {name} splits response {_times(test['cramers_v'], segments['cramers_v'])} as "
                    f"strongly as the segments (Cramér's V {test['cramers_v']:.2g} against "
                    f"{segments['cramers_v']:.2g})")
    if key == "period":
        train, test_period = response["populations"]["train"], response["populations"]["test"]
        sentence += (f": {format_rate(train['rate'])} subscribed in the training period, "
                     f"{format_rate(test_period['rate'])} in the test period")
    return sentence + "."


def _times(value: float, reference: float) -> str:
    if reference <= 0 or not math.isfinite(value / reference):
        return "far more"
    return f"{value / reference:.0f} times" if value / reference >= 2 else f"{value / reference:.1f} times"


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
    rows = [[f"Segment {row['segment']}", f"{row['clients']:,}", f"{row['subscribers']:,}",
             format_rate(row["rate"]), format_interval(row["interval"]),
             "-" if row["lift"] is None else f"{row['lift']:.2f}",
             "few clients" if row["few_clients"] else ""] for row in data["segments"]]
    rows.append(["All segments", f"{data['clients']:,}", f"{data['subscribers']:,}", format_rate(data["rate"]),
                 format_interval(data["interval"]), "1.00", ""])
    return {"columns": ["", "Clients", "Subscribed", "Rate", "95% interval", "Lift", ""], "rows": rows,
            "sentence": segment_sentence(response, population)}


def comparison_table(response: dict, population: str) -> dict:
    """What splits response in a population, strongest first: the segments beside each driver, with the
    test, the effect size and the verdict. ``columns`` and ``rows`` (lists of cell texts)."""
    data = _population(response, population)
    tests = [("Segment", data["segment_test"])]
    tests += [(driver_name(response, key), test) for key, test in data["driver_tests"].items()]
    tests.sort(key=lambda item: (-(item[1]["cramers_v"] if item[1] else -1.0), item[0]))
    rows = [[name, "-" if test is None else f"{test['cramers_v']:.3f}",
             "-" if test is None else format_p(test["p_value"]),
             verdict(test).key if test is not None else "one level only"] for name, test in tests]
    return {"columns": ["What splits response", "Cramér's V", "p value", "Its groups' rates"], "rows": rows}


def segment_rates(response: dict, population: str) -> dict:
    """What the rate-by-segment chart draws: ``population`` (its name), ``base`` (rate and interval) and
    ``segments`` (each with ``segment``, ``clients``, ``subscribers``, ``rate``, ``interval``, ``lift``,
    ``few_clients``; segments without clients left out)."""
    data = _population(response, population)
    return {"population": data["name"], "base": {"rate": data["rate"], "interval": data["interval"]},
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
    return {"population": data["name"], "driver": driver_name(response, driver), "levels": levels, "cells": cells}


def driver_sentence_within(response: dict, population: str, driver: str) -> str:
    """Where the segments matter within a driver: the levels among whose clients they differ, in a sentence."""
    table = driver_cells(response, population, driver)
    differing = [level["label"] for level in table["levels"] if level["verdict"].key == DIFFER]
    slight = [level["label"] for level in table["levels"] if level["verdict"].key == DIFFER_SLIGHTLY]
    start = f"{where(response, population)}, by {table['driver'].lower()}"
    if not differing and not slight:
        return f"{start}: within every group the segments do not differ; the group, not the segment, sets the rate."
    parts = []
    if differing:
        parts.append(f"the segments differ within {', '.join(differing)}")
    if slight:
        parts.append(f"{'only slightly' if differing else 'the segments differ only slightly'} within "
                     f"{', '.join(slight)}")
    return f"{start}: {'; '.join(parts)}; within the other groups they do not differ."
