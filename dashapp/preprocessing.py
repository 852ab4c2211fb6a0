"""The three treatments of ``unknown`` values and the eight preprocessing pipelines.

Plain scikit-learn: imputers that follow the original analysis (ordinal codes plus standardised numerics,
decoded back to categories), and pipelines numbered 1-8 in the original's loop order.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.experimental import enable_iterative_imputer  # noqa: F401 (enables IterativeImputer)
from sklearn.impute import IterativeImputer, KNNImputer
from sklearn.linear_model import BayesianRidge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

from dashapp import domain
from dashapp.domain import PipelineSpec

logger = logging.getLogger(__name__)

KNN_NEIGHBOURS = 5


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
        matrix = self._matrix(X)
        if self.method == "knn":
            self.imputer_ = KNNImputer(n_neighbors=KNN_NEIGHBOURS)
        else:
            self.imputer_ = IterativeImputer(estimator=BayesianRidge(), random_state=self.random_state)
        self.imputer_.fit(matrix)
        return self

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        codes = self.encoder_.transform(X[self.categorical_])
        if self.scaler_ is None:
            return codes
        return np.hstack([self.scaler_.transform(X[self.numeric_]), codes])

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``X`` with every missing category filled."""
        imputed = self.imputer_.transform(self._matrix(X))
        codes = imputed[:, len(self.numeric_):]
        result = X.copy()
        for j, column in enumerate(self.categorical_):
            categories = self.encoder_.categories_[j]
            index = np.clip(np.trunc(codes[:, j]), 0, len(categories) - 1).astype(int)
            result[column] = np.asarray(categories, dtype=object)[index]
        return result


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
        A modelling frame (see :func:`dashapp.data.modelling_frame`).

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
        Which scalers and encoder (see :data:`dashapp.domain.PIPELINES`).
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
