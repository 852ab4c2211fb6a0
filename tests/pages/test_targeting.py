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
from dashapp.views import categorical as categorical_view, inputs, targeting as view
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


def test_page_answers_and_follows_the_response_page_in_the_navigation(client):
    from dashapp.web.app import nav_pages

    response = client.get("/targeting")
    assert response.status_code == 200 and "_dash-config" in response.get_data(as_text=True)
    names = [p["name"] for p in nav_pages("decide")]
    assert names.index("Response") + 1 == names.index("Targeting")
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
    last = layout.children[-1]  # a closed section, holding the card
    assert CATEGORICAL_CARD in by_id(last)
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


def test_the_campaign_section_judges_every_method_month_by_month(store):
    from pages.targeting import (TARGETING_CALIBRATION, TARGETING_CAMPAIGN_HEADLINE, TARGETING_CAMPAIGN_TABLE,
                                 TARGETING_PROFIT, TARGETING_PROFIT_SENTENCE, TARGETING_STRATIFIED)

    layout = dash.page_registry[TARGETING]["layout"]()
    ids = by_id(layout)
    assert ids[TARGETING_CAMPAIGN_HEADLINE].children == view.campaign_headline(store.targeting, 0.2)
    lines = [trace.name for trace in ids[TARGETING_STRATIFIED].figure.data if trace.mode == "lines"]
    assert lines == [*view.CAMPAIGN_METHODS.values(), "Random calls"]
    bands = [trace for trace in ids[TARGETING_STRATIFIED].figure.data if trace.fill == "toself"]
    assert len(bands) == len(view.CAMPAIGN_METHODS)
    table = text(ids[TARGETING_CAMPAIGN_TABLE])
    assert all(name in table for name in view.CAMPAIGN_METHODS.values())
    assert [trace.name for trace in ids[TARGETING_CALIBRATION].figure.data][-1] == "Perfect calibration"
    profit = ids[TARGETING_PROFIT].figure
    assert [trace.name for trace in profit.data if trace.showlegend is not False] == list(
        view.PROFIT_METHODS.values())
    assert text(ids[TARGETING_PROFIT_SENTENCE]).startswith("At 5.00 a call and 50.00 a subscription a call pays "
                                                           "when the client's chance exceeds 10.0%")
    page = text(layout)
    assert view.paper_sentence(store.targeting) in page and "euribor3m" in page


def test_profit_follows_the_cost_and_the_value_and_says_what_it_needs(store):
    from pages.targeting import show_profit

    shown = show_profit(10, 40)
    assert shown["profit_sentence"].startswith("At 10.00 a call and 40.00 a subscription a call pays when the "
                                               "client's chance exceeds 25.0%")
    profit = view.profit_curves(store.targeting, 10, 40)
    # Calling nobody earns nothing; calling everyone at random earns what every subscriber is worth less every call.
    assert profit["curves"]["random"][0] == 0
    assert profit["curves"]["random"][-1] == pytest.approx(40 * store.targeting["test_subscribers"]
                                                           - 10 * store.targeting["test_clients"])
    assert show_profit(None, 40)["profit_sentence"] == "Enter a cost per call and a value per subscription above zero."
    with pytest.raises(inputs.InvalidInput):
        show_profit(-1, 40)
