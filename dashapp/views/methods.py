"""What the Methods page says: how the segmentation was made and what its choices do, as sentences.

Every number comes from the artifacts (``evaluation["methods"]``, ``evaluation["stability"]``, the classifier's
evaluation and the manifest), so the text follows the build. Each section is a title and a list of sentences;
the page only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashapp.core import domain, i18n
from dashapp.core.i18n import _, ngettext, pgettext
from dashapp.views import facts

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
    return i18n.percent(share, 1)


def _number(value: float, digits: int = 0) -> str:
    return i18n.number(value, digits)


def k_choice_section(facts: dict, k: int = domain.FINAL_K) -> Section:
    """How the build's k was chosen, and why the final space's silhouette is no evidence against the grid's
    others."""
    by_k = facts["final_silhouette_by_k"]
    first_ks = [str(key) for key in sorted(map(int, by_k))][:5]
    knees = facts["knees"]
    median = knees["median"]
    sentences = [
        _("k = {k} is the original study's choice: its brief asked for three or four segments a campaign can "
          "address, and four give a housing-loan group split by job, a personal-loan group and a no-loan "
          "group.").format(k=k)
        if k == domain.FINAL_K else
        _("k = {k} was set for this build (`scripts/build_artifacts.py --k {k}`); the original study chose "
          "{study_k}, for three or four segments a campaign can address.").format(k=k, study_k=domain.FINAL_K),
        _("The scores do not single it out. The elbow curves of the {configurations} configurations on the other "
          "feature sets have their knees between k = {low} and k = {high} (median {median}; {without} without a "
          "knee). On the final space (job, housing and loan) the silhouette rises steadily with k: {scores} for "
          "k = {first_k}..{last_k}, because three categorical columns take only a few dozen distinct values and "
          "more clusters come ever closer to one cluster per combination.").format(
            configurations=knees["configurations"], low=knees["min"], high=knees["max"],
            # As ":g" wrote it: 4, or 4.5 for a median between two knees.
            median=_number(median, 0 if float(median).is_integer() else 1),
            without=knees["configurations"] - knees["with_knee"],
            # A list of decimal-comma numbers is separated by semicolons in Russian: "0,53; 0,60".
            scores=pgettext("between numbers", ", ").join(_number(by_k[key], 2) for key in first_ks),
            first_k=first_ks[0], last_k=first_ks[-1]),
    ]
    best = facts["best_other_at_final_k"]
    if best is not None:
        sentences.append(_(
            "So the final segmentation's silhouette of {final} against the best {best} at k = {k} on the other "
            "feature sets ({config}) compares different spaces: three columns with few values against a dozen or "
            "more with continuous ones. It is no evidence that the segmentation is better, only that its space is "
            "simpler.").format(final=_number(by_k[str(k)], 2), best=_number(best["silhouette"], 2), k=k,
                               config=best["config_id"]))
    return Section(K_CHOICE, _("How k = {k} was chosen").format(k=k), sentences)


def unknown_loans_section(facts: dict) -> Section:
    """Where the KNN imputation sends the unknown housing and personal-loan values."""
    housing, loan = facts["housing"], facts["loan"]
    sentences = [
        _("The KNN imputation codes each yes/no field as 0 (no) and 1 (yes), averages the codes of a client's five "
          "nearest neighbours and truncates the average toward zero, as the original did: an unknown becomes "
          "'yes' only when all five neighbours say yes."),
    ]
    # One message per loan: the translation words each loan in its own grammar.
    fields = ((ngettext("Of the {unknown} clients whose housing loan is unknown, {no} become 'no' and {yes} 'yes', "
                        "while {rate} of the clients whose housing loan is known have one.",
                        "Of the {unknown} clients whose housing loan is unknown, {no} become 'no' and {yes} 'yes', "
                        "while {rate} of the clients whose housing loan is known have one.", housing["unknown"]),
               housing),
              (ngettext("Of the {unknown} clients whose personal loan is unknown, {no} become 'no' and {yes} 'yes', "
                        "while {rate} of the clients whose personal loan is known have one.",
                        "Of the {unknown} clients whose personal loan is unknown, {no} become 'no' and {yes} 'yes', "
                        "while {rate} of the clients whose personal loan is known have one.", loan["unknown"]),
               loan))
    for sentence, field in fields:
        sentences.append(sentence.format(unknown=_number(field["unknown"]), no=_number(field["became_no"]),
                                         yes=_number(field["became_yes"]), rate=_percent(field["known_yes_rate"])))
    in_three = housing["segments"]["3"]
    sentences.append(ngettext(
        "So {landed} of the {unknown} clients with unknown loans land in segment 3 (no loan), which is therefore "
        "partly a segment of clients whose loans the bank does not know. Read its recommendation (any product) "
        "with that in mind.",
        "So {landed} of the {unknown} clients with unknown loans land in segment 3 (no loan), which is therefore "
        "partly a segment of clients whose loans the bank does not know. Read its recommendation (any product) "
        "with that in mind.", housing["unknown"]).format(landed=_number(in_three), unknown=_number(housing["unknown"])))
    return Section(UNKNOWN_LOANS, _("Where the unknown loans go"), sentences)


def outcome_section(in_grid: dict, in_imputation: dict | None = None) -> Section:
    """That y, the campaign's outcome, is a clustering feature of the grid but not of the final segmentation, and
    how many segments it decides through the imputation (``in_imputation``:
    :func:`dashapp.analysis.method_facts.outcome_in_imputation_facts`; None from a build before it)."""
    with_y = _(" and ").join(_("'{feature_set}'").format(feature_set=_(domain.FEATURE_SETS[name]))
                             for name, used in in_grid.items() if used)
    without_y = [name for name, used in in_grid.items() if not used]
    sentences = [
        facts.outcome_use(),
        _("The grid's feature sets with y are {feature_sets}: their clusters partly sort subscribers from the others, "
          "which a segmentation made before a campaign could not do.").format(feature_sets=with_y),
    ]
    if "final" in without_y:
        sentences.append(_("Since the final K-means does not use y, its segments can be assigned to new clients, and "
                           "whether they tell subscribers apart is a finding, not a built-in property (see the "
                           "Campaign response page)."))
        sentences.append(_("In the imputation, y is one of the features by which the nearest clients are found when "
                           "a job, housing or loan value is unknown; we keep it so that the segments stay the "
                           "original's."))
        if in_imputation:
            sentences.append(_imputation_counts(in_imputation))
    return Section(OUTCOME_IN_GRID, _("The outcome y in the grid"), sentences)


def _imputation_counts(in_imputation: dict) -> str:
    """How many clients' segments their own outcome decides, over the periods the build counted."""
    periods = [in_imputation[period] for period in ("train", "test") if period in in_imputation]
    clients, with_gaps, flipped, without = (sum(period[key] for period in periods)
                                            for key in ("clients", "with_gaps", "flipped", "without_outcome"))
    if in_imputation.get("population") == "fit_sample":
        population = ngettext("Of the {clients} training client the fits use, ",
                              "Of the {clients} training clients the fits use, ", clients)
    else:
        population = ngettext("Of the {clients} client, ", "Of the {clients} clients, ", clients)
    return (population.format(clients=_number(clients)) + ngettext(
        "{gaps} has an unknown job, housing or loan: ", "{gaps} have an unknown job, housing or loan: ",
        with_gaps).format(gaps=_number(with_gaps)) + ngettext(
        "{flipped} of them would be in another segment had their own outcome been the other, ",
        "{flipped} of them would be in another segment had their own outcome been the other, ",
        flipped).format(flipped=_number(flipped)) + ngettext(
        "and {without} if the imputation did not use y at all.",
        "and {without} if the imputation did not use y at all.", without).format(without=_number(without)))


def differences_section(classifier: dict, time_ordered: bool = True) -> Section:
    """Where the studio's method differs from the original's; ``time_ordered``: whether the build's split is
    in time order (the UCI file) or random (a source without dates)."""
    never, recoded = domain.PDAYS_NEVER, domain.PDAYS_NEVER_RECODED
    trained = (ngettext("trained on the earlier {train} clients and tested on the later {test}",
                        "trained on the earlier {train} clients and tested on the later {test}",
                        classifier["train_rows"]) if time_ordered else
               ngettext("trained on a random {train} clients and tested on the other {test}",
                        "trained on a random {train} clients and tested on the other {test}",
                        classifier["train_rows"])).format(train=_number(classifier["train_rows"]),
                                                          test=_number(classifier["test_rows"]))
    theirs = (_(", which lets the same period appear on both sides") if time_ordered
              else _(", which the segmentation had been fitted on"))
    return Section(DIFFERENCES, _("Where the studio differs from the original"), [
        _("The tree and the logistic regression are {trained} (tree accuracy {tree}, logistic regression "
          "{logistic}); the original tested on a random split of the training rows{theirs}.").format(
            trained=trained, tree=_number(classifier["tree"]["accuracy"], 3),
            logistic=_number(classifier["logistic"]["accuracy"], 3), theirs=theirs),
        _("The logistic regression takes one-hot inputs; the original gave it the scaled ordinal codes, which "
          "impose an order (alphabetical for job) that a linear model then reads as a quantity."),
        _("In the keep-'unknown' treatment the original left pdays at {never} (never contacted) and sorted "
          "'unknown' between 'no' and 'yes'; the studio recodes {never} to {recoded}, so that 'never' is not the "
          "largest number of days, and puts 'unknown' last.").format(never=never, recoded=recoded),
    ])


def elbows_section(facts: dict) -> Section:
    """How many elbow curves rise somewhere, and what that means for reading them."""
    rise = facts["largest_rise"]
    return Section(ELBOWS, _("Elbow curves that rise"), [
        ngettext("{rising} of the {curves} elbow curves on the feature sets other than the final one rise somewhere "
                 "(by up to {rise}) with {starts} K-means starts per k. The best partition into more clusters never "
                 "has a higher inertia, so a rise means that k's starts ended in a worse local optimum than the "
                 "smaller k's.",
                 "{rising} of the {curves} elbow curves on the feature sets other than the final one rise somewhere "
                 "(by up to {rise}) with {starts} K-means starts per k. The best partition into more clusters never "
                 "has a higher inertia, so a rise means that k's starts ended in a worse local optimum than the "
                 "smaller k's.", facts["n_init"]).format(
            rising=facts["rising"], curves=facts["curves"], starts=facts["n_init"],
            # Signed, as "+.1%" wrote it.
            rise=("-" if rise < 0 else "+") + _percent(abs(rise))),
        _("Read those curves' knees with care: a knee next to a rise may be an artefact of the starts, not a "
          "property of the data. ")
        + (_("On the final feature set, fitted with more starts, none of the {curves} curves rises.").format(
            curves=facts["final_curves"])
           if facts["final_rising"] == 0 else
           _("On the final feature set, fitted with more starts, {rising} of the {curves} curves rise as well.").format(
               rising=facts["final_rising"], curves=facts["final_curves"])),
    ])


def stability_section(stability: dict) -> Section:
    """The final segmentation's stability in one paragraph (the Segments page has the details)."""
    ari = stability["ari"]
    outcome = facts.stability_outcome(stability)
    return Section(STABILITY, _("How stable the segments are"), [
        _("Refitted {outcome} (its inertia is {gap} higher); median adjusted Rand index with the published segments "
          "{median} (range {low}-{high}). The Segments page says which segments hold together.").format(
            outcome=outcome, gap=_percent(stability["alternative"]["inertia_gap"]),
            median=_number(ari["median"], 2), low=_number(ari["min"], 2), high=_number(ari["max"], 2)),
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
            outcome_section(methods["outcome_in_grid"], methods.get("outcome_in_imputation")), elbows_section(methods["elbows"]), *final_sections]
