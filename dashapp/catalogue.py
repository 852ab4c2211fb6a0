"""The segments and categories as an analyst reads them: names, descriptions, product suggestions, labels.

Presentation only: the build never imports this module, so the wording can change without rebuilding the
artifacts (the analysis itself, numbers and all, lives in :mod:`dashapp.domain`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashapp.domain import SEGMENT_NUMBERS, UNKNOWN


#: The segmentation study this studio re-does, step by step. Every page that says "the original study" names it
#: and links here. (The data's own paper, Moro et al. 2014, predicts subscriptions; it segments nobody.)
ORIGINAL_STUDY_NAME = "batchatilionus/ML_OPS-Banking-lustering-and-Classification"
ORIGINAL_STUDY_URL = "https://github.com/batchatilionus/ML_OPS-Banking-lustering-and-Classification"


@dataclass(frozen=True)
class Segment:
    """One segment as an analyst reads it.

    ``products`` are this studio's suggestions; ``original_recommendation`` is what the original study
    (:data:`ORIGINAL_STUDY_NAME`) recommends for the same segment, shown beside them.
    """

    number: int
    name: str
    description: str
    products: tuple[str, ...]
    colour: str
    original_recommendation: str


# Segments 1 and 4 hold the same kind of client (a housing loan, no personal loan); the tree parts them by
# an alphabetical cut of the job codes (admin. .. management | retired .. unemployed), as the original did.
# Their names, descriptions and suggestions therefore say nothing a job would imply: the suggestions follow
# the loans, which the two share.
_HOUSING_LOAN_PRODUCTS = ("Mortgage protection insurance", "Home and contents insurance",
                          "Refinancing offers at renewal")
_HOUSING_LOAN_ORIGINAL = ("A housing loan is unlikely to interest them; offer an ordinary loan in line with the "
                          "credit-scoring model.")

SEGMENTS: dict[int, Segment] = {
    1: Segment(
        1, "Housing loan (jobs administrative to management)",
        "Clients with a housing loan and no personal loan whose job comes first in the alphabet: admin., "
        "blue-collar, entrepreneur, housemaid or management. What parts them from segment 4 is that "
        "alphabetical cut, not a kind of work.",
        _HOUSING_LOAN_PRODUCTS, "#1f77b4", _HOUSING_LOAN_ORIGINAL),
    2: Segment(
        2, "Personal-loan holders",
        "Clients with a personal loan (with or without a housing loan), across all jobs.",
        ("Debt consolidation loan", "Payment-protection insurance", "Budgeting and credit advice"),
        "#d62728",
        "Buy-out of their loans or a new loan, in line with the credit-scoring model."),
    3: Segment(
        3, "No loans",
        "Clients with neither a housing nor a personal loan; open to any product, including students and "
        "retirees.",
        ("Savings and term deposits", "Investment funds", "Student programme (first account, study loan)",
         "Retiree programme (pension savings, annuities)"),
        "#2ca02c",
        "Any product."),
    4: Segment(
        4, "Housing loan (jobs retired to unemployed)",
        "Clients with a housing loan and no personal loan whose job comes last in the alphabet: retired, "
        "self-employed, services, student, technician or unemployed. What parts them from segment 1 is that "
        "alphabetical cut, not a kind of work.",
        _HOUSING_LOAN_PRODUCTS, "#ff7f0e", _HOUSING_LOAN_ORIGINAL),
}

if tuple(sorted(SEGMENTS)) != SEGMENT_NUMBERS:  # pragma: no cover - a typo in the table above
    raise RuntimeError("dashapp.catalogue.SEGMENTS must describe exactly the segments of dashapp.domain")


def segment_names() -> dict[int, str]:
    """Segment number -> its name."""
    return {number: segment.name for number, segment in SEGMENTS.items()}


#: Readable labels for category codes shown to an analyst.
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "housing": {"no": "No housing loan", "yes": "Housing loan", UNKNOWN: "Unknown"},
    "loan": {"no": "No personal loan", "yes": "Personal loan", UNKNOWN: "Unknown"},
    "default": {"no": "No credit in default", "yes": "Credit in default", UNKNOWN: "Unknown"},
    "education": {
        "basic.4y": "Basic (4 years)", "basic.6y": "Basic (6 years)", "basic.9y": "Basic (9 years)",
        "high.school": "High school", "illiterate": "Illiterate",
        "professional.course": "Professional course", "university.degree": "University degree",
        UNKNOWN: "Unknown",
    },
    "job": {
        "admin.": "Administrative", "blue-collar": "Blue-collar", "entrepreneur": "Entrepreneur",
        "housemaid": "Housemaid", "management": "Management", "retired": "Retired",
        "self-employed": "Self-employed", "services": "Services", "student": "Student",
        "technician": "Technician", "unemployed": "Unemployed", UNKNOWN: "Unknown",
    },
    # The UCI description: 'divorced' means divorced or widowed.
    "marital": {"divorced": "Divorced or widowed", "married": "Married", "single": "Single", UNKNOWN: "Unknown"},
    "contact": {"cellular": "Mobile phone", "telephone": "Landline"},
    "poutcome": {"failure": "Failure", "nonexistent": "Not contacted before", "success": "Success"},
    "month": {"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
              "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November",
              "dec": "December"},
    "day_of_week": {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday"},
    "y": {"no": "Did not subscribe", "yes": "Subscribed"},
    # A column the build adds: which period of the time-ordered split a client is in.
    "split": {"train": "Training period", "test": "Test period"},
}


def category_label(column: str, value: str) -> str:
    """A readable label for one category value (``housing='yes'`` -> ``'Housing loan'``)."""
    return CATEGORY_LABELS.get(column, {}).get(value, value)


#: Readable names of the data file's columns (and of the columns the build adds) for an analyst.
COLUMN_LABELS: dict[str, str] = {
    "age": "Age", "job": "Job", "marital": "Marital status", "education": "Education",
    "default": "Credit in default", "housing": "Housing loan", "loan": "Personal loan",
    "contact": "Contact type", "month": "Month of the last contact", "day_of_week": "Weekday of the last contact",
    "duration": "Duration of the last call (seconds)", "campaign": "Calls in this campaign",
    "pdays": "Days since a previous campaign's contact", "previous": "Contacts before this campaign",
    "poutcome": "Outcome of the previous campaign",
    "emp.var.rate": "Employment variation rate", "cons.price.idx": "Consumer price index",
    "cons.conf.idx": "Consumer confidence index", "euribor3m": "Euribor 3-month rate",
    "nr.employed": "Number of employees",
    "y": "Subscribed a term deposit", "contact_date": "Month of contact", "segment": "Segment",
    "split": "Period",
}


def column_label(column: str) -> str:
    """A readable name of a column (``emp.var.rate`` -> ``'Employment variation rate'``).

    An imputed key field reads as its column with "(imputed)" (``job_imputed`` -> ``'Job (imputed)'``); a
    column without a label keeps its name.
    """
    if column.endswith("_imputed") and column.removesuffix("_imputed") in COLUMN_LABELS:
        return f"{COLUMN_LABELS[column.removesuffix('_imputed')]} (imputed)"
    return COLUMN_LABELS.get(column, column)
