"""One reproducible build of every artifact, from the raw CSV to a verified ``model/`` folder.

Stages: read and clean the data; the three unknown-value treatments; the 72-configuration K-means grid (with
per-client silhouettes, stability, t-SNE maps and dendrograms); the final segmentation and its classifier;
profiles; the final segmentation's stability; write. The grid stage runs last, in :mod:`dashapp.analysis.grid_runner`.
The build works in a staging folder beside the target and swaps it in only when complete, so a crash or Ctrl-C
leaves the previous artifacts as they were.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm import tqdm

from dashapp.analysis.calendar_response import calendar_analysis
from dashapp.analysis.campaign_targeting import campaign_view
from dashapp.analysis.categorical import categorical_benchmark
from dashapp.analysis.clustering import GridParameters, draw_samples
from dashapp.analysis.grid_runner import grid_configurations, grid_section, run_grid, write_grid
from dashapp.analysis.method_facts import method_facts, outcome_in_imputation_facts
from dashapp.analysis.preprocessing import UnknownValueImputer, apply_treatment, impute_columns, transform_in_chunks
from dashapp.analysis.propensity import period_scores, targeting_benchmark
from dashapp.analysis.response import response_analysis
from dashapp.analysis.segmentation import (FinalSegmentation, SegmentClassifier, fit_final_segmentation,
                                           fit_segment_classifier, segment_profiles, tree_nodes)
from dashapp.analysis.stability import StabilityParameters, segmentation_stability
from dashapp.analysis.training_data import (QUICK_ROW_STEP, UCI_ORDER, BankData,  # noqa: F401 (re-exported)
                                            prepare_bank_data)
from dashapp.artifacts import model_folder
from dashapp.artifacts.neighbours import voters_artifact
from dashapp.core import domain
from dashapp.sources import loader

logger = logging.getLogger(__name__)

#: The most training rows a fit uses by default: above the UCI file's 28,831, so its build is unchanged.
FIT_SAMPLE = 50_000
#: Fewer rows than this cannot show k = 15 clusters of any size (the grid draws its samples from the fit sample).
MIN_FIT_SAMPLE = 100


@dataclass(frozen=True)
class BuildParameters:
    """Everything that shapes the artifacts besides the data and the code; recorded in the manifest.

    Attributes
    ----------
    mode : {"full", "quick"}
        "quick" uses every 7th row, k = 2..6 and small samples: a complete, consistent set of artifacts in
        well under a minute, for tests.
    grid : GridParameters
    final_k : int
        Segments of the final segmentation (default :data:`dashapp.core.domain.FINAL_K`, the original study's 4); one
        of ``grid.k_values``, so that the grid's KNN / pipeline 8 / final-features run at this k is the final
        segmentation and the explorer marks it.
    final_n_init : int
        K-means starts of the final segmentation; the grid uses as many on the final feature set
        (``grid.final_features_n_init``), so that its KNN / pipeline 8 / final-features run at ``final_k`` is the
        final segmentation.
    stability : StabilityParameters
        The final segmentation's bootstrap study (:mod:`dashapp.analysis.stability`).
    random_state : int
    fit_sample : int
        The most training rows any fit uses (default :data:`FIT_SAMPLE`, above the UCI file's 28,831, so that
        its build fits on every training row). Above it a seeded sample of the training rows, in time order,
        is what the imputers, the grid, the stability study, the benchmarks' models and the scoring voters are
        fitted on; the final segmentation is fitted on the training rows' distinct key-field combinations
        weighted by their clients; then every row is imputed, assigned and counted (in blocks).
    """

    mode: str = "full"
    grid: GridParameters = field(default_factory=GridParameters)
    final_k: int = domain.FINAL_K
    final_n_init: int = 10
    stability: StabilityParameters = field(default_factory=StabilityParameters)
    random_state: int = 42
    fit_sample: int = FIT_SAMPLE

    def __post_init__(self):
        if isinstance(self.fit_sample, bool) or not isinstance(self.fit_sample, int) \
                or self.fit_sample < MIN_FIT_SAMPLE:
            raise ValueError(f"fit_sample={self.fit_sample!r} must be a whole number of training rows, at least "
                             f"{MIN_FIT_SAMPLE}")
        if isinstance(self.final_k, bool) or not isinstance(self.final_k, int) \
                or self.final_k not in self.grid.k_values:
            raise ValueError(f"final_k={self.final_k!r} must be one of the grid's k values "
                             f"{min(self.grid.k_values)}..{max(self.grid.k_values)}: the explorer shows the grid's "
                             "run of the final configuration at that k as the final segmentation")
        if self.grid.final_features_n_init != self.final_n_init:
            raise ValueError(f"grid.final_features_n_init={self.grid.final_features_n_init} must equal "
                             f"final_n_init={self.final_n_init}: the explorer shows the grid's run of the final "
                             "configuration as the final segmentation")

    @classmethod
    def for_mode(cls, mode: str, tsne_sample: int | None = None, final_k: int = domain.FINAL_K,
                 fit_sample: int = FIT_SAMPLE) -> "BuildParameters":
        """The parameters of a full or quick build, with the final segmentation's ``final_k`` and ``fit_sample``."""
        if mode not in ("full", "quick"):
            raise ValueError(f"mode={mode!r} must be 'full' or 'quick'")
        if mode == "full":
            grid = GridParameters() if tsne_sample is None else GridParameters(tsne_sample=tsne_sample)
        else:
            # Fewer t-SNE iterations: the maps are 60 of the grid's tasks, and the quick build is for tests.
            grid = GridParameters(k_values=tuple(range(2, 7)), n_init=1, silhouette_sample=1000,
                                  tsne_sample=tsne_sample or 300, tsne_iterations=250, dendrogram_sample=100)
            return cls(mode=mode, grid=grid, final_k=final_k,
                       stability=StabilityParameters(resamples=20, alternative_starts=50), fit_sample=fit_sample)
        return cls(mode=mode, grid=grid, final_k=final_k, fit_sample=fit_sample)

    def to_json(self) -> dict:
        """The parameters as JSON-compatible data (tuples become lists), as the manifest stores them."""
        return json.loads(json.dumps(asdict(self)))


@contextmanager
def _stage(name: str, total: int, progress: bool, seconds: dict[str, float]) -> Iterator[tqdm]:
    """One build stage: a progress bar, and the stage's wall time recorded in ``seconds[name]``."""
    start = time.perf_counter()
    with tqdm(total=total, desc=f"{name:<14}", unit="step", disable=not progress, leave=True) as bar:
        yield bar
    seconds[name] = time.perf_counter() - start


def build_artifacts(source: Path | loader.LoadedSource, model_dir: Path, parameters: BuildParameters,
                    jobs: int = 1, progress: bool = True, early: bool = False, grid_client=None) -> dict:
    """Build every artifact from ``source`` into ``model_dir``, atomically.

    The source is read and validated before anything is written, so a source that cannot be used leaves the
    previous artifacts (and the folder beside them) as they were.

    Parameters
    ----------
    source : Path or LoadedSource
        A verified ``bank-additional-full.csv`` or another file of the bank-additional layout (read here), or a
        source already read and validated (:func:`dashapp.sources.loader.load_source`).
    model_dir : Path
        The artifact folder to replace.
    parameters : BuildParameters
    jobs : int
        Processes for the grid and the imputations.
    progress : bool
        Show a progress bar per stage.
    early : bool
        Swap in every artifact but the grid's first (the manifest marks the grid pending), so that an app started
        meanwhile serves the segments, the Data page and scoring; the grid's progress is written beside the
        folder (:func:`dashapp.artifacts.model_folder.grid_progress_path`); then swap in the complete folder, the same
        as without ``early``. A failure in the grid is written there too, and leaves the early folder served.
    grid_client : distributed.Client, optional
        A client of a Dask cluster (:func:`dashapp.analysis.dask_backend.dask_client`) to run the grid's tasks on,
        through joblib's dask backend; the rest of the build runs here. The results are the same as a local grid's.

    Returns
    -------
    dict
        The manifest written.
    """
    if jobs < 1:
        raise ValueError(f"jobs={jobs} must be at least 1")
    if not isinstance(source, loader.LoadedSource):
        source = loader.load_source(loader.parse_source(source))
    model_dir = Path(model_dir).resolve()
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-staging-", dir=model_dir.parent))
    progress_file = model_folder.grid_progress_path(model_dir) if early else None
    try:
        manifest = _build_into(source, staging, parameters, jobs, progress,
                               early=(lambda out: _swap_in(_copy_of(out), model_dir)) if early else None,
                               grid_progress=progress_file, grid_client=grid_client)
        _swap_in(staging, model_dir)
    except BaseException as error:
        if progress_file is not None and progress_file.exists():
            reason = ("stopped before it was complete" if isinstance(error, KeyboardInterrupt)
                      else f"{type(error).__name__}: {error}")
            _write_json_atomically(progress_file, {"failed": reason})
            progress_file = None  # kept: the app says why the explorer stays empty
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if progress_file is not None:
            progress_file.unlink(missing_ok=True)
    return manifest


def _copy_of(folder: Path) -> Path:
    """A copy of a staging folder beside it, to swap in while the build goes on writing the original."""
    copy = Path(tempfile.mkdtemp(prefix=f"{folder.name}-early-", dir=folder.parent))
    shutil.copytree(folder, copy, dirs_exist_ok=True)
    return copy


def _swap_in(staging: Path, model_dir: Path) -> None:
    # Two renames; SIGINT is held off so Ctrl-C cannot land between them.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _in_main_thread() else None
    try:
        retired = None
        if model_dir.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-old-", dir=model_dir.parent))
            os.rename(model_dir, retired / model_dir.name)
        os.rename(staging, model_dir)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


@dataclass(frozen=True)
class _FinalModel:
    """The final segmentation, the classifier that assigns it, and what the pages and scoring read of them."""

    segmentation: FinalSegmentation
    classifier: SegmentClassifier
    nodes: list
    profiles: dict
    scoring_index: dict
    #: Response by segment with intervals and tests, and segment x driver (``response.json``).
    response: dict = field(default_factory=dict)


def _build_into(source: loader.LoadedSource, out: Path, parameters: BuildParameters, jobs: int,
                progress: bool, early: Callable[[Path], None] | None = None,
                grid_progress: Path | None = None, grid_client=None) -> dict:
    """Every stage, writing into ``out``. The grid runs last: with ``early``, every other artifact is written
    first, with a manifest that marks the grid pending, and ``early(out)`` is called to serve them meanwhile."""
    seconds: dict[str, float] = {}
    with _stage("data", 3, progress, seconds) as bar:
        bank = prepare_bank_data(source, parameters.mode, parameters.random_state, parameters.fit_sample, bar)
    seconds["data"] += source.seconds
    with _stage("treatments", 4, progress, seconds) as bar:
        knn, treated, keys = _treat_unknown_values(bank, parameters.random_state, jobs, bar)
    configurations, fitted = grid_configurations()
    # The grid sees the fit sample's rows only: its cost is bounded by fit_sample, not by the file.
    samples = draw_samples(len(bank.fit_positions), parameters.grid)
    with _stage("segmentation", 3, progress, seconds) as bar:
        final = _fit_final_model(bank, knn, keys, samples, parameters, bar)
        # What the Methods page says of y in the imputation, counted (about 4 s a count on the UCI file).
        outcome_in_imputation = outcome_in_imputation_facts(final.segmentation, bank.train, bank.test,
                                                            bank.fit_positions, bank.sampled, jobs)
    with _stage("stability", 1, progress, seconds) as bar:
        stability = _segmentation_stability(bank, final.segmentation, parameters)
        bar.update()
    with _stage("benchmarks", 2, progress, seconds) as bar:
        _write_json(out / model_folder.TARGETING, _benchmark_segments(bank, final, parameters.random_state, bar))
    # The benchmarks stage wrote its own file, the grid stage writes its four.
    with _stage("write", len(model_folder.ARTIFACT_FILES) - 1 - len(model_folder.GRID_FILES), progress, seconds) as bar:
        evaluation = _write_artifacts(out, bank, knn, final, {"stability": stability}, samples, bar)
    if early is not None:
        pending = {"configurations": len(configurations), "fitted": len(fitted), "pending": True}
        _write_json(out / model_folder.MANIFEST, _manifest(out, bank, parameters, jobs, seconds, evaluation,
                                                        grid=pending))
        early(out)
    with _stage("grid", len(fitted) * (len(parameters.grid.k_values) + 1), progress, seconds) as bar:
        reported = bar if grid_progress is None else _ReportedProgress(bar, grid_progress)
        results = run_grid(treated, configurations, fitted, samples, parameters.grid, jobs, reported,
                                grid_client)
        evaluation["methods"] = method_facts(bank.clean, final.segmentation.imputed_key_fields,
                                             final.segmentation.all_segments,
                                             {config: result.metrics for config, result in results.items()},
                                             grid_n_init=parameters.grid.n_init, final_k=parameters.final_k,
                                             outcome_in_imputation=outcome_in_imputation)
        write_grid(out, results, configurations, samples, bank.train_client_ids[bank.fit_positions])
        _write_json(out / model_folder.EVALUATION, evaluation)
    manifest = _manifest(out, bank, parameters, jobs, seconds, evaluation,
                         grid=grid_section(configurations, fitted, results, parameters.grid, jobs, grid_client))
    _write_json(out / model_folder.MANIFEST, manifest)
    _report(evaluation["final"], seconds)
    return manifest


class _ReportedProgress:
    """A stage's progress bar that also writes its progress to a file, for the app to show while an early
    build's grid runs (:func:`dashapp.artifacts.model_folder.read_grid_progress`); anything else is the bar's."""

    def __init__(self, bar: tqdm, path: Path):
        self._bar, self._path = bar, path
        self._write()

    def update(self, n: float = 1) -> None:
        self._bar.update(n)
        self._write()

    def __getattr__(self, name: str):
        return getattr(self._bar, name)

    def _write(self) -> None:
        _write_json_atomically(self._path, {"done": float(self._bar.n), "total": float(self._bar.total or 0)})


def _write_json_atomically(path: Path, payload: dict) -> None:
    # A reader sees the previous content or the new one, never half a file.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(payload))
    os.replace(temporary, path)


def _treat_unknown_values(bank: BankData, seed: int, jobs: int,
                          bar: tqdm) -> tuple[UnknownValueImputer, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """The KNN imputer fitted on the fit sample; the grid's three treatments of the fit sample's rows; and the
    KNN-imputed key fields of every training and test row (``{"train": ..., "test": ...}``).

    Not sampled (the UCI file), the grid's KNN rows are the training rows and their key fields are taken from
    them, as they always were; sampled, the key fields of every row with a gap in them are imputed in blocks, in
    ``jobs`` processes.
    """
    fit_rows = bank.fit_train
    knn = UnknownValueImputer("knn").fit(fit_rows)
    bar.update()
    tasks = [("knn", knn, fit_rows), ("iterative", None, fit_rows), ("raw", None, fit_rows)]
    if not bank.sampled:
        tasks.insert(1, ("knn-test", knn, bank.test))
    treated: dict[str, pd.DataFrame] = {}
    bounded = bank.sampled  # the UCI build's distance blocks stay as they were
    for name, result in Parallel(n_jobs=min(jobs, len(tasks)), return_as="generator_unordered")(
            delayed(_impute_task)(name, imputer, rows, seed, bounded) for name, imputer, rows in tasks):
        treated[name] = result
        bar.update(0.5)
    features = list(domain.SEGMENT_FEATURES)
    if bank.sampled:
        keys = {"train": impute_columns(knn, bank.train, features, jobs=jobs),
                "test": impute_columns(knn, bank.test, features, jobs=jobs)}
    else:
        keys = {"train": treated["knn"][features], "test": treated.pop("knn-test")[features]}
    bar.update(1)
    return knn, treated, keys


def _impute_task(name: str, imputer: UnknownValueImputer | None, frame: pd.DataFrame, random_state: int,
                 bounded_memory: bool):
    if imputer is not None:
        if bounded_memory:
            return name, transform_in_chunks(imputer, frame)
        return name, imputer.transform(frame)
    return name, apply_treatment(name, frame, random_state=random_state)


def _fit_final_model(bank: BankData, knn: UnknownValueImputer, keys: dict[str, pd.DataFrame], samples,
                     parameters: BuildParameters, bar: tqdm) -> _FinalModel:
    """The final segmentation on the training rows (on their weighted key-field combinations when sampled), the
    classifier fitted on the fit sample, then every row assigned, profiled and counted."""
    seed, fit = parameters.random_state, bank.fit_positions
    final = fit_final_segmentation(knn, keys["train"], keys["test"], fit[samples.silhouette],
                                   n_init=parameters.final_n_init, random_state=seed, k=parameters.final_k,
                                   on_combinations=bank.sampled)
    bar.update()
    n_train, imputed = bank.n_train, final.imputed_key_fields
    train_keys = imputed.iloc[:n_train]
    classifier = fit_segment_classifier(train_keys.iloc[fit] if bank.sampled else train_keys,
                                        final.train_segments[fit], imputed.iloc[n_train:],
                                        final.all_segments[n_train:], random_state=seed)
    bar.update()
    numbers = final.segment_numbers
    profiles = segment_profiles(bank.clean.iloc[:n_train], train_keys, final.train_segments, numbers)
    profiles["all_rows"] = segment_profiles(bank.clean, imputed, final.all_segments, numbers)["segments"]
    fit_clean = bank.clean.iloc[:n_train].iloc[fit] if bank.sampled else bank.clean.iloc[:n_train]
    model = _FinalModel(final, classifier, tree_nodes(classifier.tree), profiles, voters_artifact(fit_clean),
                        response=response_analysis(bank.clean, final.all_segments, n_train, numbers,
                                                   time_ordered=bank.time_ordered)
                        | {"calendar": calendar_analysis(bank.clean, final.all_segments, n_train, numbers)})
    bar.update()
    return model


def _benchmark_segments(bank: BankData, final: _FinalModel, seed: int, bar: tqdm) -> dict:
    """What the published segments are worth against a response model and a clustering made for categories
    (both fitted on the fit sample; the segments' rates and the test period are every row's)."""
    segmentation, n_train = final.segmentation, bank.n_train
    fit = bank.fit_rows if bank.sampled else None
    scores = period_scores(bank.clean, segmentation.all_segments, n_train, random_state=seed, fit_rows=fit)
    targeting = targeting_benchmark(bank.clean, segmentation.all_segments, n_train, random_state=seed,
                                    time_ordered=bank.time_ordered, fit_rows=fit, scores=scores)
    # Month by month only where the test rows are the later months and every row has its month.
    targeting["campaign"] = (campaign_view(bank.clean, n_train, scores, seed, fit_rows=fit)
                             if bank.time_ordered and final.response.get("calendar") else None)
    bar.update()
    positions = bank.fit_positions
    targeting["categorical"] = categorical_benchmark(segmentation.imputed_key_fields.iloc[:n_train].iloc[positions],
                                                     segmentation.train_segments[positions], random_state=seed)
    bar.update()
    return targeting


def _segmentation_stability(bank: BankData, segmentation: FinalSegmentation, parameters: BuildParameters) -> dict:
    """The final segmentation refitted on bootstrap resamples of the fit sample's training clients
    (:mod:`dashapp.analysis.stability`)."""
    positions = bank.fit_positions
    keys = segmentation.imputed_key_fields.iloc[:bank.n_train].iloc[positions]
    return segmentation_stability(segmentation.transformer.transform(keys), segmentation.train_segments[positions],
                                  keys, n_init=parameters.final_n_init, parameters=parameters.stability)


def _write_artifacts(out: Path, bank: BankData, knn: UnknownValueImputer, final: _FinalModel, reports: dict,
                     samples, bar: tqdm) -> dict:
    """Write every artifact but the grid's and the manifest; return the evaluation written (``reports`` are
    sections of it; the grid stage adds its ``methods`` and writes it again)."""
    segmentation, classifier = final.segmentation, final.classifier
    _write_clients(out / model_folder.CLIENTS, bank.clean, segmentation.imputed_key_fields,
                   segmentation.all_segments, bank.n_train)
    bar.update()
    joblib.dump({"imputer": knn, "transformer": segmentation.transformer, "kmeans": segmentation.kmeans,
                 "segment_of_label": segmentation.segment_of_label}, out / model_folder.SEGMENTATION)
    joblib.dump({"encoder": classifier.encoder, "tree": classifier.tree, "logistic": classifier.logistic},
                out / model_folder.CLASSIFIER)
    joblib.dump(final.scoring_index, out / model_folder.SCORING)
    bar.update(2)
    evaluation = {"final": _final_evaluation(segmentation, samples), "classifier": classifier.evaluation,
                  "tree_nodes": final.nodes, **reports}
    _write_json(out / model_folder.EVALUATION, evaluation)
    _write_json(out / model_folder.PROFILES, final.profiles)
    bar.update(3)
    _write_json(out / model_folder.RESPONSE, final.response)
    bar.update()
    return evaluation


def _final_evaluation(segmentation: FinalSegmentation, samples) -> dict:
    return {
        "treatment": domain.FINAL_TREATMENT, "pipeline": domain.FINAL_PIPELINE, "k": segmentation.kmeans.n_clusters,
        "features": list(domain.SEGMENT_FEATURES),
        "shares": {str(s): v for s, v in segmentation.shares().items()},
        "reference_shares": {str(s): v for s, v in domain.REFERENCE_SHARES.items()},
        "silhouette": segmentation.silhouette,
        "silhouette_sampled": segmentation.silhouette_sampled,
        "silhouette_sample_size": int(len(samples.silhouette)),
        "reference_silhouette": domain.REFERENCE_SILHOUETTE,
        "inertia": float(segmentation.kmeans.inertia_),
        "segment_of_label": {str(k): v for k, v in segmentation.segment_of_label.items()},
    }


def _manifest(out: Path, bank: BankData, parameters: BuildParameters, jobs: int,
              seconds: dict[str, float], evaluation: dict, grid: dict) -> dict:
    """What was built, from what, by which code, how long it took, and every artifact's checksum (but the grid's
    while ``grid["pending"]``)."""
    names = [name for name in model_folder.ARTIFACT_FILES
             if not (grid.get("pending") and name in model_folder.GRID_FILES)]
    return {
        "schema": model_folder.SCHEMA_VERSION,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": bank.section,
        "code_version": model_folder.code_version(),
        "versions": model_folder.library_versions(),
        "parameters": parameters.to_json(),
        "jobs": jobs,
        "stage_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "grid": grid,
        "final": {"shares": evaluation["final"]["shares"], "silhouette": evaluation["final"]["silhouette"],
                  "tree_test_accuracy": evaluation["classifier"]["tree"]["accuracy"]},
        "artifacts": {name: {"sha256": model_folder.file_sha256(out / name), "bytes": (out / name).stat().st_size}
                      for name in names},
    }


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=1, sort_keys=False) + "\n")


def _write_clients(path: Path, clean: pd.DataFrame, keys: pd.DataFrame, segments: np.ndarray,
                   n_train: int) -> None:
    table = clean.copy()
    for column in domain.SEGMENT_FEATURES:
        table[f"{column}_imputed"] = keys[column].to_numpy()
    table["segment"] = segments.astype(np.int8)
    table["split"] = np.where(np.arange(len(table)) < n_train, "train", "test")
    if not table.index.is_monotonic_increasing:
        table = table.sort_index(kind="stable")  # back in the source's order: the rows are the user's
    for column, categories in domain.CATEGORIES.items():
        table[column] = pd.Categorical(table[column], categories=list(categories))
    for column in domain.SEGMENT_FEATURES:
        table[f"{column}_imputed"] = pd.Categorical(table[f"{column}_imputed"],
                                                    categories=list(domain.known_categories(column)))
    table["split"] = pd.Categorical(table["split"], categories=["train", "test"])
    table.to_parquet(path)


def _report(final: dict, seconds: dict) -> None:
    shares = " / ".join(f"{share:.2f}" for share in final["shares"].values())
    reference = " / ".join(f"{share:.2f}" for share in domain.REFERENCE_SHARES.values())
    logger.info("final segmentation (k = %d): shares %s (original, k = 4: %s); silhouette %.3f (sampled %.3f; "
                "original %.2f)", final["k"], shares, reference, final["silhouette"], final["silhouette_sampled"],
                domain.REFERENCE_SILHOUETTE)
    logger.info("stage seconds: %s", ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
