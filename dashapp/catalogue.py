"""The segments and categories as an analyst reads them: names, descriptions, product suggestions, labels.

Presentation only: the build never imports this module, so the wording can change without rebuilding the
artifacts (the analysis itself, numbers and all, lives in :mod:`dashapp.domain`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dashapp.domain import SEGMENT_NUMBERS, UNKNOWN


@dataclass(frozen=True)
class Segment:
    number: int
    name: str
    description: str
    products: tuple[str, ...]
    colour: str


SEGMENTS: dict[int, Segment] = {
    1: Segment(
        1, "Home owners: administrative, blue-collar, management",
        "Clients with a housing loan and no personal loan, mostly in administrative, blue-collar and "
        "management jobs.",
        ("Mortgage protection insurance", "Home and contents insurance",
         "Refinancing offers at renewal"),
        "#1f77b4"),
    2: Segment(
        2, "Personal-loan holders",
        "Clients with a personal loan (with or without a housing loan), across all jobs.",
        ("Debt consolidation loan", "Payment-protection insurance", "Budgeting and credit advice"),
        "#d62728"),
    3: Segment(
        3, "No loans",
        "Clients with neither a housing nor a personal loan; open to any product, including students and "
        "retirees.",
        ("Savings and term deposits", "Investment funds", "Student programme (first account, study loan)",
         "Retiree programme (pension savings, annuities)"),
        "#2ca02c"),
    4: Segment(
        4, "Home owners: technicians, services, self-employed",
        "Clients with a housing loan and no personal loan, mostly technicians, services staff and the "
        "self-employed.",
        ("Mortgage protection insurance", "Business and professional accounts",
         "Income-protection insurance"),
        "#ff7f0e"),
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
