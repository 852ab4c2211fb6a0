"""The studio's terms of art, each with a one-line definition a bank analyst can read: the glossary the Methods page
lists and the tooltips a term carries where a page shows it (:func:`find_terms`).

Presentation only, like :mod:`dashapp.core.catalogue`: the build never reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashapp.core.i18n import N_, _


@dataclass(frozen=True)
class Term:
    """A term as the pages write it (``name``, marked for translation) and what it means (``definition``);
    ``jargon``: marked with its definition wherever a page shows it (not words as common as "segment")."""

    key: str
    name: str
    definition: str
    jargon: bool = True


#: Every term, in the order the glossary lists them (the order a reader meets them, answer first).
TERMS: tuple[Term, ...] = (
    Term("rate", N_("Subscription rate"), N_("The share of a group's clients who subscribed a term deposit."),
         jargon=False),
    Term("interval", N_("95% interval"),
         N_("The range that holds the true value in 95 of 100 samples like this one (for a rate: Wilson's "
            "interval).")),
    Term("lift", N_("Lift"),
         N_("A group's subscription rate over the rate of all the clients it is compared with: 1.2 means a fifth "
            "more subscribers than average.")),
    Term("odds_ratio", N_("Odds ratio"),
         N_("How many times a group's odds of subscribing exceed the other clients'; \"within the month\" compares "
            "only clients called in the same calendar months (Mantel-Haenszel).")),
    Term("p_value", N_("p-value"),
         N_("The chance of a difference at least this large if the groups did not differ at all; the studio calls "
            "a difference one below 0.05.")),
    Term("uplift", N_("Uplift"),
         N_("What a call changes in a client's chance to subscribe; only a holdout (clients not called, drawn at "
            "random) measures it, and this file has none.")),
    Term("gain", N_("Gain"),
         N_("The share of all subscribers reached by calling a given share of the clients, best-ranked first.")),
    Term("auc", N_("AUC"),
         N_("The chance that a model ranks a random subscriber above a random non-subscriber: 0.5 is random "
            "calls, 1 a perfect ranking.")),
    Term("alift", N_("ALIFT"),
         N_("The area under the gain curve, scaled so that random calls score 0.5 and a perfect ranking 1 (the "
            "measure of Moro et al., 2014).")),
    Term("calibration", N_("Calibration"),
         N_("Whether predicted chances match what happened: of the clients given 20%, did a fifth subscribe?")),
    Term("segment", N_("Segment"),
         N_("One of the four groups of clients the K-means model found from job, housing loan and personal "
            "loan."), jargon=False),
    Term("silhouette", N_("Silhouette"),
         N_("How much closer a client sits to its own cluster than to the next, from -1 to 1; averaged over the "
            "clients, higher means better separated clusters.")),
    Term("ari", N_("ARI"),
         N_("The adjusted Rand index: how far two clusterings agree on which clients belong together; 1 the "
            "same, near 0 no better than chance.")),
    Term("elbow", N_("Elbow"),
         N_("The k after which one more cluster lowers the inertia (the clients' squared distances to their "
            "cluster's centre) only a little.")),
    Term("calinski", N_("Calinski-Harabasz"),
         N_("The spread between clusters over the spread within them, adjusted for k: higher is better "
            "separated.")),
    Term("davies", N_("Davies-Bouldin"),
         N_("The average likeness of each cluster to its closest neighbour: lower is better separated.")),
    Term("tsne", N_("t-SNE"),
         N_("A map that keeps near neighbours near; the distances between far-apart groups on it mean little.")),
    Term("knn", N_("KNN imputation"),
         N_("An unknown value filled in from the values of the five most similar clients.")),
    Term("pipeline", N_("Pipeline"),
         N_("How numbers are scaled and categories encoded before K-means: the original study's eight recipes, "
            "numbered 1 to 8.")),
    Term("precision", N_("Precision"),
         N_("Of the clients a model assigns to a segment, the share that belong to it.")),
    Term("recall", N_("Recall"), N_("Of a segment's clients, the share a model assigns to it.")),
    Term("cramers_v", N_("Cramér's V"),
         N_("The strength of the link between two categorical fields, from 0 (none) to 1 (one decides the "
            "other).")),
    Term("euribor", N_("Euribor"),
         N_("The three-month euro interbank interest rate: one of the file's five socio-economic indicators.")),
)

#: The glossary's anchor on the Methods page.
GLOSSARY = "glossary"


def terms() -> list[tuple[str, str]]:
    """Every term and its definition in the current language, in :data:`TERMS` order."""
    return [(_(term.name), _(term.definition)) for term in TERMS]


def find_terms(text: str) -> list[str | tuple[str, str]]:
    """``text`` cut around the first place each term appears in it (any case, as a whole word): plain pieces
    as strings, a term as ``(the text as written, its definition)``, for a page to mark up with a tooltip.

    In the current language; a text without a term comes back whole, as one piece.
    """
    found: list[tuple[int, int, str]] = []
    lowered = text.casefold()
    for term in (term for term in TERMS if term.jargon):
        name = _(term.name).casefold()
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lowered)
        if match and not any(start < match.end() and match.start() < end for start, end, _d in found):
            found.append((match.start(), match.end(), _(term.definition)))
    pieces: list[str | tuple[str, str]] = []
    position = 0
    for start, end, definition in sorted(found):
        if start > position:
            pieces.append(text[position:start])
        pieces.append((text[start:end], definition))
        position = end
    if position < len(text):
        pieces.append(text[position:])
    return pieces
