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
    """Warm the artifact store in the master before forking, so every worker starts with it loaded."""
    from dashapp.store import artifact_status

    store, problem = artifact_status()
    if store is None:
        server.log.warning("artifacts not loaded: %s", problem)
    else:
        store.preload()
        server.log.info("artifacts loaded: built %s", store.manifest["built_at"])
