"""What the Explorer and Methods pages say while an early build (``make run``) is still computing the K-means
grid: the segments, the Data page, the tree and scoring are served meanwhile (:data:`dashapp.artifacts.GRID_FILES`).

Dash-free: a sentence from the build's progress report (:func:`dashapp.artifacts.read_grid_progress`).
"""

from __future__ import annotations

from dashapp.artifacts import REBUILD_COMMAND

#: What is ready while the grid runs (the pages that do not need it).
READY = "The segments, the Data page, the campaign response, the decision tree, targeting and scoring are ready"


def grid_status_sentence(progress: dict | None) -> str:
    """The state of an early build's grid, for a page that needs it.

    Parameters
    ----------
    progress : dict or None
        ``{"done": n, "total": m}`` while the grid runs, ``{"failed": reason}`` when it failed, None when nothing
        was reported (the build has not reached the grid, or its report was removed).
    """
    if progress and "failed" in progress:
        return (f"The build's K-means grid failed ({progress['failed']}), so the explorer and the grid's methods "
                f"stay empty until `{REBUILD_COMMAND}` completes. {READY}.")
    if progress and progress.get("total"):
        share = min(1.0, float(progress["done"]) / float(progress["total"]))
        state = f"{share:.0%} done"
    else:
        state = f"no progress reported yet; if no build is running, run `{REBUILD_COMMAND}`"
    return (f"The build is still computing the K-means grid ({state}). {READY}; reload this page when the grid "
            "is complete to see it.")
