"""The web workers' warm-up: what gunicorn's master loads before it forks them (``gunicorn.conf.py``).

It lives in the web layer because it reaches into the pages' views (the aggregates they draw); the artifact store
below it knows nothing of pages.
"""

from __future__ import annotations

from dashapp.artifacts.client_queries import client_queries
from dashapp.artifacts.model_folder import ArtifactStore
from dashapp.views import data_queries
from dashapp.views.rates import store_rates
from dashapp.views.score import store_typical_client
from dashapp.views.segments import training_space_counts


def preload_for_workers(store: ArtifactStore) -> None:
    """What gunicorn's master loads before it forks the workers, which then share it: every artifact but the
    clients (:meth:`ArtifactStore.preload`), and the small aggregates of the clients the pages show, counted
    by SQL (a query each). The master's DuckDB connection is then closed: a connection does not survive a
    fork, and each worker opens its own on its first query (:mod:`dashapp.artifacts.client_queries`).

    The Data page's unfiltered view is left to each worker's first visit: its six scans cost 0.4 s of CPU at
    1x and 3 s at 100x, which would delay every boot; a worker keeps it once drawn."""
    store.preload()
    try:
        data_queries.client_engine(store)
        store_rates(store)
        training_space_counts(store)
        store_typical_client(store)
    finally:
        client_queries(store).close()
