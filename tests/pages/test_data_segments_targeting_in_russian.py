"""The Data, Segments and Targeting pages in Russian, rendered in-process: their layouts, their callbacks' answers
and their figures read in Russian (no two Latin words in a row outside the codes the pages keep), with decimal
commas and the catalogue's three plural forms; and the views cached per language never serve one language's text
to the other.

Built from the artifacts ``BANK_MODEL_DIR`` points at, quick or full: every expectation is computed from the
artifacts, never typed in. Texts that come from other modules (the segments' names and descriptions, the shared
cards) are not this page's to translate and are left out where noted.
"""

from __future__ import annotations

import json
import re
import sys

import plotly.io
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, domain, i18n
from tests.layout_helpers import components, text

#: Codes and names the Russian pages keep in Latin letters.
KEPT = ("ROC AUC", "K-means")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'.-]*(?:[ \u00a0]+[A-Za-z][A-Za-z'.-]*)+")
#: Figure properties that hold what a person reads (the rest are codes, colours, numbers).
_READ = {"text", "name", "hovertemplate", "title", "labels"}


def latin_runs(texts) -> list[str]:
    """Every run of two or more Latin words in ``texts`` (plotly's ``%{...}``, ``<br>`` and the kept codes aside)."""
    runs = []
    for value in texts:
        cleaned = re.sub(r"%\{[^}]*\}|<[^>]+>", " ", value)
        for kept in KEPT:
            cleaned = cleaned.replace(kept, " ")
        runs += _LATIN_RUN.findall(cleaned)
    return runs


def figure_texts(figure) -> list[str]:
    """The titles, names, hovers, annotations and pie labels of a figure, as the browser gets them."""
    found = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for name, value in node.items():
                if name != "template":
                    walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and key in _READ:
            found.append(node)

    walk(json.loads(plotly.io.to_json(figure)))
    return found


def without_segment_names(texts) -> list[str]:
    """``texts`` less the segments' names and descriptions (the catalogue's, translated there)."""
    names = [segment.name for segment in catalogue.segments(current_store()).values()]
    names += [segment.description for segment in catalogue.segments(current_store()).values()]
    cleaned = []
    for value in texts:
        for name in names:
            value = value.replace(name, "")
        cleaned.append(value)
    return cleaned


def russian_form(count: int, forms: tuple[str, str, str]) -> str:
    """The Russian plural form for ``count`` by the CLDR rule, written out here to check the catalogue by."""
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


@pytest.fixture(scope="module")
def store():
    return current_store()


@pytest.fixture
def russian():
    with i18n.use_language("ru"):
        yield


# --- Data ------------------------------------------------------------------------------------------------------


def _data_page():
    return sys.modules["pages.data"]


def _every_control() -> dict:
    return dict(age=None, job=None, marital=None, education=None, segment=None, period=None)


def test_data_layout_reads_in_russian(store, russian):
    data = _data_page()
    layout = data.layout()
    # The treatments of 'unknown' are the domain's labels, translated where they are defined.
    treatments = {component for component in components(layout)
                  if getattr(component, "children", None) in domain.TREATMENTS.values()}
    texts = [value for value in (text(layout),) + tuple(text(c) for c in treatments)]
    page = texts[0]
    for treatment in texts[1:]:
        page = page.replace(treatment, "")
    assert latin_runs([page]) == []
    assert "Профиль клиентов" in page and "Фильтр клиентов" in page
    clients = len(data._table())
    form = russian_form(clients, ("клиент", "клиента", "клиентов"))
    assert f"{i18n.number(clients)} {form}, по строке на каждого; звонков в этой кампании: " in page


def test_data_headline_has_a_decimal_comma_and_the_right_plural(store, russian):
    data = _data_page()
    headline = text(data.update_headline(**_every_control()))
    total = len(data._table())
    assert latin_runs([headline]) == []
    assert f"из {i18n.number(total)} {russian_form(total, ('клиента', 'клиентов', 'клиентов'))}" in headline
    # The subscription rate with one decimal: a comma, and Russian's space before the percent sign.
    assert re.search(r"все клиенты: \d+,\d\u202f?\u00a0?%", headline), headline


def test_data_figures_read_in_russian(store, russian):
    data = _data_page()
    controls = _every_control()
    figures = [*data.update_profile(**controls), *data.update_education_credit_segments(**controls),
               *data.update_campaign(1, **controls), *data.update_previous(1, **controls),
               *data.update_economy(1, **controls), *data.update_unknowns(1, **controls)]
    texts = [value for figure in figures for value in figure_texts(figure)]
    assert latin_runs(texts) == []
    assert "Клиенты" in texts and "Доля оформивших вклад" in texts
    # The reference line's label: the population in Russian and the rate with a decimal comma.
    assert any(re.fullmatch(r"все клиенты: \d+,\d\s?%", value) for value in texts)
    # The audit of unknowns labels its bars with grouped counts and shares with a decimal comma.
    unknown = figures[-1]
    assert all(re.fullmatch(r"[\d\u202f]+ \(\d+,\d\s?%\)", label) for label in unknown.data[0].text)


def test_a_bad_address_is_explained_in_russian(store, russian):
    layout = _data_page().layout(age="old", segment="99")
    page = text(layout)
    assert "не диапазон вида 25-40" in page and "ожидается номер от 1 до" in page


# --- Segments --------------------------------------------------------------------------------------------------


def _segments_page():
    return sys.modules["pages.segments"]


def test_segments_layout_and_views_read_in_russian(store, russian):
    segments = _segments_page()
    layout = segments.layout()
    # The shared cards (the job-split note, the subscription table, the original study's recommendation) and
    # the segments' names and products come from other modules, translated there: only this page's own texts.
    own = [text(layout.children[index]) for index in (1, 2)]
    stability = segments._stability_card(store.evaluation["stability"], catalogue.segment_names(store))
    own.append(text(stability.children[0]))
    own += [text(paragraph) for paragraph in components(stability.children[1])
            if getattr(paragraph, "id", None) is None and isinstance(getattr(paragraph, "children", None), str)]
    for number in (segments.ALL_SEGMENTS, *store.segment_numbers):
        views = segments._views(store, number)
        own += [value for name in ("space", "radar", "sizes", "jobs") for value in figure_texts(views[name])]
    own += figure_texts(segments.segment_stability_figure(store.evaluation["stability"],
                                                          catalogue.segment_names(current_store())))
    assert latin_runs(without_segment_names(own)) == []
    assert "Сегменты" in own[0]


def test_the_stability_sentences_use_the_catalogues_plurals_and_decimal_commas(store, russian):
    from dashapp.views import segments as view

    stability = store.evaluation["stability"]
    words = view.stability_summary(stability, catalogue.segment_names(current_store()))
    resamples = int(stability["resamples"])
    form = russian_form(resamples, ("выборки", "выборок", "выборок"))
    assert all(f"из {resamples} {form}" in sentence for sentence in words["segments"])
    assert latin_runs(without_segment_names([words["outcome"], words["agreement"], *words["segments"]])) == []
    assert re.search(r"Рэнда \d,\d\d", words["agreement"]), words["agreement"]
    assert "индекс Жаккара" in words["rule"] and latin_runs([words["rule"]]) == []
    assert latin_runs([words["alternative"]]) == []


# --- Targeting -------------------------------------------------------------------------------------------------


def test_targeting_page_reads_in_russian(store, russian):
    targeting = sys.modules["pages.targeting"]
    layout = targeting.layout()
    page = text(layout)
    assert latin_runs([page]) == []
    assert "Сравнение таргетинга" in page
    views = targeting._views(store, targeting.DEFAULT_SHARE)
    assert latin_runs([views["headline"], *figure_texts(views["gain"]), *figure_texts(views["lift"])]) == []
    assert re.search(r"лифт \d,\d\d", views["headline"]), views["headline"]
    # Every method's count of distinct scores with the noun in the form its number takes.
    for row in store.targeting["methods"].values():
        count = row["distinct_scores"]
        form = russian_form(count, ("различная оценка", "различные оценки", "различных оценок"))
        assert f"({i18n.number(count)} {form})" in page


# --- Caches ----------------------------------------------------------------------------------------------------


def test_the_cached_views_keep_each_language_apart(store):
    segments, targeting, data = _segments_page(), sys.modules["pages.targeting"], _data_page()
    share = targeting.DEFAULT_SHARE
    english = (segments._views(store, 1)["sizes"].layout.xaxis.title.text, targeting._views(store, share)["headline"],
               data.update_profile(**_every_control())[0].layout.yaxis.title.text)
    with i18n.use_language("ru"):
        russian = (segments._views(store, 1)["sizes"].layout.xaxis.title.text,
                   targeting._views(store, share)["headline"],
                   data.update_profile(**_every_control())[0].layout.yaxis.title.text)
    again = (segments._views(store, 1)["sizes"].layout.xaxis.title.text, targeting._views(store, share)["headline"],
             data.update_profile(**_every_control())[0].layout.yaxis.title.text)
    assert english == again
    assert english[0] == "Segment" and russian[0] == "Сегмент"
    assert english[2] == "Clients" and russian[2] == "Клиенты"
    assert english[1].startswith("Calling the") and russian[1].startswith("Обзвон")
