"""The facts the Methods page states about how the segmentation was made, computed by the build.

Each is a choice the studio makes or inherits from the original study without a number on the page to show
its consequence: how k was chosen (and why the final space's silhouette does not compare with the grid's
others), where the imputation sends the unknown loan values, that the outcome y is a clustering feature of
the grid and, through the imputation, decides some clients' segments, and how far two K-means starts leave the
elbow curves from decreasing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashapp.analysis.clustering import find_knee
from dashapp.analysis.preprocessing import UnknownValueImputer, impute_columns
from dashapp.analysis.segmentation import FinalSegmentation
from dashapp.core import domain


def method_facts(clean: pd.DataFrame, key_fields: pd.DataFrame, segments: np.ndarray,
                 grid_metrics: dict[str, pd.DataFrame], grid_n_init: int, final_k: int = domain.FINAL_K,
                 outcome_in_imputation: dict | None = None) -> dict:
    """Every fact of the Methods page, as JSON-serialisable data.

    Parameters
    ----------
    clean : DataFrame
        Every cleaned row of the file (:func:`dashapp.sources.bank_table.clean_bank_table`: ``unknown`` as it was
        written).
    key_fields : DataFrame
        The same rows' job, housing and loan after the KNN imputation.
    segments : ndarray of int
        Their segment.
    grid_metrics : dict
        Configuration id -> its metrics by k (:class:`dashapp.analysis.clustering.ConfigurationResult.metrics`).
    grid_n_init : int
        K-means starts per k on the grid's feature sets other than the final one.
    final_k : int
        The final segmentation's k (the build's ``final_k``).
    outcome_in_imputation : dict, optional
        :func:`outcome_in_imputation_facts`, made with the final segmentation.
    """
    return {
        "k_choice": k_choice_facts(grid_metrics, final_k),
        "unknown_loans": {field: unknown_imputation_facts(clean[field], key_fields[field], segments)
                          for field in ("housing", "loan")},
        "outcome_in_grid": {name: "y" in domain.FEATURE_SET_COLUMNS[name][1] for name in domain.FEATURE_SETS},
        "outcome_in_imputation": outcome_in_imputation,
        "elbows": elbow_facts(grid_metrics, grid_n_init),
    }


#: A client's outcome the other way round, for :func:`outcome_in_imputation_facts`.
_OTHER_OUTCOME = {"yes": "no", "no": "yes"}


def outcome_in_imputation_facts(segmentation: FinalSegmentation, train: pd.DataFrame, test: pd.DataFrame,
                                fit_positions: np.ndarray, sampled: bool, jobs: int = 1) -> dict | None:
    """How far a client's own outcome decides its segment, through the KNN imputation of its key fields.

    As in the original study, the imputer finds a client's nearest neighbours on every modelling column, the
    outcome y included, so where a client's job, housing or loan is unknown, its own outcome takes part in
    choosing the value filled in. Counted two ways over the clients with such a gap: the segment each would
    have with its outcome the other way round (the same imputer), and with an imputer fitted without y.

    Parameters
    ----------
    segmentation : FinalSegmentation
        The final segmentation, its imputer and every row's segment (training rows first).
    train, test : DataFrame
        The training and test rows' modelling frames (``unknown`` as NaN), in the segmentation's order.
    fit_positions : ndarray of int
        The training rows the imputer was fitted on.
    sampled : bool
        Whether the fits use a sample of the training rows: then the count covers that sample only, since
        every imputation of a gap costs a search among the fitted rows.
    jobs : int
        Processes for the imputations.

    Returns
    -------
    dict or None
        ``population`` (``"all"``, or ``"fit_sample"``) and per period (``train``, and ``test`` unless sampled):
        ``clients``, ``with_gaps`` (an unknown key field), ``flipped`` (another segment with the other outcome) and
        ``without_outcome`` (another segment with an imputer that does not use y); None without an outcome column.
    """
    if "y" not in train.columns:
        return None
    features = list(domain.SEGMENT_FEATURES)
    without_outcome = UnknownValueImputer("knn").fit(train.iloc[fit_positions].drop(columns="y"))
    periods = {"train": (train.iloc[fit_positions], segmentation.train_segments[fit_positions])}
    if not sampled:
        periods["test"] = (test, segmentation.all_segments[len(train):])
    facts: dict = {"population": "fit_sample" if sampled else "all"}
    for period, (rows, built) in periods.items():
        gaps = np.flatnonzero(rows[features].isna().any(axis=1).to_numpy())
        with_gaps, built = rows.iloc[gaps], built[gaps]
        flipped = with_gaps.assign(y=with_gaps["y"].map(_OTHER_OUTCOME))
        other_outcome = segmentation.segments_of(impute_columns(segmentation.imputer, flipped, features, jobs=jobs))
        no_outcome = segmentation.segments_of(impute_columns(without_outcome, with_gaps.drop(columns="y"), features,
                                                             jobs=jobs))
        facts[period] = {"clients": len(rows), "with_gaps": len(gaps),
                         "flipped": int((other_outcome != built).sum()),
                         "without_outcome": int((no_outcome != built).sum())}
    return facts


def k_choice_facts(grid_metrics: dict[str, pd.DataFrame], final_k: int = domain.FINAL_K) -> dict:
    """The final space's silhouette for each k, the knees of the other feature sets' elbow curves, and the best
    silhouette any of them reaches at the final k (a different space: not a comparison of segmentations)."""
    final = grid_metrics[domain.config_id(domain.FINAL_TREATMENT, domain.FINAL_PIPELINE, "final")]
    others = {config: metrics for config, metrics in grid_metrics.items() if not config.endswith("-final")}
    knees = [knee for knee in (find_knee(m["k"], m["inertia"]) for m in others.values()) if knee is not None]
    at_final_k = {config: float(metrics.loc[metrics["k"] == final_k, "silhouette"].iloc[0])
                  for config, metrics in others.items() if (metrics["k"] == final_k).any()}
    best = max(sorted(at_final_k), key=lambda config: at_final_k[config]) if at_final_k else None
    return {
        "final_silhouette_by_k": {str(int(k)): float(s) for k, s in zip(final["k"], final["silhouette"])},
        "knees": {"configurations": len(others), "with_knee": len(knees),
                  "min": min(knees, default=None), "max": max(knees, default=None),
                  "median": float(np.median(knees)) if knees else None},
        "best_other_at_final_k": None if best is None else {"config_id": best, "silhouette": at_final_k[best]},
    }


def unknown_imputation_facts(raw: pd.Series, imputed: pd.Series, segments: np.ndarray) -> dict:
    """Where the imputation sent one yes/no field's unknown values, against the known values' rate of "yes".

    Returns the unknown rows' count, how many became "no" and "yes", the known rows' share of "yes", and the
    segments the formerly unknown rows fell in.
    """
    unknown = (raw.astype(object) == domain.UNKNOWN).to_numpy()
    became = imputed.to_numpy()[unknown]
    known = raw.to_numpy()[~unknown]
    return {
        "unknown": int(unknown.sum()),
        "became_no": int(np.sum(became == "no")), "became_yes": int(np.sum(became == "yes")),
        "known_yes_rate": float(np.mean(known == "yes")) if len(known) else None,
        "segments": {str(s): int(np.sum(segments[unknown] == s)) for s in np.unique(segments)},
    }


def elbow_facts(grid_metrics: dict[str, pd.DataFrame], grid_n_init: int) -> dict:
    """How many elbow curves of the feature sets other than the final one rise somewhere, and by how much (and
    how many of the final feature set's, fitted with more starts).

    With few K-means starts a larger k can end in a worse local optimum than a smaller one: inertia, which
    the best partition into more clusters never raises, then rises, and a knee read there is an artefact.
    """
    rises, final_rises = {}, {}
    for config, metrics in grid_metrics.items():
        inertia = metrics.sort_values("k")["inertia"].to_numpy()
        rise = float(np.max((inertia[1:] - inertia[:-1]) / inertia[:-1]))
        (final_rises if config.endswith("-final") else rises)[config] = rise
    rising = sorted(config for config, rise in rises.items() if rise > 0)
    return {"curves": len(rises), "rising": len(rising), "rising_configurations": rising,
            "largest_rise": max(rises.values(), default=None), "n_init": grid_n_init,
            "final_curves": len(final_rises), "final_rising": sum(rise > 0 for rise in final_rises.values())}
