"""The segments and categories as an analyst reads them: names, descriptions, product suggestions, labels.

Presentation only: the build never imports this module, so the wording can change without rebuilding the
artifacts (the analysis itself, numbers and all, lives in :mod:`dashapp.core.domain` and the artifacts). A segment's
name and description are generated from its profile in the artifacts (what most of its clients share, their
jobs, its size); its products come from the editable catalogue file (:func:`read_product_catalogue`), keyed by
what the segment's clients share; its colour from :data:`SEGMENT_PALETTE` by number.
A little over 450 lines: a description is written as one whole sentence per case, so that each language can
build its own (Russian declines what English only strings together).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dashapp.core import domain, i18n
from dashapp.core.domain import UNKNOWN
from dashapp.core.i18n import N_, _, ngettext
from dashapp.core.settings import get_settings

#: The segmentation study this studio re-does, step by step. Every page that says "the original study" names it
#: and links here. (The data's own paper, Moro et al. 2014, predicts subscriptions; it segments nobody.)
ORIGINAL_STUDY_NAME = "batchatilionus/ML_OPS-Banking-lustering-and-Classification"
ORIGINAL_STUDY_URL = "https://github.com/batchatilionus/ML_OPS-Banking-lustering-and-Classification"

#: Segment colours by number (segment n takes the n-th); 1-4 are the studio's colours since the start, and there
#: are as many as the grid has values of k.
SEGMENT_PALETTE: tuple[str, ...] = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
)


def segment_colour(number: int) -> str:
    """The colour of segment ``number`` (1-based) in every chart."""
    return SEGMENT_PALETTE[(int(number) - 1) % len(SEGMENT_PALETTE)]


@dataclass(frozen=True)
class Segment:
    """One segment as an analyst reads it.

    ``kind`` is what most of its clients share (:data:`dashapp.core.domain.SEGMENT_KINDS`); ``products`` are this
    studio's suggestions for that kind and ``original_recommendation`` what the original study
    (:data:`ORIGINAL_STUDY_NAME`) recommends for it, both from the product catalogue file.
    """

    number: int
    name: str
    description: str
    products: tuple[str, ...]
    colour: str
    original_recommendation: str
    kind: str


# --- The product catalogue file --------------------------------------------------------------------------


class ProductCatalogueError(ValueError):
    """The product catalogue file is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Products:
    """What to offer one kind of segment: ours, and the original study's recommendation."""

    products: tuple[str, ...]
    original_recommendation: str


def read_product_catalogue(path: Path | None = None) -> dict[str, Products]:
    """The product catalogue: kind of segment -> :class:`Products`.

    Read again whenever the file changes (its modification time or size), so an edit shows on the next page
    without a rebuild or a restart.

    Parameters
    ----------
    path : Path, optional
        A TOML file with one table per kind of :data:`dashapp.core.domain.SEGMENT_KINDS`, each with ``products`` (a
        non-empty list of texts) and ``original_recommendation`` (a text). Default: the ``product_catalogue``
        setting (``BANK_PRODUCT_CATALOGUE``, else ``dashapp/product_catalogue.toml``).

    Raises
    ------
    ProductCatalogueError
        When the file cannot be read or is not valid TOML, or a kind, a key or a value is missing or wrong; the
        message names the file and the key.
    """
    path = Path(path or get_settings().product_catalogue)
    try:
        stat = path.stat()
    except OSError as error:
        raise ProductCatalogueError(f"product catalogue {path}: cannot be read ({error.strerror})") from error
    return _read_product_catalogue(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read_product_catalogue(path: Path, mtime_ns: int, size: int) -> dict[str, Products]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ProductCatalogueError(f"product catalogue {path}: cannot be read ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ProductCatalogueError(f"product catalogue {path}: not valid TOML ({error})") from error
    unknown = sorted(set(table) - set(domain.SEGMENT_KINDS))
    if unknown:
        raise ProductCatalogueError(f"product catalogue {path}: unknown kind [{unknown[0]}]; expected the kinds "
                                    f"{list(domain.SEGMENT_KINDS)}")
    return {kind: _products(path, kind, table.get(kind)) for kind in domain.SEGMENT_KINDS}


def _products(path: Path, kind: str, entry) -> Products:
    if not isinstance(entry, dict):
        raise ProductCatalogueError(f"product catalogue {path}: [{kind}] is missing; expected a table with "
                                    "products and original_recommendation")
    products, original = entry.get("products"), entry.get("original_recommendation")
    if not isinstance(products, list) or not products \
            or not all(isinstance(product, str) and product.strip() for product in products):
        raise ProductCatalogueError(f"product catalogue {path}: [{kind}] products must be a non-empty list of "
                                    f"texts, got {products!r}")
    if not isinstance(original, str) or not original.strip():
        raise ProductCatalogueError(f"product catalogue {path}: [{kind}] original_recommendation must be a "
                                    f"non-empty text, got {original!r}")
    extra = sorted(set(entry) - {"products", "original_recommendation"})
    if extra:
        raise ProductCatalogueError(f"product catalogue {path}: [{kind}] has the unknown key {extra[0]!r}; "
                                    "expected products and original_recommendation")
    return Products(tuple(product.strip() for product in products), original.strip())


def extract_product_texts(fileobj, keywords, comment_tags, options):
    """Babel's extractor of a product catalogue (``babel.cfg``): each product and recommendation, with its line.

    The English texts are the message catalogue's keys; a text a bank adds or rewords is shown as written until
    the catalogue translates it.
    """
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    table = tomllib.loads(text)
    for kind in domain.SEGMENT_KINDS:
        entry = table.get(kind, {})
        for message in [*entry.get("products", []), entry.get("original_recommendation")]:
            if isinstance(message, str) and message.strip():
                line = next((number for number, line in enumerate(lines, 1) if message in line), 0)
                yield line, None, message.strip(), [f"product catalogue, [{kind}]"]


# --- Names and descriptions from the segments' profiles ---------------------------------------------------


@dataclass(frozen=True)
class SegmentProfile:
    """What a segment's name and description are made of: its training clients' loans and jobs.

    ``housing_share`` and ``personal_loan_share`` are the shares of its clients with each loan; ``job_counts``
    its clients by job code.
    """

    number: int
    clients: int
    housing_share: float
    personal_loan_share: float
    job_counts: dict[str, int]

    @property
    def kind(self) -> str:
        return domain.segment_kind(self.housing_share, self.personal_loan_share)

    @property
    def jobs(self) -> tuple[str, ...]:
        """The jobs its clients hold, in the categories' (alphabetical) order."""
        return tuple(job for job in domain.known_categories("job") if self.job_counts.get(job, 0) > 0)

    @classmethod
    def from_profiles(cls, profiles: dict) -> list["SegmentProfile"]:
        """The profiles of ``profiles.json`` (:func:`dashapp.analysis.segmentation.segment_profiles`, training
        clients)."""
        return [cls(int(entry["segment"]), int(entry["clients"]), float(entry["radar"]["housing_loan"]),
                    float(entry["radar"]["personal_loan"]), {job: int(n) for job, n in entry["job_counts"].items()})
                for entry in profiles["segments"]]


#: A segment's name when it is the only one of its kind (else followed by what tells it apart).
KIND_NAMES: dict[str, str] = {"housing_loan": N_("Housing loan"), "personal_loan": N_("Personal-loan holders"),
                              "neither": N_("No loans")}
#: Jobs named when a segment without loans holds them: the life stages the "neither" products speak to.
_LIFE_STAGE_JOBS = {"student": N_("students"), "retired": N_("retirees")}


def describe_segments(profiles: list[SegmentProfile]) -> dict[int, tuple[str, str]]:
    """Each segment's name and description, from what most of its clients share, their jobs and its size.

    A segment's name is its kind's (:data:`KIND_NAMES`). Where several segments share a kind, they are told
    apart by their jobs: an alphabetical range ("jobs administrative to management") when their jobs fall in
    disjoint alphabetical ranges, which is what the tree's job cut makes; else the jobs that hold most of each
    segment's clients ("mostly blue-collar and technician").

    Returns
    -------
    dict
        segment number -> (name, description).
    """
    by_kind: dict[str, list[SegmentProfile]] = {}
    for profile in profiles:
        by_kind.setdefault(profile.kind, []).append(profile)
    described = {}
    for kind, members in by_kind.items():
        ranges = len(members) > 1 and _disjoint_job_ranges(members)
        for profile in members:
            others = [other.number for other in members if other is not profile]
            if ranges:
                name, jobs = _job_range(profile, sorted(members, key=lambda m: _positions(m)[0]), others)
            elif others:
                dominant = _dominant_jobs(profile)
                name = _("mostly {jobs}").format(
                    jobs=_joined([category_label("job", job).lower() for job in dominant], _("and")))
                jobs = _(", most of them {jobs}.").format(jobs=_joined(_job_words(dominant), _("or")))
            else:
                name, jobs = "", _alone_jobs(profile)
            kind_name = _(KIND_NAMES[kind])
            described[profile.number] = (_("{kind} ({qualifier})").format(kind=kind_name, qualifier=name)
                                         if name else kind_name, _loans(profile) + jobs)
    return {number: described[number] for number in sorted(described)}


def _loans(profile: SegmentProfile) -> str:
    housing, personal = profile.housing_share, profile.personal_loan_share
    every_housing, no_housing, no_personal = housing >= 1, housing <= 0, personal <= 0
    # Whole sentences, one per case, so that each language can build its own (Russian declines what "with" takes).
    if profile.kind == "personal_loan":
        if personal >= 1:
            return (_("Clients with a personal loan and a housing loan") if every_housing
                    else _("Clients with a personal loan and no housing loan") if no_housing
                    else _("Clients with a personal loan (with or without a housing loan)"))
        return (_("Clients most of whom have a personal loan and a housing loan") if every_housing
                else _("Clients most of whom have a personal loan and no housing loan") if no_housing
                else _("Clients most of whom have a personal loan (with or without a housing loan)"))
    if profile.kind == "housing_loan":
        if every_housing:
            return (_("Clients with a housing loan and no personal loan") if no_personal
                    else _("Clients with a housing loan, a few with a personal loan"))
        return (_("Clients most of whom have a housing loan and no personal loan") if no_personal
                else _("Clients most of whom have a housing loan, a few with a personal loan"))
    if no_housing and no_personal:
        return _("Clients with neither a housing nor a personal loan")
    return _("Clients most of whom have neither a housing nor a personal loan")


def _alone_jobs(profile: SegmentProfile) -> str:
    if profile.kind == "neither":
        stages = [_(plural) for job, plural in _LIFE_STAGE_JOBS.items() if job in profile.jobs]
        if stages:
            return _("; open to any product, including {who}.").format(who=_joined(stages, _("and")))
        return _("; open to any product.")
    if profile.jobs == domain.known_categories("job"):
        return _(", across all jobs.")
    return _(", most of them {jobs}.").format(jobs=_joined(_job_words(_dominant_jobs(profile)), _("or")))


def _job_words(jobs) -> list[str]:
    """Jobs as a description lists them: their codes in English, as the study writes them; in another language
    their labels, since a code is English."""
    if i18n.current_language() == i18n.DEFAULT_LANGUAGE:
        return list(jobs)
    return [category_label("job", job).lower() for job in jobs]


def _positions(profile: SegmentProfile) -> list[int]:
    order = domain.known_categories("job")
    return [order.index(job) for job in profile.jobs]


def _disjoint_job_ranges(members: list[SegmentProfile]) -> bool:
    """True when each segment's jobs are one unbroken alphabetical run and no two segments share a job."""
    spans = []
    for profile in members:
        positions = _positions(profile)
        if not positions or positions[-1] - positions[0] + 1 != len(positions):
            return False
        spans.append(set(positions))
    return all(not (a & b) for i, a in enumerate(spans) for b in spans[i + 1:])


def _job_range(profile: SegmentProfile, in_order: list[SegmentProfile], others: list[int]) -> tuple[str, str]:
    jobs = profile.jobs
    first, last = (category_label("job", job).lower() for job in (jobs[0], jobs[-1]))
    name = (_("jobs {first} to {last}").format(first=first, last=last) if len(jobs) > 1
            else _("job {first}").format(first=first))
    place = in_order.index(profile)
    fields = {"jobs": _joined(_job_words(jobs), _("or")), "others": _joined([str(n) for n in sorted(others)], _("and"))}
    if place == 0:
        sentence = ngettext(
            " whose job comes first in the alphabet: {jobs}. What parts them from segment {others} is that "
            "alphabetical cut, not a kind of work.",
            " whose job comes first in the alphabet: {jobs}. What parts them from segments {others} is that "
            "alphabetical cut, not a kind of work.", len(others))
    elif place == len(in_order) - 1:
        sentence = ngettext(
            " whose job comes last in the alphabet: {jobs}. What parts them from segment {others} is that "
            "alphabetical cut, not a kind of work.",
            " whose job comes last in the alphabet: {jobs}. What parts them from segments {others} is that "
            "alphabetical cut, not a kind of work.", len(others))
    else:
        sentence = ngettext(
            " whose job comes in the middle in the alphabet: {jobs}. What parts them from segment {others} is "
            "that alphabetical cut, not a kind of work.",
            " whose job comes in the middle in the alphabet: {jobs}. What parts them from segments {others} is "
            "that alphabetical cut, not a kind of work.", len(others))
    return name, sentence.format(**fields)


def _dominant_jobs(profile: SegmentProfile, most: int = 3) -> list[str]:
    """The fewest jobs (at most ``most``), largest first, that hold half of the segment's clients."""
    order = domain.known_categories("job")
    ranked = sorted(profile.jobs, key=lambda job: (-profile.job_counts[job], order.index(job)))
    chosen, held = [], 0
    for job in ranked[:most]:
        chosen.append(job)
        held += profile.job_counts[job]
        if held * 2 >= profile.clients:
            break
    return chosen


def _joined(words: list[str], conjunction: str) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


# --- The segments of the artifacts in use -------------------------------------------------------------------


@i18n.cached_per_language(maxsize=None)
def _described(store) -> dict[int, tuple[str, str, str]]:
    """Number -> (name, description, kind) of one store's segments (cached per store)."""
    profiles = SegmentProfile.from_profiles(store.profiles)
    return {number: (*text, next(p.kind for p in profiles if p.number == number))
            for number, text in describe_segments(profiles).items()}


def segments(store) -> dict[int, Segment]:
    """The segments of ``store`` (an :class:`~dashapp.artifacts.model_folder.ArtifactStore`, or anything with its
    ``profiles``), by number, as an analyst reads them.

    The store is always the caller's: the catalogue never looks for one itself, so that nothing below the web
    layer loads a process's artifacts behind its caller's back.

    Names and descriptions come from the segments' profiles (:func:`describe_segments`), products from the
    product catalogue file (:func:`read_product_catalogue`), colours from :data:`SEGMENT_PALETTE`.
    """
    catalogue = read_product_catalogue()
    # The catalogue's English texts are the message catalogue's keys; one a bank wrote itself shows as written.
    return {number: Segment(number, name, description, tuple(_(product) for product in catalogue[kind].products),
                            segment_colour(number), _(catalogue[kind].original_recommendation), kind)
            for number, (name, description, kind) in _described(store).items()}


def k_choice_sentence(k: int) -> str:
    """How the build's k was chosen, in one sentence (from the artifacts' k: the default is the original study's).

    >>> k_choice_sentence(4)
    "k = 4, the original study's choice, set as a build parameter (the default of `--k`)."
    """
    if k == domain.FINAL_K:
        return _("k = {k}, the original study's choice, set as a build parameter (the default of `--k`).").format(k=k)
    return _("k = {k}, set for this build by `--k {k}` (the original study chose {original}).").format(
        k=k, original=domain.FINAL_K)


_NUMBER_WORDS = (N_("zero"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"), N_("seven"),
                 N_("eight"), N_("nine"), N_("ten"), N_("eleven"), N_("twelve"), N_("thirteen"), N_("fourteen"),
                 N_("fifteen"))


def number_word(n: int) -> str:
    """``4`` -> ``"four"`` (up to fifteen, the grid's largest k), else the digits."""
    return _(_NUMBER_WORDS[n]) if 0 <= n < len(_NUMBER_WORDS) else str(n)


def segment_names(store) -> dict[int, str]:
    """Segment number -> its name, for ``store``'s segments (see :func:`segments`)."""
    return {number: name for number, (name, _, _) in _described(store).items()}


#: Readable labels for category codes shown to an analyst.
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "housing": {"no": N_("No housing loan"), "yes": N_("Housing loan"), UNKNOWN: N_("Unknown")},
    "loan": {"no": N_("No personal loan"), "yes": N_("Personal loan"), UNKNOWN: N_("Unknown")},
    "default": {"no": N_("No credit in default"), "yes": N_("Credit in default"), UNKNOWN: N_("Unknown")},
    "education": {
        "basic.4y": N_("Basic (4 years)"), "basic.6y": N_("Basic (6 years)"), "basic.9y": N_("Basic (9 years)"),
        "high.school": N_("High school"), "illiterate": N_("Illiterate"),
        "professional.course": N_("Professional course"), "university.degree": N_("University degree"),
        UNKNOWN: N_("Unknown"),
    },
    "job": {
        "admin.": N_("Administrative"), "blue-collar": N_("Blue-collar"), "entrepreneur": N_("Entrepreneur"),
        "housemaid": N_("Housemaid"), "management": N_("Management"), "retired": N_("Retired"),
        "self-employed": N_("Self-employed"), "services": N_("Services"), "student": N_("Student"),
        "technician": N_("Technician"), "unemployed": N_("Unemployed"), UNKNOWN: N_("Unknown"),
    },
    # The UCI description: 'divorced' means divorced or widowed.
    "marital": {"divorced": N_("Divorced or widowed"), "married": N_("Married"), "single": N_("Single"),
                UNKNOWN: N_("Unknown")},
    "contact": {"cellular": N_("Mobile phone"), "telephone": N_("Landline")},
    "poutcome": {"failure": N_("Failure"), "nonexistent": N_("Not contacted before"), "success": N_("Success")},
    "month": {"jan": N_("January"), "feb": N_("February"), "mar": N_("March"), "apr": N_("April"), "may": N_("May"),
              "jun": N_("June"), "jul": N_("July"), "aug": N_("August"), "sep": N_("September"),
              "oct": N_("October"), "nov": N_("November"), "dec": N_("December")},
    "day_of_week": {"mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
                    "fri": N_("Friday")},
    "y": {"no": N_("Did not subscribe"), "yes": N_("Subscribed")},
    # A column the build adds: which period of the time-ordered split a client is in.
    "split": {"train": N_("Training period"), "test": N_("Test period")},
}


def category_label(column: str, value: str) -> str:
    """A readable label for one category value (``housing='yes'`` -> ``'Housing loan'``)."""
    label = CATEGORY_LABELS.get(column, {}).get(value)
    return value if label is None else _(label)


#: Readable names of the data file's columns (and of the columns the build adds) for an analyst.
COLUMN_LABELS: dict[str, str] = {
    "age": N_("Age"), "job": N_("Job"), "marital": N_("Marital status"), "education": N_("Education"),
    "default": N_("Credit in default"), "housing": N_("Housing loan"), "loan": N_("Personal loan"),
    "contact": N_("Contact type"), "month": N_("Month of the last contact"),
    "day_of_week": N_("Weekday of the last contact"),
    "duration": N_("Duration of the last call (seconds)"), "campaign": N_("Calls in this campaign"),
    "pdays": N_("Days since a previous campaign's contact"), "previous": N_("Contacts before this campaign"),
    "poutcome": N_("Outcome of the previous campaign"),
    "emp.var.rate": N_("Employment variation rate"), "cons.price.idx": N_("Consumer price index"),
    "cons.conf.idx": N_("Consumer confidence index"), "euribor3m": N_("Euribor 3-month rate"),
    "nr.employed": N_("Number of employees"),
    "y": N_("Subscribed a term deposit"), "contact_date": N_("Month of contact"), "segment": N_("Segment"),
    "split": N_("Period"),
}


def column_label(column: str) -> str:
    """A readable name of a column (``emp.var.rate`` -> ``'Employment variation rate'``).

    An imputed key field reads as its column with "(imputed)" (``job_imputed`` -> ``'Job (imputed)'``); a
    column without a label keeps its name.
    """
    if column.endswith("_imputed") and column.removesuffix("_imputed") in COLUMN_LABELS:
        return _("{column} (imputed)").format(column=_(COLUMN_LABELS[column.removesuffix("_imputed")]))
    return _(COLUMN_LABELS[column]) if column in COLUMN_LABELS else column
