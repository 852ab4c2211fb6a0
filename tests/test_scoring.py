"""The scoring core: validation, the neighbour vote, the tree look-up, tables, files and downloads."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashapp import catalogue, data, domain, scoring
from dashapp.scoring import Client, FieldError, NeighbourIndex
from dashapp.segmentation import decision_path

REASON_TWO_UNKNOWN = ("housing and loan are unknown; at least two of the key fields job, housing, loan must be "
                      "known")


@pytest.fixture(scope="module")
def model(full_store):
    return scoring.scoring_model(full_store)


def _tiny_model(model: scoring.ScoringModel, voters: list[dict]) -> scoring.ScoringModel:
    """The real tree with a handful of hand-made voters, so that every vote can be worked out by hand."""
    fields = list(scoring.KEY_FIELDS + scoring.CONTEXT_FIELDS)
    categories = {f: list(domain.known_categories(f) if f in scoring.KEY_FIELDS else domain.CATEGORIES[f])
                  for f in fields}
    codes = np.array([[categories[f].index(v[f]) for f in fields] for v in voters], dtype=np.int8)
    age = np.array([v["age"] for v in voters], dtype=float)
    index = {"fields": fields, "categories": categories, "codes": codes, "age": age, "age_mean": 40.0,
             "age_scale": 10.0, "client_id": np.arange(100, 100 + len(voters))}
    return dataclasses.replace(model, neighbours=NeighbourIndex.from_artifact(index))


def _voter(job: str, age: int, housing: str = "yes", loan: str = "no", marital: str = "married",
           education: str = "high.school", default: str = "no") -> dict:
    return {"job": job, "housing": housing, "loan": loan, "marital": marital, "education": education,
            "default": default, "age": age}


# --- Validation -------------------------------------------------------------------------------------------


def test_validate_client_treats_missing_and_null_fields_as_unknown():
    client = scoring.validate_client({"job": "admin.", "housing": "yes", "loan": None, "age": 35.0})
    assert client == Client(job="admin.", housing="yes", loan="unknown", education="unknown",
                            marital="unknown", default="unknown", age=35)


def test_score_rejects_two_unknown_key_fields():
    errors = scoring.validate_client({"job": "admin.", "housing": "unknown"})
    assert errors == [FieldError("housing", REASON_TWO_UNKNOWN), FieldError("loan", REASON_TWO_UNKNOWN)]


def test_validate_client_names_field_value_and_allowed_values():
    errors = scoring.validate_client({"job": "pilot", "housing": "yes", "loan": "no", "colour": "red"})
    assert errors[0] == FieldError("colour", "'colour' is not a client field; expected some of job, housing, "
                                             "loan, education, marital, default, age")
    assert errors[1].field == "job"
    assert errors[1].reason.startswith("'pilot' is not a job category; expected one of admin., blue-collar, ")
    assert len(errors) == 2


@pytest.mark.parametrize("age", [35.5, True, "35", 15, 121, 10**100, float("nan"), float("inf"), [35]])
def test_validate_client_rejects_what_is_not_a_whole_age_in_range(age):
    errors = scoring.validate_client({"job": "admin.", "housing": "yes", "loan": "no", "age": age})
    assert [e.field for e in errors] == ["age"]
    assert errors[0].reason.endswith("is not an age; expected a whole number from 16 to 120")


def test_validate_client_takes_values_exactly_as_sent():
    # Trimming belongs to file reading; the API and the form send exact categories.
    errors = scoring.validate_client({"job": " admin.", "housing": "Yes", "loan": "no"})
    assert [e.field for e in errors] == ["job", "housing"]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10)


@given(st.one_of(_json_values, st.dictionaries(st.sampled_from(scoring.CLIENT_FIELDS + ("x",)), _json_values)))
@settings(max_examples=300, deadline=None)
def test_validate_client_never_raises_on_any_json(values):
    result = scoring.validate_client(values)
    assert isinstance(result, Client) or (result and all(isinstance(e, FieldError) for e in result))


_valid_clients = st.fixed_dictionaries(
    {f: st.sampled_from(domain.CATEGORIES[f]) for f in scoring.CATEGORY_FIELDS}
    | {"age": st.none() | st.integers(*scoring.AGE_RANGE)}
).filter(lambda c: sum(c[k] == domain.UNKNOWN for k in scoring.KEY_FIELDS) <= 1)


@given(st.lists(_valid_clients, min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_form_and_file_give_identical_answers(model, clients):
    """One client through validate_client/score_client, and the same clients as a file's text rows."""
    singles = [scoring.score_client(scoring.validate_client(c), model) for c in clients]
    rows = pd.DataFrame([{k: "" if v is None else str(v) for k, v in c.items()} for c in clients])
    table = scoring.score_table(rows, model)
    assert table.refused.empty
    assert table.scored[scoring.SEGMENT_COLUMN].tolist() == [r.segment for r in singles]
    assert table.scored[scoring.FILLED_COLUMN].tolist() == [r.filled[0].describe() if r.filled else ""
                                                           for r in singles]


# --- The neighbour vote -------------------------------------------------------------------------------------


def test_missing_job_is_filled_by_majority_of_five_nearest(model):
    voters = [_voter("technician", 30), _voter("admin.", 31), _voter("technician", 33), _voter("admin.", 34),
              _voter("technician", 35), _voter("admin.", 80), _voter("admin.", 29, marital="single")]
    tiny = _tiny_model(model, voters)
    client = scoring.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "age": 32,
                                      "marital": "married", "education": "high.school", "default": "no"})
    result = scoring.score_client(client, tiny)
    (filled,) = result.filled
    # Ages 31, 33, 30, 34, 35 are nearest; the single 29-year-old is one mismatch (10 years) away.
    assert filled.neighbours == (101, 102, 100, 103, 104)
    assert filled.votes == (("technician", 3), ("admin.", 2))
    assert filled.value == "technician" and result.key_fields["job"] == "technician"
    assert result.segment == 4
    assert filled.describe() == "job = technician (5 nearest clients: technician 3, admin. 2)"


def test_vote_tie_goes_to_the_nearest_neighbours_category(model):
    voters = [_voter("admin.", 40, education="basic.4y"), _voter("services", 41), _voter("services", 42),
              _voter("admin.", 39)]
    tiny = _tiny_model(model, voters)
    client = scoring.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "age": 40,
                                      "marital": "married", "education": "high.school", "default": "no"})
    (filled,) = scoring.score_client(client, tiny).filled
    # Only four voters: 2 services, 2 admin.; the nearest (the 39- and 41-year-olds tie at 1 year) comes first
    # in time order, so services (voter 101) wins the tie.
    assert filled.neighbours == (101, 103, 102, 100)
    assert filled.votes == (("services", 2), ("admin.", 2))
    assert filled.value == "services"


def test_unknown_age_and_unknown_context_are_handled_as_documented(model):
    voters = [_voter("admin.", 20, default="unknown"), _voter("retired", 70), _voter("retired", 71)]
    tiny = _tiny_model(model, voters)
    client = scoring.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "default": "unknown",
                                      "marital": "married", "education": "high.school"})
    (filled,) = scoring.score_client(client, tiny).filled
    # No age: only categories count, and 'unknown' default matches 'unknown' as a category of its own.
    assert filled.neighbours[0] == 100


def _brute_force_neighbours(index: dict, client: dict, missing: str) -> list[int]:
    """The 5 nearest voters by the documented distance, computed the slow, obvious way."""
    voters = pd.DataFrame(index["codes"], columns=index["fields"])
    categories = index["categories"]
    distance = sum((voters[f] != categories[f].index(client[f])).astype(float)
                   for f in index["fields"] if f != missing)
    if client["age"] is not None:
        z = (index["age"] - index["age_mean"]) / index["age_scale"]
        distance = distance + (z - (client["age"] - index["age_mean"]) / index["age_scale"]) ** 2
    nearest = np.lexsort((np.arange(len(voters)), distance.to_numpy()))[:5]
    return index["client_id"][nearest].tolist()


def test_vote_matches_a_brute_force_search_of_the_real_voters(model, full_store):
    index = full_store.scoring_index
    rng = np.random.default_rng(7)
    for _ in range(40):
        client = {f: rng.choice(domain.CATEGORIES[f]) for f in scoring.CATEGORY_FIELDS}
        missing = str(rng.choice(scoring.KEY_FIELDS))
        for key in scoring.KEY_FIELDS:
            client[key] = domain.UNKNOWN if key == missing else rng.choice(domain.known_categories(key))
        client["age"] = None if rng.random() < 0.25 else int(rng.integers(17, 95))
        (filled,) = scoring.score_client(scoring.validate_client(client), model).filled
        assert list(filled.neighbours) == _brute_force_neighbours(index, client, missing), client
        position = {c: i for i, c in enumerate(index["client_id"].tolist())}
        voted = [domain.known_categories(missing)[index["codes"][position[c], scoring.KEY_FIELDS.index(missing)]]
                 for c in filled.neighbours]
        assert dict(filled.votes) == pd.Series(voted).value_counts().to_dict()


def test_segment_table_agrees_with_the_tree_for_every_key_combination(model, full_store):
    tree = full_store.segmentation_model.tree
    for codes, path in model.paths.items():
        row = np.array(codes, dtype=float)
        assert model.segment_table[codes] == tree.predict(row.reshape(1, -1))[0]
        assert list(path) == decision_path(tree, row)
    assert len(model.paths) == 11 * 2 * 2


def test_score_client_explains_a_client_with_all_key_fields(model):
    result = scoring.score_client(Client(job="student", housing="no", loan="no"), model)
    assert result.filled == ()
    assert result.segment == 3
    assert result.to_dict()["name"] == catalogue.SEGMENTS[3].name
    assert result.decision_path[0] == 0


# --- Tables ------------------------------------------------------------------------------------------------


def test_score_table_refuses_bad_rows_with_row_number_and_reason_and_scores_the_rest(model):
    rows = pd.DataFrame({
        "job": ["admin.", "admin.", "pilot", "student", " services ", ""],
        "housing": ["yes", "unknown", "yes", "no", "no", "yes"],
        "loan": ["no", "unknown", "no", "no", "yes", "no"],
        "age": ["40", "40", "41", "abc", "", "33"],
        "branch": ["north", "south", "east", "west", "=HYPERLINK(\"x\")", "north"],
    })
    scored, refused = scoring.score_table(rows, model)
    assert refused["row"].tolist() == [3, 4, 5]
    assert refused["reason"].tolist() == [
        REASON_TWO_UNKNOWN,
        "job: " + scoring.validate_client({"job": "pilot"})[0].reason,
        "age: 'abc' is not an age; expected a whole number from 16 to 120",
    ]
    assert scored.index.tolist() == [0, 4, 5]
    assert scored["branch"].tolist() == ["north", "=HYPERLINK(\"x\")", "north"]
    assert scored["segment"].tolist() == [1, 2, scored["segment"].iat[2]]
    assert scored["filled"].iat[0] == "" and scored["filled"].iat[2].startswith("job = ")
    assert scored["segment_name"].iat[1] == catalogue.SEGMENTS[2].name


def test_score_table_uses_later_row_numbers_for_a_later_chunk(model):
    rows = pd.DataFrame({"job": ["admin.", "nobody"], "housing": ["yes", "yes"], "loan": ["no", "no"]})
    assert scoring.score_table(rows, model, first_row=1002).refused["row"].tolist() == [1003]


def test_whole_real_file_is_scored_and_the_990_without_loans_known_refused(bank_csv, model):
    clients = scoring.read_client_csv(bank_csv.read_bytes())
    scored, refused = scoring.score_table(clients.table, model)
    assert clients.delimiter == ";"
    assert (len(scored), len(refused)) == (40198, 990)
    assert refused["reason"].str.contains("housing and loan").all()
    filled = scored[scored["filled"] != ""]
    assert len(filled) == (scored["job"] == "unknown").sum() == 325
    assert filled["filled"].str.startswith("job = ").all()
    assert list(scored.columns) == list(domain.RAW_COLUMNS) + list(scoring.OUTPUT_COLUMNS)


# --- Files ---------------------------------------------------------------------------------------------------


CSV = b"job,housing,loan,age,note\nadmin.,yes,no,40,first\nstudent,no,no,22,second\n"


def test_read_client_csv_reads_comma_and_uci_formats_alike():
    comma = scoring.read_client_csv(CSV)
    uci = scoring.read_client_csv(b'"job";"housing";"loan";"age";"note"\n"admin.";"yes";"no";40;"first"\n'
                                  b'"student";"no";"no";22;"second"\n')
    assert (comma.delimiter, uci.delimiter) == (",", ";")
    pd.testing.assert_frame_equal(comma.table, uci.table)
    assert comma.table["age"].tolist() == ["40", "22"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b" \n\n", "The file is empty"),
    (b"PK\x03\x04rest-of-a-workbook", "looks like an Excel workbook or a zip archive"),
    (b"job,housing\x00,loan\n", "is a binary file"),
    ("job,housing,loan\n".encode("utf-16"), "is UTF-16 text"),
    ("job,housing,loan\nadmin.,sí,no\n".encode("latin-1"), "is not UTF-8 text (the byte at position 25"),
    (b"job,housing,age\nadmin.,yes,40\n", "has no column 'loan'"),
    (b"job,housing,loan\n", "has a header but no client rows"),
    (b'job,housing,loan\n"admin.,yes,no\n', "is not a well-formed CSV file"),
    (b"job,job,housing,loan\nadmin.,admin.,yes,no\n", "has the column 'job' more than once"),
])
def test_read_client_csv_explains_files_it_cannot_read(content, message):
    with pytest.raises(scoring.ClientFileError, match=None) as raised:
        scoring.read_client_csv(content)
    assert message in str(raised.value)


def test_read_client_csv_refuses_files_over_the_limit():
    with pytest.raises(scoring.ClientFileError, match=r"is 0\.0 MB; the limit is 0 MB"):
        scoring.read_client_csv(CSV, max_bytes=10)


def test_formula_cells_are_neutralised_but_numbers_stay_numbers():
    table = pd.DataFrame({
        "text": ["=1+2", "+33 123", "-2+3", "@SUM(A1)", "\tcmd", "\rx", "plain", "-1.8", "+3", "1e5"],
        "numbers": [-1, -2, 3, 4, 5, 6, 7, 8, 9, 10],
    })
    safe = scoring.neutralise_formulas(table)
    assert safe["text"].tolist() == ["'=1+2", "'+33 123", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rx", "plain",
                                     "-1.8", "+3", "1e5"]
    assert safe["numbers"].tolist() == table["numbers"].tolist()
    assert table["text"].iat[0] == "=1+2"


def test_write_scored_csv_keeps_every_column_and_neutralises(model):
    rows = pd.DataFrame({"job": ["admin."], "housing": ["yes"], "loan": ["no"], "memo": ["=cmd|' /C calc'!A0"],
                         "balance": ["-120.5"]})
    scored, _ = scoring.score_table(rows, model)
    buffer = io.BytesIO()
    scoring.write_scored_csv(scored, buffer, delimiter=";")
    again = pd.read_csv(io.BytesIO(buffer.getvalue()), sep=";", dtype=str)
    assert list(again.columns) == ["job", "housing", "loan", "memo", "balance", "segment", "segment_name", "filled"]
    assert again.loc[0, "memo"] == "'=cmd|' /C calc'!A0"
    assert again.loc[0, "balance"] == "-120.5"
    assert again.loc[0, "segment"] == "1"


def test_stream_scores_in_chunks_like_one_table(tmp_path, model):
    rows = pd.DataFrame({"job": ["admin.", "unknown", "nurse", "student", "unknown"] * 3,
                         "housing": ["yes", "yes", "no", "unknown", "unknown"] * 3,
                         "loan": ["no", "no", "no", "no", "yes"] * 3,
                         "age": [str(a) for a in range(30, 45)]})
    source = tmp_path / "in.csv"
    rows.to_csv(source, index=False)
    summary = scoring.score_csv_stream(source, tmp_path / "out.csv", model, tmp_path / "refused.csv",
                                       chunk_rows=4)
    whole = scoring.score_table(rows.astype(object), model)
    streamed = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert streamed["segment"].astype(int).tolist() == whole.scored["segment"].tolist()
    assert streamed["filled"].tolist() == whole.scored["filled"].tolist()
    refused = pd.read_csv(tmp_path / "refused.csv")
    assert refused["row"].tolist() == whole.refused["row"].tolist() == [4, 6, 9, 11, 14, 16]
    assert summary.scored == 9 and summary.refused == 6 and sum(summary.segments.values()) == 9


# --- How neighbours' categories are combined ---------------------------------------------------------------------


def test_majority_vote_invents_no_category_where_code_averaging_does(bank_csv):
    """The measurement behind the module docstring's table (training rows of the full file)."""
    frame = data.modelling_frame(data.clean_bank_table(data.read_bank_csv(bank_csv)))
    train = frame.iloc[data.time_split(len(frame)).train]
    report = scoring.compare_neighbour_combination(train, columns=("job", "marital", "education"))
    by_column = report.groupby("column")[["invented_by_average", "invented_by_vote"]].sum()
    assert by_column.loc[["job", "marital", "education"], "invented_by_average"].tolist() == [156, 2, 528]
    assert by_column["invented_by_vote"].eq(0).all()
    illiterate = report.set_index(["column", "category"]).loc[("education", "illiterate")]
    assert (illiterate["known"], illiterate["by_average"], illiterate["by_vote"]) == (14, 277, 14)


def test_scoring_core_imports_neither_dash_nor_flask():
    code = "import sys, dashapp.scoring; print(sorted(m for m in ('dash', 'flask') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
