"""The smallest group of clients the studio shows (issue 25): a filter that selects fewer draws no chart and says
no rate, so that no client of a bank's own data can be picked out by narrowing a filter down to them.

Presentation only (the build never reads it). The size is ``STUDIO_MIN_GROUP`` (default 10 clients, the usual
threshold for published counts of people); 1 shows every group, as before.
"""

from __future__ import annotations

from dashapp.core.environment import positive_whole_number
from dashapp.core.i18n import ngettext

MIN_GROUP_ENV = "STUDIO_MIN_GROUP"
DEFAULT_MIN_GROUP = 10


def min_group_size(environ: dict[str, str] | None = None) -> int:
    """The fewest clients a shown group may hold: ``STUDIO_MIN_GROUP`` (a positive whole number) or 10.

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive whole number.
    """
    return positive_whole_number(MIN_GROUP_ENV, DEFAULT_MIN_GROUP, "clients", environ)


def too_small(clients: int, smallest: int | None = None) -> bool:
    """Whether a group of ``clients`` (more than none) is too small to show."""
    smallest = min_group_size() if smallest is None else smallest
    return 0 < clients < smallest


def too_small_sentence(smallest: int | None = None) -> str:
    """What a page says in place of a group too small to show."""
    smallest = min_group_size() if smallest is None else smallest
    return ngettext("Fewer than {count} client match: groups this small are not shown, so that no client can be "
                    "picked out", "Fewer than {count} clients match: groups this small are not shown, so that no "
                    "client can be picked out", smallest).format(count=smallest)
