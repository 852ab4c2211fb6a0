"""The facts several pages state, each said by one function here, so that no two pages can say it differently.

A walk through the pages found the Overview saying that the outcome y was used in the clustering while the Response
and Methods pages said the final segmentation does not use it, and "41,188 calls" beside 2.57 calls per client.
Each fact a page repeats is now one function of the artifacts (issue 24, item 3); ``tests/pages/test_one_truth.py``
reads every page and checks that each fact, wherever it is stated, is this module's sentence:

- :func:`outcome_use`: where the outcome y is used (the grid's clusterings and the KNN imputation; not the final
  K-means);
- :func:`clients_and_calls`: a row is a client, called once or more in this campaign;
- :func:`stability_outcome`: what the final segmentation's refits came back as.

Dash-free; the sentences are in the current language.
"""

from __future__ import annotations

from dashapp.core import i18n
from dashapp.core.i18n import _, ngettext


def outcome_use() -> str:
    """Where the outcome y is used, as every page that speaks of it says it."""
    return _("As in the original study, the outcome y (whether the client subscribed) is a feature of the grid's "
             "clusterings and of the KNN imputation that fills unknown job, housing and loan values, but not of the "
             "final K-means, which clusters job, housing and loan alone: a client's own outcome can decide its "
             "segment only through a value filled in.")


def clients_and_calls(clients: int, calls: int) -> str:
    """``'41,188 clients, one row each, called 105,754 times in this campaign (2.57 calls a client)'``.

    Parameters
    ----------
    clients : int
        The rows of the file: one per client.
    calls : int
        This campaign's calls to them (the sum of ``campaign``).
    """
    return ngettext("{clients} client, one row each, called {calls} times in this campaign ({per_client} calls a "
                    "client)",
                    "{clients} clients, one row each, called {calls} times in this campaign ({per_client} calls a "
                    "client)", clients).format(
        clients=i18n.number(clients), calls=i18n.number(calls),
        per_client=i18n.number(calls / clients if clients else 0.0, 2))


def in_resamples(count: int, total: int) -> str:
    """In how many of ``total`` resamples, as a sentence says it: ``"in none"``, ``"in 1"``, ``"in 97"``,
    ``"in all 100"``."""
    count = int(count)
    if count == 0:
        return _("in none")
    return _("in all {total}").format(total=int(total)) if count == int(total) else \
        _("in {count}").format(count=count)


def stability_outcome(stability: dict) -> str:
    """What the final segmentation's refits came back as (``evaluation.json``'s ``stability``):
    ``'on 100 bootstrap resamples of the 28,831 training clients, the final segmentation came back as published in
    82, as the near-tied alternative in 18 and as something else in none'``."""
    resamples, lands_on = int(stability["resamples"]), stability["lands_on"]
    other = lands_on.get("other", resamples - lands_on["published"] - lands_on["alternative"])
    return ngettext("on {resamples} bootstrap resample of the {clients} training clients, the final segmentation "
                    "came back as published {published}, as the near-tied alternative {alternative} and as "
                    "something else {other}",
                    "on {resamples} bootstrap resamples of the {clients} training clients, the final segmentation "
                    "came back as published {published}, as the near-tied alternative {alternative} and as "
                    "something else {other}",
                    resamples).format(resamples=resamples, clients=i18n.number(int(stability["train_clients"])),
                                      published=in_resamples(lands_on["published"], resamples),
                                      alternative=in_resamples(lands_on["alternative"], resamples),
                                      other=in_resamples(other, resamples))
