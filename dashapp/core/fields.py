"""The client fields that scoring reads: one table, from which everything else about them is derived.

The validation of one client (form, API) and of a table (upload, command line), the form's inputs and labels,
the API's OpenAPI schema and the build's neighbour index (:mod:`dashapp.artifacts.neighbours`) all read :data:`FIELDS`.
Adding, removing or reordering a field here changes the artifacts' code version (the build imports this
module), so ``make artifacts`` rebuilds the neighbour index with it; the labels live here too, so relabelling a
field also asks for a rebuild, a small price for having one table. Category *labels* ("Basic (9 years)") are
presentation and stay in :mod:`dashapp.core.catalogue`, which this module must not import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashapp.core import domain
from dashapp.core.i18n import N_, _

#: Roles: a key field is one of the tree's three features; a context field only says who is similar.
KEY, CONTEXT = "key", "context"
#: Kinds of value.
CATEGORY, NUMBER = "category", "number"

#: Ages outside this range are typos rather than clients; the form's hint and every message say so.
AGE_RANGE: tuple[int, int] = (16, 120)

#: An optional identifier of a client that the API echoes (files keep every column anyway).
CLIENT_ID = "client_id"


@dataclass(frozen=True)
class ClientField:
    """One input of scoring.

    Attributes
    ----------
    name : str
        The name in files, the API and :class:`dashapp.scoring.scorer.Client` (``job``).
    label : str
        How the form and the messages name it (``Job``), in English: translated where shown, ``_(label)``.
    kind : {"category", "number"}
    role : {"key", "context"}
        Key fields decide the segment (at least two of them must be known); context fields only decide which
        training clients are most similar when a key field is missing.
    categories : tuple of str
        The allowed values of a category, ``unknown`` included, in :data:`dashapp.core.domain.CATEGORIES` order.
    """

    name: str
    label: str
    kind: str
    role: str
    categories: tuple[str, ...] = ()

    @property
    def known_categories(self) -> tuple[str, ...]:
        """The categories without ``unknown``."""
        return tuple(c for c in self.categories if c != domain.UNKNOWN)

    @property
    def rule(self) -> str:
        """What a valid value is, in the words every message uses."""
        if self.kind == NUMBER:
            return _("a whole number from {low} to {high}").format(low=AGE_RANGE[0], high=AGE_RANGE[1])
        return _("one of {categories}").format(categories=", ".join(self.categories))


def _category(name: str, label: str, role: str) -> ClientField:
    return ClientField(name, label, CATEGORY, role, domain.CATEGORIES[name])


#: The fields in the order the form shows them.
FIELDS: tuple[ClientField, ...] = (
    _category("job", N_("Job"), KEY),
    _category("housing", N_("Housing loan"), KEY),
    _category("loan", N_("Personal loan"), KEY),
    ClientField("age", N_("Age"), NUMBER, CONTEXT),
    _category("marital", N_("Marital status"), CONTEXT),
    _category("education", N_("Education"), CONTEXT),
    _category("default", N_("Credit in default"), CONTEXT),
)

BY_NAME: dict[str, ClientField] = {f.name: f for f in FIELDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
KEY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.role == KEY)
CATEGORY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == CATEGORY)
#: The categorical inputs besides the key fields, which the neighbour vote compares.
CONTEXT_CATEGORY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == CATEGORY and f.role == CONTEXT)

if KEY_FIELDS != domain.SEGMENT_FEATURES:  # pragma: no cover - a typo in the table above
    raise RuntimeError(f"the key fields {KEY_FIELDS} must be the tree's features {domain.SEGMENT_FEATURES}")


def label(name: str) -> str:
    """How the form and the messages name a field, in the current language (``Job``); another name as it is."""
    return _(LABELS[name]) if name in LABELS else name


def label_list(names: Iterable[str]) -> str:
    """Field labels joined as a sentence says them: ``Job, Housing loan and Personal loan``."""
    labels = [label(name) for name in names]
    return labels[0] if len(labels) == 1 else _("{first} and {last}").format(first=", ".join(labels[:-1]),
                                                                              last=labels[-1])


def header_key(header: object) -> str:
    """A column header as it is matched to a field name: surrounding spaces and quotes removed, case folded."""
    return str(header).strip().strip('"').strip().casefold()


def field_columns(headers: Iterable[object]) -> tuple[dict[str, object], dict[str, list[object]]]:
    """Which column holds which field, matching headers case-insensitively, spaces around them ignored.

    Parameters
    ----------
    headers : iterable
        A file's column headers as written (``" Job"``, ``"HOUSING"``).

    Returns
    -------
    columns : dict
        Field name -> the header of its column, for the fields the file has.
    repeated : dict
        Field name -> its headers, for fields that more than one column names (the file is ambiguous).
    """
    found: dict[str, list[object]] = {}
    for header in headers:
        key = header_key(header)
        if key in BY_NAME:
            found.setdefault(key, []).append(header)
    columns = {name: found[name][0] for name in NAMES if name in found}
    repeated = {name: headers for name, headers in found.items() if len(headers) > 1}
    return columns, repeated
