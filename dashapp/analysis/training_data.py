"""The bank table as the build's stages need it: cleaned, dated where the data allows, split into a training and a
test period (training rows first), described for the manifest, with the fit sample every fit uses.

Apart from :mod:`dashapp.analysis.build`, which only orchestrates stages; a build module (it shapes the artifacts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashapp.artifacts import provenance
from dashapp.core import domain
from dashapp.core.settings import BANK_FULL_SHA256
from dashapp.sources import bank_table, loader

#: The quick build (for tests) keeps every QUICK_ROW_STEP-th row, which preserves the time order.
QUICK_ROW_STEP = 7
#: How the UCI file's rows are ordered for its time split (its rows run in time order).
UCI_ORDER = "the UCI file's row order"


@dataclass(frozen=True)
class BankData:
    """The cleaned table and its split, as every later stage needs them.

    ``clean`` holds the training rows first, then the test rows (each in time order where it is known), so every
    stage can take the training rows as the first ``n_train``; its index is each row's ``client_id`` (its
    position in the source), by which ``clients.parquet`` is written back in the source's order.
    """

    sha256: str
    clean: pd.DataFrame
    train: pd.DataFrame
    test: pd.DataFrame
    #: The manifest's ``data`` section (:mod:`dashapp.artifacts.provenance`).
    section: dict = field(default_factory=dict)
    #: Positions among the training rows of the fit sample (every fit's rows), ascending (time order).
    fit_rows: np.ndarray | None = None

    @property
    def time_ordered(self) -> bool:
        return self.section["split"]["kind"] == provenance.SPLIT_TIME

    @property
    def n_train(self) -> int:
        return len(self.train)

    @property
    def train_client_ids(self) -> np.ndarray:
        return self.clean.index.to_numpy()[:self.n_train]

    @property
    def sampled(self) -> bool:
        """Whether the fits use a sample of the training rows (more training rows than ``fit_sample``)."""
        return self.fit_rows is not None and len(self.fit_rows) < self.n_train

    @property
    def fit_positions(self) -> np.ndarray:
        """Positions among the training rows that every fit uses: the fit sample, or every training row."""
        return np.arange(self.n_train) if self.fit_rows is None else self.fit_rows

    @property
    def fit_train(self) -> pd.DataFrame:
        """The fit sample's modelling rows (the training rows themselves when not sampled)."""
        return self.train if not self.sampled else self.train.iloc[self.fit_rows]


def prepare_bank_data(source: loader.LoadedSource, mode: str, seed: int, fit_sample: int | None = None,
                      bar=None) -> BankData:
    """Clean the rows, date them only where the data allows, and order them training rows first.

    The UCI full file (its sha256) is dated from its month column's order and split in file order; a source
    with a date column is split in date order; any other source has no dates and a split seeded by ``seed``.

    Parameters
    ----------
    source : LoadedSource
    mode : {"full", "quick"}
        "quick" keeps every :data:`QUICK_ROW_STEP`-th row.
    seed : int
        Seeds the random split of an undated source and the fit sample.
    fit_sample : int or None
        The most training rows a fit uses (:func:`fit_sample_rows`); None: every training row.
    bar : tqdm, optional
        Advanced by one per step (three steps).
    """
    bar = bar if bar is not None else _NoProgress()
    uci = source.source.kind == "csv" and source.fingerprint == BANK_FULL_SHA256
    clean = bank_table.clean_bank_table(source.table, dates_from_order=uci)
    bar.update()
    if mode == "quick":
        clean = clean.iloc[::QUICK_ROW_STEP]
    n_train = len(bank_table.time_split(len(clean)).train)
    order, split = split_order(clean, n_train, uci, source.date_column, seed)
    if order is not None:
        clean = clean.iloc[order]
    bar.update()
    frame = bank_table.modelling_frame(clean)
    section = data_section(source, clean, n_train, uci, split)
    bar.update()
    fit_rows = None if fit_sample is None else fit_sample_rows(n_train, fit_sample, seed)
    return BankData(source.fingerprint, clean, frame.iloc[:n_train], frame.iloc[n_train:], section, fit_rows)


def split_order(clean: pd.DataFrame, n_train: int, uci: bool, date_column: str | None,
                 seed: int) -> tuple[np.ndarray | None, dict]:
    """The rows' order, training rows first (None: as they are), and the manifest's ``split`` section."""
    split = {"kind": provenance.SPLIT_TIME, "order": UCI_ORDER, "seed": None,
             "train_fraction": domain.TRAIN_FRACTION}
    if uci:
        return None, split
    if date_column is not None:
        order = np.argsort(clean[bank_table.CONTACT_DATE].to_numpy(), kind="stable")
        split["order"] = f"the dates in column '{date_column}', rows of the same date in the source's order"
        return (None if (order == np.arange(len(order))).all() else order), split
    chosen = np.zeros(len(clean), dtype=bool)
    chosen[np.random.default_rng(seed).permutation(len(clean))[:n_train]] = True
    split.update(kind=provenance.SPLIT_RANDOM, seed=seed,
                 order=f"a random {domain.TRAIN_FRACTION:.0%} of the rows (seed {seed}); each part in the source's "
                       "order")
    return np.concatenate([np.flatnonzero(chosen), np.flatnonzero(~chosen)]), split


def data_section(source: loader.LoadedSource, clean: pd.DataFrame, n_train: int, uci: bool, split: dict) -> dict:
    """The manifest's ``data`` section (the contract is :mod:`dashapp.artifacts.provenance`'s docstring)."""
    dates = clean[bank_table.CONTACT_DATE]
    if uci:
        origin = {"origin": provenance.DATES_FROM_UCI_ORDER, "column": "month"}
    elif source.date_column is not None:
        origin = {"origin": provenance.DATES_FROM_COLUMN, "column": source.date_column}
    else:
        origin = None
    period = None if origin is None else {
        "first": dates.min().to_period("M").start_time.date().isoformat(),
        "last": dates.max().to_period("M").start_time.date().isoformat()}
    return {"file": source.source.name, "sha256": source.fingerprint, "rows": int(len(clean)),
            "train_rows": int(n_train), "test_rows": int(len(clean) - n_train),
            "source": source.details, "uci": uci, "dropped_invalid": len(source.dropped_rows),
            "dropped_rows": source.dropped_rows[:bank_table.MAX_PROBLEMS_SHOWN],
            "dates": origin, "period": period, "split": split}


def fit_sample_rows(n_train: int, fit_sample: int, seed: int) -> np.ndarray | None:
    """The fit sample: ``fit_sample`` of the ``n_train`` training rows drawn without replacement (seeded), in
    ascending order (time order, where the rows have one); None when there are no more rows than that.

    Parameters
    ----------
    n_train : int
        Training rows.
    fit_sample : int
        The most rows a fit uses, at least 1.
    seed : int

    Returns
    -------
    ndarray of int or None
        Positions among the training rows.
    """
    if isinstance(fit_sample, bool) or not isinstance(fit_sample, (int, np.integer)) or fit_sample < 1:
        raise ValueError(f"fit_sample={fit_sample!r} must be a whole number of rows, at least 1")
    if n_train <= fit_sample:
        return None
    # A generator of its own, so the sample does not depend on what else the seed draws.
    return np.sort(np.random.default_rng([seed, fit_sample]).choice(n_train, size=fit_sample, replace=False))


class _NoProgress:
    def update(self, n: float = 1) -> None:
        pass
