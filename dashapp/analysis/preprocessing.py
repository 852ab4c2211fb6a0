"""The three treatments of ``unknown`` values and the eight preprocessing pipelines.

Plain scikit-learn: imputers that follow the original analysis (ordinal codes plus standardised numerics,
decoded back to categories), and pipelines numbered 1-8 in the original's loop order. Beside the imputer,
:func:`compare_neighbour_combination` measures how its way of combining neighbours (averaging codes) compares
with the majority vote that scoring uses.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.experimental import enable_iterative_imputer  # noqa: F401 (enables IterativeImputer)
from sklearn.impute import IterativeImputer, KNNImputer
from sklearn.linear_model import BayesianRidge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

from dashapp.artifacts.neighbours import ranked_votes
from dashapp.core import domain
from dashapp.core.domain import PipelineSpec

logger = logging.getLogger(__name__)

KNN_NEIGHBOURS = 5
#: Rows per block of :func:`transform_in_chunks`: above the UCI file's periods (28,831 and 12,357 rows), so
#: that they are transformed in one block, exactly as before blocks.
TRANSFORM_CHUNK_ROWS = 50_000
#: scikit-learn's working memory (MB) for the KNN imputer's distance blocks in :func:`transform_in_chunks`:
#: its default (1,024) held about 4 GB at its peak against 50,000 fitted rows (the blocks' intermediate copies).
KNN_WORKING_MEMORY_MB = 128


class UnknownValueImputer(TransformerMixin, BaseEstimator):
    """Fill ``unknown`` (NaN) categories the way the original analysis did.

    Categorical columns are ordinal-coded, numeric columns standardised, the missing codes imputed by KNN
    (5 neighbours) or by iterative imputation with BayesianRidge, and the imputed codes decoded back to
    categories. Decoding truncates fractional codes toward zero, as ``OrdinalEncoder.inverse_transform``
    does; the original's published cluster shares depend on that (an average of codes 1 and 2 decodes to 1).

    Parameters
    ----------
    method : {"knn", "iterative"}
        How missing codes are imputed.
    random_state : int
        Seed of the iterative imputer (KNN is deterministic).
    """

    def __init__(self, method: str = "knn", random_state: int = 0):
        self.method = method
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y=None):
        if self.method not in ("knn", "iterative"):
            raise ValueError(f"method={self.method!r} must be 'knn' or 'iterative'")
        self.numeric_ = [c for c in X.columns if c in domain.NUMERIC_COLUMNS]
        self.categorical_ = [c for c in X.columns if c in domain.CATEGORICAL_COLUMNS]
        self.encoder_ = OrdinalEncoder(
            categories=[list(domain.known_categories(c)) for c in self.categorical_],
            handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan,
        ).fit(X[self.categorical_])
        self.scaler_ = StandardScaler().fit(X[self.numeric_]) if self.numeric_ else None
        matrix = self.matrix(X)
        if self.method == "knn":
            self.imputer_ = PositionalKNNImputer(n_neighbors=KNN_NEIGHBOURS)
        else:
            self.imputer_ = IterativeImputer(estimator=BayesianRidge(), random_state=self.random_state)
        self.imputer_.fit(matrix)
        return self

    def matrix(self, X: pd.DataFrame) -> np.ndarray:
        """The matrix the imputer works on: standardised numeric columns, then ordinal codes (NaN: unknown).

        Parameters
        ----------
        X : DataFrame
            Rows with the columns the imputer was fitted on.

        Returns
        -------
        ndarray of float, shape (n_rows, n_numeric + n_categorical)
        """
        codes = self.encoder_.transform(X[self.categorical_])
        if self.scaler_ is None:
            return codes
        return np.hstack([self.scaler_.transform(X[self.numeric_]), codes])

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``X`` with every missing category filled."""
        imputed = self.imputer_.transform(self.matrix(X))
        codes = imputed[:, len(self.numeric_):]
        result = X.copy()
        for j, column in enumerate(self.categorical_):
            categories = self.encoder_.categories_[j]
            index = np.clip(np.trunc(codes[:, j]), 0, len(categories) - 1).astype(int)
            result[column] = np.asarray(categories, dtype=object)[index]
        return result


class PositionalKNNImputer(KNNImputer):
    """scikit-learn's ``KNNImputer``, choosing the same donors on every machine.

    ``KNNImputer`` takes a receiver's k nearest donors with ``np.argpartition``, and which of several equidistant
    donors that keeps depends on the CPU: numpy selects with AVX-512, AVX2 or plain code, by what the machine
    has. On the UCI file a machine with AVX-512 imputed some key fields differently from one without, and moved
    the segments' client counts by up to four. Here the donors are the k nearest by distance rounded to 9
    decimals (distances equal in exact arithmetic, which ``nan_euclidean``'s matrix product can leave a rounding
    error apart, compare equal), equal ones in the order of the fitted rows (:func:`_nearest`). The other
    donors' distances are hidden as NaN, which scikit-learn's own selection puts last and its average weighs
    0, so its averaging runs unchanged on exactly these donors.
    """

    def _calc_impute(self, dist_pot_donors, n_neighbors, fit_X_col, mask_fit_X_col):
        nearest = _nearest(np.round(dist_pot_donors, 9), n_neighbors)
        receivers = np.arange(len(dist_pot_donors))[:, None]
        only_nearest = np.full_like(dist_pot_donors, np.nan)
        only_nearest[receivers, nearest] = dist_pot_donors[receivers, nearest]
        return super()._calc_impute(only_nearest, n_neighbors, fit_X_col, mask_fit_X_col)


def _nearest(distance: np.ndarray, k: int) -> np.ndarray:
    """Per row, the columns of the ``k`` smallest distances, nearest first, equal distances by position (NaN: the
    farthest of all).

    The same on every machine: the k-th smallest *value* is the same whatever algorithm finds it, and the
    choice among equal values is made here, by position, not by ``np.argpartition``, whose choice depends on
    the CPU's instructions.
    """
    distance = np.where(np.isnan(distance), np.inf, distance)
    kth = np.partition(distance, k - 1, axis=1)[:, k - 1:k]
    nearest = np.empty((len(distance), k), dtype=np.int64)
    for i, row in enumerate(distance):
        candidates = np.flatnonzero(row <= kth[i])
        nearest[i] = candidates[np.lexsort((candidates, row[candidates]))[:k]]
    return nearest


def transform_in_chunks(imputer: UnknownValueImputer, X: pd.DataFrame, columns: list[str] | None = None,
                        chunk_rows: int = TRANSFORM_CHUNK_ROWS, jobs: int = 1) -> pd.DataFrame:
    """``imputer.transform(X)`` a block of rows at a time, in ``jobs`` processes: the same rows, any number of them.

    The KNN imputer compares each row with a gap with every row it was fitted on, so its cost and memory grow
    with the rows transformed; a block bounds the memory, and the blocks are independent (a row's neighbours
    are among the fitted rows, never among the rows transformed with it).

    Parameters
    ----------
    imputer : UnknownValueImputer
        Fitted.
    X : DataFrame
        Rows with the columns the imputer was fitted on.
    columns : list of str, optional
        The columns to return (default: all), so that the result of many rows holds only what is needed.
    chunk_rows : int
        Rows per block, at least 1.
    jobs : int
        Processes.

    Returns
    -------
    DataFrame
        ``X``'s rows (same index, same order) with every missing category of ``columns`` filled.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} must be at least 1")
    from joblib import Parallel, delayed

    columns = list(X.columns) if columns is None else list(columns)
    starts = range(0, len(X), chunk_rows)
    if len(starts) <= 1:
        return _transform_block(imputer, X, columns)
    parts = Parallel(n_jobs=min(jobs, len(starts)))(
        delayed(_transform_block)(imputer, X.iloc[start:start + chunk_rows], columns) for start in starts)
    return pd.concat(parts)


def impute_columns(imputer: UnknownValueImputer, X: pd.DataFrame, columns: list[str],
                   chunk_rows: int = TRANSFORM_CHUNK_ROWS, jobs: int = 1) -> pd.DataFrame:
    """``columns`` of ``imputer.transform(X)``, transforming only the rows with a gap in one of them.

    A row's imputation depends on that row and the fitted rows alone, and a known value passes through
    unchanged, so the other rows need no neighbours: on the UCI file 3% of the rows have a gap in a key field,
    against 36% with a gap anywhere (``default`` is unknown for a fifth of the clients).

    The parameters are :func:`transform_in_chunks`'s (``columns``: the ones to fill and return); returns
    ``X[columns]`` (same index and order) with every gap filled.
    """
    result = X[list(columns)].copy()
    gaps = result.isna().any(axis=1).to_numpy()
    if gaps.any():
        filled = transform_in_chunks(imputer, X.iloc[np.flatnonzero(gaps)], columns, chunk_rows=chunk_rows, jobs=jobs)
        for column in columns:
            values = result[column].to_numpy(dtype=object, copy=True)
            values[gaps] = filled[column].to_numpy(dtype=object)
            result[column] = values  # typed as transform() types its columns
    return result


def _transform_block(imputer: UnknownValueImputer, X: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    with config_context(working_memory=KNN_WORKING_MEMORY_MB):
        return imputer.transform(X)[columns]


def fill_unknown_as_category(X: pd.DataFrame) -> pd.DataFrame:
    """The "raw" treatment: ``unknown`` stays a category of its own."""
    result = X.copy()
    for column in X.columns:
        if column in domain.CATEGORICAL_COLUMNS:
            result[column] = result[column].fillna(domain.UNKNOWN)
    return result


def apply_treatment(treatment: str, X: pd.DataFrame, random_state: int = 0) -> pd.DataFrame:
    """Fit-and-transform one of the three treatments on ``X`` (``unknown`` as NaN).

    Parameters
    ----------
    treatment : {"raw", "knn", "iterative"}
    X : DataFrame
        A modelling frame (see :func:`dashapp.sources.bank_table.modelling_frame`).

    Returns
    -------
    DataFrame
        The frame with no missing categories.
    """
    if treatment not in domain.TREATMENTS:
        raise ValueError(f"treatment={treatment!r} must be one of {', '.join(domain.TREATMENTS)}")
    if treatment == "raw":
        return fill_unknown_as_category(X)
    return UnknownValueImputer(treatment, random_state=random_state).fit_transform(X)


def _scaler(kind: str):
    return StandardScaler() if kind == "standard" else MinMaxScaler()


def _categories(column: str, with_unknown: bool) -> list[str]:
    return list(domain.CATEGORIES[column] if with_unknown else domain.known_categories(column))


def build_pipeline(spec: PipelineSpec, numeric: list[str], categorical: list[str],
                   with_unknown: bool) -> ColumnTransformer:
    """The preprocessing pipeline ``spec`` for the given columns.

    Parameters
    ----------
    spec : PipelineSpec
        Which scalers and encoder (see :data:`dashapp.core.domain.PIPELINES`).
    numeric, categorical : list of str
        The columns of each kind; ``numeric`` may be empty.
    with_unknown : bool
        Whether ``unknown`` is a category (the "raw" treatment); category lists are fixed from the domain so
        that every configuration encodes the same way.

    Returns
    -------
    ColumnTransformer
        Unfitted; outputs a dense float matrix.
    """
    categories = [_categories(c, with_unknown and c in domain.COLUMNS_WITH_UNKNOWN) for c in categorical]
    if spec.encoder == "onehot":
        encoder = OneHotEncoder(categories=categories, sparse_output=False, handle_unknown="ignore")
    else:
        encoder = OrdinalEncoder(categories=categories, handle_unknown="use_encoded_value", unknown_value=-1)
    parts = []
    if numeric:
        parts.append(("numeric", _scaler(spec.numeric_scaler), numeric))
    parts.append(("categorical", Pipeline([("encode", encoder), ("scale", _scaler(spec.encoded_scaler))]),
                  categorical))
    return ColumnTransformer(parts, sparse_threshold=0.0)


def feature_columns(feature_set: str) -> tuple[list[str], list[str]]:
    """Numeric and categorical columns of a grid feature set ("all", "no_socio" or "final")."""
    if feature_set not in domain.FEATURE_SETS:
        raise ValueError(f"feature_set={feature_set!r} must be one of {', '.join(domain.FEATURE_SETS)}")
    numeric, categorical = domain.FEATURE_SET_COLUMNS[feature_set]
    return list(numeric), list(categorical)


# --- Measuring how neighbours' categories are combined ---------------------------------------------------------


def _nan_euclidean_squared(receivers: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Squared ``nan_euclidean`` distances (scikit-learn's definition), computed coordinate by coordinate.

    scikit-learn computes them through a matrix product, whose last bits depend on the CPU's code path; equal
    distances then differ by a rounding error whose sign, and therefore the neighbours chosen, vary by machine.
    Summing squared differences one coordinate at a time is exact IEEE arithmetic with the same result on
    every machine; rounding to 9 decimals then makes distances that are equal in exact arithmetic (a client
    aged 40 between neighbours aged 39 and 41) compare equal, so that the tie-break decides, not the rounding.
    """
    n_features = receivers.shape[1]
    total = np.zeros((len(receivers), len(donors)))
    present = np.zeros((len(receivers), len(donors)))
    for j in range(n_features):
        difference = receivers[:, j, None] - donors[None, :, j]
        known = ~np.isnan(difference)
        total += np.where(known, difference * difference, 0.0)
        present += known
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round(total * (n_features / present), 9)


def compare_neighbour_combination(frame: pd.DataFrame, columns: tuple[str, ...] = domain.COLUMNS_WITH_UNKNOWN,
                                  n_neighbours: int = KNN_NEIGHBOURS, chunk_rows: int = 100) -> pd.DataFrame:
    """Fill each missing category the original's way twice, averaging codes and by majority vote, and compare.

    The neighbours are the original's: :class:`UnknownValueImputer`'s matrix (ordinal codes and standardised
    numerics), scikit-learn's ``nan_euclidean`` distance, ``n_neighbours`` donors that know the column. They are
    chosen as scoring's vote chooses them: by distance, then by position (time order) among equal distances,
    so the result is the same on every machine (scikit-learn's own selection among equal distances depends on
    the CPU). Only how their categories are combined differs. A category is *invented* when none of the
    neighbours holds it.

    Parameters
    ----------
    frame : DataFrame
        A modelling frame (:func:`dashapp.sources.bank_table.modelling_frame`), ``unknown`` as NaN, e.g. the training
        rows.
    columns : tuple of str
        Categorical columns to fill.
    n_neighbours : int
    chunk_rows : int
        Rows per block of the distance matrix (memory: a few times ``chunk_rows`` x rows x 8 bytes).

    Returns
    -------
    DataFrame
        One row per (column, category): ``known`` (clients with it before filling), ``by_average`` and
        ``by_vote`` (clients with it after filling), ``invented_by_average`` and ``invented_by_vote`` (filled
        cells that got it though no neighbour holds it).
    """
    imputer = UnknownValueImputer("knn")
    # Only the encoder and scaler are needed; fitting the KNNImputer too is cheap (it stores the rows).
    imputer.fit(frame)
    matrix = imputer.matrix(frame)
    n_numeric = len(imputer.numeric_)
    rows = []
    for column in columns:
        j = imputer.categorical_.index(column)
        categories = list(imputer.encoder_.categories_[j])
        codes = matrix[:, n_numeric + j]
        missing = np.isnan(codes)
        donors = np.flatnonzero(~missing)
        averaged, voted, invented_average, invented_vote = (np.zeros(len(categories), dtype=np.int64)
                                                            for _ in range(4))
        for start in range(0, int(missing.sum()), chunk_rows):
            receivers = np.flatnonzero(missing)[start:start + chunk_rows]
            nearest = _nearest(_nan_euclidean_squared(matrix[receivers], matrix[donors]), n_neighbours)
            neighbour_codes = codes[donors][nearest].astype(np.int64)
            average = np.clip(np.trunc(neighbour_codes.mean(axis=1)), 0, len(categories) - 1).astype(np.int64)
            vote = np.array([ranked_votes(row)[0][0] for row in neighbour_codes], dtype=np.int64)
            for filled, counts, invented in ((average, averaged, invented_average), (vote, voted, invented_vote)):
                np.add.at(counts, filled, 1)
                held = (neighbour_codes == filled[:, None]).any(axis=1)
                np.add.at(invented, filled[~held], 1)
        known = np.bincount(codes[~missing].astype(np.int64), minlength=len(categories))
        for i, category in enumerate(categories):
            rows.append({"column": column, "category": category, "known": int(known[i]),
                         "by_average": int(known[i] + averaged[i]), "by_vote": int(known[i] + voted[i]),
                         "invented_by_average": int(invented_average[i]), "invented_by_vote": int(invented_vote[i])})
    return pd.DataFrame(rows)
