"""The clients answered by SQL (:mod:`dashapp.artifacts.client_queries`, :mod:`dashapp.views.data_queries`) are the
pandas computation's answers, on a build, from several threads at once, and after a fork; and the app serves every page
and callback without loading the clients table into its process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashapp.analysis.calendar_response import calendar_months, stratified_odds
from dashapp.artifacts.client_queries import ClientQueries
from dashapp.artifacts.current import current_store
from dashapp.artifacts.model_folder import CLIENTS, ArtifactStore
from dashapp.core import catalogue, domain
from dashapp.views import data as view, explorer, rates, score, segments
from dashapp.views.data_queries import ClientEngine

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(quick_model_dir) -> ArtifactStore:
    return ArtifactStore(quick_model_dir)


@pytest.fixture(scope="module")
def queries(quick_model_dir) -> ClientQueries:
    return ClientQueries(quick_model_dir / CLIENTS)


@pytest.fixture(scope="module")
def engine(queries, store) -> ClientEngine:
    return ClientEngine(queries, store.segment_numbers)


@pytest.fixture(scope="module")
def table(store) -> view.ClientTable:
    return view.ClientTable(store.clients)


def _filters(table: view.ClientTable) -> list[view.ClientFilter]:
    months = table.months
    return [
        view.ClientFilter(),
        view.ClientFilter(age=(25, 40), job=("admin.", "student")),
        view.ClientFilter(segment=(2,), period=(months[3], months[10])),
        view.ClientFilter(education=("unknown",), marital=("single", "divorced")),
        view.ClientFilter(age=(30, 60), job=("technician",), education=("university.degree",), segment=(1, 3),
                          period=(months[0], months[0])),
        # Nobody: the oldest clients are no students in May 2008.
        view.ClientFilter(age=(table.age_bounds[1], table.age_bounds[1]), job=("student",),
                          period=(months[0], months[0])),
    ]


#: The Data page's charts: the column, and how the page asks for it.
OUTCOMES = [("marital", {}), ("job", {}), ("education", {}), ("segment", {}), ("campaign", {"cap": 10}),
            ("contact", {}), ("day_of_week", {}), ("poutcome", {}),
            ("pdays", {"exclude": [domain.PDAYS_NEVER_RECODED]}), ("previous", {}), ("age", {})]


def _assert_same_answers(expected: view.Selection, answered, store: ArtifactStore) -> None:
    assert answered.clients == expected.clients and answered.rate == expected.rate
    assert answered.months == expected.months
    for column, options in OUTCOMES:
        pd.testing.assert_frame_equal(answered.outcome_by(column, **options), expected.outcome_by(column, **options),
                                      check_exact=True)
    for aggregate in ("credit_outcomes", "age_counts", "outcome_share", "duration_summary", "unknown_audit"):
        pd.testing.assert_frame_equal(getattr(answered, aggregate)(), getattr(expected, aggregate)(),
                                      check_exact=True)
    names = rates.population_names(store.provenance)
    assert (answered.subscription_rates(names, store.segment_numbers)
            == expected.subscription_rates(names, store.segment_numbers))
    monthly, expected_monthly = answered.monthly_summary(), expected.monthly_summary()
    counts = ["clients", "subscribed", "rate"]
    pd.testing.assert_frame_equal(monthly[counts], expected_monthly[counts], check_exact=True)
    # The indicators' monthly means are sums of floats, added in another order by SQL: equal to the last bits.
    pd.testing.assert_frame_equal(monthly, expected_monthly, check_exact=False, rtol=1e-12)


def test_the_engine_ranges_over_the_same_clients_as_the_table(engine, table):
    assert len(engine) == len(table) and engine.calls == table.calls == int(table.frame["campaign"].sum())
    assert engine.age_bounds == table.age_bounds and engine.months == table.months
    assert (engine.first_contact, engine.last_contact) == (table.first_contact, table.last_contact)
    query = {"age": "25-40", "job": "admin.,student", "segment": "2", "from": table.months[2], "to": table.months[5]}
    assert engine.parse_query(query) == table.parse_query(query)


def test_the_filters_include_an_empty_and_a_full_selection(table):
    sizes = [len(table.select(spec)) for spec in _filters(table)]
    assert 0 in sizes and len(table) in sizes


def test_the_engine_answers_every_chart_as_the_pandas_computation(store, engine, table):
    for spec in _filters(table):
        _assert_same_answers(view.selection(table, spec), engine.selection(spec), store)
        expected = view.headline(table.select(spec), len(table))
        assert engine.headline(spec) == pytest.approx(expected, nan_ok=True)


def test_each_value_is_held_to_the_month_as_the_response_page_holds_a_group(table):
    """The Data page's month-adjusted odds of a value against the rest are the build's stratified odds (statsmodels'
    ``StratifiedTable`` on the clients' rows), on the full and two filtered selections."""
    for spec in _filters(table)[:3]:
        frame = table.select(spec)
        months = calendar_months(frame["contact_date"])
        subscribed = (frame["y"] == rates.SUBSCRIBED).to_numpy()
        selected = view.selection(table, spec)
        for column, cap in (("job", None), ("segment", None), ("campaign", 10)):
            values = frame[column].to_numpy()
            if cap is not None:
                values = np.minimum(values, cap + 1)  # the chart's ">10" bar is value 11
            shown = selected.outcome_by(column, cap=cap)
            assert len(shown) == 1 or shown["odds_ratio"].notna().sum() >= 2  # a filtered segment is alone
            for row in shown.itertuples():
                expected = stratified_odds(values == row.value, subscribed, months)
                if expected is None or expected["interval"] is None:
                    assert np.isnan(row.odds_ratio) and np.isnan(row.odds_low)
                    continue
                assert row.odds_ratio == pytest.approx(expected["odds_ratio"], rel=1e-9)
                assert [row.odds_low, row.odds_high] == pytest.approx(expected["interval"], rel=1e-9)
                assert row.p_value == pytest.approx(expected["p_value"], rel=1e-7, abs=1e-300)


def test_threads_filtering_at_once_get_each_their_own_answers(store, quick_model_dir, table):
    # A fresh engine: nothing answered before, every thread opens its cursor and runs its queries at once.
    engine = ClientEngine(ClientQueries(quick_model_dir / CLIENTS), store.segment_numbers)
    specs = _filters(table) * 3

    def answer(spec):
        selected = engine._selection(spec)  # not the cache: each thread queries
        return spec, selected, [selected.outcome_by(column, **options) for column, options in OUTCOMES]

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(answer, specs))
    for spec, selected, outcomes in answers:
        expected = view.selection(table, spec)
        assert selected.rate == expected.rate
        for (column, options), outcome in zip(OUTCOMES, outcomes):
            pd.testing.assert_frame_equal(outcome, expected.outcome_by(column, **options))


def test_a_closed_connection_is_opened_again_and_a_forked_child_opens_its_own(queries, table):
    every = len(table)
    assert queries.frame("SELECT count(*) AS n FROM clients")["n"].iloc[0] == every
    queries.close()  # what gunicorn's master does before forking
    assert queries.frame("SELECT count(*) AS n FROM clients")["n"].iloc[0] == every
    child = os.fork()
    if child == 0:  # the child: a query on the parent's connection would be undefined; it must open its own
        try:
            answer = queries.frame("SELECT count(*) AS n FROM clients")["n"].iloc[0]
            os._exit(0 if answer == every and queries._connection_pid == os.getpid() else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_small_aggregates_equal_the_pandas_computation(store, queries):
    clients = store.clients
    assert score.queried_typical_client(queries) == score.typical_client(clients)
    training = clients[clients["split"] == "train"]
    expected_space = segments.segment_space_counts(training)
    keys = ", ".join(f"{column}_imputed::VARCHAR AS {column}" for column in domain.SEGMENT_FEATURES)
    answered_space = segments._space_table(queries.frame(
        f"SELECT {keys}, segment, count(*) AS clients FROM clients WHERE split = 'train' GROUP BY ALL"))
    pd.testing.assert_frame_equal(answered_space, expected_space)
    names = rates.population_names(store.provenance)
    assert (rates.queried_rates(queries, names=names, segment_numbers=store.segment_numbers)
            == rates.subscription_rates(clients, names=names, segment_numbers=store.segment_numbers))
    distinct = queries.distinct([f"{column}_imputed" for column in domain.SEGMENT_FEATURES] + ["split"])
    facts = explorer.final_model_facts(store.grid_metrics, store.evaluation, distinct)
    assert facts["distinct_values"] == explorer.final_model_facts(store.grid_metrics, store.evaluation,
                                                                  clients)["distinct_values"]


def test_clients_by_id_are_the_table_rows(store, queries, monkeypatch):
    monkeypatch.setattr("dashapp.core.catalogue.segment_names", lambda store=None: {n: f"S{n}" for n in range(1, 16)})
    clients = store.clients
    # The ids are the data file's row numbers: a quick build's clients are a sample, so ids are not positions.
    ids = [int(clients.index[position]) for position in (-1, 5, 0, 17)]
    assert list(queries.rows(ids).index) == ids
    for client_id in ids:
        pd.testing.assert_frame_equal(explorer.client_record(queries.rows([client_id]), client_id,
                                                             catalogue.segment_names(current_store())),
                                      explorer.client_record(clients, client_id,
                                                             catalogue.segment_names(current_store())))
    unknown = int(clients.index.max()) + 1
    assert explorer.client_record(queries.rows([unknown]), unknown, catalogue.segment_names(current_store())).empty
    assert score.neighbour_table(queries.rows(ids, list(score.FIELD_LABELS)), ids) == score.neighbour_table(clients,
                                                                                                            ids)
    config = store.grid_metrics["config_id"].iloc[0]
    tsne = store.tsne(config)
    pd.testing.assert_frame_equal(explorer.tsne_points(tsne, queries.rows(tsne["client_id"], explorer.HOVER_FIELDS),
                                                       3), explorer.tsne_points(tsne, clients, 3))


#: Run in a fresh interpreter: the app, its page router for every page, and every server callback with the
#: values the layouts start with, while reading ``ArtifactStore.clients`` fails.
_EVERY_PAGE_WITHOUT_THE_TABLE = textwrap.dedent("""
    import sys

    import dash
    from dashapp.artifacts.model_folder import ArtifactStore

    def refuse(store):
        raise AssertionError("a page loaded the whole clients table")

    ArtifactStore.clients = property(refuse)
    from app import app
    from tests.layout_helpers import callback_rendered_layouts, layout_start_values
    from tests.web.test_callback_inputs import _envelope, _server_callbacks
    from dashapp.artifacts.current import current_store

    client = app.server.test_client()
    assert client.get("/").status_code == 200
    values = layout_start_values(app)
    callbacks = _server_callbacks(app)
    router = next(output for output, spec in callbacks.items() if spec["callback"].__name__ == "update")
    for page in dash.page_registry.values():
        body = _envelope(callbacks[router], router, {**values, ("_pages_location", "pathname"): page["path"]})
        assert client.post("/_dash-update-component", json=body).status_code == 200, page["path"]
    for output, spec in callbacks.items():
        status = client.post("/_dash-update-component", json=_envelope(spec, output, values)).status_code
        assert status in (200, 204), (spec["callback"].__name__, status)
    store = current_store()
    callback_rendered_layouts(store)
    # The answers that need clients by id: a vote's voters, and the client card of a point on the t-SNE map.
    score_page, explorer_page = sys.modules["pages.score"], sys.modules["pages.explorer"]
    voted = score_page.score_one_client(1, None, {**score_page._form_defaults(store), "job": None}, {"width": 1400})
    assert "similar clients" in str(voted["result"])
    selection = {name: values[component, "value"] for name, component in explorer_page.SELECTION_IDS.items()}
    mapped = int(store.tsne(explorer_page.view.config_of(explorer_page._checked(selection)))["client_id"].iloc[0])
    card = explorer_page.show_client({"points": [{"customdata": [mapped]}]}, selection)
    assert f"Client {mapped}" in str(card)
    assert "clients" not in vars(store)
    print("every page without the table")
""")


def test_the_app_serves_every_page_and_callback_without_loading_the_clients_table(full_store):
    result = subprocess.run([sys.executable, "-c", _EVERY_PAGE_WITHOUT_THE_TABLE], cwd=REPO, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "every page without the table" in result.stdout
