"""The final segmentation (KNN treatment, pipeline 8, job x housing x loan, k a build parameter, 4 by default)
and the tree that assigns it.

K-means labels are numbered by a stated rule on what their members share (:func:`number_segments`);
a depth-3 decision tree learns the segments from the three key fields on the time-ordered training rows and
is evaluated on the test rows, beside a balanced logistic regression.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

from dashapp.analysis.clustering import silhouette_of_distinct_rows
from dashapp.analysis.preprocessing import UnknownValueImputer, build_pipeline
from dashapp.core import domain
from dashapp.core.i18n import N_, _

logger = logging.getLogger(__name__)

#: The order in which :func:`number_segments` numbers the kinds of segment after segment 1.
_KIND_ORDER = ("personal_loan", "neither", "housing_loan")

NUMBERING_RULE = N_(
    "Segments are numbered by what most of their clients share: segment 1 is, of the segments without a "
    "personal loan, the one whose clients' jobs come earliest in the alphabet; then come the personal-loan "
    "segments, then the other segments with neither loan, then the other housing-loan segments; segments of "
    "one kind follow the alphabetical order of their clients' jobs (on average), then size, largest first.")


def numbering_rule() -> str:
    """The rule of :func:`number_segments` in one sentence, as the pages show it."""
    return _(NUMBERING_RULE)


@dataclass
class FinalSegmentation:
    """The fitted final segmentation and what the build reports about it.

    Attributes
    ----------
    imputer : UnknownValueImputer
        KNN imputation fitted on the training rows (all modelling columns).
    transformer : ColumnTransformer
        Pipeline 8 on job, housing, loan.
    kmeans : KMeans
        k clusters (the build's ``final_k``) on the transformed training rows.
    segment_of_label : dict
        K-means label (0-based) -> segment number (1-k, :func:`number_segments`).
    train_segments, all_segments : ndarray
        Segment of every training row, and of every row of the file (test rows by ``kmeans.predict``).
    imputed_key_fields : DataFrame
        job, housing, loan of every row after imputation.
    silhouette : float
        Exact silhouette of the training partition.
    silhouette_sampled : float
        The same on the grid's shared silhouette sample, to measure the sample's error.
    """

    imputer: UnknownValueImputer
    transformer: ColumnTransformer
    kmeans: KMeans
    segment_of_label: dict[int, int]
    train_segments: np.ndarray
    all_segments: np.ndarray
    imputed_key_fields: pd.DataFrame
    silhouette: float
    silhouette_sampled: float

    @property
    def segment_numbers(self) -> tuple[int, ...]:
        """1 to k."""
        return tuple(range(1, self.kmeans.n_clusters + 1))

    def segments_of(self, keys: pd.DataFrame) -> np.ndarray:
        """The segment of any rows' imputed key fields (job, housing, loan), as the build assigns every row."""
        lookup = np.zeros(self.kmeans.n_clusters, dtype=np.int64)
        for label, segment in self.segment_of_label.items():
            lookup[label] = segment
        return lookup[predict_by_combination(self.kmeans, self.transformer, keys.reset_index(drop=True))]

    def shares(self) -> dict[int, float]:
        """Share of the training rows in each segment."""
        counts = np.bincount(self.train_segments, minlength=self.kmeans.n_clusters + 1)
        return {s: float(counts[s] / len(self.train_segments)) for s in self.segment_numbers}


def number_segments(kmeans_labels: np.ndarray, key_fields: pd.DataFrame) -> dict[int, int]:
    """Number K-means clusters 1..k by what their members share (:data:`NUMBERING_RULE`).

    Each cluster's kind is what most of its members share (:func:`dashapp.core.domain.segment_kind`: a personal
    loan; else a housing loan; else neither). A cluster's job order is the mean position of its members' jobs
    in :data:`dashapp.core.domain.CATEGORIES` (alphabetical, the order K-means encoded them in). Segment 1 is, of
    the clusters that are not personal-loan ones, the first in job order; then come the personal-loan
    clusters, then the other clusters with neither loan, then the other housing-loan clusters. Within a kind,
    clusters follow their job order, then their size (largest first), then their K-means label.

    On the UCI file at k = 4 this gives the original study's numbers: 1 housing loan (jobs admin. to
    management), 2 personal loan, 3 neither, 4 housing loan (jobs retired to unemployed); and it numbers the
    stability study's alternative partition (:mod:`dashapp.analysis.stability`) as the earlier rule did: 1 neither loan
    (jobs admin. to management), 2 personal loan, 3 neither loan (the other jobs), 4 housing loan.

    Parameters
    ----------
    kmeans_labels : ndarray of int, shape (n,)
        The clusters' labels.
    key_fields : DataFrame
        job, housing, loan of the same rows (no ``unknown``).

    Returns
    -------
    dict
        label -> segment number (1 to the number of distinct labels).
    """
    if len(kmeans_labels) != len(key_fields):
        raise ValueError(f"{len(kmeans_labels)} labels for {len(key_fields)} rows; expected one label per row")
    jobs = domain.known_categories("job")
    job_position = key_fields["job"].map({job: i for i, job in enumerate(jobs)})
    if job_position.isna().any():
        raise ValueError(f"job {key_fields['job'][job_position.isna()].iloc[0]!r} is not one of {list(jobs)}")
    profile = pd.DataFrame({
        "personal_loan": key_fields["loan"].to_numpy() == "yes",
        "housing": key_fields["housing"].to_numpy() == "yes",
        "job_position": job_position.to_numpy(dtype=float),
        "label": np.asarray(kmeans_labels),
    }).groupby("label").agg(personal_loan=("personal_loan", "mean"), housing=("housing", "mean"),
                            job_position=("job_position", "mean"), size=("housing", "size"))
    def job_order(label: int) -> tuple:
        return profile.at[label, "job_position"], -profile.at[label, "size"], label

    kind = {int(label): domain.segment_kind(row["housing"], row["personal_loan"]) for label, row in profile.iterrows()}
    without_personal_loan = [label for label in kind if kind[label] != "personal_loan"]
    first = [min(without_personal_loan, key=job_order)] if without_personal_loan else []
    ordered = first + [label for name in _KIND_ORDER
                       for label in sorted((label for label in kind if kind[label] == name and label not in first),
                                           key=job_order)]
    return {label: number for number, label in enumerate(ordered, start=1)}


def fit_final_segmentation(imputer: UnknownValueImputer, train_treated: pd.DataFrame,
                           test_treated: pd.DataFrame, silhouette_sample: np.ndarray, n_init: int = 10,
                           random_state: int = 42, k: int = domain.FINAL_K,
                           on_combinations: bool = False) -> FinalSegmentation:
    """Fit the final segmentation on the training rows and assign every row a segment.

    Parameters
    ----------
    imputer : UnknownValueImputer
        The KNN imputer fitted on the training rows' modelling frame.
    train_treated, test_treated : DataFrame
        The training and test rows after ``imputer`` (no missing categories), in time order.
    silhouette_sample : ndarray of int
        Positions in the training rows of the grid's shared silhouette sample.
    n_init : int
        K-means starts. The three-column space has a near-tied second partition, so several starts and a
        fixed seed are needed to land on the best one reproducibly.
    random_state : int
        Seed.
    k : int
        Segments (the build's ``final_k``; default the original study's 4).
    on_combinations : bool
        Fit on the distinct (job, housing, loan) combinations weighted by their training clients, and assign
        and score rows by combination: the same partition problem, at a cost that does not grow with the rows
        (K-means' starts draw other points than on the rows, so the result can differ in the last digits, or
        land on a near-tied partition: the build uses it only above its ``fit_sample``).

    Returns
    -------
    FinalSegmentation
    """
    features = list(domain.SEGMENT_FEATURES)
    train_keys = train_treated[features].reset_index(drop=True)
    test_keys = test_treated[features].reset_index(drop=True)
    if on_combinations:
        return _fit_on_combinations(imputer, train_keys, test_keys, silhouette_sample, n_init, random_state, k)
    transformer = build_pipeline(domain.PIPELINES[domain.FINAL_PIPELINE], [], features, with_unknown=False)
    Z_train = transformer.fit_transform(train_keys)
    if k < 2 or k > len(np.unique(Z_train, axis=0)):
        raise ValueError(f"k={k} must be at least 2 and at most the {len(np.unique(Z_train, axis=0))} distinct "
                         "combinations of job, housing and loan in the training rows")
    kmeans = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(Z_train)
    mapping = number_segments(kmeans.labels_, train_keys)
    lookup = np.zeros(k, dtype=np.int64)
    for label, segment in mapping.items():
        lookup[label] = segment
    train_segments = lookup[kmeans.labels_]
    test_segments = lookup[kmeans.predict(transformer.transform(test_keys))] if len(test_keys) else \
        np.empty(0, dtype=np.int64)
    silhouette = float(silhouette_score(Z_train, kmeans.labels_))
    sampled = float(silhouette_score(Z_train[silhouette_sample], kmeans.labels_[silhouette_sample]))
    return FinalSegmentation(
        imputer=imputer, transformer=transformer, kmeans=kmeans, segment_of_label=mapping,
        train_segments=train_segments, all_segments=np.concatenate([train_segments, test_segments]),
        imputed_key_fields=pd.concat([train_keys, test_keys], ignore_index=True),
        silhouette=silhouette, silhouette_sampled=sampled,
    )


def _fit_on_combinations(imputer: UnknownValueImputer, train_keys: pd.DataFrame, test_keys: pd.DataFrame,
                         silhouette_sample: np.ndarray, n_init: int, random_state: int, k: int) -> FinalSegmentation:
    """:func:`fit_final_segmentation` on the distinct key-field combinations, weighted by their clients."""
    combinations, of_row = key_combinations(train_keys)
    weights = np.bincount(of_row, minlength=len(combinations)).astype(np.float64)
    transformer = build_pipeline(domain.PIPELINES[domain.FINAL_PIPELINE], [], list(domain.SEGMENT_FEATURES),
                                 with_unknown=False)
    # Pipeline 8 scales ordinal codes by their range, which the combinations span as the rows do.
    Z = transformer.fit_transform(combinations)
    if k < 2 or k > len(np.unique(Z, axis=0)):
        raise ValueError(f"k={k} must be at least 2 and at most the {len(np.unique(Z, axis=0))} distinct "
                         "combinations of job, housing and loan in the training rows")
    kmeans = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(Z, sample_weight=weights)
    train_labels = kmeans.labels_[of_row]
    mapping = number_segments(train_labels, train_keys)
    lookup = np.zeros(k, dtype=np.int64)
    for label, segment in mapping.items():
        lookup[label] = segment
    train_segments = lookup[train_labels]
    test_segments = lookup[predict_by_combination(kmeans, transformer, test_keys)]
    silhouette = silhouette_of_distinct_rows(Z, of_row, train_labels)
    sampled = float(silhouette_score(Z[of_row[silhouette_sample]], train_labels[silhouette_sample]))
    return FinalSegmentation(
        imputer=imputer, transformer=transformer, kmeans=kmeans, segment_of_label=mapping,
        train_segments=train_segments, all_segments=np.concatenate([train_segments, test_segments]),
        imputed_key_fields=pd.concat([train_keys, test_keys], ignore_index=True),
        silhouette=silhouette, silhouette_sampled=sampled,
    )


def key_combinations(keys: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct (job, housing, loan) combinations of ``keys`` and each row's position among them.

    Parameters
    ----------
    keys : DataFrame
        job, housing, loan (no ``unknown``).

    Returns
    -------
    combinations : DataFrame
        One row per distinct combination, in the order of the categories' codes.
    of_row : ndarray of int, shape (len(keys),)
    """
    features = list(domain.SEGMENT_FEATURES)
    # A value outside the categories becomes missing first (code -1, refused below): pandas is deprecating
    # building a Categorical from values its categories lack.
    known = {c: list(domain.known_categories(c)) for c in features}
    codes = np.column_stack([pd.Categorical(keys[c].where(keys[c].isin(known[c])), categories=known[c]).codes
                             for c in features]).astype(np.int64)
    if (codes < 0).any():
        raise ValueError("the key fields hold a value outside their known categories (an unknown left unfilled?)")
    distinct, of_row = np.unique(codes, axis=0, return_inverse=True)
    combinations = pd.DataFrame({c: np.asarray(domain.known_categories(c), dtype=object)[distinct[:, j]]
                                 for j, c in enumerate(features)})
    return combinations, of_row.reshape(-1)


def predict_by_combination(kmeans: KMeans, transformer: ColumnTransformer, keys: pd.DataFrame) -> np.ndarray:
    """K-means labels of ``keys``' rows, predicted once per distinct combination (any number of rows)."""
    if not len(keys):
        return np.empty(0, dtype=np.int64)
    combinations, of_row = key_combinations(keys)
    return kmeans.predict(transformer.transform(combinations))[of_row]


# --- The classifier ----------------------------------------------------------------------------------


def key_field_encoder() -> OrdinalEncoder:
    """Ordinal codes of job, housing, loan in the domain's category order (the tree splits on these)."""
    return OrdinalEncoder(categories=[list(domain.known_categories(c)) for c in domain.SEGMENT_FEATURES])


@dataclass
class SegmentClassifier:
    """The depth-3 tree on ordinal codes of the key fields, and its evaluation."""

    encoder: OrdinalEncoder
    tree: DecisionTreeClassifier
    logistic: object  # a fitted sklearn Pipeline (one-hot + balanced logistic regression)
    evaluation: dict


def _classification_report(truth: np.ndarray, predicted: np.ndarray, numbers: tuple[int, ...]) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(numbers), zero_division=0)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=list(numbers)).tolist(),
        "per_class": [
            {"segment": s, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for s, p, r, f, n in zip(numbers, precision, recall, f1, support)
        ],
    }


def fit_segment_classifier(train_keys: pd.DataFrame, train_segments: np.ndarray, test_keys: pd.DataFrame,
                           test_segments: np.ndarray, random_state: int = 42) -> SegmentClassifier:
    """Fit the depth-3 tree (and the logistic comparison) and evaluate both on the test rows.

    Parameters
    ----------
    train_keys, test_keys : DataFrame
        Imputed job, housing, loan.
    train_segments, test_segments : ndarray of int
        The segmentation's segments (1-k) of the same rows; the test rows' come from ``KMeans.predict``. Every
        segment has training clients (K-means was fitted on them).
    """
    numbers = tuple(int(s) for s in np.unique(train_segments))
    encoder = key_field_encoder().fit(train_keys)
    X_train, X_test = encoder.transform(train_keys), encoder.transform(test_keys)
    tree = DecisionTreeClassifier(max_depth=3, random_state=random_state).fit(X_train, train_segments)
    logistic = make_pipeline(
        OneHotEncoder(categories=[list(domain.known_categories(c)) for c in domain.SEGMENT_FEATURES]),
        LogisticRegression(class_weight="balanced", max_iter=2000, random_state=random_state),
    ).fit(train_keys, train_segments)
    evaluation = {
        "train_rows": int(len(train_keys)),
        "test_rows": int(len(test_keys)),
        "class_balance_train": {int(s): int((train_segments == s).sum()) for s in numbers},
        "class_balance_test": {int(s): int((test_segments == s).sum()) for s in numbers},
        "tree": _classification_report(test_segments, tree.predict(X_test), numbers),
        "tree_train_accuracy": float(accuracy_score(train_segments, tree.predict(X_train))),
        "logistic": _classification_report(test_segments, logistic.predict(test_keys), numbers),
    }
    return SegmentClassifier(encoder, tree, logistic, evaluation)


def _split_rule(feature: str, threshold: float, goes_left: bool) -> str:
    """A split on an ordinal code as words: ``housing = yes``, ``job in {admin., blue-collar}``."""
    categories = domain.known_categories(feature)
    chosen = [c for i, c in enumerate(categories) if (i <= threshold) == goes_left]
    if len(chosen) == 1:
        return f"{feature} = {chosen[0]}"
    return f"{feature} in {{{', '.join(chosen)}}}"


def tree_nodes(tree: DecisionTreeClassifier) -> list[dict]:
    """The tree as a list of nodes for drawing and reading.

    Returns
    -------
    list of dict
        One dict per node in sklearn's node order: ``id``, ``parent`` (None at the root), ``depth``,
        ``rule`` (the condition on the edge from the parent, in words), ``split`` (the node's own question,
        None at a leaf), ``samples``, ``segment_counts`` ({segment: clients}), ``segment`` (the prediction),
        ``is_leaf``.
    """
    structure = tree.tree_
    classes = [int(c) for c in tree.classes_]
    nodes: list[dict] = []
    parents: dict[int, tuple[int, str]] = {}
    depth = {0: 0}
    for node in range(structure.node_count):
        left, right = structure.children_left[node], structure.children_right[node]
        is_leaf = left == right
        feature = None if is_leaf else domain.SEGMENT_FEATURES[structure.feature[node]]
        if not is_leaf:
            threshold = float(structure.threshold[node])
            parents[left] = (node, _split_rule(feature, threshold, True))
            parents[right] = (node, _split_rule(feature, threshold, False))
            depth[left] = depth[right] = depth[node] + 1
        fractions = structure.value[node][0]
        samples = int(structure.n_node_samples[node])
        # sklearn >= 1.4 stores class fractions in `value`; recover client counts from the node's size.
        counts = np.rint(fractions / fractions.sum() * samples).astype(int)
        parent, rule = parents.get(node, (None, None))
        nodes.append({
            "id": node, "parent": parent, "depth": depth[node], "rule": rule,
            "split": None if is_leaf else _split_rule(feature, float(structure.threshold[node]), True),
            "samples": samples,
            "segment_counts": {classes[i]: int(c) for i, c in enumerate(counts)},
            "segment": classes[int(np.argmax(fractions))],
            "is_leaf": bool(is_leaf),
        })
    return nodes


def decision_path(tree: DecisionTreeClassifier, codes: np.ndarray) -> list[int]:
    """Node ids from the root to the leaf for one client's ordinal codes, one per key field."""
    return [int(i) for i in tree.decision_path(codes.reshape(1, -1)).indices]


# --- Profiles -------------------------------------------------------------------------------------------

#: Radar axes: share of a segment's clients with each property (English in profiles.json, translated where shown).
RADAR_AXES: dict[str, str] = {
    "housing_loan": N_("Housing loan"),
    "personal_loan": N_("Personal loan"),
    "subscribed": N_("Subscribed a deposit"),
    "married": N_("Married"),
    "university": N_("University degree"),
    "contacted_before": N_("Contacted before"),
    "age_50_plus": N_("Aged 50+"),
}


def segment_profiles(clean: pd.DataFrame, key_fields: pd.DataFrame, segments: np.ndarray,
                     segment_numbers: tuple[int, ...] | None = None) -> dict:
    """Per-segment sizes, radar values, job mix and subscription rate.

    Parameters
    ----------
    clean : DataFrame
        The cleaned rows (from :func:`dashapp.sources.bank_table.clean_bank_table`).
    key_fields : DataFrame
        Imputed job, housing, loan of the same rows.
    segments : ndarray of int
        Segment of each row.
    segment_numbers : tuple of int, optional
        The segments to profile, in order (default: those in ``segments``); one without rows gets zeros.

    Returns
    -------
    dict
        ``{"segments": [...], "radar_axes": {...}, "jobs": [...]}``, JSON-serialisable.
    """
    frame = pd.DataFrame({
        "segment": segments,
        "housing_loan": key_fields["housing"].to_numpy() == "yes",
        "personal_loan": key_fields["loan"].to_numpy() == "yes",
        "subscribed": clean["y"].to_numpy() == "yes",
        "married": clean["marital"].to_numpy() == "married",
        "university": clean["education"].to_numpy() == "university.degree",
        "contacted_before": clean["previous"].to_numpy() > 0,
        "age_50_plus": clean["age"].to_numpy() >= 50,
        "job": key_fields["job"].to_numpy(),
        "age": clean["age"].to_numpy(),
    })
    jobs = list(domain.known_categories("job"))
    result = []
    numbers = tuple(int(s) for s in np.unique(segments)) if segment_numbers is None else segment_numbers
    for number in numbers:
        members = frame[frame["segment"] == number]
        job_counts = members["job"].value_counts().reindex(jobs, fill_value=0)
        result.append({
            "segment": number,
            "clients": int(len(members)),
            "share": float(len(members) / len(frame)),
            "subscription_rate": float(members["subscribed"].mean()) if len(members) else 0.0,
            "mean_age": float(members["age"].mean()) if len(members) else 0.0,
            "radar": {axis: float(members[axis].mean()) if len(members) else 0.0 for axis in RADAR_AXES},
            "job_counts": {job: int(n) for job, n in job_counts.items()},
        })
    return {"segments": result, "radar_axes": RADAR_AXES, "jobs": jobs,
            "overall_subscription_rate": float(frame["subscribed"].mean())}
