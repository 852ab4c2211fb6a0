"""This process's artifact store, as the app and the API ask for it (Dash-free).

What a browser or an API client may learn about the artifacts is decided here too: when they were built, from
which data, in which mode. The library versions and the server's paths stay with the operator, in
``model/manifest.json`` and in the log.
"""

from __future__ import annotations

import logging
from functools import cache

from dashapp.artifacts.model_folder import REBUILD_COMMAND, ArtifactError, ArtifactStore, load_store
from dashapp.core.settings import get_settings

logger = logging.getLogger(__name__)

#: What a browser or an API client is told when the artifacts cannot be loaded; the reason, which names paths
#: and library versions, goes to the log (:func:`log_unavailable`).
UNAVAILABLE = ("The analysis artifacts are not available on this server. Ask the operator to run "
               f"`{REBUILD_COMMAND}` and restart the app; the server's log says what is wrong.")

#: The manifest's entries :func:`public_summary` shows (not ``versions``: exact library versions only help an
#: attacker pick an exploit).
_PUBLIC_SUMMARY_KEYS = ("built_at", "data_sha256", "rows", "mode", "code_version")


def current_store() -> ArtifactStore:
    """The verified artifact store of this process (loaded on first use, then cached).

    Raises
    ------
    ArtifactError
        When ``model/`` is missing, stale or corrupted; the message says which command fixes it.
    """
    model_dir = str(get_settings().model_dir)
    store = load_store(model_dir)
    if not store.grid_ready and store.manifest_replaced():
        # An early build (make run) has swapped in the complete folder: load it. A complete store is kept for the
        # process's life, as before: replacing artifacts under a running app is a restart's job.
        load_store.cache_clear()
        store = load_store(model_dir)
    return store


def artifact_status() -> tuple[ArtifactStore | None, str | None]:
    """``(store, None)`` when the artifacts load, else ``(None, reason)``.

    The reason is for the operator (it names the model folder); show a browser :data:`UNAVAILABLE`.
    """
    try:
        return current_store(), None
    except ArtifactError as error:
        return None, str(error)


@cache
def log_unavailable(reason: str) -> None:
    """Log why the artifacts cannot be loaded, once per distinct reason and process.

    Pages and ``/healthz`` ask for the artifacts on every request; the log needs the reason once.
    """
    logger.warning("the analysis artifacts cannot be loaded: %s", reason)


def public_summary(store: ArtifactStore) -> dict:
    """The artifacts' description a browser may see: build time, data checksum and rows, mode, code version."""
    summary = store.summary()
    return {key: summary[key] for key in _PUBLIC_SUMMARY_KEYS}
