"""The artifact store: what ``model/`` holds, its manifest, and loading it safely once per process.

The loader checks the manifest's library versions and every artifact's sha256 before it unpickles anything
(scikit-learn does not support loading a model across versions), and refuses with a message that names the
command to run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import platform
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from dashapp.artifacts.provenance import DataProvenance, data_provenance

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 5
REBUILD_COMMAND = "make artifacts"

MANIFEST = "manifest.json"
CLIENTS = "clients.parquet"
GRID_METRICS = "grid_metrics.parquet"
TSNE = "tsne.parquet"
DENDROGRAMS = "dendrograms.npz"
#: The entry of ``DENDROGRAMS`` holding the sampled clients' ids (the others are linkages, by configuration).
DENDROGRAM_CLIENT_IDS = "client_id"
SEGMENTATION = "segmentation.joblib"
CLASSIFIER = "classifier.joblib"
EVALUATION = "evaluation.json"
PROFILES = "profiles.json"
SCORING = "scoring.joblib"
SILHOUETTES = "silhouettes.parquet"
#: Subscription rates by segment and population with intervals and tests (see :mod:`dashapp.analysis.response`).
RESPONSE = "response.json"
#: The segments against alternatives: propensity models' gain and lift, and k-modes (``categorical``).
TARGETING = "targeting.json"
ARTIFACT_FILES = (CLIENTS, GRID_METRICS, TSNE, DENDROGRAMS, SEGMENTATION, CLASSIFIER, EVALUATION, PROFILES,
                  SCORING, SILHOUETTES, RESPONSE, TARGETING)
#: What the K-means grid writes. An early build (``build_artifacts(..., early=True)``, what ``make run`` starts)
#: swaps in every other artifact first, with ``"pending": true`` in the manifest's ``grid`` section, so the app
#: serves the segments, the Data page and scoring while the grid runs; then it swaps in the complete folder.
GRID_FILES = (GRID_METRICS, TSNE, DENDROGRAMS, SILHOUETTES)
#: The build's progress through the grid, beside the model folder while an early build runs (not an artifact:
#: the served folder is never written to): ``{"done": n, "total": m}``, or ``{"failed": reason}``.
GRID_PROGRESS_SUFFIX = "-grid-progress.json"
#: The knife plot's silhouettes are kept in steps of 1/SILHOUETTE_STEPS (0.002): half a pixel of the plot, and
#: what keeps the artifact small (sorted values in these steps compress to about 1.6 bits each; exact float32
#: values, some 8 MB, would double the artifacts). The exact averages and negative shares are in GRID_METRICS.
SILHOUETTE_STEPS = 512

#: The build's entry module: it and every ``dashapp`` module it imports, directly or not, make the artifacts.
_BUILD_MODULE = "analysis.build"
#: The ``dashapp`` package's folder, where :func:`build_modules` reads the modules.
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def write_silhouettes(path: Path, knife: pd.DataFrame) -> None:
    """Write the knife plots' rows (``config_id``, ``k``, ``cluster``, ``silhouette``), sorted by the first three
    and ascending silhouette, as :meth:`ArtifactStore.silhouette_samples` reads them back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    steps = np.round(knife["silhouette"].to_numpy(np.float64) * SILHOUETTE_STEPS)
    missing = np.isnan(steps)
    table = pa.table({
        "config_id": pa.array(knife["config_id"].to_numpy()).dictionary_encode(),
        "k": pa.array(knife["k"].to_numpy(np.int8)),
        "cluster": pa.array(knife["cluster"].to_numpy(np.int8)),
        # An undefined silhouette (a single cluster in the sample) stays missing.
        "silhouette_step": pa.array(np.where(missing, 0, steps).astype(np.int16), mask=missing),
    })
    # Sorted steps differ little from one row to the next: delta encoding stores those differences.
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=["config_id"],
                   column_encoding={"k": "DELTA_BINARY_PACKED", "cluster": "DELTA_BINARY_PACKED",
                                    "silhouette_step": "DELTA_BINARY_PACKED"})


def grid_pending(manifest: dict) -> bool:
    """Whether ``manifest`` describes an early build's folder, whose grid is still being computed."""
    return bool(manifest.get("grid", {}).get("pending", False))


def grid_progress_path(model_dir: Path) -> Path:
    """Where an early build reports its progress through the grid (beside ``model_dir``, hidden)."""
    model_dir = Path(model_dir)
    return model_dir.parent / f".{model_dir.name}{GRID_PROGRESS_SUFFIX}"


def read_grid_progress(model_dir: Path) -> dict | None:
    """An early build's progress through the grid (see :data:`GRID_PROGRESS_SUFFIX`), or None if not reported."""
    try:
        return json.loads(grid_progress_path(model_dir).read_text())
    except (OSError, ValueError):
        return None


class ArtifactError(RuntimeError):
    """The artifacts are missing, stale, corrupted or built with other library versions."""


class GridPending(LookupError):
    """An early build's grid is still being computed: the explorer's artifacts are not there yet."""


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose pickles or numbers the artifacts depend on.

    Read from the installed packages' metadata, not by importing them: the app and the scoring command check the
    versions on every start, and importing kneed alone pulls in scipy.signal (about 3 s of a 2-core machine's
    start) that they never use."""
    from importlib.metadata import version

    return {"python": platform.python_version(),
            **{name: version(name) for name in ("scikit-learn", "pandas", "numpy", "scipy", "joblib", "pyarrow",
                                                 "kneed", "kmodes")}}


def build_modules() -> tuple[str, ...]:
    """The ``dashapp`` modules the build imports, directly or through one another, as paths under ``dashapp/``
    (sorted), with the ``__init__.py`` of every package on the way.

    Found by reading the imports (at the top of a module or inside a function), not by a list kept by hand: a
    module that starts feeding the build (say, a table of client fields that the neighbour index is written from)
    is covered the day it is imported, in whichever sub-package it lives.
    """
    seen: set[str] = set()
    pending = [_BUILD_MODULE]
    while pending:
        name = pending.pop()
        path = _module_path(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        pending.extend(_parent_packages(name))
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "dashapp" or node.module.startswith("dashapp."):
                    module = node.module.removeprefix("dashapp").removeprefix(".")
                    # ``from dashapp.core import domain`` names a module, ``from dashapp.core.domain import X`` a
                    # module's attribute: both are tried, and a name no file matches is dropped.
                    pending.append(module)
                    pending.extend(f"{module}.{alias.name}".lstrip(".") for alias in node.names)
            elif isinstance(node, ast.Import):
                pending.extend(a.name.removeprefix("dashapp.") for a in node.names if a.name.startswith("dashapp."))
    return tuple(sorted(_module_path(name).relative_to(_PACKAGE_DIR).as_posix() for name in seen))


def _module_path(name: str) -> Path | None:
    """The file of ``dashapp.<name>`` (a module, or a package's ``__init__.py``); None when it is not a module."""
    if not name:
        return None
    base = _PACKAGE_DIR.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _parent_packages(name: str) -> list[str]:
    """``analysis.build`` -> ``["analysis"]``: the sub-packages Python runs on the way to a module."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def code_version() -> str:
    """A short hash of the source of every module that builds the artifacts (see :func:`build_modules`)."""
    digest = hashlib.sha256()
    for name in build_modules():
        digest.update(name.encode())
        digest.update((_PACKAGE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(model_dir: Path) -> dict:
    """The manifest of ``model_dir``; raises :class:`ArtifactError` if it is missing or unreadable."""
    path = Path(model_dir) / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"No artifacts in {model_dir} (no {MANIFEST}). Build them with `{REBUILD_COMMAND}`.")
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ArtifactError(f"{path} is unreadable ({error}). Rebuild with `{REBUILD_COMMAND}`.") from error


def staleness(manifest: dict, data_sha256: str | None, parameters: dict | None) -> list[str]:
    """Reasons the artifacts no longer match today's inputs (empty when they are current).

    Parameters
    ----------
    manifest : dict
        From :func:`read_manifest`.
    data_sha256 : str or None
        The data file's checksum today (None: not checked).
    parameters : dict or None
        The build parameters asked for today (None: not checked).
    """
    reasons = []
    if manifest.get("schema") != SCHEMA_VERSION:
        reasons.append(f"artifact schema {manifest.get('schema')} != {SCHEMA_VERSION}")
    if manifest.get("code_version") != code_version():
        reasons.append("the analysis code changed since the build")
    built_versions = manifest.get("versions", {})
    for library, version in library_versions().items():
        if library != "python" and built_versions.get(library) != version:
            reasons.append(f"{library} {built_versions.get(library)} at build, {version} now")
    if data_sha256 is not None and manifest.get("data", {}).get("sha256") != data_sha256:
        reasons.append("the data file's checksum differs from the one the artifacts were built from")
    if parameters is not None and manifest.get("parameters") != parameters:
        reasons.append("the build parameters differ")
    return reasons


def verify_artifacts(model_dir: Path, manifest: dict) -> None:
    """Check scikit-learn's version and every artifact's checksum against the manifest.

    Raises
    ------
    ArtifactError
        Naming the first problem and the command that fixes it.
    """
    import sklearn

    built = manifest.get("versions", {}).get("scikit-learn")
    if built != sklearn.__version__:
        raise ArtifactError(f"The artifacts were built with scikit-learn {built}, this process runs "
                            f"{sklearn.__version__}; models do not load across versions. "
                            f"Rebuild with `{REBUILD_COMMAND}`.")
    recorded = manifest.get("artifacts", {})
    expected = [name for name in ARTIFACT_FILES if not (grid_pending(manifest) and name in GRID_FILES)]
    for name in expected:
        path = Path(model_dir) / name
        if name not in recorded:
            raise ArtifactError(f"The manifest does not list {name}. Rebuild with `{REBUILD_COMMAND}`.")
        if not path.is_file():
            raise ArtifactError(f"{path} is missing. Rebuild with `{REBUILD_COMMAND}`.")
        if file_sha256(path) != recorded[name]["sha256"]:
            raise ArtifactError(f"{path} does not match its checksum in the manifest (changed or corrupted). "
                                f"Rebuild with `{REBUILD_COMMAND}`.")


@dataclass(frozen=True)
class SegmentationModel:
    """The fitted objects that score a client (see :mod:`dashapp.analysis.segmentation`)."""

    imputer: object
    transformer: object
    kmeans: object
    segment_of_label: dict
    encoder: object
    tree: object
    logistic: object


class ArtifactStore:
    """Read-only access to one verified ``model/`` folder; each artifact is loaded on first use.

    Parameters
    ----------
    model_dir : Path
        The folder.
    verify : bool
        Check versions and checksums first (default True).
    """

    def __init__(self, model_dir: Path, verify: bool = True):
        self.model_dir = Path(model_dir)
        self._manifest_identity = file_identity(self.model_dir / MANIFEST)
        self.manifest = read_manifest(self.model_dir)
        if verify:
            reasons = staleness(self.manifest, data_sha256=None, parameters=None)
            if reasons:
                raise ArtifactError(f"The artifacts in {self.model_dir} are stale ({'; '.join(reasons)}). "
                                    f"Rebuild with `{REBUILD_COMMAND}`.")
            verify_artifacts(self.model_dir, self.manifest)

    def _path(self, name: str) -> Path:
        if name in GRID_FILES and not self.grid_ready:
            raise GridPending(f"{name} is still being computed by the build (an early build's grid)")
        return self.model_dir / name

    @property
    def grid_ready(self) -> bool:
        """False while an early build's grid is still being computed (the explorer's artifacts are missing)."""
        return not grid_pending(self.manifest)

    def manifest_replaced(self) -> bool:
        """Whether the folder's manifest is no longer the one this store read (a build has swapped in since)."""
        return file_identity(self.model_dir / MANIFEST) != self._manifest_identity

    @cached_property
    def provenance(self) -> DataProvenance:
        """What the artifacts were built from (:mod:`dashapp.artifacts.provenance`): source, dates, split, UCI or
        not."""
        return data_provenance(self.manifest)

    @cached_property
    def clients(self) -> pd.DataFrame:
        """Every row of the file, cleaned, with ``segment``, imputed key fields and ``split``.

        The whole table in memory, for the build, the export and notebooks; the app's pages query the file
        instead (:mod:`dashapp.artifacts.client_queries`), so that no web worker holds it."""
        return pd.read_parquet(self._path(CLIENTS))

    @cached_property
    def grid_metrics(self) -> pd.DataFrame:
        """One row per (treatment, pipeline, feature set, k) with the scores and the configuration's knee."""
        return pd.read_parquet(self._path(GRID_METRICS))

    @cached_property
    def _tsne(self) -> pd.DataFrame:
        return pd.read_parquet(self._path(TSNE))

    def tsne(self, config: str) -> pd.DataFrame:
        """The t-SNE map of one configuration: ``client_id``, ``x``, ``y`` and ``label_k2`` .. ``label_k15``."""
        frame = self._tsne
        return frame[frame["config_id"] == config].reset_index(drop=True)

    @cached_property
    def _dendrograms(self) -> dict[str, np.ndarray]:
        with np.load(self._path(DENDROGRAMS), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}

    def dendrogram_linkage(self, config: str) -> np.ndarray:
        """The Ward linkage matrix of one configuration's dendrogram sample."""
        return self._dendrograms[config]

    @property
    def dendrogram_client_ids(self) -> np.ndarray:
        """The client id of each row of the dendrogram sample (the linkages' observation order)."""
        return self._dendrograms[DENDROGRAM_CLIENT_IDS]

    @cached_property
    def _silhouettes(self) -> tuple[pd.DataFrame, dict[tuple[str, int], tuple[int, int]]]:
        """The knife plots' rows, and where each (configuration, k)'s block of them starts and stops."""
        frame = pd.read_parquet(self._path(SILHOUETTES))
        codes, ks = frame["config_id"].cat.codes.to_numpy(), frame["k"].to_numpy()
        change = np.flatnonzero((np.diff(codes) != 0) | (np.diff(ks) != 0)) + 1
        starts, stops = np.r_[0, change], np.r_[change, len(frame)]
        names = frame["config_id"].cat.categories
        return frame, {(str(names[codes[a]]), int(ks[a])): (int(a), int(b)) for a, b in zip(starts, stops)}

    def silhouette_samples(self, config: str, k: int) -> pd.DataFrame:
        """Every client of the silhouette sample for one (configuration, k): ``cluster`` (0-based K-means label,
        as in the t-SNE map) and ``silhouette`` (float32, in steps of 1/:data:`SILHOUETTE_STEPS`), sorted by
        cluster and ascending silhouette.

        Raises
        ------
        KeyError
            For a (configuration, k) the grid does not have.
        """
        frame, blocks = self._silhouettes
        start, stop = blocks[(config, int(k))]
        rows = frame.iloc[start:stop]
        return pd.DataFrame({
            "cluster": rows["cluster"].to_numpy(np.int64),
            "silhouette": (rows["silhouette_step"].to_numpy(np.float32, na_value=np.nan)
                           / np.float32(SILHOUETTE_STEPS)).astype(np.float32),
        })

    @cached_property
    def segmentation_model(self) -> SegmentationModel:
        segmentation = joblib.load(self._path(SEGMENTATION))
        classifier = joblib.load(self._path(CLASSIFIER))
        return SegmentationModel(**segmentation, **classifier)

    @cached_property
    def scoring_index(self) -> dict:
        """The training clients that vote on a missing key field when scoring (see :mod:`dashapp.scoring.scorer`)."""
        return joblib.load(self._path(SCORING))

    @cached_property
    def evaluation(self) -> dict:
        """Classifier metrics, tree nodes, and the final segmentation's report (shares, silhouette)."""
        return json.loads(self._path(EVALUATION).read_text())

    @cached_property
    def profiles(self) -> dict:
        """Per segment: size, share, radar values (housing and personal-loan shares among them), job counts."""
        return json.loads(self._path(PROFILES).read_text())

    @property
    def final_k(self) -> int:
        """The final segmentation's k, as the build was asked for it (``BuildParameters.final_k``)."""
        return int(self.evaluation["final"]["k"])

    @cached_property
    def segment_numbers(self) -> tuple[int, ...]:
        """The final segmentation's segment numbers, 1 to k, as the build numbered them."""
        return tuple(sorted(int(number) for number in self.evaluation["final"]["shares"]))

    @cached_property
    def response(self) -> dict:
        """Response by segment per population, and segment x driver
        (:func:`dashapp.analysis.response.response_analysis`)."""
        return json.loads(self._path(RESPONSE).read_text())

    @cached_property
    def targeting(self) -> dict:
        """Propensity models against the segments (gain, lift, AUC) and k-modes under ``"categorical"``."""
        return json.loads(self._path(TARGETING).read_text())

    def preload(self) -> None:
        """Load every artifact now (gunicorn's master does this so forked workers share the memory), except the
        clients: the pages ask for them by SQL (:mod:`dashapp.artifacts.client_queries`), as many as there may be; and
        the grid's while an early build is still computing it."""
        grid = ("grid_metrics", "_tsne", "_dendrograms", "_silhouettes") if self.grid_ready else ()
        for name in (*grid, "segmentation_model", "evaluation", "profiles", "scoring_index", "response", "targeting"):
            getattr(self, name)

    def summary(self) -> dict:
        """A short description for the footer and ``/healthz``."""
        manifest = self.manifest
        return {"built_at": manifest["built_at"], "data_sha256": manifest["data"]["sha256"],
                "rows": manifest["data"]["rows"], "mode": manifest["parameters"]["mode"],
                "versions": manifest["versions"], "code_version": manifest["code_version"]}


def file_identity(path: Path) -> tuple[int, int] | None:
    """``(inode, modification time)`` of ``path``: a swapped-in folder's manifest is a new file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


@cache
def load_store(model_dir: str) -> ArtifactStore:
    """The process's store for ``model_dir``, verified once and cached (errors are not cached)."""
    return ArtifactStore(Path(model_dir))
