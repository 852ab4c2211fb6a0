"""The Clustering explorer and Methods pages in Russian, rendered in-process: their words, numbers and plurals.

The English pages are held by the pages' own tests (they run in English); here the same layouts, callbacks and
figures are drawn with ``i18n.use_language("ru")`` and read for English left over, decimal commas and Russian
plural forms.
"""

from __future__ import annotations

import re

import dash
import numpy as np
import pandas as pd
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, domain, i18n
from dashapp.figures import explorer as figures
from dashapp.views import categorical as categorical_view, explorer as view, methods as methods_view
from dashapp.views.grid_status import grid_status_sentence
from dashapp.web.components import CATEGORICAL_CARD
from pages import explorer as explorer_page
from tests.layout_helpers import by_id, components, strings, text

EXPLORER, METHODS = "pages.explorer", "pages.methods"
#: Latin words a Russian page keeps: proper names, codes and the columns shown as codes.
CODES = {"K-means", "t-SNE", "KNN", "KNN-заполнение", "ARI", "k-modes", "k", "job", "housing", "loan", "y", "pdays",
         "unknown", "no", "yes", "MinMax", "Standard", "one-hot", "Calinski-Harabasz", "Davies-Bouldin",
         "BayesianRidge", "batchatilionus", "ML_OPS-Banking-lustering-and-Classification"}
#: Texts the lead's modules translate (domain's treatment and feature-set labels): not this page's words.
LEAD_LABELS = sorted([*domain.TREATMENTS.values(), *domain.FEATURE_SETS.values()], key=len, reverse=True)


def latin_pairs(shown: str) -> list[str]:
    """Two Latin words in a row, outside the codes: English a Russian page should not show."""
    for label in LEAD_LABELS:
        shown = shown.replace(label, " ")
    # Markup, plotly's placeholders and commands in backquotes are not words.
    shown = re.sub(r"<[^>]+>|%\{[^}]*\}|`[^`]*`|\w+=\S+", " ", shown)
    words = [word.strip("'\"") for word in re.findall(r"[^\s,;:()«»—–/|.]+", shown)]
    return [f"{first} {second}" for first, second in zip(words, words[1:])
            if re.search("[A-Za-z]", first) and re.search("[A-Za-z]", second)
            and not (first in CODES and second in CODES)]


def figure_texts(figure) -> list[str]:
    """Every text a figure shows: titles, names, hovers, annotations, tick labels, cell texts."""
    found = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in {"text", "name", "hovertemplate", "hovertext", "ticktext", "y"}:
            found.append(value)

    walk(figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure)
    return found


def layout_texts(layout, leave_out: tuple[str, ...] = ()) -> list[str]:
    """A layout's text, its options' labels and its figures' texts, without the subtrees of ``leave_out`` ids."""
    skipped = {id(c) for skip in leave_out for c in components(by_id(layout)[skip])}
    shown = []
    for component in components(layout):
        if id(component) in skipped:
            continue
        children = getattr(component, "children", None)
        shown.extend(children if isinstance(children, str) else
                     [child for child in children if isinstance(child, str)] if isinstance(children, list) else [])
        shown.extend(option["label"] for option in getattr(component, "options", None) or []
                     if isinstance(option, dict) and isinstance(option.get("label"), str))
        if getattr(component, "figure", None) is not None:
            shown.extend(figure_texts(component.figure))
    return shown


@pytest.fixture
def russian(full_store):
    with i18n.use_language("ru"):
        yield full_store


def _no_english(texts) -> list[str]:
    return sorted({f"{pair!r} in {shown[:80]!r}" for shown in texts for pair in latin_pairs(shown)})


# --- Explorer ---------------------------------------------------------------------------------------------------


def test_the_russian_explorer_layout_has_no_english_words(russian):
    layout = dash.page_registry[EXPLORER]["layout"]()
    # The k-modes card's frame and headings are the shared components' (the lead's); its sentences are checked below.
    assert _no_english(layout_texts(layout, leave_out=(CATEGORICAL_CARD,))) == []
    assert "Кластеризация" in text(layout)


@pytest.mark.parametrize("config, k", [("knn-p8-final", 4), ("raw-p3-all", 2), ("iterative-p1-no_socio", 6)])
def test_the_russian_explorer_callbacks_have_no_english_words(russian, config, k):
    curves = explorer_page._curves(current_store(), config, k)
    knife, words = explorer_page._knife(current_store(), config, k)
    tsne, dendrogram = explorer_page._maps(current_store(), config, k)
    shown = [*strings(curves["label"]), *strings(words)]
    for figure in [*curves["curves"].values(), knife, tsne, dendrogram]:
        shown.extend(figure_texts(figure))
    for mode in ("k", "best"):
        for metric in ("silhouette", "stability"):
            shown.extend(figure_texts(explorer_page.update_overview("knn", 8, "final", k, mode, metric)))
    shown.append(explorer_page.name_overview("stability"))
    assert _no_english(shown) == []


def test_the_russian_methods_card_writes_decimal_commas_and_plural_forms(russian):
    facts = explorer_page._final_model_facts(current_store())
    train_rows = russian.manifest["data"]["train_rows"]
    card = text(by_id(dash.page_registry[EXPLORER]["layout"]())[explorer_page.EXPLORER_METHODS])
    silhouette = i18n.number(facts["silhouette"], 3)
    assert "," in silhouette and "." not in silhouette
    assert f"При k = {facts['k']} её силуэт равен" in card and silhouette in card
    # 28 831 training clients: "клиент" after a number ending in 1 (but not 11), with a narrow no-break space.
    assert i18n.number(train_rows) in card
    expected = {0: "клиент", 1: "клиента", 2: "клиентов"}[
        0 if train_rows % 10 == 1 and train_rows % 100 != 11 else
        1 if 2 <= train_rows % 10 <= 4 and not 12 <= train_rows % 100 <= 14 else 2]
    assert f"вся обучающая выборка: {i18n.number(train_rows)} {expected}" in card


def test_the_russian_explorer_states_its_samples_in_russian_numbers(russian):
    grid = russian.manifest["parameters"]["grid"]
    shown = text(dash.page_registry[EXPLORER]["layout"]())
    assert f"на фиксированной выборке из {i18n.number(grid['silhouette_sample'])} клиентов" in shown
    assert "\u202f" in i18n.number(grid["silhouette_sample"])  # 5 000: Russian groups thousands with a thin space


def test_the_heatmap_click_is_decoded_in_the_language_it_was_drawn_in():
    with i18n.use_language("ru"):
        label = figures.overview_row_label("iterative", "no_socio")
        assert label == "Итеративное<br>без соц.-экон."
        assert figures.overview_cell("P5", label) == ("iterative", 5, "no_socio")
    assert figures.overview_cell("P5", "Iterative<br>no socio-econ.") == ("iterative", 5, "no_socio")


def test_the_figures_and_sentences_cache_one_entry_per_language(full_store):
    with i18n.use_language("ru"):
        russian_label = explorer_page._curves(current_store(), "knn-p8-final", 4)["label"]
    english_label = explorer_page._curves(current_store(), "knn-p8-final", 4)["label"]
    assert "силуэт" in text(russian_label) and "silhouette" in text(english_label)
    assert "силуэт" not in text(english_label)


def test_pipeline_and_configuration_names_read_as_they_always_did_in_english():
    assert [spec.name for spec in domain.PIPELINES.values()][-2:] == [
        "7: numeric MinMax, ordinal encoding, then Standard", "8: numeric MinMax, ordinal encoding, then MinMax"]
    assert view.config_label("knn-p8-all") == ("KNN imputation (5 neighbours) | pipeline 8: numeric MinMax, ordinal "
                                               "encoding, then MinMax | All features")
    assert view.config_label("raw-p1-no_socio") == ("Keep 'unknown' as a category | pipeline 1: numeric Standard, "
                                                    "one-hot encoding, then Standard | Without the 5 socio-economic "
                                                    "columns")
    with i18n.use_language("ru"):
        assert view.pipeline_name(8) == "8: числовые — MinMax, кодирование: порядковое, затем MinMax"


def test_dendrogram_leaves_take_the_russian_plural_forms():
    # Merges' client counts in the linkage's last column: 2, 5, 21 and 11 clients.
    linkage = np.array([[0, 1, 1.0, 2], [2, 3, 2.0, 5], [4, 5, 3.0, 21], [6, 7, 4.0, 11]], dtype=float)
    with i18n.use_language("ru"):
        labels = figures.dendrogram_leaf_labels(linkage, [0, 5, 6, 7, 8], client_ids=[282, 7, 9, 11, 12])
    assert labels == ["клиент 282", "2 клиента", "5 клиентов", "21 клиент", "11 клиентов"]


def test_a_client_card_in_russian_writes_the_month_in_russian_and_fractions_with_a_comma(russian):
    client_id = int(russian.tsne("knn-p8-all")["client_id"].iloc[0])
    with i18n.use_language("ru"):
        record = view.client_record(russian.clients, client_id, catalogue.segment_names(current_store()))
    values = dict(zip(record["field"], record["value"]))
    row = russian.clients.loc[client_id]
    month = i18n.month_year(row["contact_date"].date(), language="ru")
    assert month in values.values() and not re.search("[A-Za-z]", month)
    price_index = values[catalogue.column_label("cons.price.idx")]
    assert price_index == str(row["cons.price.idx"]).replace(".", ",")


# --- Methods, the k-modes card, the grid's progress ----------------------------------------------------------


def test_the_russian_methods_page_has_no_english_words_and_a_decimal_comma(russian):
    layout = dash.page_registry[METHODS]["layout"]()
    assert _no_english(layout_texts(layout)) == []
    shown = text(layout)
    housing = russian.evaluation["methods"]["unknown_loans"]["housing"]
    assert f"ипотека есть у {i18n.percent(housing['known_yes_rate'], 1)}" in shown
    assert re.search(r"\d,\d\u202f%", shown)  # 53,7 %: a decimal comma, a narrow no-break space before the sign
    # The silhouettes by k: decimal commas, so a semicolon between them ("0,53; 0,60"), as in the methods card.
    assert re.search(r"силуэт стабильно растёт с k: \d,\d\d; \d,\d\d", shown)


@pytest.mark.parametrize("published, alternative, resamples, counts", [
    (84, 16, "100 бутстреп-выборках", "как опубликованная в 84, как почти равноценная альтернатива в 16"),
    (1, 0, "1 бутстреп-выборке", "как опубликованная во всех 1, как почти равноценная альтернатива ни в одной")])
def test_the_stability_section_counts_resamples_in_russian(published, alternative, resamples, counts):
    stability = {"resamples": published + alternative, "train_clients": 28831,
                 "lands_on": {"published": published, "alternative": alternative},
                 "alternative": {"inertia_gap": 0.006}, "ari": {"median": 1.0, "min": 0.6, "max": 1.0}}
    with i18n.use_language("ru"):
        sentence = methods_view.stability_section(stability).sentences[0]
    assert f"на {resamples} обучающего периода" in sentence
    assert counts in sentence
    assert "выше на 0,6\u202f%" in sentence and "(клиентов: 28\u202f831)" in sentence
    english = methods_view.stability_section(stability).sentences[0]
    assert "came back as published in" in english and "0.6% higher" in english


def test_the_k_modes_sentences_and_charts_read_in_russian(russian):
    categorical = russian.targeting["categorical"]
    with i18n.use_language("ru"):
        sentences = categorical_view.agreement_sentences(categorical, catalogue.segment_names(current_store()))
        crosstab = categorical_view.crosstab_view(categorical)
    # Segment names are the catalogue's (the lead's); the sentences' own words are Russian.
    names = [catalogue.segment_names(current_store())[number].lower() for number in categorical["segments"]]
    stripped = list(sentences)
    for name in names:
        stripped = [sentence.replace(name, " ") for sentence in stripped]
    assert _no_english(stripped) == []
    assert crosstab["segments"][0] == f"Сегмент {categorical['segments'][0]}"
    assert i18n.number(categorical["kmodes"][0]["ari"], 2, "ru").count(",") == 1


def test_the_grid_progress_reads_in_russian():
    with i18n.use_language("ru"):
        assert "выполнено 43\u202f%" in grid_status_sentence({"done": 3, "total": 7})
        assert latin_pairs(grid_status_sentence(None)) == []
        # The build's own reason is quoted as the build wrote it.
        assert latin_pairs(grid_status_sentence({"failed": "disk full"})) == ["disk full"]
    assert "(43% done)" in grid_status_sentence({"done": 3, "total": 7})


def test_the_russian_catalogue_writes_no_english_thousands_or_decimal_points():
    frame = pd.DataFrame({"k": [2, 3], "silhouette": [0.5312, 0.6021], "cluster_shares": [[0.9, 0.1], [0.5, 0.3, 0.2]],
                          "smallest_share": [0.1, 0.2]})
    with i18n.use_language("ru"):
        figure = figures.metric_curve_figure(frame, "silhouette", k=3)
    assert figure.data[0].customdata[0] == "<br>размеры кластеров 90\u202f% / 10\u202f%"
    assert figure.layout.xaxis.title.text == "k (кластеров)"
