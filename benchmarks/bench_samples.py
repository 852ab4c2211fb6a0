"""The error a fit sample introduces, measured on the UCI file against the full fit (BuildParameters.fit_sample).

For each size of fit sample (training rows drawn as the build draws them), against the fit on every training row:
- the KNN imputer fitted on the sample: the share of the rows with a gap in job, housing or loan whose imputed
  key fields equal the full fit's (and of every row);
- the final segmentation as a sampled build fits it (on the training rows' key-field combinations weighted by
  their clients, with the sample's imputations): adjusted Rand index with the full build's segments over every
  row, and the largest difference of a segment's share (percentage points);
- two grid configurations' silhouettes at k = 4 (K-means fitted on the sample, silhouette on a 5,000-row sample
  of the rows it was fitted on, as the grid computes it) against the same on every training row.
The first line, "rows, combinations", is the full fit made on the weighted combinations instead of the rows: it
tells whether that way alone changes the UCI results (the build uses it only above fit_sample).

    python benchmarks/bench_samples.py [--sizes 2000 5000 10000 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.analysis import training_data  # noqa: E402
from dashapp.analysis.preprocessing import (UnknownValueImputer, apply_treatment, build_pipeline,  # noqa: E402
                                            feature_columns, transform_in_chunks)
from dashapp.analysis.segmentation import fit_final_segmentation  # noqa: E402
from dashapp.core import domain
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.sources import loader
from dashapp.sources.uci_file import obtain_bank_csv  # noqa: E402

SEED = 42
#: Grid configurations whose silhouette is compared: (treatment, pipeline, feature set).
GRID_CONFIGURATIONS = (("raw", 1, "no_socio"), ("knn", 5, "all"))
SILHOUETTE_ROWS = 5_000


def _keys(bank: training_data.BankData, imputer: UnknownValueImputer) -> dict:
    features = list(domain.SEGMENT_FEATURES)
    return {"train": transform_in_chunks(imputer, bank.train, features),
            "test": transform_in_chunks(imputer, bank.test, features)}


def _segmentation(imputer, keys, on_combinations: bool):
    silhouette_rows = np.arange(min(SILHOUETTE_ROWS, len(keys["train"])))
    return fit_final_segmentation(imputer, keys["train"], keys["test"], silhouette_rows, on_combinations=on_combinations,
                                  random_state=SEED)


def _grid_silhouette(bank: training_data.BankData, imputer: UnknownValueImputer, rows: np.ndarray,
                     configuration: tuple[str, int, str]) -> float:
    treatment, pipeline, feature_set = configuration
    fit_rows = bank.train.iloc[rows]
    treated = imputer.transform(fit_rows) if treatment == "knn" else apply_treatment(treatment, fit_rows, SEED)
    numeric, categorical = feature_columns(feature_set)
    X = build_pipeline(domain.PIPELINES[pipeline], numeric, categorical, treatment == "raw").fit_transform(treated)
    labels = KMeans(n_clusters=4, n_init=3, random_state=SEED).fit_predict(X)
    sample = np.sort(np.random.default_rng(SEED).choice(len(X), size=min(SILHOUETTE_ROWS, len(X)), replace=False))
    return float(silhouette_score(X[sample], labels[sample]))


def _key_agreement(keys: dict, reference: dict, gaps: np.ndarray) -> tuple[float, float]:
    same = np.concatenate([(keys[p].to_numpy() == reference[p].to_numpy()).all(axis=1) for p in ("train", "test")])
    return float(same[gaps].mean()), float(same.mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 5_000, 10_000, 20_000])
    args = parser.parse_args(argv)
    loaded = loader.load_source(loader.parse_source(obtain_bank_csv(get_settings(), progress=False)))
    bank = training_data.prepare_bank_data(loaded, "full", SEED)
    features = list(domain.SEGMENT_FEATURES)
    frame = bank.clean[features]
    gaps = (frame == domain.UNKNOWN).any(axis=1).to_numpy()
    start = time.perf_counter()
    full_imputer = UnknownValueImputer("knn").fit(bank.train)
    full_keys = _keys(bank, full_imputer)
    full = _segmentation(full_imputer, full_keys, on_combinations=False)
    all_rows = np.arange(bank.n_train)
    full_silhouettes = [_grid_silhouette(bank, full_imputer, all_rows, c) for c in GRID_CONFIGURATIONS]
    print(f"full fit on {bank.n_train:,} training rows ({gaps.sum():,} of {len(gaps):,} rows have a gap in the key "
          f"fields): {time.perf_counter() - start:.0f} s")
    header = (f"{'fit sample':>24} | {'keys equal (gaps)':>17} | {'keys equal (all)':>16} | {'segments ARI':>12} | "
              f"{'max share diff':>14} | " + " | ".join(f"silhouette {t}/{p}/{f}" for t, p, f in GRID_CONFIGURATIONS))
    print(header)
    print("-" * len(header))
    combined = _segmentation(full_imputer, full_keys, on_combinations=True)
    _print_row("rows, combinations", (1.0, 1.0), full, combined, full_silhouettes, full_silhouettes)
    for size in args.sizes:
        rows = training_data.fit_sample_rows(bank.n_train, size, SEED)
        imputer = UnknownValueImputer("knn").fit(bank.train.iloc[rows])
        keys = _keys(bank, imputer)
        sampled = _segmentation(imputer, keys, on_combinations=True)
        silhouettes = [_grid_silhouette(bank, imputer, rows, c) for c in GRID_CONFIGURATIONS]
        _print_row(f"{size:,}", _key_agreement(keys, full_keys, gaps), full, sampled, silhouettes, full_silhouettes)
    return 0


def _print_row(name: str, agreement: tuple[float, float], full, sampled, silhouettes, full_silhouettes) -> None:
    ari = adjusted_rand_score(full.all_segments, sampled.all_segments)
    shares, reference = sampled.shares(), full.shares()
    share_difference = max(abs(shares.get(s, 0.0) - reference[s]) for s in reference) * 100
    cells = " | ".join(f"{s:.3f} ({s - f:+.3f})".rjust(len(f"silhouette {t}/{p}/{fs}"))
                       for s, f, (t, p, fs) in zip(silhouettes, full_silhouettes, GRID_CONFIGURATIONS))
    print(f"{name:>24} | {agreement[0]:>17.4f} | {agreement[1]:>16.4f} | {ari:>12.4f} | {share_difference:>11.2f} pp"
          f" | {cells}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
