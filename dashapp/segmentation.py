"""The final segmentation (KNN treatment, pipeline 8, job x housing x loan, k = 4) and the tree that assigns it.

K-means labels are renumbered to the original study's segment meanings (see :data:`dashapp.catalogue.SEGMENTS`);
a depth-3 decision tree learns the segments from the three key fields on the time-ordered training rows and
is evaluated on the test rows, beside a balanced logistic regression.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
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

from dashapp import domain
from dashapp.preprocessing import UnknownValueImputer, build_pipeline

logger = logging.getLogger(__name__)

#: Jobs that tell segment 4 (housing loan; technicians, services, self-employed) from segment 1.
_SEGMENT_4_JOBS = ("technician", "services", "self-employed")
SEGMENT_NUMBERS = domain.SEGMENT_NUMBERS


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
        k = 4 on the transformed training rows.
    segment_of_label : dict
        K-means label (0-based) -> segment number (1-4).
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

    def shares(self) -> dict[int, float]:
        """Share of the training rows in each segment."""
        counts = np.bincount(self.train_segments, minlength=max(SEGMENT_NUMBERS) + 1)
        return {s: float(counts[s] / len(self.train_segments)) for s in SEGMENT_NUMBERS}


def number_segments(kmeans_labels: np.ndarray, key_fields: pd.DataFrame) -> dict[int, int]:
    """Map K-means labels to the original's segment numbers by what their members have in common.

    Segment 2 is the cluster with the most personal loans; of the rest, segment 3 has the fewest housing loans;
    of the last two (housing loan, no personal loan), segment 4 has more technicians, services staff and
    self-employed, segment 1 the others (admin., blue-collar, management).

    Parameters
    ----------
    kmeans_labels : ndarray of int, shape (n,)
        Four distinct labels.
    key_fields : DataFrame
        job, housing, loan of the same rows.

    Returns
    -------
    dict
        label -> segment number.
    """
    labels = np.unique(kmeans_labels)
    if len(labels) != len(SEGMENT_NUMBERS):
        raise ValueError(f"expected {len(SEGMENT_NUMBERS)} clusters to name, got {len(labels)}")
    profile = pd.DataFrame({
        "loan": (key_fields["loan"].to_numpy() == "yes"),
        "housing": (key_fields["housing"].to_numpy() == "yes"),
        "segment4_job": key_fields["job"].isin(_SEGMENT_4_JOBS).to_numpy(),
        "label": kmeans_labels,
    }).groupby("label").mean()
    mapping: dict[int, int] = {}
    personal = int(profile["loan"].idxmax())
    mapping[personal] = 2
    rest = profile.drop(index=personal)
    neither = int(rest["housing"].idxmin())
    mapping[neither] = 3
    rest = rest.drop(index=neither)
    mapping[int(rest["segment4_job"].idxmax())] = 4
    mapping[int(rest["segment4_job"].idxmin())] = 1
    return mapping


def fit_final_segmentation(imputer: UnknownValueImputer, train_treated: pd.DataFrame,
                           test_treated: pd.DataFrame, silhouette_sample: np.ndarray, n_init: int = 10,
                           random_state: int = 42) -> FinalSegmentation:
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

    Returns
    -------
    FinalSegmentation
    """
    features = list(domain.SEGMENT_FEATURES)
    train_keys = train_treated[features].reset_index(drop=True)
    test_keys = test_treated[features].reset_index(drop=True)
    transformer = build_pipeline(domain.PIPELINES[domain.FINAL_PIPELINE], [], features, with_unknown=False)
    Z_train = transformer.fit_transform(train_keys)
    kmeans = KMeans(n_clusters=domain.FINAL_K, n_init=n_init, random_state=random_state).fit(Z_train)
    mapping = number_segments(kmeans.labels_, train_keys)
    lookup = np.zeros(domain.FINAL_K, dtype=np.int64)
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


def _classification_report(truth: np.ndarray, predicted: np.ndarray) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(SEGMENT_NUMBERS), zero_division=0)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=list(SEGMENT_NUMBERS)).tolist(),
        "per_class": [
            {"segment": s, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for s, p, r, f, n in zip(SEGMENT_NUMBERS, precision, recall, f1, support)
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
        The segmentation's segments (1-4) of the same rows; the test rows' come from ``KMeans.predict``.
    """
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
        "class_balance_train": {int(s): int((train_segments == s).sum()) for s in SEGMENT_NUMBERS},
        "class_balance_test": {int(s): int((test_segments == s).sum()) for s in SEGMENT_NUMBERS},
        "tree": _classification_report(test_segments, tree.predict(X_test)),
        "tree_train_accuracy": float(accuracy_score(train_segments, tree.predict(X_train))),
        "logistic": _classification_report(test_segments, logistic.predict(test_keys)),
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


def tree_rules_text(nodes: list[dict], segment_names: Mapping[int, str]) -> str:
    """The tree as nested if/else rules in words, one line per node.

    Parameters
    ----------
    nodes : list of dict
        From :func:`tree_nodes`.
    segment_names : mapping
        Segment number -> the name a leaf's line gives it (presentation, so the caller's).
    """
    children: dict[int, list[dict]] = {}
    for node in nodes:
        if node["parent"] is not None:
            children.setdefault(node["parent"], []).append(node)
    lines: list[str] = []

    def walk(node: dict, indent: int) -> None:
        for child in children.get(node["id"], []):
            lines.append("    " * indent + f"if {child['rule']}:")
            if child["is_leaf"]:
                number = child["segment"]
                lines.append("    " * (indent + 1)
                             + f"segment {number} ({segment_names[number]}); {child['samples']:,} training clients")
            else:
                walk(child, indent + 1)

    walk(nodes[0], 0)
    return "\n".join(lines) + "\n"


def decision_path(tree: DecisionTreeClassifier, codes: np.ndarray) -> list[int]:
    """Node ids from the root to the leaf for one client's ordinal codes, one per key field."""
    return [int(i) for i in tree.decision_path(codes.reshape(1, -1)).indices]


# --- Profiles -------------------------------------------------------------------------------------------

#: Radar axes: share of a segment's clients with each property.
RADAR_AXES: dict[str, str] = {
    "housing_loan": "Housing loan",
    "personal_loan": "Personal loan",
    "subscribed": "Subscribed a deposit",
    "married": "Married",
    "university": "University degree",
    "contacted_before": "Contacted before",
    "age_50_plus": "Aged 50+",
}


def segment_profiles(clean: pd.DataFrame, key_fields: pd.DataFrame, segments: np.ndarray) -> dict:
    """Per-segment sizes, radar values, job mix and subscription rate.

    Parameters
    ----------
    clean : DataFrame
        The cleaned rows (from :func:`dashapp.data.clean_bank_table`).
    key_fields : DataFrame
        Imputed job, housing, loan of the same rows.
    segments : ndarray of int
        Segment of each row.

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
    for number in SEGMENT_NUMBERS:
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
