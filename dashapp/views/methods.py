"""What the Methods page says: how the segmentation was made and what its choices do, as sentences.

Every number comes from the artifacts (``evaluation["methods"]``, ``evaluation["stability"]``, the classifier's
evaluation and the manifest), so the text follows the build. Each section is a title and a list of sentences;
the page only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashapp import domain

METHODS_PATH = "/methods"
#: The anchors of the sections, so that other pages can link to the one they rely on (:func:`methods_href`).
K_CHOICE = "k-choice"
UNKNOWN_LOANS = "unknown-loans"
OUTCOME_IN_GRID = "outcome-in-grid"
DIFFERENCES = "differences"
ELBOWS = "elbows"
STABILITY = "stability"


def methods_href(anchor: str) -> str:
    """The address of one section of the Methods page."""
    return f"{METHODS_PATH}#{anchor}"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    sentences: list[str]


def _percent(share: float) -> str:
    return f"{share:.1%}"


def k_choice_section(facts: dict, k: int = domain.FINAL_K) -> Section:
    """How the build's k was chosen, and why the final space's silhouette is no evidence against the grid's
    others."""
    by_k = facts["final_silhouette_by_k"]
    first_ks = [str(key) for key in sorted(map(int, by_k))][:5]
    knees = facts["knees"]
    sentences = [
        f"k = {k} is the original study's choice: its brief asked for three or four segments a campaign can "
        "address, and four give a housing-loan group split by job, a personal-loan group and a no-loan group."
        if k == domain.FINAL_K else
        f"k = {k} was set for this build (`scripts/build_artifacts.py --k {k}`); the original study chose "
        f"{domain.FINAL_K}, for three or four segments a campaign can address.",
        f"The scores do not single it out. The elbow curves of the {knees['configurations']} configurations on "
        f"the other feature sets have their knees between k = {knees['min']} and k = {knees['max']} (median "
        f"{knees['median']:g}; {knees['configurations'] - knees['with_knee']} without a knee). On the final "
        "space (job, housing and loan) the silhouette rises steadily with k: "
        + ", ".join(f"{by_k[key]:.2f}" for key in first_ks) + f" for k = {first_ks[0]}..{first_ks[-1]}, "
        "because three categorical columns take only a few dozen distinct values and more clusters come ever "
        "closer to one cluster per combination.",
    ]
    best = facts["best_other_at_final_k"]
    if best is not None:
        sentences.append(
            f"So the final segmentation's silhouette of {by_k[str(k)]:.2f} against the best {best['silhouette']:.2f} "
            f"at k = {k} on the other feature sets ({best['config_id']}) compares different spaces: three "
            "columns with few values against a dozen or more with continuous ones. It is no evidence that the "
            "segmentation is better, only that its space is simpler.")
    return Section(K_CHOICE, f"How k = {k} was chosen", sentences)


def unknown_loans_section(facts: dict) -> Section:
    """Where the KNN imputation sends the unknown housing and personal-loan values."""
    housing, loan = facts["housing"], facts["loan"]
    sentences = [
        "The KNN imputation codes each yes/no field as 0 (no) and 1 (yes), averages the codes of a client's five "
        "nearest neighbours and truncates the average toward zero, as the original did: an unknown becomes "
        "'yes' only when all five neighbours say yes.",
    ]
    for name, field in (("housing loan", housing), ("personal loan", loan)):
        sentences.append(
            f"Of the {field['unknown']:,} clients whose {name} is unknown, {field['became_no']:,} become 'no' and "
            f"{field['became_yes']:,} 'yes', while {_percent(field['known_yes_rate'])} of the clients whose "
            f"{name} is known have one.")
    in_three = housing["segments"]["3"]
    sentences.append(
        f"So {in_three:,} of the {housing['unknown']:,} clients with unknown loans land in segment 3 (no loan), "
        "which is therefore partly a segment of clients whose loans the bank does not know. Read its "
        "recommendation (any product) with that in mind.")
    return Section(UNKNOWN_LOANS, "Where the unknown loans go", sentences)


def outcome_section(in_grid: dict) -> Section:
    """That y, the campaign's outcome, is a clustering feature of the grid but not of the final segmentation."""
    with_y = " and ".join(f"'{domain.FEATURE_SETS[name]}'" for name, used in in_grid.items() if used)
    without_y = [name for name, used in in_grid.items() if not used]
    sentences = [
        f"As in the original, the outcome y (did the client subscribe) is a clustering feature of the grid's "
        f"feature sets {with_y}: their clusters partly sort subscribers from the others, which a segmentation "
        "made before a campaign could not do.",
    ]
    if "final" in without_y:
        sentences.append("The final segmentation (job, housing and loan) does not use y, so its segments can be "
                         "assigned to new clients, and whether they tell subscribers apart is a finding, not a "
                         "built-in property (see the Campaign response page).")
    return Section(OUTCOME_IN_GRID, "The outcome y in the grid", sentences)


def differences_section(classifier: dict, time_ordered: bool = True) -> Section:
    """Where the studio's method differs from the original's; ``time_ordered``: whether the build's split is
    in time order (the UCI file) or random (a source without dates)."""
    never, recoded = domain.PDAYS_NEVER, domain.PDAYS_NEVER_RECODED
    trained = (f"trained on the earlier {classifier['train_rows']:,} clients and tested on the later "
               f"{classifier['test_rows']:,}" if time_ordered else
               f"trained on a random {classifier['train_rows']:,} clients and tested on the other "
               f"{classifier['test_rows']:,}")
    theirs = (", which lets the same period appear on both sides" if time_ordered
              else ", which the segmentation had been fitted on")
    return Section(DIFFERENCES, "Where the studio differs from the original", [
        f"The tree and the logistic regression are {trained} (tree accuracy {classifier['tree']['accuracy']:.3f}, "
        f"logistic regression {classifier['logistic']['accuracy']:.3f}); the original tested on a random split "
        f"of the training rows{theirs}.",
        "The logistic regression takes one-hot inputs; the original gave it the scaled ordinal codes, which "
        "impose an order (alphabetical for job) that a linear model then reads as a quantity.",
        f"In the keep-'unknown' treatment the original left pdays at {never} (never contacted) and sorted "
        f"'unknown' between 'no' and 'yes'; the studio recodes {never} to {recoded}, so that 'never' is not the "
        "largest number of days, and puts 'unknown' last.",
    ])


def elbows_section(facts: dict) -> Section:
    """How many elbow curves rise somewhere, and what that means for reading them."""
    rise = facts["largest_rise"]
    return Section(ELBOWS, "Elbow curves that rise", [
        f"{facts['rising']} of the {facts['curves']} elbow curves on the feature sets other than the final one "
        f"rise somewhere (by up to {rise:+.1%}) with {facts['n_init']} K-means starts per k. The best partition "
        "into more clusters never has a higher inertia, so a rise means that k's starts ended in a worse local "
        "optimum than the smaller k's.",
        "Read those curves' knees with care: a knee next to a rise may be an artefact of the starts, not a "
        "property of the data. "
        + (f"On the final feature set, fitted with more starts, none of the {facts['final_curves']} curves rises."
           if facts["final_rising"] == 0 else
           f"On the final feature set, fitted with more starts, {facts['final_rising']} of the "
           f"{facts['final_curves']} curves rise as well."),
    ])


def stability_section(stability: dict) -> Section:
    """The final segmentation's stability in one paragraph (the Segments page has the details)."""
    lands = stability["lands_on"]
    ari = stability["ari"]
    return Section(STABILITY, "How stable the segments are", [
        f"Refitted on {stability['resamples']} bootstrap resamples of the {stability['train_clients']:,} training "
        f"clients, K-means came back with the published segmentation {lands['published']} times and with a "
        f"near-tied alternative {lands['alternative']} times (its inertia is "
        f"{stability['alternative']['inertia_gap']:.1%} higher); median adjusted Rand index with the published "
        f"segments {ari['median']:.2f} (range {ari['min']:.2f}-{ari['max']:.2f}). The Segments page says which "
        "segments hold together.",
    ])


def methods_sections(evaluation: dict, time_ordered: bool = True) -> list[Section]:
    """Every section of the Methods page, in the order it shows them (``time_ordered``: the build's split is
    in time order, see :func:`differences_section`). The four that read the K-means grid are left out while an
    early build is still computing it (``evaluation`` has no ``methods`` yet)."""
    final_sections = [stability_section(evaluation["stability"]),
                      differences_section(evaluation["classifier"], time_ordered)]
    if "methods" not in evaluation:
        return final_sections
    methods = evaluation["methods"]
    k = int(evaluation.get("final", {}).get("k", domain.FINAL_K))
    return [k_choice_section(methods["k_choice"], k), unknown_loans_section(methods["unknown_loans"]),
            outcome_section(methods["outcome_in_grid"]), elbows_section(methods["elbows"]), *final_sections]
