"""One truth per fact (issue 24, item 3): every page that states a fact several pages state says it with the one
function of :mod:`dashapp.views.facts` that makes it, in English and in Russian, on the full build."""

from __future__ import annotations

import dash
import pytest

import app  # noqa: F401  (creates the app once, so the page registry is filled)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, i18n
from dashapp.views import facts
from dashapp.views.data_queries import client_engine
from tests.layout_helpers import text

#: Words that only a page speaking of the fact uses, in each language: a page with them must say the fact whole.
SPEAKS_OF = {
    "outcome_use": {"en": "the outcome y", "ru": "исход y"},
    "stability": {"en": "near-tied alternative", "ru": "почти равноценн"},
}
#: What the pages once said instead, and must not say again: the outcome "used in the clustering" without saying
#: that the final K-means does not use it, and rows called calls.
CONTRADICTIONS = ("one more categorical feature", "calls to clients (rows)", "calls of a Portuguese bank",
                  "звонков кампании")


def _pages() -> list[dict]:
    return [page for page in dash.page_registry.values() if page.get("nav_group")]


@pytest.fixture(scope="module")
def page_texts(full_store) -> dict[str, dict[str, str]]:
    texts = {}
    for language in ("en", "ru"):
        with i18n.use_language(language):
            texts[language] = {page["path"]: text(page["layout"]()) for page in _pages()}
    return texts


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_that_says_where_the_outcome_is_used_says_it_alike(page_texts, language):
    with i18n.use_language(language):
        sentence = facts.outcome_use()
    speaking = {path for path, page in page_texts[language].items()
                if SPEAKS_OF["outcome_use"][language] in page}
    assert {"/", "/response", "/methods"} <= speaking
    for path in speaking:
        assert sentence in page_texts[language][path], path


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_clients_and_their_calls_are_counted_alike(page_texts, language):
    store = current_store()
    engine = client_engine(store)
    with i18n.use_language(language):
        sentence = facts.clients_and_calls(len(engine), engine.calls)
    for path in ("/", "/data"):
        assert sentence in page_texts[language][path], path
    for path, page in page_texts[language].items():
        assert not any(phrase in page for phrase in CONTRADICTIONS), path


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_page_that_counts_the_refits_counts_them_alike(page_texts, language):
    stability = current_store().evaluation["stability"]
    with i18n.use_language(language):
        sentence = facts.stability_outcome(stability)
    speaking = {path for path, page in page_texts[language].items()
                if SPEAKS_OF["stability"][language] in page}
    assert {"/segments", "/methods"} <= speaking
    for path in speaking:
        assert sentence in page_texts[language][path], path


def test_the_explorer_shows_the_final_segmentation_as_the_segments(full_store):
    from pages import explorer

    store = current_store()
    config, k = explorer.view.FINAL_CONFIG, store.final_k
    tsne_map, _dendrogram = explorer._maps(store, config, k)
    knife, _words = explorer._knife(store, config, k)
    segments = catalogue.segments(store)
    shares = store.evaluation["final"]["shares"]
    # The map's clusters are the segments, in their order, with their colours and their shares of the clients.
    assert [trace.name for trace in tsne_map.data] == [
        f"Segment {number} ({float(shares[str(number)]):.0%})" for number in sorted(segments)]
    assert [trace.marker.color for trace in tsne_map.data] == [segments[n].colour for n in sorted(segments)]
    assert [trace.line.color for trace in knife.data if trace.name] == [segments[n].colour for n in sorted(segments)]
    assert all(trace.name.startswith(f"Segment {number}:") for trace, number in zip(knife.data, sorted(segments)))
    # Any other solution keeps its clusters' own numbers.
    other, _dendrogram = explorer._maps(store, config, k + 1)
    assert [trace.name.split(" (")[0] for trace in other.data] == [f"Cluster {n}" for n in range(1, k + 2)]
