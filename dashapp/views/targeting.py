"""The Targeting benchmark page's data: who targets better, the models or the segments, from ``targeting.json``.

Every number comes from the artifact the build wrote (:func:`dashapp.analysis.propensity.targeting_benchmark`); this
module only picks, compares and words them.
"""

from __future__ import annotations

from dashapp.analysis.propensity import METHODS, MODEL_METHODS
from dashapp.core import i18n
from dashapp.core.i18n import N_, _

#: How a sentence names each method ("the 20% of test clients the gradient-boosted model ranks highest").
METHOD_PHRASES = {"boosting": N_("the gradient-boosted model"), "logistic": N_("the logistic regression"),
                  "segments": N_("the segments")}


def called_shares(targeting: dict) -> list[float]:
    """The shares of the test clients called at which the build recorded gain and lift (0.1, 0.2, 0.3)."""
    return [float(share) for share in targeting["called_shares"]]


def at_share(targeting: dict, method: str, share: float) -> dict:
    """``{"called", "reached", "lift"}`` of ``method`` when calling ``share`` of the test clients."""
    for point in targeting["methods"][method]["at"]:
        if abs(point["called"] - share) < 1e-9:
            return point
    raise ValueError(f"share={share} was not recorded; expected one of {called_shares(targeting)}")


def comparison(targeting: dict, share: float) -> dict:
    """The better model at ``share`` against the segments.

    Returns
    -------
    dict
        ``share``, ``model`` (the method key with more subscribers reached; the first in :data:`METHODS` on a
        tie), ``model_point``, ``segments_point``, ``ratio`` (model's reached over the segments'), ``winner``
        ("model", "segments" or "tie").
    """
    model = max(MODEL_METHODS, key=lambda m: (at_share(targeting, m, share)["reached"], -MODEL_METHODS.index(m)))
    model_point, segments_point = at_share(targeting, model, share), at_share(targeting, "segments", share)
    ratio = model_point["reached"] / segments_point["reached"] if segments_point["reached"] else float("inf")
    winner = "tie" if round(ratio, 2) == 1 else ("model" if ratio > 1 else "segments")
    return {"share": share, "model": model, "model_point": model_point, "segments_point": segments_point,
            "ratio": ratio, "winner": winner}


def headline(targeting: dict, share: float) -> str:
    """One sentence: the better model and the segments at ``share``, and which targets better by how much."""
    found = comparison(targeting, share)
    model, segments = found["model_point"], found["segments_point"]
    text = _("Calling the {share} of test clients {method} ranks highest reaches {model_reached} of the subscribers "
             "(lift {model_lift}); calling by segment reaches {segments_reached} (lift {segments_lift})").format(
                 share=i18n.percent(share), method=_(METHOD_PHRASES[found["model"]]),
                 model_reached=i18n.percent(model["reached"]), model_lift=i18n.number(model["lift"], 2),
                 segments_reached=i18n.percent(segments["reached"]), segments_lift=i18n.number(segments["lift"], 2))
    if found["winner"] == "tie":
        return text + _(": the two target equally well.")
    if found["winner"] == "model":
        return text + _(": ranked over the whole period at once, the model targets {times} times better.").format(
            times=i18n.number(found["ratio"], 1))
    return text + _(": ranked over the whole period at once, the segments target {times} times better.").format(
        times=i18n.number(1 / found["ratio"], 1))


def gain_table(targeting: dict) -> dict:
    """The table of every method at every recorded share: ``header`` and ``rows`` of strings."""
    shares = called_shares(targeting)
    header = [_("Method")] + [_("{share} called: subscribers reached (lift)").format(share=i18n.percent(share))
                              for share in shares]
    rows = []
    for method, name in METHODS.items():
        cells = [f"{i18n.percent(p['reached'], 1)} ({i18n.number(p['lift'], 2)})"
                 for p in (at_share(targeting, method, s) for s in shares)]
        rows.append([_(name), *cells])
    rows.append([_("Random calls"), *[f"{i18n.percent(share, 1)} ({i18n.number(1, 2)})" for share in shares]])
    return {"header": header, "rows": rows}


def quality_rows(targeting: dict) -> list[dict]:
    """Each method's test ROC AUC, average precision and number of distinct scores."""
    return [{"method": _(METHODS[m]), "roc_auc": r["roc_auc"], "average_precision": r["average_precision"],
             "distinct_scores": r["distinct_scores"]} for m, r in targeting["methods"].items()]


def context_sentences(targeting: dict, time_ordered: bool = True) -> list[str]:
    """The population, the base rates, the inputs and how ties are counted, in words; the training and test
    clients named as periods when ``time_ordered``, as the parts of a random split otherwise."""
    rates = targeting["segment_rates"]
    segments_text = ", ".join(f"{number} {i18n.percent(rate, 1)}" for number, rate in rates.items())
    excluded = ", ".join(targeting["excluded"])
    numbers = dict(train_clients=i18n.number(targeting["train_clients"]),
                   train_rate=i18n.percent(targeting["train_base_rate"], 1),
                   test_clients=i18n.number(targeting["test_clients"]), test_rate=i18n.percent(targeting["base_rate"], 1),
                   subscribers=i18n.number(targeting["test_subscribers"]))
    # Two whole sentences each, not one with the periods' names put in: the words around them differ in Russian.
    if time_ordered:
        population = _(
            "Both models learn who subscribes from the {train_clients} clients of the training period, where "
            "{train_rate} subscribed, and rank the {test_clients} clients of the test period, where {test_rate} "
            "subscribed ({subscribers}): random calls reach that share of the subscribers for each share of the "
            "clients called (lift 1).")
        ranking = _("The segments rank the test clients by their segment's training-period subscription rate "
                    "(segments {rates}).")
    else:
        population = _(
            "Both models learn who subscribes from the {train_clients} clients drawn at random for training, where "
            "{train_rate} subscribed, and rank the {test_clients} clients set aside for the test, where {test_rate} "
            "subscribed ({subscribers}): random calls reach that share of the subscribers for each share of the "
            "clients called (lift 1).")
        ranking = _("The segments rank the test clients by their segment's subscription rate among the training "
                    "clients (segments {rates}).")
    return [
        population.format(**numbers),
        ranking.format(rates=segments_text),
        _("The models' inputs: {inputs}; everything known before the call's outcome. Not used: {excluded} (the "
          "call's duration is known only after the call).").format(inputs=", ".join(targeting["inputs"]),
                                                                  excluded=excluded),
        _("Clients with the same score are called together: all clients of a segment share one score, so calling "
          "part of a segment reaches, on average, that part of its subscribers, and no figure depends on the "
          "order of tied clients."),
    ]


# --- Month by month (targeting.json's ``campaign`` section) ---------------------------------------------------

#: Every method judged month by month, in the order the page lists them (translated where shown).
CAMPAIGN_METHODS: dict[str, str] = {
    "logistic": N_("Logistic regression"),
    "boosting": N_("Gradient-boosted tree"),
    "client_only": N_("Logistic regression on the client only"),
    "rolling": N_("Logistic regression refitted monthly"),
    "rules": N_("Evidence rules"),
    "segments": N_("Segments"),
}
#: The data's own paper: Moro, Cortez and Rita (2014), "A data-driven approach to predict the success of bank
#: telemarketing", Decision Support Systems 62, 22-31: their best model (a neural network) on a rolling window of
#: the bank's later calls, AUC about 0.8 and ALIFT about 0.7 (the abstract's rounded figures).
PAPER_AUC, PAPER_ALIFT = 0.8, 0.7
#: The profit view's defaults, said on the page as assumptions: what one call costs (an agent's time and the
#: line) and what one subscription is worth to the bank (the margin on a term deposit), in euros.
DEFAULT_COST_PER_CALL, DEFAULT_VALUE_PER_SUBSCRIPTION = 5.0, 50.0


def campaign(targeting: dict) -> dict | None:
    """The ``campaign`` section, or None when the build could not judge by month (no dates, a random split)."""
    return targeting.get("campaign")


def _point(curve: list[float], share: float) -> float:
    """A stored curve's value at ``share`` (the curves are stored at every 0.5% called)."""
    return curve[int(round(share * (len(curve) - 1)))]


def campaign_headline(targeting: dict, share: float) -> str:
    """The comparison at ``share`` as a campaign runs it: each month calls that share of its clients."""
    section = campaign(targeting)
    methods = section["methods"]
    reached = {key: _point(methods[key]["stratified_curve"], share) for key in ("logistic", "client_only", "segments")}
    pooled = at_share(targeting, "logistic", share)["reached"]
    return _("Calling {share} of each month's clients, best-ranked first, reaches {logistic} of the test period's "
             "subscribers with the logistic regression (lift {logistic_lift}), {client} with a model of the client "
             "alone ({client_lift}) and {segments} by segment ({segments_lift}); random calls reach {share}. Ranked "
             "over the whole period at once the logistic regression reaches {pooled}, but no campaign can choose "
             "its months after the fact: most of that gap is the months' rates, not the clients'.").format(
        share=i18n.percent(share), logistic=i18n.percent(reached["logistic"], 1),
        logistic_lift=i18n.number(reached["logistic"] / share, 2), client=i18n.percent(reached["client_only"], 1),
        client_lift=i18n.number(reached["client_only"] / share, 2), segments=i18n.percent(reached["segments"], 1),
        segments_lift=i18n.number(reached["segments"] / share, 2), pooled=i18n.percent(pooled, 1))


def _interval(bounds: list[float], digits: int = 2) -> str:
    return _("{low}-{high}").format(low=i18n.number(bounds[0], digits), high=i18n.number(bounds[1], digits))


def _percent_interval(bands: dict, share: float) -> str:
    """``'25.0-26.6%'``: a month-stratified gain's bootstrap band at ``share``."""
    return _("{low}-{high}").format(low=i18n.number(100 * _point(bands["curve_low"], share), 1),
                                    high=i18n.percent(_point(bands["curve_high"], share), 1))


def campaign_table(targeting: dict, share: float) -> dict:
    """Every method month by month: pooled AUC and within-month AUC with their month-bootstrap intervals, the
    month-stratified gain at ``share`` with its interval, and ALIFT. ``header`` and ``rows`` of strings."""
    section = campaign(targeting)
    header = [_("Method"), _("AUC pooled (95% over months)"), _("AUC within the month (95%)"),
              _("{share} of each month called: subscribers reached (95%)").format(share=i18n.percent(share)),
              _("ALIFT pooled")]
    rows = []
    for key, name in CAMPAIGN_METHODS.items():
        report, bands = section["methods"][key], section["bootstrap"][key]
        rows.append([_(name),
                     f"{i18n.number(report['roc_auc'], 2)} ({_interval(bands['roc_auc'])})",
                     f"{i18n.number(report['within_month_auc'], 2)} ({_interval(bands['within_month_auc'])})",
                     f"{i18n.percent(_point(report['stratified_curve'], share), 1)} "
                     f"({_percent_interval(bands, share)})",
                     i18n.number(report["alift"], 2)])
    rows.append([_("Random calls"), i18n.number(0.5, 2), i18n.number(0.5, 2), i18n.percent(share, 1),
                 i18n.number(0.5, 2)])
    return {"header": header, "rows": rows}


def paper_sentence(targeting: dict) -> str:
    """The comparison with Moro et al. (2014), with why it is indicative only."""
    rolling = campaign(targeting)["methods"]["rolling"]
    return _("The data's own paper (Moro, Cortez and Rita, 2014) reports an AUC of about {paper_auc} and an ALIFT of "
             "about {paper_alift} for its best model, a neural network refitted on a rolling window and tested on "
             "the bank's later calls, which this file does not hold. The same logistic regression refitted before "
             "every test month on all earlier calls reaches an AUC of {auc} and an ALIFT of {alift} here: the "
             "{single} of a single fit is a floor, not the state of the art. Indicative only: other months, other "
             "inputs (the paper selected 22 of 150), another model.").format(
        paper_auc=i18n.number(PAPER_AUC, 1), paper_alift=i18n.number(PAPER_ALIFT, 1),
        single=i18n.number(targeting["methods"]["logistic"]["roc_auc"], 2),
        auc=i18n.number(rolling["roc_auc"], 2), alift=i18n.number(rolling["alift"], 2))


def calibration_sentence(targeting: dict) -> str:
    """How far the single fit's probabilities are from the test period's rates."""
    logistic = campaign(targeting)["calibration"]["logistic"]
    observed = logistic["observed"]
    return _("The logistic regression predicts {predicted} on average where {observed} subscribed: fitted on the "
             "training period, it under-predicts the test period. Its lowest decile subscribed at {lowest}, "
             "{monotone}.").format(
        predicted=i18n.percent(logistic["mean_predicted"], 1), observed=i18n.percent(logistic["observed_rate"], 1),
        lowest=i18n.percent(observed[0], 1),
        monotone=(_("and the observed rate rises with every decile") if all(b >= a for a, b in zip(observed,
                                                                                                   observed[1:]))
                  else _("and the observed rate does not rise with every decile: the probabilities rank the "
                         "clients only roughly")))


def drift_rows(targeting: dict) -> list[list[str]]:
    """Each economic indicator: its training range, the test period's, and the test rows outside the former."""
    rows = []
    for entry in campaign(targeting)["drift"]:
        low, high = entry["train_range"]
        test_low, test_high = entry["test_range"]
        rows.append([entry["column"], _("{low} to {high}").format(low=i18n.number(low, 3), high=i18n.number(high, 3)),
                     _("{low} to {high}").format(low=i18n.number(test_low, 3), high=i18n.number(test_high, 3)),
                     i18n.percent(entry["below"] + entry["above"], 1)])
    return rows


def profit_curves(targeting: dict, cost_per_call: float, value_per_subscription: float) -> dict:
    """Profit of a campaign over the test period for each share of every month's clients called.

    Profit = value per subscription x subscribers reached - cost per call x clients called, with each month
    calling the same share of its clients (the month-stratified gain curves), for the logistic regression, the
    client-only model, the evidence rules, the segments and random calls.

    Returns
    -------
    dict
        ``called`` (shares), ``curves`` ({method: profits}, with ``random``), ``best`` ({method: (share, profit)}
        at the curve's maximum) and ``break_even`` (the rate a group must exceed for its calls to pay).
    """
    section = campaign(targeting)
    clients, subscribers = targeting["test_clients"], targeting["test_subscribers"]
    methods = ("logistic", "client_only", "rules", "segments")
    curves = {key: section["methods"][key]["stratified_curve"] for key in methods}
    called = [index / (len(curves["logistic"]) - 1) for index in range(len(curves["logistic"]))]
    curves["random"] = called
    profits = {key: [value_per_subscription * subscribers * reached - cost_per_call * clients * share
                     for share, reached in zip(called, curve)] for key, curve in curves.items()}
    best = {key: max(zip(called, values), key=lambda point: (point[1], -point[0])) for key, values in profits.items()}
    return {"called": called, "curves": profits, "best": best,
            "break_even": cost_per_call / value_per_subscription if value_per_subscription else None}


#: The profit curves' methods, as the page names them.
PROFIT_METHODS: dict[str, str] = {"logistic": N_("Logistic regression"),
                                  "client_only": N_("Logistic regression on the client only"),
                                  "rules": N_("Evidence rules"), "segments": N_("Segments"),
                                  "random": N_("Random calls")}


def profit_sentence(targeting: dict, profit: dict, cost_per_call: float, value_per_subscription: float) -> str:
    """The break-even rate and the best share to call for the best method, in a sentence."""
    best_key = max(("logistic", "client_only", "rules", "segments"), key=lambda key: profit["best"][key][1])
    share, value = profit["best"][best_key]
    random_share, random_value = profit["best"]["random"]
    return _("At {cost} a call and {value} a subscription a call pays when the client's chance exceeds {break_even} "
             "(the test period's rate: {rate}). The most profitable plan calls {share} of each month's clients "
             "by {method}: {profit} over the test period, against {random_profit} calling {random_share} at "
             "random. These are assumptions: set your own.").format(
        cost=i18n.number(cost_per_call, 2), value=i18n.number(value_per_subscription, 2),
        break_even=i18n.percent(profit["break_even"], 1) if profit["break_even"] is not None else "-",
        rate=i18n.percent(targeting["base_rate"], 1), share=i18n.percent(share, 1),
        method=_(PROFIT_METHODS[best_key]).lower(), profit=i18n.number(round(value)),
        random_profit=i18n.number(round(random_value)), random_share=i18n.percent(random_share, 1))
