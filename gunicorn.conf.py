"""gunicorn settings from the environment, as PaaS platforms provide them (PORT, WEB_CONCURRENCY, ...).

gunicorn's own ``GUNICORN_CMD_ARGS`` overrides any of them (e.g. ``--user studio --group studio``).
"""

import os

from gevent import socket as gevent_socket
from gunicorn.workers.ggevent import GeventWorker


class GreenletWorker(GeventWorker):
    """gunicorn's gevent worker, without monkey-patching the standard library.

    Every connection waits for its request in a greenlet of its own, on gevent's sockets, so a client that sends
    its headers slowly, or nothing at all, costs a socket and a few kilobytes, not one of a few threads (with
    the threaded worker, 4 slow clients or 32 idle ones left ``/healthz`` unanswered).

    gunicorn's worker also monkey-patches the whole standard library, after the preloaded app has imported it.
    We leave it alone: the app makes no network calls to make cooperative, and a process forked from a worker
    (each Dash background callback's job, by ``DiskcacheManager``) must never run the worker's greenlets. Under
    monkey-patching, the first ``time.sleep`` in such a job woke the worker's loop in the job's process, which
    saw another parent and exited: the job was lost (gunicorn issues 1407 and 2322).
    """

    def patch(self):
        # What GeventWorker.patch does after monkey.patch_all(): listening sockets as gevent sockets.
        self.sockets = [gevent_socket.socket(sock.FAMILY, gevent_socket.SOCK_STREAM, fileno=sock.sock.detach())
                        for sock in self.sockets]


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The app's work is CPU-bound and holds the GIL, so threads bought no parallelism; a worker now runs one
# request's Python at a time, which is why every request's work is bounded (long work runs in background
# callbacks, in processes of their own). Parallelism comes from the workers, one per core.
worker_class = GreenletWorker
# The most connections one worker holds open at once (gunicorn's default); more wait in the listen queue.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
# A connection whose request line and headers have not all arrived within this many seconds is closed (and so
# is a kept-alive connection with no new request).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = 60
# Recycle a worker after about this many requests, so whatever its memory grew by (a large upload's peak, which
# the allocator keeps) is given back; the jitter keeps the workers from restarting together. A new worker is
# forked from the master, which holds the artifacts, and gunicorn lets the old one finish its requests; still, under
# wrk a restart every 1,000 requests showed as a p99 over a second, so it comes every ~20,000 (minutes at full load).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
# Load the app and its artifacts once in the master; forked workers share those pages copy-on-write.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # unset: no access log
control_socket_disable = True

ROOT_WARNING = ("gunicorn's workers run as root: a flaw in the app or a library would act with every right on "
                "this machine, model/ included. Run them as an unprivileged user with model/ read-only "
                "(see the README, 'Running in production').")


def on_starting(server):
    """Warn when the workers would run as root (gunicorn's ``user`` setting; default: who started gunicorn)."""
    if server.cfg.uid == 0:
        server.log.warning(ROOT_WARNING)


def when_ready(server):
    """Before forking: load the artifacts and let Dash finish its set-up, so every worker starts ready."""
    import sys

    from dashapp.artifacts.current import artifact_status
    from dashapp.core import i18n
    from dashapp.core.settings import get_settings
    from dashapp.scoring.model import scoring_model
    from dashapp.web.warmup import preload_for_workers

    i18n.preload()
    store, problem = artifact_status()
    if store is None:
        server.log.warning("artifacts not loaded: %s", problem)
    else:
        preload_for_workers(store)
        for language in i18n.LANGUAGES:  # the model names its segments in each language
            with i18n.use_language(language):
                scoring_model(store)  # the tree's answers tabulated and the voters grouped, once for all workers
        # The library versions are for the operator (this log and model/manifest.json), never for a browser.
        versions = ", ".join(f"{name} {version}" for name, version in store.manifest["versions"].items())
        server.log.info("artifacts loaded: built %s with %s", store.manifest["built_at"], versions)
    # Dash completes its set-up (callbacks, the scripts it may serve) on the first request a process gets, and
    # marks it done before it is: a worker whose first two requests came at once answered one of them 500.
    # One request here, before forking, does that set-up once for every worker.
    entry = sys.modules.get("app")  # the module preload_app imported for `app:server`
    if entry is not None:
        response = entry.server.test_client().get(get_settings().url_prefix)
        server.log.info("Dash set up before forking (index %s)", response.status_code)


def post_request(worker, req, environ, resp):
    """Let the worker's other connections run before this one's next request.

    Without monkey-patching nothing in a request yields, and a keep-alive client whose next request is already
    waiting would be served again at once: under 16 busy clients the others waited over a second (p99).
    """
    import gevent

    gevent.sleep(0)
