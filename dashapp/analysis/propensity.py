"""A benchmark the segments must beat: response (propensity) models, and gain and lift on the test period.

Two scikit-learn models learn ``y`` (subscribed a term deposit) on the training period and rank the clients of
the test period: a logistic regression (one-hot categories, standardised numbers) and a gradient-boosted tree
(``HistGradientBoostingClassifier`` with native categorical splits). The segments' own targeting ranks the same
clients by their segment's training-period subscription rate. Gain and lift at 10%, 20% and 30% of the clients
called say which targets better, and by how much.

The inputs (:data:`PROPENSITY_INPUTS`) are every column known before the call's outcome, and each is allowed
for that reason:

- ``age``, ``job``, ``marital``, ``education``, ``default``, ``housing``, ``loan``: the client's record at the
  bank, known before anyone calls (``unknown`` is kept as a category of its own: not knowing is a fact of the
  record, and the test rows carry it too).
- ``contact`` (cellular or telephone), ``month``, ``day_of_week``: how and when the call is placed, decided
  when it is scheduled, before anyone answers.
- ``campaign``: calls to this client in this campaign, this one included; known when the call is dialled.
- ``pdays``, ``previous``, ``poutcome``: the history of earlier campaigns.
- ``emp.var.rate``, ``cons.price.idx``, ``cons.conf.idx``, ``euribor3m``, ``nr.employed``: the published
  economic indicators of the call's month or quarter.

Left out: ``duration`` (the call's length is known only after the call, and a call of 0 s is always a "no":
using it would predict the outcome from the outcome), ``y`` (the target) and ``contact_date`` (a timestamp: in
a time split every test date lies after every training date, so a model could only extrapolate it).
The month and the economic indicators partly stand for the period itself; they are known before the call all
the same, which is what a bank would have when choosing whom to call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from dashapp.core import domain
from dashapp.core.i18n import N_

logger = logging.getLogger(__name__)

PROPENSITY_CATEGORICAL: tuple[str, ...] = ("job", "marital", "education", "default", "housing", "loan", "contact",
                                           "month", "day_of_week", "poutcome")
PROPENSITY_NUMERIC: tuple[str, ...] = domain.NUMERIC_COLUMNS
PROPENSITY_INPUTS: tuple[str, ...] = PROPENSITY_CATEGORICAL + PROPENSITY_NUMERIC
#: Columns a propensity model must never see (see the module docstring).
EXCLUDED_INPUTS: tuple[str, ...] = ("duration", "y", "contact_date")

#: The targeting methods, in the order pages show them: the two models, then the segments (translated where shown).
METHODS: dict[str, str] = {
    "boosting": N_("Gradient-boosted tree"),
    "logistic": N_("Logistic regression"),
    "segments": N_("Segments"),
}
MODEL_METHODS: tuple[str, ...] = ("boosting", "logistic")
#: Shares of the test clients called at which gain and lift are recorded.
CALLED_SHARES: tuple[float, ...] = (0.1, 0.2, 0.3)
#: The gain and lift curves are stored at these shares called (0, 0.5%, ..., 100%): exact values of the
#: piecewise-linear curves, fine enough to draw, small enough for a JSON artifact.
CURVE_SHARES: np.ndarray = np.round(np.linspace(0.0, 1.0, 201), 4)


def model_frame(clean: pd.DataFrame) -> pd.DataFrame:
    """The inputs as typed columns: categories with the domain's full category list, numbers as float."""
    frame = pd.DataFrame(index=clean.index)
    for column in PROPENSITY_CATEGORICAL:
        frame[column] = pd.Categorical(clean[column].astype(str), categories=list(domain.CATEGORIES[column]))
    for column in PROPENSITY_NUMERIC:
        frame[column] = clean[column].astype(float)
    return frame


def logistic_model(random_state: int, categorical: Sequence[str] = PROPENSITY_CATEGORICAL,
                   numeric: Sequence[str] = PROPENSITY_NUMERIC) -> Pipeline:
    """Logistic regression on one-hot categories and standardised numbers (unseen categories ignored); by
    default on every input, else on the columns given (the client-only model leaves out the calendar's)."""
    encode = ColumnTransformer([
        ("categories", OneHotEncoder(categories=[list(domain.CATEGORIES[c]) for c in categorical],
                                     handle_unknown="ignore"), list(categorical)),
        ("numbers", StandardScaler(), list(numeric)),
    ])
    return Pipeline([("encode", encode),
                     ("model", LogisticRegression(max_iter=2000, random_state=random_state))])


def boosting_model(random_state: int) -> HistGradientBoostingClassifier:
    """A gradient-boosted tree that splits the categorical columns natively (from their pandas dtype).

    Early stopping holds out 10% of the training rows, drawn with ``random_state``, so the fit is reproducible.
    """
    return HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=random_state)


def fit_propensity_models(train: pd.DataFrame, random_state: int = 42) -> dict[str, object]:
    """Fit both response models on the training period.

    Parameters
    ----------
    train : DataFrame
        Cleaned rows (:func:`dashapp.sources.bank_table.clean_bank_table`) of the training period, with ``y``.
    random_state : int

    Returns
    -------
    dict
        ``{"logistic": Pipeline, "boosting": HistGradientBoostingClassifier}``, fitted.
    """
    missing = [c for c in PROPENSITY_INPUTS + ("y",) if c not in train.columns]
    if missing:
        raise ValueError(f"the training rows lack the columns {missing}; expected the cleaned bank table")
    target = (train["y"].to_numpy() == "yes").astype(int)
    if target.min() == target.max():
        raise ValueError("the training rows hold only one outcome; a response model needs subscribers and others")
    frame = model_frame(train)
    return {"logistic": logistic_model(random_state).fit(frame, target),
            "boosting": boosting_model(random_state).fit(frame, target)}


def model_scores(models: dict[str, object], rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each model's subscription probability for ``rows`` (cleaned rows)."""
    frame = model_frame(rows)
    return {name: model.predict_proba(frame)[:, 1] for name, model in models.items()}


def segment_scores(train_segments: np.ndarray, train_subscribed: np.ndarray,
                   test_segments: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
    """Score each test client by their segment's training-period subscription rate.

    Returns
    -------
    scores : ndarray of float
        One per test client; every client of a segment shares it.
    rates : dict
        Segment -> its training-period subscription rate.
    """
    rates = {}
    for segment in np.unique(train_segments):
        rates[int(segment)] = float(np.mean(train_subscribed[train_segments == segment]))
    unseen = sorted(set(np.unique(test_segments).tolist()) - set(rates))
    if unseen:
        raise ValueError(f"test segments {unseen} have no training clients to take a rate from")
    return np.array([rates[int(s)] for s in test_segments], dtype=float), rates


def gain_curve(scores: np.ndarray, outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative gain curve's corners, with tied scores taken together.

    Clients are called from the highest score down. Clients with the same score form one block: calling part of
    a block reaches, in expectation, that part of its subscribers, so the curve runs straight across a block and
    never depends on the order of tied rows.

    Parameters
    ----------
    scores : ndarray of float, shape (n,)
    outcomes : ndarray of {0, 1} or bool, shape (n,)
        At least one subscriber.

    Returns
    -------
    called, reached : ndarray of float
        Share of the clients called and share of the subscribers reached at the start (0, 0) and at the end of
        each tie block, in calling order; the curve is linear between them.
    """
    scores, outcomes = np.asarray(scores, dtype=float), np.asarray(outcomes).astype(float)
    if scores.shape != outcomes.shape or scores.ndim != 1 or len(scores) == 0:
        raise ValueError(f"scores {scores.shape} and outcomes {outcomes.shape} must be two equal, non-empty 1-D "
                         "arrays")
    if outcomes.sum() == 0:
        raise ValueError("no subscriber among the outcomes: gain is undefined")
    values, inverse = np.unique(-scores, return_inverse=True)  # blocks, highest score first
    clients = np.bincount(inverse, minlength=len(values))
    subscribers = np.bincount(inverse, weights=outcomes, minlength=len(values))
    called = np.concatenate([[0.0], np.cumsum(clients) / len(scores)])
    reached = np.concatenate([[0.0], np.cumsum(subscribers) / outcomes.sum()])
    return called, reached


def gain_at(scores: np.ndarray, outcomes: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Expected share of the subscribers reached when calling each share of the clients (ties taken together)."""
    shares = np.asarray(shares, dtype=float)
    if ((shares < 0) | (shares > 1)).any():
        raise ValueError(f"shares {shares.tolist()} must lie between 0 and 1")
    called, reached = gain_curve(scores, outcomes)
    return np.interp(shares, called, reached)


def lift_at(scores: np.ndarray, outcomes: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Lift when calling each share of the clients: the subscribers reached over those a random call reaches."""
    shares = np.asarray(shares, dtype=float)
    if (shares <= 0).any():
        raise ValueError(f"shares {shares.tolist()} must be above 0 for a lift")
    return gain_at(scores, outcomes, shares) / shares


def _method_report(scores: np.ndarray, outcomes: np.ndarray) -> dict:
    gains = gain_at(scores, outcomes, CALLED_SHARES)
    curve = gain_at(scores, outcomes, CURVE_SHARES)
    return {
        "roc_auc": float(roc_auc_score(outcomes, scores)),
        "average_precision": float(average_precision_score(outcomes, scores)),
        "distinct_scores": int(len(np.unique(scores))),
        "at": [{"called": share, "reached": float(g), "lift": float(g / share)}
               for share, g in zip(CALLED_SHARES, gains)],
        "curve": {"called": CURVE_SHARES.tolist(), "reached": [float(v) for v in curve]},
    }


def period_scores(clean: pd.DataFrame, segments: np.ndarray, n_train: int, random_state: int = 42,
                fit_rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every method of :data:`METHODS` scoring the test rows: the two models fitted on the training rows (those
    of ``fit_rows`` when given) and the segments' training-period rates (see :func:`targeting_benchmark`)."""
    if len(segments) != len(clean):
        raise ValueError(f"{len(segments)} segments for {len(clean)} rows; expected one per row")
    if not 0 < n_train < len(clean):
        raise ValueError(f"n_train={n_train} must leave rows in both periods of {len(clean)}")
    subscribed = (clean["y"].to_numpy() == "yes").astype(int)
    train, test = clean.iloc[:n_train], clean.iloc[n_train:]
    scores = model_scores(fit_propensity_models(train if fit_rows is None else train.iloc[fit_rows], random_state),
                          test)
    scores["segments"], _ = segment_scores(np.asarray(segments[:n_train]), subscribed[:n_train],
                                           np.asarray(segments[n_train:]))
    return scores


def targeting_benchmark(clean: pd.DataFrame, segments: np.ndarray, n_train: int, random_state: int = 42,
                        time_ordered: bool = True, fit_rows: np.ndarray | None = None,
                        scores: dict[str, np.ndarray] | None = None) -> dict:
    """The propensity models against the segments' own targeting, on the test period.

    Parameters
    ----------
    clean : DataFrame
        Every cleaned row, training rows first (:func:`dashapp.sources.bank_table.clean_bank_table`): in time order for
        a time split, where the test rows are the later period.
    segments : ndarray of int, shape (len(clean),)
        The published segment of every row.
    n_train : int
        The first ``n_train`` rows are the training period (:func:`dashapp.sources.bank_table.time_split`), the rest the
        test.
    random_state : int
    time_ordered : bool
        Whether the test rows are the later period (a time split) or a random part (a source without dates);
        recorded as ``split`` so a page says which. Nothing here needs the dates themselves.
    fit_rows : ndarray of int, optional
        Positions among the training rows that the two models are fitted on (the build's fit sample; default:
        every training row), recorded as ``fit_clients``. The segments' rates and the test period are every
        row's.
    scores : dict, optional
        :func:`period_scores` of the same arguments, when the caller has them already.

    Returns
    -------
    dict
        JSON-ready: ``split`` (``"time"`` or ``"random"``), ``inputs``, ``excluded``, ``base_rate`` (test), ``train_base_rate``, ``test_clients``,
        ``test_subscribers``, ``segment_rates`` (training period), ``called_shares`` and ``methods``
        (by :data:`METHODS` key: ``roc_auc``, ``average_precision``, ``distinct_scores``, ``at`` (gain and lift
        at each share called) and ``curve``).
    """
    if len(segments) != len(clean):
        raise ValueError(f"{len(segments)} segments for {len(clean)} rows; expected one per row")
    if not 0 < n_train < len(clean):
        raise ValueError(f"n_train={n_train} must leave rows in both periods of {len(clean)}")
    subscribed = (clean["y"].to_numpy() == "yes").astype(int)
    outcomes = subscribed[n_train:]
    if scores is None:
        scores = period_scores(clean, segments, n_train, random_state, fit_rows)
    _, rates = segment_scores(np.asarray(segments[:n_train]), subscribed[:n_train], np.asarray(segments[n_train:]))
    return {
        "split": "time" if time_ordered else "random",
        "inputs": list(PROPENSITY_INPUTS),
        "excluded": list(EXCLUDED_INPUTS),
        "base_rate": float(outcomes.mean()),
        "train_base_rate": float(subscribed[:n_train].mean()),
        "train_clients": int(n_train),
        "test_clients": int(len(clean) - n_train),
        "test_subscribers": int(outcomes.sum()),
        "segment_rates": {str(s): r for s, r in rates.items()},
        "called_shares": list(CALLED_SHARES),
        "methods": {name: _method_report(scores[name], outcomes) for name in METHODS},
    } | ({} if fit_rows is None else {"fit_clients": int(len(fit_rows))})
