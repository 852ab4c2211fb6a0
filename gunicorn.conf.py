"""gunicorn settings from the environment, as PaaS platforms provide them (PORT, WEB_CONCURRENCY)."""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads let one worker answer /healthz and static files while a callback runs.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
# Load the app and its artifacts once in the master; forked workers share those pages copy-on-write.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log
control_socket_disable = True


def when_ready(server):
    """Before forking: load the artifacts and let Dash finish its set-up, so every worker starts ready."""
    import sys

    from dashapp.scoring import scoring_model
    from dashapp.settings import get_settings
    from dashapp.store import artifact_status

    store, problem = artifact_status()
    if store is None:
        server.log.warning("artifacts not loaded: %s", problem)
    else:
        store.preload()
        scoring_model(store)  # the tree's answers tabulated and the voters grouped, once for all workers
        server.log.info("artifacts loaded: built %s", store.manifest["built_at"])
    # Dash completes its set-up (callbacks, the scripts it may serve) on the first request a process gets, and
    # marks it done before it is: a worker whose two threads got its first requests at once answered one of
    # them 500. One request here, before forking, does that set-up once for every worker.
    entry = sys.modules.get("app")  # the module preload_app imported for `app:server`
    if entry is not None:
        response = entry.server.test_client().get(get_settings().url_prefix)
        server.log.info("Dash set up before forking (index %s)", response.status_code)
