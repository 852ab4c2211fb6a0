"""What the pages may say about the data they were built from: its source, its period and its split.

Dash-free sentences from :class:`dashapp.provenance.DataProvenance` (``store.provenance``). A build of the UCI file
keeps the texts it always had (the pages show those themselves); any other source is named as it is, its period
is said only when its dates are known, and the split is said as it was made. Shared by the Overview, the Data,
Campaign response, Decision tree, Targeting and Methods pages and the footer.
"""

from __future__ import annotations

from datetime import date

from dashapp.provenance import DataProvenance

#: How each kind of source is named in a sentence.
SOURCE_KINDS: dict[str, str] = {"csv": "a CSV file", "parquet": "a parquet file", "sql": "a database table"}
#: The page's fields, as the layout the source follows has them (the sentence after the source's name).
FIELDS = ("each with the client's age, job, marital status, education, credit default, housing and personal "
          "loans, the campaign's contacts, five socio-economic indicators, and whether the client subscribed a "
          "term deposit")


def source_sentence(provenance: DataProvenance) -> str:
    """``'Built from bank-additional.csv (a CSV file, 4,119 rows; 3 invalid rows left out at the user's
    request).'``"""
    kind = SOURCE_KINDS.get(provenance.kind, f"a {provenance.kind} source")
    details = [kind]
    if provenance.rows:
        details.append(f"{provenance.rows:,} rows")
    text = f"Built from {provenance.name} ({', '.join(details)}"
    if provenance.dropped_invalid:
        rows = "row" if provenance.dropped_invalid == 1 else "rows"
        text += f"; {provenance.dropped_invalid:,} invalid {rows} left out at the user's request"
    return text + ")."


#: Said where the period of the calls would be: the source has no dates (no date column, not the UCI file).
UNKNOWN_PERIOD = ("The source has no contact dates, so the period of the calls is unknown and the pages leave out "
                  "what needs it (the contact period filter, the month-by-month charts, the contact years).")


def no_dates_sentence(hidden: str) -> str:
    """The one sentence that says why something is not shown: ``hidden`` needs dates the source does not have."""
    return f"The source has no contact dates, so {hidden} cannot be shown."


def month_name(month: date, long: bool = False) -> str:
    """``'Nov 2010'``; with ``long``, the month's full name: ``'November 2010'``."""
    return f"{month:%B %Y}" if long else f"{month:%b %Y}"


def data_sentence(provenance: DataProvenance, first: date | None, last: date | None) -> str:
    """The Overview's description of a source other than the UCI file: what it holds and, when its dates are
    known, from when to when (``first`` and ``last``, the first and last contact month of its clients)."""
    rows = "The calls of a term-deposit campaign, one row per client"
    if provenance.period_known and first is not None and last is not None:
        rows += f", from {month_name(first, long=True)} to {month_name(last, long=True)}"
        return f"{rows}, {FIELDS}."
    return (f"{rows}, {FIELDS}. {UNKNOWN_PERIOD}")


def training_clients(provenance: DataProvenance) -> str:
    """Which clients trained the models, for a sentence: ``'the first 70% of the calls in time order'`` or
    ``'a random 70% of the clients (seed 42)'``."""
    share = f"{provenance.train_fraction:.0%}"
    if provenance.split_is_time_ordered:
        return f"the first {share} of the calls in time order"
    return f"a random {share} of the clients (seed {provenance.split_seed})"


def tested_clients(provenance: DataProvenance, rows: int) -> str:
    """The clients the models were tested on: ``'the 12,357 later calls'`` or ``'the other 1,236 clients'``."""
    return f"the {rows:,} later calls" if provenance.split_is_time_ordered else f"the other {rows:,} clients"


def footer_credit(provenance: DataProvenance) -> str:
    """Whose data the studio shows, for the footer."""
    if provenance.is_uci:
        return "Data: UCI Bank Marketing (Moro, Cortez and Rita, 2014), CC BY 4.0."
    return f"Data: {provenance.name}."
