"""The grid's real inputs for its benchmarks (bench_tsne.py, bench_grid.py): the UCI file's training rows,
treated, and a configuration's matrix as the build computes it."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashapp.analysis.clustering import ConfigurationMatrix, GridParameters, configuration_matrix  # noqa: E402
from dashapp.analysis.preprocessing import apply_treatment  # noqa: E402
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.sources import bank_table, loader  # noqa: E402
from dashapp.sources.uci_file import obtain_bank_csv  # noqa: E402


@cache
def training_rows() -> pd.DataFrame:
    """The UCI file's training rows (the first 70% in time order), as the build's grid receives them."""
    loaded = loader.load_source(loader.parse_source(obtain_bank_csv(get_settings(), progress=False)))
    clean = bank_table.clean_bank_table(loaded.table, dates_from_order=True)
    frame = bank_table.modelling_frame(clean)
    return frame.iloc[:len(bank_table.time_split(len(frame)).train)]


@cache
def treated_rows(treatment: str) -> pd.DataFrame:
    """The training rows after ``treatment`` (the build's treatments stage)."""
    return apply_treatment(treatment, training_rows(), random_state=42)


def matrix(config_id: str, parameters: GridParameters | None = None) -> ConfigurationMatrix:
    """The matrix of configuration ``config_id`` (e.g. ``raw-p1-all``) on the full training rows."""
    treatment, pipeline, feature_set = config_id.split("-")
    return configuration_matrix(treated_rows(treatment), treatment, int(pipeline[1:]), feature_set,
                                parameters or GridParameters())
