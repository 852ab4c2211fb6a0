"""What the artifacts were built from: the source, its dates, the split, and whether it is the UCI file.

The build writes these facts into the manifest's ``data`` section; the pages read them through
:func:`data_provenance` to say only what is true of the data they show: a period only when the dates are known,
the original study's figures only beside a build of the UCI file, the split as it was made.

The manifest's ``data`` section::

    {"file": "bank-additional.csv",            # the source's short name (kept from schema 3)
     "sha256": "...",                          # the source's fingerprint: a file's sha256, a table's content hash
     "rows": 4119, "train_rows": 2883, "test_rows": 1236,
     "source": {"kind": "csv" | "parquet" | "sql", "name": "...", ...},   # kind-specific details
     "uci": false,                             # the source is the UCI bank-additional-full.csv (its sha256)
     "dropped_invalid": 0,                     # rows left out at the user's request (--drop-invalid)
     "dates": null | {"origin": "uci-order" | "column", "column": "contact_date"},
     "period": null | {"first": "2008-05-01", "last": "2010-11-01"},
     "split": {"kind": "time" | "random", "order": "<how the rows were ordered>", "seed": 42,
               "train_fraction": 0.7}}

Manifests written before these keys existed were all builds of the UCI file: they read as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashapp.core import domain
from dashapp.core.settings import BANK_FULL_SHA256

#: ``dates.origin``: the UCI full file runs in time order from May 2008, so its month column gives each row's month.
DATES_FROM_UCI_ORDER = "uci-order"
#: ``dates.origin``: the source has a date column.
DATES_FROM_COLUMN = "column"
SPLIT_TIME = "time"
SPLIT_RANDOM = "random"


@dataclass(frozen=True)
class DataProvenance:
    """The facts of the manifest's ``data`` section that decide what the pages may say."""

    name: str
    kind: str
    rows: int
    train_rows: int
    test_rows: int
    fingerprint: str
    is_uci: bool
    dropped_invalid: int
    date_origin: str | None
    date_column: str | None
    first_month: date | None
    last_month: date | None
    split_kind: str
    split_order: str
    split_seed: int | None
    train_fraction: float

    @property
    def period_known(self) -> bool:
        """Whether every client's contact month is known (derived from the UCI file's order, or a date column)."""
        return self.date_origin is not None

    @property
    def split_is_time_ordered(self) -> bool:
        return self.split_kind == SPLIT_TIME


def _month(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def data_provenance(manifest: dict) -> DataProvenance:
    """The provenance recorded in ``manifest`` (from :func:`dashapp.artifacts.model_folder.read_manifest`)."""
    section = manifest.get("data", {})
    sha256 = section.get("sha256", "")
    source = section.get("source", {"kind": "csv", "name": section.get("file", "")})
    if "split" not in section:
        # Written before sources other than the UCI file existed: the UCI file, dated from its order.
        dates = {"origin": DATES_FROM_UCI_ORDER, "column": None}
        period = None
        split = {"kind": SPLIT_TIME, "order": "the UCI file's row order", "seed": None,
                 "train_fraction": domain.TRAIN_FRACTION}
        is_uci = True
    else:
        dates, period, split = section.get("dates"), section.get("period"), section["split"]
        is_uci = bool(section.get("uci", sha256 == BANK_FULL_SHA256))
    return DataProvenance(
        name=source.get("name", section.get("file", "")), kind=source.get("kind", "csv"),
        rows=int(section.get("rows", 0)), train_rows=int(section.get("train_rows", 0)),
        test_rows=int(section.get("test_rows", 0)), fingerprint=sha256, is_uci=is_uci,
        dropped_invalid=int(section.get("dropped_invalid", 0)),
        date_origin=(dates or {}).get("origin"), date_column=(dates or {}).get("column"),
        first_month=_month((period or {}).get("first")), last_month=_month((period or {}).get("last")),
        split_kind=split["kind"], split_order=split.get("order", ""), split_seed=split.get("seed"),
        train_fraction=float(split.get("train_fraction", domain.TRAIN_FRACTION)))
