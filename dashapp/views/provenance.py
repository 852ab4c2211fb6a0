"""What the pages may say about the data they were built from: its source, its period and its split.

Dash-free sentences from :class:`dashapp.artifacts.provenance.DataProvenance` (``store.provenance``). A build of the UCI
file keeps the texts it always had (the pages show those themselves); any other source is named as it is, its period
is said only when its dates are known, and the split is said as it was made. Shared by the Overview, the Data,
Campaign response, Decision tree, Targeting and Methods pages and the footer.
"""

from __future__ import annotations

from datetime import date

from dashapp.artifacts.provenance import DataProvenance
from dashapp.core import i18n
from dashapp.core.i18n import N_, _, ngettext

#: How each kind of source is named in a sentence.
SOURCE_KINDS: dict[str, str] = {"csv": N_("a CSV file"), "parquet": N_("a parquet file"),
                                "sql": N_("a database table")}
#: The page's fields, as the layout the source follows has them (the sentence after the source's name).
FIELDS = N_("each with the client's age, job, marital status, education, credit default, housing and personal "
            "loans, the campaign's contacts, five socio-economic indicators, and whether the client subscribed a "
            "term deposit")


def source_sentence(provenance: DataProvenance) -> str:
    """``'Built from bank-additional.csv (a CSV file, 4,119 rows; 3 invalid rows left out at the user's
    request).'``"""
    kind = SOURCE_KINDS.get(provenance.kind)
    details = [_(kind) if kind else _("a {kind} source").format(kind=provenance.kind)]
    if provenance.rows:
        details.append(ngettext("{count} row", "{count} rows", provenance.rows).format(
            count=i18n.number(provenance.rows)))
    text = _("Built from {name} ({details}").format(name=provenance.name, details=", ".join(details))
    if provenance.dropped_invalid:
        text += ngettext("; {count} invalid row left out at the user's request",
                         "; {count} invalid rows left out at the user's request",
                         provenance.dropped_invalid).format(count=i18n.number(provenance.dropped_invalid))
    return text + ")."


#: Said where the period of the calls would be: the source has no dates (no date column, not the UCI file).
UNKNOWN_PERIOD = N_("The source has no contact dates, so the period of the calls is unknown and the pages leave "
                    "out what needs it (the contact period filter, the month-by-month charts, the contact years).")


def no_dates_sentence(hidden: str) -> str:
    """The one sentence that says why something is not shown: ``hidden`` needs dates the source does not have."""
    return _("The source has no contact dates, so {hidden} cannot be shown.").format(hidden=hidden)


def month_name(month: date, long: bool = False) -> str:
    """``'Nov 2010'``; with ``long``, the month's full name: ``'November 2010'`` (in the current language)."""
    return i18n.month_year(month, abbreviated=not long)


def data_sentence(provenance: DataProvenance, first: date | None, last: date | None) -> str:
    """The Overview's description of a source other than the UCI file: what it holds and, when its dates are
    known, from when to when (``first`` and ``last``, the first and last contact month of its clients)."""
    if provenance.period_known and first is not None and last is not None:
        return _("The calls of a term-deposit campaign, one row per client, from {first} to {last}, {fields}.").format(
            first=month_name(first, long=True), last=month_name(last, long=True), fields=_(FIELDS))
    return _("The calls of a term-deposit campaign, one row per client, {fields}. {unknown_period}").format(
        fields=_(FIELDS), unknown_period=_(UNKNOWN_PERIOD))


def split_sentence(provenance: DataProvenance) -> str:
    """One sentence an analyst reads: which rows trained the model and which tested it, and how chosen."""
    share = i18n.percent(provenance.train_fraction)
    if provenance.split_is_time_ordered:
        return _("The first {share} of the clients in time order ({order}) trained the model; the later ones "
                 "tested it.").format(share=share, order=_split_order(provenance))
    return _("A random {share} of the clients (seed {seed}) trained the model and the rest tested it: the source "
             "has no dates, so no time order could be used.").format(share=share, seed=provenance.split_seed)


def _split_order(provenance: DataProvenance) -> str:
    """How a time-ordered split ordered the rows. Said again from the facts rather than the manifest's English
    record of it (``split.order``), so that it can be said in every language."""
    if provenance.is_uci:
        return _("the UCI file's row order")
    if provenance.date_column:
        return _("the dates in column '{column}', rows of the same date in the source's order").format(
            column=provenance.date_column)
    return provenance.split_order


def training_clients(provenance: DataProvenance) -> str:
    """Which clients trained the models, for a sentence: ``'the first 70% of the calls in time order'`` or
    ``'a random 70% of the clients (seed 42)'``."""
    share = i18n.percent(provenance.train_fraction)
    if provenance.split_is_time_ordered:
        return _("the first {share} of the calls in time order").format(share=share)
    return _("a random {share} of the clients (seed {seed})").format(share=share, seed=provenance.split_seed)


def tested_clients(provenance: DataProvenance, rows: int) -> str:
    """The clients the models were tested on: ``'the 12,357 later calls'`` or ``'the other 1,236 clients'``."""
    if provenance.split_is_time_ordered:
        return ngettext("the {count} later call", "the {count} later calls", rows).format(count=i18n.number(rows))
    return ngettext("the other {count} client", "the other {count} clients", rows).format(count=i18n.number(rows))


def footer_credit(provenance: DataProvenance) -> str:
    """Whose data the studio shows, for the footer."""
    if provenance.is_uci:
        return _("Data: UCI Bank Marketing (Moro, Cortez and Rita, 2014), CC BY 4.0.")
    return _("Data: {name}.").format(name=provenance.name)
