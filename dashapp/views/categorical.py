"""The explorer's card "A clustering made for categories": k-modes against the published segments, in words.

Reads the ``categorical`` section of ``targeting.json`` (:func:`dashapp.analysis.categorical.categorical_benchmark`);
every number in the words is taken from it.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashapp.core import catalogue, i18n
from dashapp.core.i18n import _, ngettext

#: A published segment "splits" when a second cluster takes at least this share of its clients.
SPLIT_SHARE = 0.2
#: A cluster "merges" segments when it holds more than this share of each of two or more of them.
MERGE_SHARE = 0.5


def cluster_label(index: int) -> str:
    """k-modes clusters are lettered (A, B, ...), so they are never mistaken for the numbered segments."""
    return chr(ord("A") + index)


def mode_text(mode: dict) -> str:
    """A cluster's mode in words: ``'Blue-collar, housing loan, no personal loan'``."""
    job = catalogue.category_label("job", mode["job"])
    housing = _("housing loan") if mode["housing"] == "yes" else _("no housing loan")
    loan = _("personal loan") if mode["loan"] == "yes" else _("no personal loan")
    return f"{job}, {housing}, {loan}"


def solution(categorical: dict, k: int) -> dict:
    """The recorded k-modes solution at ``k``."""
    for found in categorical["kmodes"]:
        if found["k"] == k:
            return found
    raise ValueError(f"k={k} was not fitted; expected one of {[s['k'] for s in categorical['kmodes']]}")


def ari_by_k(categorical: dict) -> dict:
    """The ARI chart's data: ``k``, ``ari``, ``low``/``high`` (over tied lowest-cost partitions), ``rules``."""
    solutions = categorical["kmodes"]
    return {"k": [s["k"] for s in solutions], "ari": [s["ari"] for s in solutions],
            "low": [s["tied_ari_range"][0] for s in solutions], "high": [s["tied_ari_range"][1] for s in solutions],
            "tied": [s["tied_solutions"] for s in solutions], "cost": [s["cost"] for s in solutions],
            "rules": categorical["rules"]["ari"], "published_k": categorical["crosstab"]["k"]}


def crosstab_view(categorical: dict) -> dict:
    """The k = 4 crosstab: ``clusters`` (labels with their modes), ``segments`` (labels), ``counts``, ``shares``.

    ``shares[i][j]`` is the share of segment j's clients in cluster i (each column sums to 1).
    """
    k, counts = categorical["crosstab"]["k"], categorical["crosstab"]["counts"]
    modes = solution(categorical, k)["modes"]
    totals = [sum(row[j] for row in counts) for j in range(len(categorical["segments"]))]
    return {"clusters": [f"{cluster_label(i)}: {mode_text(mode)}" for i, mode in enumerate(modes)],
            "segments": [_("Segment {number}").format(number=number) for number in categorical["segments"]],
            "counts": counts,
            "shares": [[n / totals[j] if totals[j] else 0.0 for j, n in enumerate(row)] for row in counts]}


def merges_and_splits(categorical: dict) -> dict:
    """Which published segments the k = 4 clustering merges and which it splits.

    Returns
    -------
    dict
        ``merges``: list of (cluster index, [segments]) for clusters holding more than :data:`MERGE_SHARE` of
        each of two or more segments; ``splits``: list of (segment, [(cluster index, share), ...]) for
        segments whose second-largest part is at least :data:`SPLIT_SHARE` of them (parts of at least that
        share, largest first).
    """
    view = crosstab_view(categorical)
    shares, numbers = view["shares"], categorical["segments"]
    majority: dict[int, list[int]] = {}
    splits = []
    for j, number in enumerate(numbers):
        column = sorted(((shares[i][j], i) for i in range(len(shares))), key=lambda item: (-item[0], item[1]))
        if column[0][0] > MERGE_SHARE:
            majority.setdefault(column[0][1], []).append(number)
        parts = [(i, share) for share, i in column if share >= SPLIT_SHARE]
        if len(parts) >= 2:
            splits.append((number, parts))
    merges = [(cluster, members) for cluster, members in sorted(majority.items()) if len(members) >= 2]
    return {"merges": merges, "splits": splits}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + _(" and ") + items[-1]


def agreement_sentences(categorical: dict, names: Mapping[int, str]) -> list[str]:
    """What k-modes at the published k does to the published segments, the baseline, and the ties, in words
    (``names``: segment number -> name, :func:`dashapp.core.catalogue.segment_names`)."""
    k = categorical["crosstab"]["k"]
    found, view, parts = solution(categorical, k), crosstab_view(categorical), merges_and_splits(categorical)
    index = {number: j for j, number in enumerate(categorical["segments"])}
    clauses = []
    for cluster, members in parts["merges"]:
        held = _and([_("{share} of segment {segment}").format(share=i18n.percent(view["shares"][cluster][index[s]]),
                                                               segment=s) for s in members])
        clauses.append(_("merges segments {segments} (cluster {cluster} holds {held})").format(
            segments=_and([str(s) for s in members]), cluster=cluster_label(cluster), held=held))
    for number, pieces in parts["splits"]:
        spread = " / ".join(f"{cluster_label(i)} {i18n.percent(share)}" for i, share in pieces)
        clauses.append(_("splits segment {segment}, {name}, into {spread}").format(
            segment=number, name=names[number].lower(), spread=spread))
    what = (_(": it {clauses}").format(clauses=_and(clauses)) if clauses
            else _(": it keeps every segment within one cluster"))
    sentences = [_("k-modes at k = {k} agrees with the published segments at ARI {ari}{what}.").format(
        k=k, ari=i18n.number(found["ari"], 2), what=what)]
    rules = categorical["rules"]
    sentences.append(
        (_("The simplest baseline, four explicit groups by housing loan x personal loan, agrees at ARI {ari}: closer "
           "to the published segments than k-modes.") if rules["ari"] > found["ari"] else
         _("The simplest baseline, four explicit groups by housing loan x personal loan, agrees at ARI {ari}."))
        .format(ari=i18n.number(rules["ari"], 2)))
    if found["tied_solutions"] > 1:
        low, high = found["tied_ari_range"]
        sentences.append(ngettext(
            "k-modes' answer is not unique: at k = {k}, {tied} different partitions reach the same lowest cost "
            "({cost} mismatches), with ARI {low} to {high}; the one shown came first among the starts.",
            "k-modes' answer is not unique: at k = {k}, {tied} different partitions reach the same lowest cost "
            "({cost} mismatches), with ARI {low} to {high}; the one shown came first among the starts.",
            found["tied_solutions"]).format(k=k, tied=found["tied_solutions"], cost=i18n.number(found["cost"]),
                                            low=i18n.number(low, 3), high=i18n.number(high, 3)))
    sentences.append(ngettext(
        "Fitted on the {clients} training clients ({combinations} distinct combinations of job, housing loan and "
        "personal loan after imputation), keeping the lowest cost over Cao's start and seeded random ones. The "
        "published segmentation stays the original's K-means.",
        "Fitted on the {clients} training clients ({combinations} distinct combinations of job, housing loan and "
        "personal loan after imputation), keeping the lowest cost over Cao's start and seeded random ones. The "
        "published segmentation stays the original's K-means.", categorical["clients"]).format(
        clients=i18n.number(categorical["clients"]), combinations=categorical["combinations"]))
    return sentences
