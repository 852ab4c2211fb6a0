"""What the clustering explorer shows: its selection (and the selection's URL query), a configuration's scores in
words (its stability and its clients' negative silhouettes too), the final model's facts, the t-SNE points and one
client's record. Over 450 lines because every sentence of the page is here, beside the share texts and the
small-cluster rule they all use.

Dash-free, over the artifact store's frames (``grid_metrics``, ``tsne(config)``, ``clients``) and
``evaluation.json``. The figures are drawn by :mod:`dashapp.figures.explorer`, which takes the small-cluster rule
and the share texts from here so that the charts and the words agree.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashapp.core import catalogue, domain, i18n
from dashapp.core.i18n import _, ngettext, pgettext
from dashapp.views import facts, inputs, url_state

# --- The selection -------------------------------------------------------------------------------------------

#: The final model, which the explorer opens on (at the build's k); the keys are the selection's parameters in
#: the URL, in order.
DEFAULT_SELECTION = {"treatment": domain.FINAL_TREATMENT, "pipeline": domain.FINAL_PIPELINE, "features": "final",
                     "k": domain.FINAL_K}


def grid_k_values(manifest: dict) -> list[int]:
    """The numbers of clusters the grid was fitted for, from the artifacts' manifest."""
    return [int(k) for k in manifest["parameters"]["grid"]["k_values"]]


def selection_from_query(query: Mapping[str, object], k_values: list[int],
                         final_k: int = domain.FINAL_K) -> tuple[dict, list[str]]:
    """The selection a URL asks for, with the default in place of anything invalid (and a sentence why).

    Parameters
    ----------
    query : mapping
        URL query parameters (:func:`dashapp.views.url_state.query_parameters`); unknown keys are ignored.
    k_values : list of int
        The grid's k values; the default k is the one nearest the final model's.
    final_k : int
        The final segmentation's k (``ArtifactStore.final_k``, a build parameter).

    Returns
    -------
    selection : dict
        ``treatment``, ``pipeline`` (int), ``features`` and ``k`` (int).
    problems : list of str
        One readable sentence per value that was ignored.
    """
    selection, problems = dict(DEFAULT_SELECTION), []
    selection["k"] = min(k_values, key=lambda k: (abs(k - final_k), k))
    choices = {"treatment": list(domain.TREATMENTS), "pipeline": [str(n) for n in domain.PIPELINES],
               "features": list(domain.FEATURE_SETS), "k": [str(k) for k in k_values]}
    for name, allowed in choices.items():
        value = query.get(name)
        if value is None:
            continue
        if str(value) in allowed:
            selection[name] = int(value) if name in ("pipeline", "k") else str(value)
        else:
            problems.append(_("{parameter}={value} ignored; expected one of {allowed}.").format(
                parameter=name, value=repr(value), allowed=", ".join(allowed)))
    return selection, problems


def selection_from_controls(selection: Mapping[str, object], k_values: list[int]) -> dict:
    """The selection the explorer's widgets describe, checked as :func:`selection_from_query` checks a URL.

    Parameters
    ----------
    selection : mapping
        ``treatment``, ``pipeline``, ``features`` and ``k`` as the widgets send them.
    k_values : list of int
        The grid's k values (:func:`grid_k_values`).

    Returns
    -------
    dict
        ``treatment``, ``pipeline`` (int), ``features`` and ``k`` (int).

    Raises
    ------
    InvalidInput
        For a value no widget offers (treatment ``"zzz"``, k = 999).
    """
    choices = {"treatment": list(domain.TREATMENTS), "pipeline": list(domain.PIPELINES),
               "features": list(domain.FEATURE_SETS), "k": k_values}
    return {name: inputs.one_of(name, selection.get(name), allowed) for name, allowed in choices.items()}


def selection_query_string(selection: Mapping[str, object]) -> str:
    """``?treatment=knn&pipeline=8&features=all&k=4``: the URL query of a selection."""
    return url_state.query_string({name: selection[name] for name in DEFAULT_SELECTION})


def pipeline_name(number: int) -> str:
    """A pipeline's name in the current language: ``"8: numeric MinMax, ordinal encoding, then MinMax"``."""
    return domain.PIPELINES[number].name


def config_label(config: str) -> str:
    """A readable name of a grid configuration id such as ``knn-p8-all``, in the current language."""
    treatment, pipeline, feature_set = config.split("-", 2)
    return _("{treatment} | pipeline {pipeline} | {feature_set}").format(
        treatment=_(domain.TREATMENTS[treatment]), pipeline=pipeline_name(int(pipeline[1:])),
        feature_set=_(domain.FEATURE_SETS[feature_set]))


def config_of(selection: Mapping[str, object]) -> str:
    """The configuration id of a selection (``"knn-p8-all"``); k is not part of it."""
    return domain.config_id(str(selection["treatment"]), int(selection["pipeline"]), str(selection["features"]))


# --- The t-SNE map and one client ------------------------------------------------------------------------

#: The few fields the explorer's t-SNE hover shows beside the client id.
HOVER_FIELDS: tuple[str, ...] = ("age", "job", "housing", "loan")


#: The final configuration: the grid's configuration that the final segmentation is.
FINAL_CONFIG = domain.config_id(domain.FINAL_TREATMENT, domain.FINAL_PIPELINE, "final")


def segments_of_clusters(config: str, k: int, final_k: int, labels, segments) -> dict[int, int] | None:
    """Each K-means label's segment, where the explorer shows the final segmentation: the final configuration
    at the final k, whose clusters are the segments, so that they take the segments' numbers and colours.

    Parameters
    ----------
    config, k : the configuration and k shown.
    final_k : int
        The build's final k.
    labels, segments : array-like
        The same clients' 0-based K-means label in ``config`` at ``k`` and their segment (e.g. the t-SNE map's).

    Returns
    -------
    dict or None
        Label -> segment number; None for any other solution, or where the grid's fit is not the final
        segmentation's partition of these clients (one segment per label, each label a different one), as with a
        near-tied alternative: its clusters are then named as clusters.
    """
    if config != FINAL_CONFIG or k != final_k:
        return None
    pairs = pd.DataFrame({"label": np.asarray(labels), "segment": np.asarray(segments)}).drop_duplicates()
    if pairs["label"].duplicated().any() or pairs["segment"].duplicated().any() or len(pairs) != k:
        return None
    return {int(label): int(segment) for label, segment in zip(pairs["label"], pairs["segment"])}


def tsne_points(tsne: pd.DataFrame, clients: pd.DataFrame, k: int) -> pd.DataFrame:
    """A configuration's t-SNE map for ``k`` clusters, with the hover fields of each client.

    Parameters
    ----------
    tsne : DataFrame
        ``ArtifactStore.tsne(config)``: ``client_id``, ``x``, ``y``, ``label_k2`` ...
    clients : DataFrame
        The clients table, indexed by ``client_id``.
    k : int
        Which ``label_k{k}`` column becomes ``cluster``.

    Returns
    -------
    DataFrame
        ``client_id``, ``x``, ``y``, ``cluster`` and :data:`HOVER_FIELDS` as readable text (category labels,
        e.g. ``"No personal loan"``), one row per mapped client.
    """
    column = f"label_k{k}"
    if column not in tsne:
        raise ValueError(f"k={k} has no t-SNE labels; the map has "
                         f"{', '.join(c.removeprefix('label_k') for c in tsne if c.startswith('label_k'))}")
    points = tsne[["client_id", "x", "y", column]].rename(columns={column: "cluster"})
    fields = clients.loc[points["client_id"], list(HOVER_FIELDS)].astype(str).reset_index(drop=True)
    for column in fields:
        fields[column] = fields[column].map(lambda value, column=column: catalogue.category_label(column, value))
    return pd.concat([points.reset_index(drop=True), fields], axis=1)


def mapped_client(tsne: pd.DataFrame, client_id: object) -> int:
    """The id of a client the t-SNE map draws: the client card shows those clients only, not any client.

    Parameters
    ----------
    tsne : DataFrame
        ``ArtifactStore.tsne(config)`` of the map on show.
    client_id : object
        The id a click on the map reports (its point's first ``customdata``).

    Returns
    -------
    int

    Raises
    ------
    InvalidInput
        When ``client_id`` is not a whole number, or not one of the map's clients.
    """
    ids = tsne["client_id"].to_numpy()
    number = inputs.whole_number("client id", client_id, 0, int(ids.max()) if len(ids) else 0)
    if not (ids == number).any():
        raise inputs.InvalidInput(f"client {number} is not on the t-SNE map on show")
    return number


def _shown_value(value: object) -> str:
    """A field's value as the client card shows it: a fraction with the language's decimal mark (``1,1``);
    whole numbers as the file writes them (``5191``)."""
    text = str(value)
    if isinstance(value, float):
        text = text.replace(".", i18n.plotly_separators()[0])
    return text


#: Columns the client card leaves out: ``month`` repeats ``contact_date`` without the year.
_RECORD_HIDDEN: tuple[str, ...] = ("month",)


def client_record(clients: pd.DataFrame, client_id: int, names: Mapping[int, str]) -> pd.DataFrame:
    """Every field of one client as readable ``field``/``value`` rows; empty when the id is unknown.

    Field names and category values use the labels of :mod:`dashapp.core.catalogue` (``"Education"``,
    ``"Basic (9 years)"``), never the file's codes; the segment carries its name (``names``: segment number ->
    name, :func:`dashapp.core.catalogue.segment_names`).
    """
    if client_id not in clients.index:
        return pd.DataFrame({"field": [], "value": []}, dtype=object)
    row = clients.loc[client_id]
    # Without a contact date (a source without dates) the month is all that is known of when the call was.
    hidden = _RECORD_HIDDEN if not pd.isna(row.get("contact_date")) else ("contact_date",)
    row = row.drop(labels=[c for c in hidden if c in clients.columns])
    values = []
    for column, value in row.items():
        if isinstance(value, pd.Timestamp):
            value = i18n.month_year(value.date())
        elif column == "pdays" and value == domain.PDAYS_NEVER_RECODED:
            value = _("never contacted before")
        elif column == "segment" and int(value) in names:
            value = f"{int(value)}: {names[int(value)]}"
        elif isinstance(value, str):
            value = catalogue.category_label(column.removesuffix("_imputed"), value)
        values.append(_shown_value(value))
    return pd.DataFrame({"field": [catalogue.column_label(str(column)) for column in row.index], "value": values})


# --- Scores, cluster sizes and the final model -------------------------------------------------------------

#: A K-means solution with a cluster holding less than this share of the clients is flagged as degenerate: its
#: scores mostly measure how far one small group sits from everyone else (a silhouette of 0.9 at k = 2 can be
#: 99.7% of the clients against 0.3%), not a segmentation.
SMALL_CLUSTER_SHARE = 0.02
#: The marks the explorer's words and charts share: a degenerate solution, and the final model.
FLAG = "\u26a0"
STAR = "\u2605"


def is_degenerate(smallest_share: float) -> bool:
    """Whether a solution whose smallest cluster holds ``smallest_share`` of the clients is flagged."""
    return bool(smallest_share < SMALL_CLUSTER_SHARE)


def share_text(share: float) -> str:
    """A cluster's share as the explorer writes it: ``"26%"``, or ``"0.3%"`` below 10% (``"0,3 %"`` in Russian)."""
    return i18n.percent(share) if share >= 0.095 else i18n.percent(share, 1)


def shares_text(shares) -> str:
    """The clusters' shares in label order: ``"26% / 15% / 43% / 16%"``."""
    return " / ".join(share_text(float(share)) for share in shares)


def configuration_metrics(grid_metrics: pd.DataFrame, config: str) -> pd.DataFrame:
    """One configuration's rows of the grid, by k."""
    rows = grid_metrics[grid_metrics["config_id"] == config]
    if rows.empty:
        raise ValueError(f"config={config!r} is not in the grid")
    return rows.sort_values("k").reset_index(drop=True)


def knee_of(metrics: pd.DataFrame) -> int | None:
    """The elbow's knee of one configuration (:func:`configuration_metrics`); None when it has no clear knee."""
    knee = metrics["knee"].iloc[0]
    return None if pd.isna(knee) else int(knee)


def cluster_shares(metrics: pd.DataFrame, k: int) -> list[float]:
    """Each cluster's share of the training clients at ``k``, by K-means label."""
    return [float(share) for share in metrics.loc[metrics["k"] == k, "cluster_shares"].iloc[0]]


def configuration_details(config: str, metrics: pd.DataFrame, k: int, evaluation: dict,
                          train_rows: int, resamples: int) -> dict[str, str | None]:
    """The chosen (configuration, k) in words: its scores, its cluster sizes, and a flag when a cluster is small.

    Parameters
    ----------
    config : str
        A configuration id (``"knn-p8-final"``).
    metrics : DataFrame
        Its rows of the grid (:func:`configuration_metrics`).
    k : int
        The chosen number of clusters.
    evaluation : dict
        ``ArtifactStore.evaluation``: its ``final`` part says whether this is the final segmentation.
    train_rows : int
        Training clients (the exact silhouette's population).
    resamples : int
        The bootstrap resamples the grid's stability is over (the manifest's ``stability_resamples``).

    Returns
    -------
    dict
        ``label`` (the configuration's name), ``scores``, ``stability`` (:func:`stability_text`), ``sizes``
        (``"1: 26%, 2: 15%, ..."``), ``degenerate`` (why the solution is flagged, or None) and ``final`` (the
        final segmentation's report and which cluster is which segment, or None for any other solution).
    """
    chosen = metrics.loc[metrics["k"] == k].iloc[0]
    knee = knee_of(metrics)
    shares = list(chosen["cluster_shares"])
    basis = silhouette_basis(chosen["silhouette_clients"], train_rows)
    details: dict[str, str | None] = {
        "label": config_label(config),
        "scores": (_("k={k}: silhouette {silhouette} ({basis}), Calinski-Harabasz {calinski_harabasz}, "
                     "Davies-Bouldin {davies_bouldin}. ").format(
            k=k, silhouette=i18n.number(chosen["silhouette"], 3), basis=basis,
            calinski_harabasz=i18n.number(chosen["calinski_harabasz"]),
            davies_bouldin=i18n.number(chosen["davies_bouldin"], 3))
            + (_("Elbow knee at k={k}.").format(k=knee) if knee else _("The elbow curve has no clear knee."))),
        "stability": stability_text(chosen, resamples),
        "sizes": ", ".join(f"{number}: {share_text(share)}" for number, share in enumerate(shares, start=1)),
        "degenerate": None, "final": None,
    }
    if is_degenerate(chosen["smallest_share"]):
        smallest = min(range(len(shares)), key=lambda label: (shares[label], label))
        details["degenerate"] = _(
            "Degenerate: cluster {cluster} holds {share} of the clients (under {threshold}); the scores mostly "
            "measure how far that small group sits from everyone else, not a segmentation.").format(
            cluster=smallest + 1, share=share_text(shares[smallest]), threshold=i18n.percent(SMALL_CLUSTER_SHARE))
    final = evaluation["final"]
    if config == domain.config_id(final["treatment"], int(final["pipeline"]), "final") and k == int(final["k"]):
        segments = ", ".join(_("cluster {cluster} is segment {segment}").format(cluster=int(label) + 1,
                                                                                 segment=segment)
                             for label, segment in sorted(final["segment_of_label"].items()))
        details["final"] = _("The final segmentation (its report: silhouette {silhouette} exact, {sampled} on the "
                             "shared sample); {segments}.").format(
            silhouette=i18n.number(final["silhouette"], 3), sampled=i18n.number(final["silhouette_sampled"], 3),
            segments=segments)
        if evaluation.get("stability"):
            details["stability"] += " " + final_stability_note(evaluation["stability"], resamples)
    return details


def final_stability_note(stability: dict, grid_resamples: int) -> str:
    """Why the grid's stability of the final solution and the Segments page's differ: two checks, two questions.

    The grid's ARI compares a few refits on the shared sample with each other; the Segments page refits the final
    segmentation on many resamples of every training client and counts how often it comes back as published
    (``evaluation.json``'s ``stability``)."""
    return ngettext(
        "That is {grid} refit of the grid's sample, compared with each other; the Segments page asks another "
        "question: {outcome}.",
        "That is {grid} refits of the grid's sample, compared with each other; the Segments page asks another "
        "question: {outcome}.", int(grid_resamples)).format(grid=int(grid_resamples),
                                                            outcome=facts.stability_outcome(stability))


def methods_reasons(facts: dict) -> dict:
    """The reasons the explorer's methods card gives for the final model, in words, from ``facts``.

    Parameters
    ----------
    facts : dict
        :func:`final_model_facts` of the artifacts.

    Returns
    -------
    dict
        ``pipeline_scores`` (``"P1 0.61, P2 0.63 ..."``, a :data:`FLAG` after a degenerate one), ``same_pipeline``
        (the pipeline whose matrix the final one shares), ``rank``, ``silhouette`` and ``knee`` (what each score
        says of k) and ``picked_by_scores`` (bool: whether both scores point to the final k).
    """
    k, knee = facts["k"], facts["knee"]
    by_k = facts["by_k"].set_index("k")
    # "P1 0,61; P2 0,63" in Russian, where a comma would split the decimals.
    pipeline_scores = pgettext("between numbers", ", ").join(
        f"P{int(row.pipeline)} {i18n.number(row.silhouette, 2)}" + (f" {FLAG}" if is_degenerate(row.smallest_share)
                                                                     else "")
        for row in facts["pipelines_at_k"].itertuples())
    rank = (_("it has the highest silhouette") if facts["rank_at_k"] == 1
            else _("it ranks {rank}").format(rank=facts["rank_at_k"]))
    if facts["best_k"] == k:
        silhouette_says = _("the silhouette is highest at k = {k} among solutions without a small cluster").format(k=k)
    else:
        first_k = int(by_k.index[0])
        silhouette_says = _("the silhouette is {first} at k = {first_k}, {chosen} at k = {k} and {best} at "
                            "k = {best_k} (the best without a small cluster)").format(
            first=i18n.number(by_k.at[first_k, "silhouette"], 3), first_k=first_k,
            chosen=i18n.number(facts["silhouette"], 3), k=k, best=i18n.number(facts["best_silhouette"], 3),
            best_k=facts["best_k"])
        if facts["distinct_values"] is not None and facts["best_k"] > k:
            silhouette_says += ngettext(": the three columns take only {count} distinct values, so more clusters "
                                        "come ever closer to one per combination",
                                        ": the three columns take only {count} distinct values, so more clusters "
                                        "come ever closer to one per combination",
                                        facts["distinct_values"]).format(count=facts["distinct_values"])
    knee_says = (_("the elbow has no clear knee") if knee is None else
                 _("the elbow's knee is at k = {k} too").format(k=knee) if knee == k else
                 _("the elbow's knee is at k = {k}").format(k=knee))
    return {"pipeline_scores": pipeline_scores, "same_pipeline": domain.same_matrix_pipeline(domain.FINAL_PIPELINE,
                                                                                             "final"),
            "rank": rank, "silhouette": silhouette_says, "knee": knee_says,
            "picked_by_scores": knee == k and facts["best_k"] == k}


def silhouette_basis(silhouette_clients: int, train_rows: int) -> str:
    """How a silhouette was computed: ``"exact, all 28,831 training clients"`` or ``"on a sample of 5,000"``."""
    if int(silhouette_clients) >= int(train_rows):
        return ngettext("exact, all {count} training clients", "exact, all {count} training clients",
                        int(train_rows)).format(count=i18n.number(int(train_rows)))
    return ngettext("on the shared sample of {count} training clients",
                    "on the shared sample of {count} training clients",
                    int(silhouette_clients)).format(count=i18n.number(int(silhouette_clients)))


# --- Each sampled client's silhouette, and the stability of a solution ----------------------------------------


def negative_share_text(share: float) -> str:
    """A share of clients with a negative silhouette: ``"12%"``, ``"0.4%"``, ``"under 0.1%"``, ``"none"``, or
    ``"undefined"`` (NaN: a silhouette needs two clusters in the sample)."""
    if pd.isna(share):
        return _("undefined")
    if share <= 0:
        return _("none")
    return _("under {share}").format(share=i18n.percent(0.001, 1)) if share < 0.0005 else share_text(share)


def negative_silhouette_sentences(negative_shares, sample_sizes) -> list[str]:
    """Each cluster's clients that sit closer to another cluster than to their own, in words, by cluster number.

    Parameters
    ----------
    negative_shares : sequence of float
        By 0-based K-means label: the share of the cluster's sampled clients whose silhouette is below 0
        (``grid_metrics``' ``negative_shares``, from the exact values; NaN for a cluster without a sampled client).
    sample_sizes : sequence of int
        By 0-based label: the cluster's clients in the silhouette sample.

    Returns
    -------
    list of str
        One sentence per cluster with a negative silhouette (``"cluster 3: 12% of its 1,203 sampled clients sit
        closer to another cluster"``) or without a sampled client; one sentence saying so when no cluster has
        either.
    """
    sentences = []
    for label, (share, size) in enumerate(zip(negative_shares, sample_sizes)):
        if int(size) == 0 or pd.isna(share):
            sentences.append(_("cluster {cluster}: none of its clients is in the sample").format(cluster=label + 1))
        elif share > 0:
            sentences.append(ngettext("cluster {cluster}: {share} of its {count} sampled clients sit closer to "
                                      "another cluster",
                                      "cluster {cluster}: {share} of its {count} sampled clients sit closer to "
                                      "another cluster", int(size)).format(
                cluster=label + 1, share=negative_share_text(float(share)), count=i18n.number(int(size))))
    return sentences or [_("none: every sampled client sits at least as close to its own cluster as to any other "
                           "(every silhouette is 0 or above)")]


def stability_text(row: Mapping, resamples: int) -> str:
    """A solution's stability in words: ``"Stability: median ARI 0.76 over 5 resamples (range 0.70-0.81)."``

    Parameters
    ----------
    row : mapping
        A row of the grid: ``stability`` (the median adjusted Rand index), ``stability_min``, ``stability_max``;
        NaN when the build could not measure it.
    resamples : int
        The bootstrap resamples the median is over.
    """
    if pd.isna(row["stability"]):
        return _("Stability: not measured for this solution.")
    spread = ("" if pd.isna(row["stability_min"]) or pd.isna(row["stability_max"])
              else _(" (range {low}-{high})").format(low=i18n.number(row["stability_min"], 2),
                                                     high=i18n.number(row["stability_max"], 2)))
    return ngettext("Stability: median ARI {median} over {count} resamples{spread}; 1 = the same clusters on every "
                    "resample, near 0 = no better than chance.",
                    "Stability: median ARI {median} over {count} resamples{spread}; 1 = the same clusters on every "
                    "resample, near 0 = no better than chance.", int(resamples)).format(
        median=i18n.number(row["stability"], 2), count=int(resamples), spread=spread)


def knife_basis(silhouette_clients: int, sample_clients: int, train_rows: int) -> str:
    """What the silhouette plot shows and what its dashed line is: the sample, and the average's population.

    Parameters
    ----------
    silhouette_clients : int
        The clients the grid's average silhouette is over (``silhouette_clients``).
    sample_clients : int
        The clients of the fixed silhouette sample the plot draws.
    train_rows : int
        Training clients.
    """
    shown = ngettext("Each of the {count} clients of the shared silhouette sample, cluster by cluster, sorted by "
                     "silhouette (how much closer it sits to its own cluster than to the next; below 0, closer to "
                     "another).",
                     "Each of the {count} clients of the shared silhouette sample, cluster by cluster, sorted by "
                     "silhouette (how much closer it sits to its own cluster than to the next; below 0, closer to "
                     "another).", int(sample_clients)).format(count=i18n.number(int(sample_clients)))
    if int(silhouette_clients) >= int(train_rows):
        return shown + " " + _("The dashed line is the average silhouette, {basis}, so it can differ a little from "
                               "the sample's own average.").format(
            basis=silhouette_basis(silhouette_clients, train_rows))
    return shown + " " + _("The dashed line is their average, the grid's silhouette.")


def stability_help(grid: Mapping) -> str:
    """The stability curve's help: what a point is, with the manifest's grid parameters (``grid``) filled in."""
    return ngettext("K-means refitted (same k, same starts) on {resamples} bootstrap resamples of the {sample}-client "
                    "silhouette sample; the median adjusted Rand index with this solution on the sampled clients, "
                    "and its range.",
                    "K-means refitted (same k, same starts) on {resamples} bootstrap resamples of the {sample}-client "
                    "silhouette sample; the median adjusted Rand index with this solution on the sampled clients, "
                    "and its range.", int(grid["stability_resamples"])).format(
        resamples=grid["stability_resamples"], sample=i18n.number(grid["silhouette_sample"]))


def dendrogram_help(sample: int, leaves: int) -> str:
    """The dendrogram's help: its ``sample`` of clients, its truncation to the last ``leaves`` merges, what a leaf
    is (in the figure's own words, :func:`dashapp.figures.explorer.dendrogram_leaf_labels`)."""
    return ngettext("Ward linkage of {count} sampled training clients, truncated to the last {leaves} merges: a leaf "
                    "is one client (\"{one}\") or the clients merged below it (\"{several}\"); the dashed line cuts "
                    "it into k clusters.",
                    "Ward linkage of {count} sampled training clients, truncated to the last {leaves} merges: a leaf "
                    "is one client (\"{one}\") or the clients merged below it (\"{several}\"); the dashed line cuts "
                    "it into k clusters.", int(sample)).format(
        count=i18n.number(sample), leaves=leaves, one=_("client {client}").format(client=282),
        several=ngettext("{count} client", "{count} clients", 6).format(count=6))


def final_model_facts(grid_metrics: pd.DataFrame, evaluation: dict, clients: pd.DataFrame | None = None) -> dict:
    """The numbers behind the choice of the final model, read from the grid and the evaluation artifacts.

    Parameters
    ----------
    grid_metrics : DataFrame
        ``ArtifactStore.grid_metrics``.
    evaluation : dict
        ``ArtifactStore.evaluation`` (its ``final`` part: treatment, pipeline, k, silhouette, shares).
    clients : DataFrame, optional
        ``ArtifactStore.clients``, to count the distinct (job, housing, loan) values of the training clients.

    Returns
    -------
    dict
        ``config`` (id), ``k``, ``silhouette`` and ``silhouette_clients`` (the grid's, exact),
        ``evaluation_silhouette`` and ``evaluation_silhouette_sampled`` (the final segmentation's report),
        ``shares`` (by K-means label), ``smallest_share``, ``knee`` (int or None), ``by_k`` (DataFrame: ``k``,
        ``silhouette``, ``smallest_share``, ``degenerate``), ``best_k`` and ``best_silhouette`` (the best k
        without a small cluster), ``pipelines_at_k`` (DataFrame: ``pipeline``, ``silhouette``,
        ``smallest_share`` of the distinct pipelines at k, same treatment and feature set), ``rank_at_k`` and
        ``configurations_at_k`` (the final configuration's rank by silhouette at k among the grid's distinct
        configurations without a small cluster), ``distinct_values`` (int or None).
    """
    final = evaluation["final"]
    k = int(final["k"])
    config = domain.config_id(final["treatment"], int(final["pipeline"]), "final")
    rows = configuration_metrics(grid_metrics, config)
    chosen = rows.loc[rows["k"] == k].iloc[0]
    by_k = rows[["k", "silhouette", "smallest_share"]].assign(
        degenerate=rows["smallest_share"] < SMALL_CLUSTER_SHARE)
    sound = by_k[~by_k["degenerate"]]
    best = sound.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    at_k = grid_metrics[grid_metrics["k"] == k]
    # Copies of one matrix (pipelines 5-8 of the final feature set) count once.
    at_k = at_k[[domain.same_matrix_pipeline(int(p), f) == int(p) for p, f in zip(at_k["pipeline"],
                                                                                  at_k["feature_set"])]]
    same_space = at_k[(at_k["treatment"] == final["treatment"]) & (at_k["feature_set"] == "final")]
    sound_at_k = at_k[at_k["smallest_share"] >= SMALL_CLUSTER_SHARE]
    rank = int((sound_at_k["silhouette"] > chosen["silhouette"]).sum()) + 1
    distinct_values = None
    if clients is not None:
        keys = [f"{column}_imputed" for column in domain.SEGMENT_FEATURES]
        distinct_values = int(len(clients.loc[clients["split"] == "train", keys].drop_duplicates()))
    return {
        "config": config, "k": k, "silhouette": float(chosen["silhouette"]),
        "silhouette_clients": int(chosen["silhouette_clients"]),
        "evaluation_silhouette": float(final["silhouette"]),
        "evaluation_silhouette_sampled": float(final["silhouette_sampled"]),
        "shares": [float(share) for share in chosen["cluster_shares"]],
        "smallest_share": float(chosen["smallest_share"]),
        "knee": knee_of(rows),
        "by_k": by_k.reset_index(drop=True),
        "best_k": int(best["k"]), "best_silhouette": float(best["silhouette"]),
        "pipelines_at_k": same_space[["pipeline", "silhouette", "smallest_share"]].sort_values("pipeline")
        .reset_index(drop=True),
        "rank_at_k": rank, "configurations_at_k": int(len(sound_at_k)),
        "distinct_values": distinct_values,
    }
