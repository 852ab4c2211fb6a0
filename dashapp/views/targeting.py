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
        return text + _(": the model targets {times} times better.").format(times=i18n.number(found["ratio"], 1))
    return text + _(": the segments target {times} times better.").format(times=i18n.number(1 / found["ratio"], 1))


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
