"""The domain vocabulary: columns, categories, treatments, pipelines and segments.

Everything that names a thing of the bank-marketing analysis lives here once; the data loader, the build,
the figures, the pages and the scoring all import it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashapp.core.i18n import N_, _

# --- The raw file ------------------------------------------------------------------------------------

#: Columns of the UCI "bank-additional" files, in file order.
RAW_COLUMNS: tuple[str, ...] = (
    "age", "job", "marital", "education", "default", "housing", "loan", "contact", "month",
    "day_of_week", "duration", "campaign", "pdays", "previous", "poutcome", "emp.var.rate",
    "cons.price.idx", "cons.conf.idx", "euribor3m", "nr.employed", "y",
)

UNKNOWN = "unknown"

#: The allowed values of every categorical column, in the order the UCI description lists them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "job": ("admin.", "blue-collar", "entrepreneur", "housemaid", "management", "retired",
            "self-employed", "services", "student", "technician", "unemployed", UNKNOWN),
    "marital": ("divorced", "married", "single", UNKNOWN),
    "education": ("basic.4y", "basic.6y", "basic.9y", "high.school", "illiterate",
                  "professional.course", "university.degree", UNKNOWN),
    "default": ("no", "yes", UNKNOWN),
    "housing": ("no", "yes", UNKNOWN),
    "loan": ("no", "yes", UNKNOWN),
    "contact": ("cellular", "telephone"),
    "month": ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    "day_of_week": ("mon", "tue", "wed", "thu", "fri"),
    "poutcome": ("failure", "nonexistent", "success"),
    "y": ("no", "yes"),
}

INTEGER_COLUMNS: tuple[str, ...] = ("age", "duration", "campaign", "pdays", "previous")
FLOAT_COLUMNS: tuple[str, ...] = ("emp.var.rate", "cons.price.idx", "cons.conf.idx", "euribor3m",
                                  "nr.employed")

#: pdays uses 999 for "never contacted before"; the analysis recodes it to -1 so it sorts below real days.
PDAYS_NEVER = 999
PDAYS_NEVER_RECODED = -1

#: The file's rows run in time order from this month on; the month column wraps into the next year.
FIRST_CONTACT_YEAR = 2008
FIRST_CONTACT_MONTH = 5

# --- What the modelling uses ---------------------------------------------------------------------------

#: Call-level columns, dropped for modelling: duration is only known after the call, and the contact
#: channel and date describe the call, not the client.
CALL_COLUMNS: tuple[str, ...] = ("duration", "contact", "month", "day_of_week")

SOCIO_ECONOMIC_COLUMNS: tuple[str, ...] = ("emp.var.rate", "cons.price.idx", "cons.conf.idx",
                                          "euribor3m", "nr.employed")
CLIENT_NUMERIC_COLUMNS: tuple[str, ...] = ("age", "campaign", "pdays", "previous")
NUMERIC_COLUMNS: tuple[str, ...] = CLIENT_NUMERIC_COLUMNS + SOCIO_ECONOMIC_COLUMNS

#: The original analysis treated the outcome y as one more categorical feature of the client; we keep that
#: so the numbers match, and the UI says so.
CATEGORICAL_COLUMNS: tuple[str, ...] = ("job", "marital", "education", "default", "housing", "loan",
                                        "poutcome", "y")
#: Categorical columns in which `unknown` occurs and is treated as missing.
COLUMNS_WITH_UNKNOWN: tuple[str, ...] = ("job", "marital", "education", "default", "housing", "loan")

#: The three features of the final segmentation, also the key fields when scoring a client.
SEGMENT_FEATURES: tuple[str, ...] = ("job", "housing", "loan")

#: Share of the (time-ordered) rows used for training; the rest is the test period.
TRAIN_FRACTION = 0.7


def known_categories(column: str) -> tuple[str, ...]:
    """The categories of ``column`` without ``unknown``, in their canonical (alphabetical-code) order."""
    return tuple(c for c in CATEGORIES[column] if c != UNKNOWN)


# --- Unknown-value treatments, pipelines, feature sets --------------------------------------------------

# The labels are marked for the message catalogue (N_) and translated where they are shown.
TREATMENTS: dict[str, str] = {
    "raw": N_("Keep 'unknown' as a category"),
    "knn": N_("KNN imputation (5 neighbours)"),
    "iterative": N_("Iterative imputation (BayesianRidge)"),
}

#: The grid's feature sets. "final" is the final segmentation's own space (job, housing, loan), so that the
#: chosen model can be found, and compared, in the explorer.
FEATURE_SETS: dict[str, str] = {
    "all": N_("All features"),
    "no_socio": N_("Without the 5 socio-economic columns"),
    "final": N_("Job, housing and loan (the final segmentation's)"),
}

#: The (numeric, categorical) columns of each feature set.
FEATURE_SET_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "all": (NUMERIC_COLUMNS, CATEGORICAL_COLUMNS),
    "no_socio": (CLIENT_NUMERIC_COLUMNS, CATEGORICAL_COLUMNS),
    "final": ((), SEGMENT_FEATURES),
}


#: The words of a pipeline's name: the scalers are named as scikit-learn names them, the encodings in words.
_SCALER_NAMES = {"standard": "Standard", "minmax": "MinMax"}
_ENCODER_NAMES = {"onehot": N_("one-hot"), "ordinal": N_("ordinal")}


@dataclass(frozen=True)
class PipelineSpec:
    """One of the eight preprocessing pipelines, numbered 1-8 in the original's loop order."""

    number: int
    numeric_scaler: str  # "standard" | "minmax"
    encoder: str  # "onehot" | "ordinal"
    encoded_scaler: str  # "standard" | "minmax"

    @property
    def name(self) -> str:
        """``"8: numeric MinMax, ordinal encoding, then MinMax"``, in the current language."""
        return _("{number}: numeric {numeric_scaler}, {encoder} encoding, then {encoded_scaler}").format(
            number=self.number, numeric_scaler=_SCALER_NAMES[self.numeric_scaler],
            encoder=_(_ENCODER_NAMES[self.encoder]), encoded_scaler=_SCALER_NAMES[self.encoded_scaler])


PIPELINES: dict[int, PipelineSpec] = {}
for _numeric in ("standard", "minmax"):
    for _encoder in ("onehot", "ordinal"):
        for _encoded in ("standard", "minmax"):
            _n = len(PIPELINES) + 1
            PIPELINES[_n] = PipelineSpec(_n, _numeric, _encoder, _encoded)


def same_matrix_pipeline(pipeline: int, feature_set: str) -> int:
    """The lowest-numbered pipeline that turns ``feature_set`` into the same matrix as ``pipeline`` does.

    Pipelines 5-8 differ from 1-4 only in the scaler of the numeric columns; a feature set without numeric
    columns (the final one) gets the same matrix from both, e.g. ``same_matrix_pipeline(8, "final") == 4``.
    """
    if FEATURE_SET_COLUMNS[feature_set][0]:
        return pipeline
    spec = PIPELINES[pipeline]
    return min(number for number, other in PIPELINES.items()
               if (other.encoder, other.encoded_scaler) == (spec.encoder, spec.encoded_scaler))


K_RANGE: tuple[int, ...] = tuple(range(2, 16))

#: The original's choice, marked in the explorer. The final k is a build parameter
#: (``BuildParameters.final_k``, ``build_artifacts.py --k``); FINAL_K is its default, the original study's.
FINAL_TREATMENT = "knn"
FINAL_PIPELINE = 8
FINAL_K = 4


def config_id(treatment: str, pipeline: int, feature_set: str) -> str:
    """A stable, readable key of one of the 72 grid configurations, e.g. ``knn-p8-all``."""
    return f"{treatment}-p{pipeline}-{feature_set}"


# --- Segments ------------------------------------------------------------------------------------------

#: What most of a segment's members share, the key of its product suggestions: a personal loan; else a housing
#: loan; else neither. The segments' numbers, names and products all start from it (:func:`segment_kind`).
SEGMENT_KINDS: tuple[str, ...] = ("housing_loan", "personal_loan", "neither")


def segment_kind(housing_share: float, personal_loan_share: float) -> str:
    """What most of a segment's members share: ``"personal_loan"`` when more than half hold a personal loan,
    else ``"housing_loan"`` when more than half hold a housing loan, else ``"neither"``.

    Parameters
    ----------
    housing_share, personal_loan_share : float
        The shares (0-1) of the segment's clients with a housing loan and with a personal loan.
    """
    if personal_loan_share > 0.5:
        return "personal_loan"
    if housing_share > 0.5:
        return "housing_loan"
    return "neither"


#: The segments' numbers are the build's (``ArtifactStore.segment_numbers``), 1 to the final k; what they are
#: called, what they mean and what to offer them is presentation, not analysis: see :mod:`dashapp.core.catalogue`
#: (which the build does not import, so rewording a segment never invalidates the artifacts).

#: The original study's published result (k = 4 on the UCI file), shown beside ours.
REFERENCE_SHARES: dict[int, float] = {1: 0.26, 2: 0.15, 3: 0.43, 4: 0.16}
REFERENCE_SILHOUETTE = 0.63
