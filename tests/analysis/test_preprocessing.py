"""Treatments of unknown values and the eight pipelines, on small frames built here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.preprocessing import (UnknownValueImputer, apply_treatment, build_pipeline, feature_columns,
                                            fill_unknown_as_category, impute_columns, transform_in_chunks)
from dashapp.core import domain


def _frame(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: rng.normal(size=n) for c in domain.NUMERIC_COLUMNS})
    for column in domain.CATEGORICAL_COLUMNS:
        frame[column] = rng.choice(domain.known_categories(column), size=n).astype(object)
    return frame


def test_pipelines_are_numbered_in_the_original_loop_order():
    assert len(domain.PIPELINES) == 8
    assert (domain.PIPELINES[1].numeric_scaler, domain.PIPELINES[1].encoder, domain.PIPELINES[1].encoded_scaler) \
        == ("standard", "onehot", "standard")
    eight = domain.PIPELINES[8]
    assert (eight.numeric_scaler, eight.encoder, eight.encoded_scaler) == ("minmax", "ordinal", "minmax")
    assert eight.name == "8: numeric MinMax, ordinal encoding, then MinMax"
    assert domain.PIPELINES[2].encoded_scaler == "minmax" and domain.PIPELINES[3].encoder == "ordinal"


def test_knn_imputation_decodes_by_truncating_the_neighbours_mean_code():
    # Five neighbours with education codes 1, 1, 2, 2, 2 average 1.6: the original's decoding truncates to 1.
    rows = [{"age": 30.0 + i * 0.01, "education": e, "job": "admin."} for i, e in
            enumerate(["basic.6y", "basic.6y", "basic.9y", "basic.9y", "basic.9y"])]
    rows += [{"age": 90.0, "education": "illiterate", "job": "admin."}] * 3
    rows.append({"age": 30.02, "education": np.nan, "job": "admin."})
    frame = pd.DataFrame(rows)
    filled = UnknownValueImputer("knn").fit_transform(frame)
    assert filled["education"].iloc[-1] == "basic.6y"
    assert filled["education"].iloc[:-1].tolist() == frame["education"].iloc[:-1].tolist()


def test_iterative_imputation_fills_every_missing_category_with_a_known_one():
    frame = _frame(60)
    frame.loc[::7, "job"] = np.nan
    frame.loc[::5, "housing"] = np.nan
    filled = apply_treatment("iterative", frame)
    assert filled["job"].notna().all() and filled["housing"].notna().all()
    assert set(filled["job"]) <= set(domain.known_categories("job"))


def test_raw_treatment_keeps_unknown_as_a_category():
    frame = _frame(10)
    frame.loc[3, "loan"] = np.nan
    assert fill_unknown_as_category(frame)["loan"].iloc[3] == "unknown"


def test_unknown_treatment_name_is_rejected():
    with pytest.raises(ValueError, match="treatment='median' must be one of raw, knn, iterative"):
        apply_treatment("median", _frame(5))


@pytest.mark.parametrize("number", sorted(domain.PIPELINES))
def test_every_pipeline_outputs_the_expected_width_and_scaling(number):
    spec = domain.PIPELINES[number]
    numeric, categorical = feature_columns("all")
    matrix = build_pipeline(spec, numeric, categorical, with_unknown=False).fit_transform(_frame(80))
    one_hot_width = sum(len(domain.known_categories(c)) for c in categorical)
    expected = len(numeric) + (one_hot_width if spec.encoder == "onehot" else len(categorical))
    assert matrix.shape == (80, expected)
    encoded = matrix[:, len(numeric):]
    if spec.encoded_scaler == "minmax":
        assert encoded.min() >= 0 and encoded.max() <= 1
    else:
        assert np.allclose(encoded.mean(axis=0), 0, atol=1e-9)


def test_feature_sets_drop_only_the_socio_economic_columns():
    numeric, categorical = feature_columns("no_socio")
    assert numeric == list(domain.CLIENT_NUMERIC_COLUMNS)
    assert "y" in categorical  # the original treated the outcome as a client feature
    with pytest.raises(ValueError, match="feature_set='some'"):
        feature_columns("some")


# --- How neighbours' categories are combined (compare_neighbour_combination) --------------------------------


def test_distances_match_scikit_learns_nan_euclidean_and_equal_ones_are_exactly_equal():
    from sklearn.metrics.pairwise import nan_euclidean_distances

    from dashapp.analysis.preprocessing import _nan_euclidean_squared

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(20, 6)), rng.normal(size=(30, 6))
    a[rng.random(a.shape) < 0.2] = np.nan
    np.testing.assert_allclose(_nan_euclidean_squared(a, b), nan_euclidean_distances(a, b) ** 2, atol=1e-8)
    # A receiver at 0.3 (standardised 40) between donors at 0.3 -/+ 0.1 (39 and 41): equal in exact arithmetic.
    mean, scale = 40.9, 10.3
    receiver = np.array([[(40 - mean) / scale]])
    donors = np.array([[(39 - mean) / scale], [(41 - mean) / scale]])
    distance = _nan_euclidean_squared(receiver, donors)
    assert distance[0, 0] == distance[0, 1]


def test_equal_distances_are_broken_by_position_as_the_scoring_vote_does():
    from dashapp.analysis.preprocessing import _nearest

    distance = np.array([[2.0, 1.0, 1.0, 0.5, 1.0, 1.0, 3.0]])
    assert _nearest(distance, 4).tolist() == [[3, 1, 2, 4]]
    assert _nearest(distance[:, ::-1].copy(), 4).tolist() == [[3, 1, 2, 4]]


def test_a_nan_distance_is_the_farthest_of_all():
    from dashapp.analysis.preprocessing import _nearest

    distance = np.array([[np.nan, 1.0, np.nan, 2.0]])
    assert _nearest(distance, 3).tolist() == [[1, 3, 0]]


def test_knn_imputation_takes_the_earliest_of_equidistant_donors():
    # Twelve donors as near as can be (the same age): the first five are "married", the rest "single". Any
    # other five would average a code above "married"'s and decode to something else.
    rows = [{"age": 40.0, "marital": "married"}] * 5 + [{"age": 40.0, "marital": "single"}] * 7
    rows += [{"age": 80.0, "marital": "divorced"}] * 3
    frame = pd.DataFrame(rows + [{"age": 40.0, "marital": np.nan}])
    assert UnknownValueImputer("knn").fit(frame.iloc[:-1]).transform(frame)["marital"].iloc[-1] == "married"


def test_knn_imputation_chooses_its_donors_through_the_positional_rule(monkeypatch):
    """PositionalKNNImputer overrides a private method of scikit-learn's (``_calc_impute``): if a release renamed
    it, the CPU's choice would silently come back. The rule must be what picks the donors."""
    from dashapp.analysis import preprocessing

    calls = []

    def counted(distance, k):
        calls.append(distance.shape)
        return nearest(distance, k)

    nearest = preprocessing._nearest
    monkeypatch.setattr(preprocessing, "_nearest", counted)
    frame = pd.DataFrame({"age": [30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 31.5],
                          "marital": ["married"] * 3 + ["single"] * 3 + [np.nan]})
    UnknownValueImputer("knn").fit(frame.iloc[:-1]).transform(frame)
    assert calls == [(1, 6)]


_IMPUTED_KEYS = """
import hashlib, sys
import numpy as np, pandas as pd
sys.path.insert(0, {repo!r})
from dashapp.core import domain
from dashapp.analysis.preprocessing import UnknownValueImputer

rng = np.random.default_rng(7)
n = 3000
frame = pd.DataFrame({{"age": rng.integers(30, 34, size=n).astype(float),
                       "campaign": rng.integers(1, 3, size=n).astype(float)}})
for column in ("job", "housing", "loan"):
    values = rng.choice(domain.known_categories(column), size=n).astype(object)
    values[rng.random(n) < 0.05] = np.nan
    frame[column] = values
imputed = UnknownValueImputer("knn").fit(frame).transform(frame)
print(hashlib.sha256(imputed.to_csv(index=False).encode()).hexdigest())
"""


def test_knn_imputation_is_the_same_whatever_instructions_the_cpu_has():
    """numpy picks its selection code by the CPU (AVX-512, AVX2, plain); with those turned off (a machine
    without them) the imputed values of a table full of equidistant donors are the same. On a machine
    without them both runs are the plain code, and the test checks nothing more than repeatability."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = _IMPUTED_KEYS.format(repo=str(Path(__file__).resolve().parents[2]))
    runs = {}
    for name, disabled in (("this CPU", ""), ("plain code", "X86_V4 X86_V3 AVX512_ICL AVX512_SPR")):
        environment = {**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}
        runs[name] = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True,
                                    text=True, check=True, timeout=300).stdout.strip()
    assert runs["this CPU"] == runs["plain code"]


def test_majority_vote_invents_no_category_where_code_averaging_does(bank_csv):
    """The measurement behind dashapp.scoring.model's docstring table (training rows of the full file).

    The neighbours are chosen by distance, then position, from distances computed coordinate by coordinate, so
    these counts are the same on every machine (scikit-learn's own choice among equal distances is not: 156 and
    528 on one CPU, 155 and 527 on another).
    """
    from dashapp.analysis.preprocessing import compare_neighbour_combination
    from dashapp.sources import bank_table

    frame = bank_table.modelling_frame(bank_table.clean_bank_table(bank_table.read_bank_csv(bank_csv)))
    train = frame.iloc[bank_table.time_split(len(frame)).train]
    report = compare_neighbour_combination(train, columns=("job", "marital", "education"))
    by_column = report.groupby("column")[["invented_by_average", "invented_by_vote"]].sum()
    assert by_column.loc[["job", "marital", "education"], "invented_by_average"].tolist() == [154, 2, 524]
    assert by_column["invented_by_vote"].eq(0).all()
    filled = report.groupby("column")["by_vote"].sum() - report.groupby("column")["known"].sum()
    assert filled.loc[["job", "marital", "education"]].tolist() == [249, 49, 1183]
    illiterate = report.set_index(["column", "category"]).loc[("education", "illiterate")]
    assert (illiterate["known"], illiterate["by_average"], illiterate["by_vote"]) == (14, 274, 14)


def test_transform_in_chunks_equals_one_transform_in_the_rows_order():
    rows = _with_gaps(_frame(230, seed=2), share=0.3, seed=3)
    rows.index = np.random.default_rng(3).permutation(np.arange(1000, 1230))  # a source's row ids, not positions
    imputer = UnknownValueImputer("knn").fit(_frame(200, seed=1))
    whole = imputer.transform(rows)
    keys = list(domain.SEGMENT_FEATURES)
    for chunk_rows, jobs in ((7, 1), (50, 2), (230, 1), (10_000, 1)):
        chunked = transform_in_chunks(imputer, rows, keys, chunk_rows=chunk_rows, jobs=jobs)
        pd.testing.assert_frame_equal(chunked, whole[keys])
    pd.testing.assert_frame_equal(transform_in_chunks(imputer, rows, chunk_rows=9), whole)
    assert whole[keys].notna().all().all()
    with pytest.raises(ValueError, match="chunk_rows=0"):
        transform_in_chunks(imputer, rows, chunk_rows=0)


def test_impute_columns_fills_only_what_is_asked_as_a_whole_transform_does():
    rows = _with_gaps(_frame(120, seed=2), share=0.2, seed=4)
    imputer = UnknownValueImputer("knn").fit(_frame(200, seed=1))
    keys = list(domain.SEGMENT_FEATURES)
    filled = impute_columns(imputer, rows, keys, chunk_rows=11)
    pd.testing.assert_frame_equal(filled, imputer.transform(rows)[keys])
    assert rows[keys].isna().any().any()  # the input keeps its gaps


def _with_gaps(frame: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """``frame`` with about ``share`` of each column that can be unknown missing."""
    rng = np.random.default_rng(seed)
    for column in domain.COLUMNS_WITH_UNKNOWN:
        frame.loc[rng.random(len(frame)) < share, column] = np.nan
    return frame
