"""The final segmentation's bootstrap stability, on a small made-up population of job/housing/loan profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

from dashapp.analysis.preprocessing import build_pipeline
from dashapp.analysis.segmentation import number_segments
from dashapp.analysis.stability import StabilityParameters, segmentation_stability
from dashapp.core import domain


def _population(n: int = 1500, seed: int = 4):
    """Clients, their final-space rows and segments numbered by the segments' rules."""
    rng = np.random.default_rng(seed)
    jobs = list(domain.known_categories("job"))
    keys = pd.DataFrame({
        "job": rng.choice(jobs, size=n),
        "housing": rng.choice(["no", "yes"], size=n, p=[0.45, 0.55]),
        "loan": rng.choice(["no", "yes"], size=n, p=[0.85, 0.15]),
    })
    transformer = build_pipeline(domain.PIPELINES[domain.FINAL_PIPELINE], [], list(domain.SEGMENT_FEATURES),
                                 with_unknown=False)
    Z = transformer.fit_transform(keys)
    labels = KMeans(n_clusters=4, n_init=10, random_state=42).fit_predict(Z)
    mapping = number_segments(labels, keys)
    return Z, np.vectorize(mapping.get)(labels), keys


@pytest.fixture(scope="module")
def report():
    Z, segments, keys = _population()
    return segmentation_stability(Z, segments, keys, n_init=10,
                                  parameters=StabilityParameters(resamples=12, alternative_starts=30))


def test_every_resample_is_accounted_for(report):
    assert report["resamples"] == 12 and sum(report["lands_on"].values()) == 12
    assert report["ari"]["min"] <= report["ari"]["median"] <= report["ari"]["max"] <= 1
    for segment in report["segments"]:
        assert segment["recovered"] + segment["dissolved"] <= 12
        assert 0 <= segment["jaccard_min"] <= segment["jaccard_median"] <= 1


def test_the_alternative_is_another_partition_of_the_same_clients(report):
    alternative = report["alternative"]
    assert alternative["ari_with_published"] < 1
    assert 1 <= alternative["found_in"] <= alternative["starts"] == 30
    assert sum(alternative["shares"].values()) == pytest.approx(1)
    assert sum(report["published"]["shares"].values()) == pytest.approx(1)
    composition = alternative["composition"]
    assert [c["share"] for c in composition] == pytest.approx([alternative["shares"][str(s)] for s in range(1, 5)])
    assert sum(sum(c["segments"].values()) for c in composition) == 1500
    assert alternative["inertia_gap"] == pytest.approx(
        (alternative["inertia"] - report["published"]["inertia"]) / report["published"]["inertia"])


def test_the_report_is_fixed_by_the_seed(report):
    Z, segments, keys = _population()
    again = segmentation_stability(Z, segments, keys, n_init=10,
                                   parameters=StabilityParameters(resamples=12, alternative_starts=30))
    assert again == report


def test_the_published_inertia_is_k_means_own():
    Z, segments, keys = _population()
    model = KMeans(n_clusters=4, n_init=10, random_state=42).fit(Z)
    report = segmentation_stability(Z, segments, keys, n_init=10,
                                    parameters=StabilityParameters(resamples=2, alternative_starts=30))
    assert report["published"]["inertia"] == pytest.approx(model.inertia_, rel=1e-9)


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="resamples=0"):
        StabilityParameters(resamples=0)
