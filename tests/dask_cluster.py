"""A throwaway Dask cluster for the tests: ``LocalCluster`` with two worker processes, one thread each.

The session-wide ``dask_cluster`` fixture (conftest loads this module as a plugin) starts one cluster bound to
127.0.0.1 with no dashboard however many tests use it, and closes it at the session's end. Tests send work to it
by its address (``dask_cluster.scheduler_address``), as ``--dask ADDRESS`` does, so the path they exercise is the
one a real cluster takes: tasks pickled to other processes, results gathered back.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dask_cluster():
    """A running ``distributed.LocalCluster`` (2 processes x 1 thread, 127.0.0.1, no dashboard, free ports)."""
    try:
        import distributed
    except ImportError:  # a failure, not a skip: `make test` installs the extra, so its absence is a broken set-up
        pytest.fail("the [dask] extra is not installed: pip install -e '.[test,dask]' (make test does)")
    # No dashboard; the scheduler still serves its health routes over HTTP, by default on port 8787: a free port
    # instead, so that two test workers starting clusters at once do not meet there.
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                       memory_limit="2GiB")
    try:
        yield cluster
    finally:
        cluster.close()
