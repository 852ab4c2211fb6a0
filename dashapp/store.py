"""This process's artifact store, as the app and the API ask for it (Dash-free)."""

from __future__ import annotations

from dashapp.artifacts import ArtifactError, ArtifactStore, load_store
from dashapp.settings import get_settings


def current_store() -> ArtifactStore:
    """The verified artifact store of this process (loaded on first use, then cached).

    Raises
    ------
    ArtifactError
        When ``model/`` is missing, stale or corrupted; the message says which command fixes it.
    """
    return load_store(str(get_settings().model_dir))


def artifact_status() -> tuple[ArtifactStore | None, str | None]:
    """``(store, None)`` when the artifacts load, else ``(None, reason)``."""
    try:
        return current_store(), None
    except ArtifactError as error:
        return None, str(error)
