"""What the Explorer and Methods pages say while an early build (``make run``) is still computing the K-means
grid: the segments, the Data page, the tree and scoring are served meanwhile
(:data:`dashapp.artifacts.model_folder.GRID_FILES`).

Dash-free: a sentence from the build's progress report (:func:`dashapp.artifacts.model_folder.read_grid_progress`).
"""

from __future__ import annotations

from dashapp.artifacts.model_folder import REBUILD_COMMAND
from dashapp.core import i18n
from dashapp.core.i18n import N_, _

#: What is ready while the grid runs (the pages that do not need it); translated where shown.
READY = N_("The segments, the Data page, the campaign response, the decision tree, targeting and scoring are ready")


def grid_status_sentence(progress: dict | None) -> str:
    """The state of an early build's grid, for a page that needs it.

    Parameters
    ----------
    progress : dict or None
        ``{"done": n, "total": m}`` while the grid runs, ``{"failed": reason}`` when it failed, None when nothing
        was reported (the build has not reached the grid, or its report was removed).
    """
    if progress and "failed" in progress:
        return _("The build's K-means grid failed ({reason}), so the explorer and the grid's methods stay empty "
                 "until `{command}` completes. {ready}.").format(reason=progress["failed"], command=REBUILD_COMMAND,
                                                                 ready=_(READY))
    if progress and progress.get("total"):
        share = min(1.0, float(progress["done"]) / float(progress["total"]))
        state = _("{share} done").format(share=i18n.percent(share))
    else:
        state = _("no progress reported yet; if no build is running, run `{command}`").format(command=REBUILD_COMMAND)
    return _("The build is still computing the K-means grid ({state}). {ready}; reload this page when the grid is "
             "complete to see it.").format(state=state, ready=_(READY))
