"""The Targeting benchmark page's data: who targets better, the models or the segments, from ``targeting.json``.

Every number comes from the artifact the build wrote (:func:`dashapp.propensity.targeting_benchmark`); this
module only picks, compares and words them.
"""

from __future__ import annotations

from dashapp.propensity import METHODS, MODEL_METHODS

#: How a sentence names each method ("the 20% of test clients the gradient-boosted model ranks highest").
METHOD_PHRASES = {"boosting": "the gradient-boosted model", "logistic": "the logistic regression",
                  "segments": "the segments"}


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
    text = (f"Calling the {share:.0%} of test clients {METHOD_PHRASES[found['model']]} ranks highest reaches "
            f"{model['reached']:.0%} of the subscribers (lift {model['lift']:.2f}); calling by segment reaches "
            f"{segments['reached']:.0%} (lift {segments['lift']:.2f})")
    if found["winner"] == "tie":
        return text + ": the two target equally well."
    if found["winner"] == "model":
        return text + f": the model targets {found['ratio']:.1f} times better."
    return text + f": the segments target {1 / found['ratio']:.1f} times better."


def gain_table(targeting: dict) -> dict:
    """The table of every method at every recorded share: ``header`` and ``rows`` of strings."""
    shares = called_shares(targeting)
    header = ["Method"] + [f"{share:.0%} called: subscribers reached (lift)" for share in shares]
    rows = []
    for method, name in METHODS.items():
        cells = [f"{p['reached']:.1%} ({p['lift']:.2f})" for p in (at_share(targeting, method, s) for s in shares)]
        rows.append([name, *cells])
    rows.append(["Random calls", *[f"{share:.1%} (1.00)" for share in shares]])
    return {"header": header, "rows": rows}


def quality_rows(targeting: dict) -> list[dict]:
    """Each method's test ROC AUC, average precision and number of distinct scores."""
    return [{"method": METHODS[m], "roc_auc": r["roc_auc"], "average_precision": r["average_precision"],
             "distinct_scores": r["distinct_scores"]} for m, r in targeting["methods"].items()]


def context_sentences(targeting: dict, time_ordered: bool = True) -> list[str]:
    """The population, the base rates, the inputs and how ties are counted, in words; the training and test
    clients named as periods when ``time_ordered``, as the parts of a random split otherwise."""
    rates = targeting["segment_rates"]
    train, test = ("of the training period", "of the test period") if time_ordered else (
        "drawn at random for training", "set aside for the test")
    segment_rate = ("training-period subscription rate" if time_ordered
                    else "subscription rate among the training clients")
    segments_text = ", ".join(f"{number} {rate:.1%}" for number, rate in rates.items())
    excluded = ", ".join(targeting["excluded"])
    return [
        f"Both models learn who subscribes from the {targeting['train_clients']:,} clients {train}, "
        f"where {targeting['train_base_rate']:.1%} subscribed, and rank the "
        f"{targeting['test_clients']:,} clients {test}, where {targeting['base_rate']:.1%} "
        f"subscribed ({targeting['test_subscribers']:,}): random calls reach that share of the subscribers "
        "for each share of the clients called (lift 1).",
        f"The segments rank the test clients by their segment's {segment_rate} "
        f"(segments {segments_text}).",
        f"The models' inputs: {', '.join(targeting['inputs'])}; everything known before the call's outcome. "
        f"Not used: {excluded} (the call's duration is known only after the call).",
        "Clients with the same score are called together: all clients of a segment share one score, so calling "
        "part of a segment reaches, on average, that part of its subscribers, and no figure depends on the "
        "order of tied clients.",
    ]
