"""What the Campaign response page shows: do the segments tell a likely subscriber from an unlikely one, and what
does?

Plain data from ``response.json`` (:mod:`dashapp.analysis.response`, and its ``calendar`` section from
:mod:`dashapp.analysis.calendar_response`): the answer per population in sentences, the rates by segment with their
intervals, the levers the data supports, the calendar's own story, and segment x driver cells. No Dash, no plotly;
the charts are drawn by :mod:`dashapp.figures.response`.

When do the segments "differ"? The UCI file's monthly rate went from about 5% in 2008 to about 50% in 2010, and
the segments were not called evenly over those months, so a pooled chi-square test finds differences that are the
calendar's. The answer follows the test **held to the calendar month** (a likelihood-ratio test of month + segment
against month, :func:`dashapp.analysis.calendar_response.month_adjusted_test`):

- "differ": the segments differ within the calendar month (``p <`` :data:`SIGNIFICANCE`);
- "differ only as the calendar does": the pooled rates differ, but not within the month;
- "do not differ": not even the pooled rates.

Where the months are not known (a source without dates) only the pooled test can be made, and the answer says
so. Cramér's V is not a rule for targeting (it depends on the base rate and on the groups' sizes): a group is
judged by its lift, the clients it reaches and what its calls cost (the Targeting page's profit view).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from babel import numbers

from dashapp.artifacts.provenance import DataProvenance
from dashapp.core import catalogue, i18n
from dashapp.core.i18n import N_, _, ngettext, pgettext
from dashapp.views import url_state
from dashapp.views.rates import RANDOM_SPLIT_POPULATIONS, month_label, population_label, population_names

SIGNIFICANCE = 0.05
#: The chi-square approximation needs expected counts of about 5 or more in every cell.
MIN_EXPECTED = 5

DIFFER, CALENDAR_ONLY, DO_NOT_DIFFER, UNTESTED = "differ", "differ only as the calendar does", "do not differ", \
    "untested"
#: What a sentence says of segments with each verdict ("they differ"), and the comparison table's cell.
VERDICT_WORDS: dict[str, str] = {DIFFER: N_("differ"), CALENDAR_ONLY: N_("differ only as the calendar does"),
                                 DO_NOT_DIFFER: N_("do not differ"), UNTESTED: N_("cannot be compared")}

#: The drivers compared with the segments, by key of ``response.json``, with how the page names them.
DRIVER_NAMES: dict[str, str] = {
    "period": N_("Period (training or test)"), "month": N_("Month of the call (the years pooled)"),
    "contact": N_("Contact channel"),
    "poutcome": N_("Outcome of the previous campaign"), "campaign": N_("Calls in this campaign"),
}
#: The split's driver when the split was random: two groups of clients drawn by chance, not two periods.
RANDOM_SPLIT_DRIVER_NAME = N_("Training or test clients")
QUESTION = N_("Do the segments tell a likely subscriber from an unlikely one?")
#: The populations the page opens on, in the order its answer reads.
ANSWER_POPULATIONS: tuple[str, ...] = ("train", "test")


@dataclass(frozen=True)
class Verdict:
    """What a test says about a grouping: one of :data:`DIFFER`, :data:`CALENDAR_ONLY`, :data:`DO_NOT_DIFFER`,
    :data:`UNTESTED`, and the evidence in short ("pooled over the months p = 8e-7; within the calendar month
    p = 0.80")."""

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




def _adjusted(response: dict, population: str, grouping: str) -> dict | None:
    """The calendar section's comparison of a grouping in a population (None without dates or for a driver that
    is the calendar itself)."""
    calendar = response.get("calendar")
    if not calendar or population not in calendar["populations"]:
        return None
    return calendar["populations"][population]["groupings"].get(grouping)


def verdict(test: dict | None, adjusted: dict | None = None) -> Verdict:
    """The rule of this module's docstring: a pooled test (:func:`dashapp.analysis.response.independence_test`)
    and, when the months are known, the test held to them (``adjusted``, the ``test`` of
    :func:`dashapp.analysis.calendar_response.group_comparison`)."""
    if test is None:
        return Verdict(UNTESTED, _("nothing to compare"))
    evidence = _("p = {p}").format(p=format_p(test["p_value"]))
    if test["min_expected"] < MIN_EXPECTED:
        evidence += _(", approximate: fewer than {count} clients expected in some cells").format(
            count=i18n.number(MIN_EXPECTED))
    if adjusted is None:
        return Verdict(DIFFER if test["p_value"] < SIGNIFICANCE else DO_NOT_DIFFER, evidence)
    evidence = _("pooled over the months {pooled}; within the calendar month p = {p}").format(
        pooled=evidence, p=format_p(adjusted["p_value"]))
    if adjusted["p_value"] < SIGNIFICANCE:
        return Verdict(DIFFER, evidence)
    return Verdict(CALENDAR_ONLY if test["p_value"] < SIGNIFICANCE else DO_NOT_DIFFER, evidence)


def segment_verdict(response: dict, population: str) -> Verdict:
    """Whether the segments differ in a population, held to the calendar month where the months are known."""
    adjusted = _adjusted(response, population, "segment")
    return verdict(_population(response, population)["segment_test"], adjusted and adjusted["test"])


def _odds_range(adjusted: dict | None) -> str:
    """``'0.96 to 1.05'``: the lowest and highest month-adjusted odds ratio of the levels against the rest."""
    ratios = [level["adjusted"]["odds_ratio"] for level in (adjusted or {}).get("levels", [])
              if level["adjusted"] and level["adjusted"]["odds_ratio"] is not None]
    if not ratios:
        return "-"
    return _("{low} to {high}").format(low=format_lift(min(ratios)), high=format_lift(max(ratios)))


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


#: The Response page's state in its address: the population (``?clients=train``) and the driver (``&driver=job``).
STATE_PARAMETERS: tuple[str, str] = ("clients", "driver")


def state_from_query(response: dict, query: Mapping[str, object], default: tuple[str, str]) -> tuple[str, str]:
    """The page's (population, driver) from its address's query; a missing or unknown value is the default's, so
    an old or mistyped link still opens the page."""
    known = (list(response["populations"]), [option["value"] for option in driver_options(response)])
    return tuple(value if isinstance(value, str) and value in allowed else fallback
                 for value, allowed, fallback in zip((query.get(name) for name in STATE_PARAMETERS), known, default))


def state_query(population: str, driver: str, default: tuple[str, str]) -> str:
    """The query of a (population, driver): only what differs from the default, so the default view has a bare
    address (``""``, ``"?clients=train"``, ``"?clients=train&driver=job"``)."""
    return url_state.query_string({name: value for name, value, fallback
                                   in zip(STATE_PARAMETERS, (population, driver), default) if value != fallback})


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
    """The answer for one population in a sentence: the pooled rates, then whether they hold within the month.

    E.g. "In the test period segment 4 subscribes 1.15 times as often as the average client (28.1%, 95%
    interval 26.4-30.0%), segment 1 0.89 times (21.9%, 20.6-23.4%): a difference of the pooled rates (p = 8e-7),
    which the calendar explains: within the same month the segments do not differ (p = 0.80; month-adjusted odds
    ratios against the other segments 0.96 to 1.05)."
    """
    data = _population(response, population)
    start, result = where(response, population), segment_verdict(response, population)
    adjusted = _adjusted(response, population, "segment")
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
    pooled_p = format_p(data["segment_test"]["p_value"])
    if adjusted is None:
        return _("{told}: the pooled rates differ ({evidence}); without the calls' months the calendar cannot be "
                 "held fixed, and the months' rates differ far more than any grouping of clients.").format(
            told=told, evidence=result.evidence)
    values = dict(told=told, pooled=pooled_p, p=format_p(adjusted["test"]["p_value"]),
                  odds=_odds_range(adjusted))
    if result.key == CALENDAR_ONLY:
        return _("{told}: a difference of the pooled rates (p = {pooled}), which the calendar explains: within the "
                 "same month the segments do not differ (p = {p}; month-adjusted odds ratios against the other "
                 "segments {odds}). Their clients were called in months of different rates.").format(**values)
    return _("{told}; the difference holds within the calendar month (p = {p}; month-adjusted odds ratios against "
             "the other segments {odds}).").format(**values)


def headline(response: dict) -> str:
    """The answer to :data:`QUESTION` in one line, per period.

    "Yes" when they differ (held to the month) in every period of :data:`ANSWER_POPULATIONS`, "Partly" when in
    some, "No" when in none; then what each period says.
    """
    verdicts = {key: segment_verdict(response, key).key for key in ANSWER_POPULATIONS}
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


#: The levers of :data:`dashapp.analysis.calendar_response.LEVERS`: what the exposed clients are, and whom they
#: are compared with.
LEVER_NAMES: dict[str, tuple[str, str]] = {
    "previous_success": (N_("The previous campaign succeeded"), N_("of clients never called before")),
    "retired_or_student": (N_("Retired clients and students"), N_("of the other known jobs")),
    "cellular": (N_("Called on a mobile phone"), N_("on a fixed line")),
    "many_calls": (N_("The sixth call or later in this campaign"), N_("at the first call")),
}
#: The population the levers are told for: the later period, the nearest to a next campaign.
LEVER_POPULATION = "test"


def lever_sentences(response: dict, population: str = LEVER_POPULATION) -> list[str]:
    """Each lever of the data in a sentence: its rate against its comparison's, the month-adjusted rate ratio
    with its interval, and the share of the population's clients it covers. Empty without the calendar section.

    E.g. "The previous campaign succeeded: 67.0% subscribed, against 20.7% of clients never called before;
    within the same month 1.93 times as likely (95% interval 1.81-2.06); 10.7% of the clients."
    """
    calendar = response.get("calendar")
    if not calendar or population not in calendar["populations"]:
        return []
    sentences = []
    for key, effect in calendar["populations"][population]["levers"].items():
        name, comparison = LEVER_NAMES[key]
        if effect["adjusted"] is None or not effect["exposed"]["clients"]:
            continue
        adjusted = effect["adjusted"]
        sentences.append(_("{name}: {rate} subscribed, against {comparison_rate} {comparison}; within the same "
                           "month {ratio} times as likely (95% interval {interval}); {reach} of the clients.").format(
            name=_(name), rate=format_rate(effect["exposed"]["rate"]),
            comparison_rate=format_rate(effect["comparison"]["rate"]), comparison=_(comparison),
            ratio=format_lift(adjusted["rate_ratio"]),
            interval=_("{low}-{high}").format(low=format_lift(adjusted["interval"][0]),
                                              high=format_lift(adjusted["interval"][1])),
            reach=i18n.percent(effect["reach"], 1)))
    return sentences


def _month_text(month: str) -> str:
    """``'2009-05'`` -> ``'May 2009'`` in the current language."""
    year, number = month.split("-")
    return i18n.month_year(dt.date(int(year), int(number), 1), abbreviated=True)


def calendar_sentence(response: dict) -> str:
    """Why the periods differ, from the data: the market, the calls and the clients before and after the split,
    and the mix of months the later period's rate averages. Empty without the calendar or a time split."""
    calendar = response.get("calendar")
    if not calendar or not _time_ordered(response):
        return ""
    train, test = (calendar["populations"][key]["summary"] for key in ("train", "test"))
    sentence = _("Between the periods the market and the calls changed: the three-month Euribor averaged {train_e} "
                 "in the training period and {test_e} in the test period; a month's calls fell from about "
                 "{train_calls} to {test_calls} (medians); the share of clients called in an earlier campaign rose "
                 "from {train_before} to {test_before}.").format(
        train_e=i18n.percent(train["euribor3m"] / 100, 1), test_e=i18n.percent(test["euribor3m"] / 100, 1),
        train_calls=i18n.number(round(train["calls_per_month"])),
        test_calls=i18n.number(round(test["calls_per_month"])),
        train_before=i18n.percent(train["called_before"], 0), test_before=i18n.percent(test["called_before"], 0))
    if test["lowest"] and test["highest"]:
        sentence += " " + _("The test period's rate, {rate}, averages months from {low} ({low_month}) to {high} "
                            "({high_month}): its 95% interval describes sampling within this mix of months, not "
                            "the next campaign's rate.").format(
            rate=format_rate(response["populations"]["test"]["rate"]), low=format_rate(test["lowest"]["rate"]),
            low_month=_month_text(test["lowest"]["month"]), high=format_rate(test["highest"]["rate"]),
            high_month=_month_text(test["highest"]["month"]))
    return sentence


#: What the data cannot say, said on the levers' card whatever the build.
NOT_UPLIFT = N_("Response is not uplift: every client in the file was called, so no group shows what a call "
                "changes. Only a holdout (clients not called, drawn at random) would show a call's effect.")
#: :data:`NOT_UPLIFT` in a line, for the Overview.
NOT_UPLIFT_SHORT = N_("Every client was called: these are responses, not a call's effect, which only a holdout "
                      "would show.")
SEGMENTS_DESCRIBE = N_("The segments describe the clients' loans; they do not pick whom to call.")


def answer(response: dict) -> dict:
    """The page's plain answer: ``headline``, one sentence per period of :data:`ANSWER_POPULATIONS`
    (``sentences``), the levers the data supports (``levers``, :func:`lever_sentences`) and why the periods
    differ (``calendar``, :func:`calendar_sentence`)."""
    return {"headline": headline(response),
            "sentences": [segment_sentence(response, key) for key in ANSWER_POPULATIONS],
            "levers": lever_sentences(response), "calendar": calendar_sentence(response)}


#: The levers in a few words each, for the Overview's opening (:func:`whom_to_call`).
LEVER_SHORT: dict[str, str] = {
    "previous_success": N_("clients whose previous campaign succeeded subscribed {ratio} times as often as those "
                           "never called"),
    "cellular": N_("mobile phones {ratio} times as often as fixed lines"),
    "retired_or_student": N_("retired clients and students {ratio} times as often as other jobs"),
    "many_calls": N_("the sixth call or later {ratio} times as often as the first"),
}


def whom_to_call(response: dict) -> dict | None:
    """The Overview's opening: what the data supports about whom to call, read from the build.

    Returns
    -------
    dict or None
        ``levers`` (the levers in :data:`LEVER_POPULATION`, strongest first, as month-adjusted rate ratios),
        ``segments`` (whether the segments' response differs within the month in any period) and ``not_uplift``
        (:data:`NOT_UPLIFT_SHORT`); None without the calendar section (a source without dates).
    """
    calendar = response.get("calendar")
    if not calendar or LEVER_POPULATION not in calendar["populations"]:
        return None
    effects = [(key, effect["adjusted"]["rate_ratio"])
               for key, effect in calendar["populations"][LEVER_POPULATION]["levers"].items()
               if effect["adjusted"] is not None and effect["exposed"]["clients"]]
    # Strongest first, in either direction: a ratio of 0.5 says as much as one of 2.
    effects.sort(key=lambda item: -abs(math.log(item[1])))
    levers = "; ".join(_(LEVER_SHORT[key]).format(ratio=format_lift(ratio)) for key, ratio in effects)
    differ = any(segment_verdict(response, key).key == DIFFER for key in ANSWER_POPULATIONS
                 if key in response["populations"])
    segments = (_("The segments describe loans; within the same month their response differs in some period, by "
                  "less than these levers (see the Response page).") if differ else
                _("The segments describe loans and do not pick whom to call: within the same month their "
                  "response does not differ."))
    return {"levers": _("{period}, within the same month: {levers}.").format(
                period=where(response, LEVER_POPULATION), levers=levers),
            "segments": segments, "not_uplift": _(NOT_UPLIFT_SHORT)}


def segment_table(response: dict, population: str) -> dict:
    """Rates by segment in a population, as a table: ``columns`` and ``rows`` (lists of cell texts), the last
    row the population's base rate; plus ``sentence`` (:func:`segment_sentence`)."""
    data = _population(response, population)
    adjusted = _adjusted(response, population, "segment")
    odds = {int(level["level"]): level["adjusted"] for level in (adjusted or {}).get("levels", [])}
    rows = [[_("Segment {number}").format(number=row["segment"]), i18n.number(row["clients"]),
             i18n.number(row["subscribers"]), format_rate(row["rate"]), format_interval(row["interval"]),
             format_lift(row["lift"]), _odds_cell(odds.get(row["segment"])),
             _("few clients") if row["few_clients"] else ""] for row in data["segments"]]
    rows.append([_("All segments"), i18n.number(data["clients"]), i18n.number(data["subscribers"]),
                 format_rate(data["rate"]), format_interval(data["interval"]), format_lift(1.0), "", ""])
    columns = ["", _("Clients"), pgettext("a count of clients", "Subscribed"), _("Rate"), _("95% interval"),
               _("Lift"), _("Odds ratio within the month"), ""]
    return {"columns": columns, "rows": rows, "sentence": segment_sentence(response, population)}


def _odds_cell(odds: dict | None) -> str:
    """``'1.05 (0.94-1.17)'``: a month-adjusted odds ratio with its 95% interval; '-' without one."""
    if not odds or odds["odds_ratio"] is None:
        return "-"
    if odds["interval"] is None:
        return format_lift(odds["odds_ratio"])
    return _("{ratio} ({low}-{high})").format(ratio=format_lift(odds["odds_ratio"]),
                                             low=format_lift(odds["interval"][0]),
                                             high=format_lift(odds["interval"][1]))


#: The groupings the comparison table lists, by key of ``response.json`` (``segment`` and ``job`` from the
#: calendar section, the rest from the population's driver tests).
COMPARED: tuple[str, ...] = ("segment", "job", "contact", "poutcome", "campaign", "month", "period")


def comparison_table(response: dict, population: str) -> dict:
    """What splits response in a population: each grouping's pooled test and its test within the calendar
    month (none for the month and the period, which are the calendar), with the verdict. ``columns`` and
    ``rows`` (lists of cell texts)."""
    data = _population(response, population)
    rows = []
    for key in COMPARED:
        if key == "segment":
            name, pooled = _("Segment"), data["segment_test"]
        elif key == "job":
            if _adjusted(response, population, "job") is None:
                continue
            name, pooled = catalogue.column_label("job"), _adjusted(response, population, "job")["pooled"]
        elif key in data["driver_tests"]:
            name, pooled = driver_name(response, key), data["driver_tests"][key]
        else:
            continue
        adjusted = _adjusted(response, population, key) if key not in ("month", "period") else None
        within = adjusted["test"] if adjusted else None
        result = verdict(pooled, within)
        rows.append([name, "-" if pooled is None else format_p(pooled["p_value"]),
                     "-" if within is None else format_p(within["p_value"]),
                     _(VERDICT_WORDS[result.key]) if pooled is not None or within is not None else _("one level only")])
    return {"columns": [_("What splits response"), _("p pooled"), _("p within the month"), _("Its groups' rates")],
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
    _population(response, population)
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
    """Where the segments' rates differ within a driver's groups, in a sentence (the pooled test within each
    group: these tables are not held to the calendar month, and the sentence says so)."""
    table = driver_cells(response, population, driver)
    differing = [level["label"] for level in table["levels"] if level["verdict"].key == DIFFER]
    start = _("{where}, by {driver}").format(where=where(response, population), driver=table["driver"].lower())
    if not differing:
        return _("{start}: within every group the segments' rates do not differ; the group, not the segment, sets "
                 "the rate.").format(start=start)
    return _("{start}: the segments' rates differ within {groups} and not within the other groups (pooled over the "
             "months of each group, not held to the calendar month).").format(start=start,
                                                                               groups=", ".join(differing))


def segment_months(response: dict) -> dict:
    """What the segment-by-month chart draws: ``labels`` (the calendar months in words), ``all`` (every client's
    rate cell per month) and ``segments`` ([{segment, cells}], one cell per month). Empty without dates."""
    calendar = response.get("calendar")
    if not calendar:
        return {"labels": [], "all": [], "segments": []}
    entries = calendar["segments_by_month"]
    numbers = [int(group["level"]) for group in entries[0]["groups"]] if entries else []
    return {"labels": [_month_text(entry["month"]) for entry in entries],
            "all": [{key: entry[key] for key in ("clients", "subscribers", "rate", "interval", "few_clients")}
                    for entry in entries],
            "segments": [{"segment": number, "cells": [entry["groups"][i] for entry in entries]}
                         for i, number in enumerate(numbers)]}


def calendar_story(response: dict) -> dict:
    """What the calendar chart draws: ``labels`` and, per month, ``clients``, ``rate``, ``euribor3m`` and
    ``called_before``. Empty without dates."""
    calendar = response.get("calendar")
    months = calendar["months"] if calendar else []
    return {"labels": [_month_text(entry["month"]) for entry in months],
            **{key: [entry[key] for entry in months] for key in ("clients", "rate", "euribor3m", "called_before")}}
