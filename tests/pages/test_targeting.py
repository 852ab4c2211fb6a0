"""The Targeting benchmark page and the explorer's k-modes card: routes, layouts and the callback.

Built from the artifacts ``BANK_MODEL_DIR`` points at, quick or full: the expectations are read from the
artifact, never typed in.
"""

from __future__ import annotations

import json

import dash
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue
from dashapp.views import categorical as categorical_view, targeting as view
from dashapp.web.components import CATEGORICAL_ARI, CATEGORICAL_CARD, CATEGORICAL_CROSSTAB
from tests.layout_helpers import by_id, text

TARGETING = "pages.targeting"


@pytest.fixture(scope="module")
def store():
    return current_store()


@pytest.fixture(scope="module")
def client(store):
    from app import server

    return server.test_client()


def test_page_answers_and_follows_segments_in_the_navigation(client):
    response = client.get("/targeting")
    assert response.status_code == 200 and "_dash-config" in response.get_data(as_text=True)
    # The pages the navigation lists: the not-found page has no order.
    pages = sorted((p for p in dash.page_registry.values() if p["order"] is not None), key=lambda p: p["order"])
    names = [p["name"] for p in pages]
    assert names.index("Segments") + 2 == names.index("Response") + 1 == names.index("Targeting")
    assert dash.page_registry[TARGETING]["path"] == "/targeting"


def test_layout_shows_the_headline_table_and_both_charts(store):
    from pages.targeting import TARGETING_GAIN, TARGETING_HEADLINE, TARGETING_LIFT, TARGETING_SHARE, TARGETING_TABLE

    layout = dash.page_registry[TARGETING]["layout"]()
    assert by_id(layout)[TARGETING_HEADLINE].children == view.headline(store.targeting, 0.2)
    assert by_id(layout)[TARGETING_SHARE].value == 0.2
    names = [trace.name for trace in by_id(layout)[TARGETING_GAIN].figure.data if trace.mode == "lines"]
    assert names == ["Gradient-boosted tree", "Logistic regression", "Segments", "Random calls"]
    assert by_id(layout)[TARGETING_LIFT].figure.layout.yaxis.title.text == "Lift over random calls"
    page = text(layout)
    assert "Random calls" in text(by_id(layout)[TARGETING_TABLE])
    assert f"{store.targeting['methods']['boosting']['roc_auc']:.3f}" in page and "duration" in page


@pytest.mark.parametrize("share", [0.1, 0.3])
def test_picking_a_share_rewords_the_headline_and_marks_it(store, share):
    from pages.targeting import show_share

    result = show_share(share)
    assert result["headline"] == view.headline(store.targeting, share)
    assert [a.text for a in result["gain"].layout.annotations] == [f"{share:.0%} called"]
    assert [a.text for a in result["lift"].layout.annotations] == [f"{share:.0%} called"]


def test_the_share_callback_answers_over_http(client, store):
    from pages.targeting import TARGETING_HEADLINE, TARGETING_SHARE

    client.get("/")
    payload = {"output": f"..{TARGETING_HEADLINE}.children...targeting-gain.figure...targeting-lift.figure..",
               "outputs": [{"id": TARGETING_HEADLINE, "property": "children"},
                           {"id": "targeting-gain", "property": "figure"},
                           {"id": "targeting-lift", "property": "figure"}],
               "inputs": [{"id": TARGETING_SHARE, "property": "value", "value": 0.3}],
               "changedPropIds": [f"{TARGETING_SHARE}.value"], "state": []}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    body = json.loads(response.data)["response"]
    assert body[TARGETING_HEADLINE]["children"] == view.headline(store.targeting, 0.3)


def test_explorer_ends_with_the_categorical_card(store):
    layout = dash.page_registry["pages.explorer"]["layout"]()
    last = layout.children[-1]
    assert last.children[1].id == CATEGORICAL_CARD
    card = text(last)
    assert "A clustering made for categories" in card
    for sentence in categorical_view.agreement_sentences(store.targeting["categorical"],
                                                         catalogue.segment_names(current_store())):
        assert sentence in card
    ari = by_id(layout)[CATEGORICAL_ARI].figure.data[0]
    assert list(ari.x) == [s["k"] for s in store.targeting["categorical"]["kmodes"]]
    crosstab = by_id(layout)[CATEGORICAL_CROSSTAB].figure.data[0]
    assert [list(row) for row in crosstab.text] == [[f"{n:,}" for n in row]
                                                    for row in store.targeting["categorical"]["crosstab"]["counts"]]
