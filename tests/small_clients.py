"""A small clients table built by hand, shaped as the artifact store's ``clients`` (for the views' unit tests)."""

from __future__ import annotations

import pandas as pd

from dashapp.core import domain

ROWS = [
    # age, job, marital, education, default, housing, loan, contact, day, duration, campaign, pdays, previous,
    # poutcome, y, month, segment
    (25, "admin.", "single", "university.degree", "no", "yes", "no", "cellular", "mon", 100, 1, -1, 0,
     "nonexistent", "no", "2008-05", 1),
    (35, "admin.", "married", "high.school", "unknown", "yes", "no", "cellular", "tue", 300, 2, 3, 1,
     "success", "yes", "2008-05", 1),
    (45, "technician", "married", "unknown", "no", "no", "yes", "telephone", "mon", 50, 1, -1, 0,
     "nonexistent", "no", "2008-06", 2),
    (55, "retired", "divorced", "basic.4y", "no", "no", "no", "cellular", "fri", 600, 14, 6, 2,
     "failure", "yes", "2008-08", 3),
    (65, "retired", "unknown", "basic.4y", "no", "unknown", "unknown", "telephone", "thu", 200, 3, -1, 0,
     "nonexistent", "no", "2008-08", 3),
    (30, "student", "single", "unknown", "no", "no", "no", "cellular", "wed", 400, 1, 3, 1,
     "success", "yes", "2008-09", 3),
]


def make_clients() -> pd.DataFrame:
    columns = ["age", "job", "marital", "education", "default", "housing", "loan", "contact", "day_of_week",
               "duration", "campaign", "pdays", "previous", "poutcome", "y", "month", "segment"]
    frame = pd.DataFrame(ROWS, columns=columns)
    frame["contact_date"] = pd.to_datetime(frame.pop("month") + "-01")
    for column in ("job", "marital", "education", "default", "housing", "loan", "contact", "day_of_week",
                   "poutcome", "y"):
        frame[column] = pd.Categorical(frame[column], categories=domain.CATEGORIES[column])
    frame["segment"] = frame["segment"].astype("int8")
    # The first four calls train, the last two test (as clients.parquet marks the time-ordered split).
    frame["split"] = pd.Categorical(["train"] * 4 + ["test"] * 2, categories=["train", "test"])
    for position, column in enumerate(domain.SOCIO_ECONOMIC_COLUMNS):
        frame[column] = [1.0 + position, 2.0 + position, 3.0, 4.0, 6.0, 5.0]
    frame.index = pd.RangeIndex(100, 100 + len(frame), name="client_id")
    return frame
