"""Where the heavy work runs: on this machine, or on a Dask cluster (the optional ``[dask]`` extra).

The build's grid (joblib's dask backend) and ``scripts/score.py`` (``dask.dataframe``) take a scheduler's
address from ``--dask ADDRESS`` or, without it, from ``DASK_SCHEDULER_ADDRESS``; without either they run here.
Dask is imported only when an address is given, so one machine needs none of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

#: The environment variable naming the scheduler when ``--dask`` is not given (Dask's own convention).
ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
#: Seconds to wait for the scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 30


class DaskUnavailable(RuntimeError):
    """The cluster cannot be used: the extra is not installed, or the scheduler cannot be reached."""


def scheduler_address(option: str | None = None) -> str | None:
    """The scheduler to use: ``option`` (``--dask``), else ``DASK_SCHEDULER_ADDRESS``, else None (this machine)."""
    address = option or os.environ.get(ADDRESS_VARIABLE, "")
    return address.strip() or None


@contextmanager
def dask_client(address: str) -> Iterator["distributed.Client"]:  # noqa: F821 (imported lazily)
    """A client of the scheduler at ``address``, closed on exit.

    Raises
    ------
    DaskUnavailable
        When ``distributed`` is not installed or the scheduler does not answer within :data:`CONNECT_TIMEOUT`.
    """
    try:
        from distributed import Client
    except ImportError as error:
        raise DaskUnavailable("--dask needs the [dask] extra: pip install -e '.[dask]'") from error
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {error}") from error
    try:
        yield client
    finally:
        client.close()
