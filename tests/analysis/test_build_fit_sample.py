"""A build whose fits use a sample of the training rows (``BuildParameters.fit_sample``) still assigns, writes and
counts every row, in the source's order, the same way every time; and the UCI build is not sampled.

The sampled builds are of the UCI archive's 10% sample: sampling the fits is the build's, whatever the file, and
its random split puts training rows all through the file, so "in the source's order" is put to the test (the UCI
file's training rows are simply its first)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis import build, training_data
from dashapp.analysis.build import BuildParameters, build_artifacts
from dashapp.artifacts import model_folder
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.sources import loader
from tests.sample_builds import sample_parameters

#: Below the 10% sample's 412 training rows (quick cut), above ``build.MIN_FIT_SAMPLE``.
FIT_SAMPLE = 200
#: Rows of the 10% sample ``bank-additional.csv``.
SAMPLE_ROWS = 4_119


@pytest.fixture(scope="module")
def sampled_build(bank_sample_csv, tmp_path_factory):
    """A quick build of the 10% sample (412 training rows) whose fits use 200 of them."""
    model_dir = tmp_path_factory.mktemp("sampled") / "model"
    loaded = loader.load_source(loader.parse_source(bank_sample_csv))
    build_artifacts(loaded, model_dir, sample_parameters(fit_sample=FIT_SAMPLE), jobs=1,
                    progress=False)
    return model_dir


def test_the_default_fit_sample_is_above_the_uci_training_rows():
    assert BuildParameters().fit_sample == build.FIT_SAMPLE == 50_000 > 28_831
    assert training_data.fit_sample_rows(28_831, build.FIT_SAMPLE, 42) is None


def test_fit_sample_is_validated():
    with pytest.raises(ValueError, match="fit_sample=10 must be"):
        BuildParameters(fit_sample=10)
    with pytest.raises(ValueError, match="fit_sample=True"):
        BuildParameters(fit_sample=True)


def test_the_fit_sample_is_seeded_sorted_and_without_repeats():
    rows = training_data.fit_sample_rows(10_000, 1_000, 42)
    assert len(rows) == len(np.unique(rows)) == 1_000 and (np.diff(rows) > 0).all()
    assert rows.min() >= 0 and rows.max() < 10_000
    np.testing.assert_array_equal(rows, training_data.fit_sample_rows(10_000, 1_000, 42))
    assert not np.array_equal(rows, training_data.fit_sample_rows(10_000, 1_000, 7))
    assert rows.max() > 9_000  # drawn from the whole training period, not its start


def test_a_sampled_build_assigns_and_writes_every_row_in_source_order(sampled_build):
    store = ArtifactStore(sampled_build)
    clients = store.clients
    n_rows = len(range(0, SAMPLE_ROWS, build.QUICK_ROW_STEP))
    assert len(clients) == n_rows and list(clients.index) == list(range(0, SAMPLE_ROWS, build.QUICK_ROW_STEP))
    assert clients["segment"].between(1, 4).all()
    for column in ("job", "housing", "loan"):
        assert clients[f"{column}_imputed"].notna().all() and (clients[f"{column}_imputed"] != "unknown").all()
    manifest = store.manifest
    assert manifest["parameters"]["fit_sample"] == FIT_SAMPLE
    train_rows = manifest["data"]["train_rows"]
    assert (clients["split"] == "train").sum() == train_rows > FIT_SAMPLE


def test_a_sampled_build_fits_on_the_sample_and_counts_every_row(sampled_build):
    store = ArtifactStore(sampled_build)
    train_rows = store.manifest["data"]["train_rows"]
    assert store.evaluation["classifier"]["train_rows"] == FIT_SAMPLE
    assert store.evaluation["classifier"]["test_rows"] == len(store.clients) - train_rows
    assert store.evaluation["stability"]["train_clients"] == FIT_SAMPLE
    targeting = store.targeting
    assert targeting["fit_clients"] == FIT_SAMPLE and targeting["train_clients"] == train_rows
    assert targeting["categorical"]["clients"] == FIT_SAMPLE
    assert len(store.scoring_index["client_id"]) <= FIT_SAMPLE
    # The profiles and shares count every training row, not the sample.
    assert sum(s["clients"] for s in store.profiles["segments"]) == train_rows
    train = store.clients[store.clients["split"] == "train"]
    shares = train["segment"].value_counts(normalize=True)
    for segment, share in store.evaluation["final"]["shares"].items():
        assert share == pytest.approx(shares.get(int(segment), 0.0))
    # The grid and the voters saw the sample's rows only: positions among the training rows in the source's order
    # (the split keeps each part in it).
    sample_ids = set(train.index[training_data.fit_sample_rows(train_rows, FIT_SAMPLE, 42)])
    tsne = pd.read_parquet(sampled_build / model_folder.TSNE)
    assert set(tsne["client_id"]) <= sample_ids and set(store.scoring_index["client_id"]) <= sample_ids


def test_a_sampled_build_is_deterministic(sampled_build, bank_sample_csv, tmp_path):
    loaded = loader.load_source(loader.parse_source(bank_sample_csv))
    again = tmp_path / "again"
    build_artifacts(loaded, again, sample_parameters(fit_sample=FIT_SAMPLE), jobs=1, progress=False)
    first, second = (json.loads((d / model_folder.MANIFEST).read_text())["artifacts"] for d in (sampled_build, again))
    for name in (model_folder.CLIENTS, model_folder.EVALUATION, model_folder.PROFILES, model_folder.RESPONSE,
                 model_folder.TARGETING, model_folder.GRID_METRICS):
        assert first[name]["sha256"] == second[name]["sha256"], name
    pd.testing.assert_frame_equal(ArtifactStore(sampled_build).clients, ArtifactStore(again).clients)
