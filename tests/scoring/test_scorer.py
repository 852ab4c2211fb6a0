"""The scoring core: validation, the neighbour vote and its ties, the tree look-up, and tables of clients."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from dashapp.analysis.segmentation import decision_path
from dashapp.artifacts.current import current_store
from dashapp.artifacts.neighbours import NeighbourIndex
from dashapp.core import catalogue, domain, fields
from dashapp.scoring import scorer
from dashapp.scoring.scorer import Client, FieldError

REASON_TWO_UNKNOWN = ("Housing loan and Personal loan are unknown; at least two of Job, Housing loan and Personal "
                      "loan must be known")


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def _tiny_model(model: scorer.ScoringModel, voters: list[dict], age_mean: float = 40.0,
                age_scale: float = 10.0) -> scorer.ScoringModel:
    """The real tree with a handful of hand-made voters, so that every vote can be worked out by hand."""
    names = list(fields.KEY_FIELDS + fields.CONTEXT_CATEGORY_FIELDS)
    categories = {f: list(domain.known_categories(f) if f in fields.KEY_FIELDS else domain.CATEGORIES[f])
                  for f in names}
    codes = np.array([[categories[f].index(v[f]) for f in names] for v in voters], dtype=np.int8)
    age = np.array([v["age"] for v in voters], dtype=float)
    index = {"fields": names, "categories": categories, "codes": codes, "age": age, "age_mean": age_mean,
             "age_scale": age_scale, "client_id": np.arange(100, 100 + len(voters))}
    return dataclasses.replace(model, neighbours=NeighbourIndex.from_artifact(index))


def _voter(job: str, age: int, housing: str = "yes", loan: str = "no", marital: str = "married",
           education: str = "high.school", default: str = "no") -> dict:
    return {"job": job, "housing": housing, "loan": loan, "marital": marital, "education": education,
            "default": default, "age": age}


# --- Validation -------------------------------------------------------------------------------------------


def test_validate_client_treats_a_missing_key_field_as_unknown_and_a_missing_detail_as_not_given():
    client = scorer.validate_client({"job": "admin.", "housing": "yes", "loan": None, "age": 35.0})
    assert client == Client(job="admin.", housing="yes", loan="unknown", education=None, marital=None,
                            default=None, age=35)
    given = scorer.validate_client({"job": "admin.", "housing": "yes", "education": "unknown"})
    assert given.education == "unknown" and given.marital is None


def test_score_rejects_two_unknown_key_fields():
    errors = scorer.validate_client({"job": "admin.", "housing": "unknown"})
    assert errors == [FieldError("housing", REASON_TWO_UNKNOWN), FieldError("loan", REASON_TWO_UNKNOWN)]


def test_validate_client_names_field_value_and_allowed_values():
    errors = scorer.validate_client({"job": "pilot", "housing": "yes", "loan": "no", "colour": "red"})
    assert errors[0] == FieldError("colour", "'colour' is not a client field; expected some of job, housing, "
                                             "loan, age, marital, education, default")
    assert errors[1].field == "job"
    assert errors[1].reason.startswith("'pilot' is not a category of Job; expected one of admin., blue-collar, ")
    assert len(errors) == 2


@pytest.mark.parametrize("age", [35.5, True, "35", 15, 121, 10**100, float("nan"), float("inf"), [35]])
def test_validate_client_rejects_what_is_not_a_whole_age_in_range(age):
    errors = scorer.validate_client({"job": "admin.", "housing": "yes", "loan": "no", "age": age})
    assert [e.field for e in errors] == ["age"]
    assert errors[0].reason.endswith("is not an age; expected a whole number from 16 to 120")


def test_validate_client_takes_values_exactly_as_sent():
    # Lenient reading belongs to files; the API documents its categories (and is fuzzed against them) and the
    # form only offers exact ones.
    errors = scorer.validate_client({"job": " admin.", "housing": "Yes", "loan": "no"})
    assert [e.field for e in errors] == ["job", "housing"]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10)


@given(st.one_of(_json_values, st.dictionaries(st.sampled_from(scorer.CLIENT_FIELDS + ("x",)), _json_values)))
@settings(max_examples=300, deadline=None)
def test_validate_client_never_raises_on_any_json(values):
    result = scorer.validate_client(values)
    assert isinstance(result, Client) or (result and all(isinstance(e, FieldError) for e in result))


_valid_clients = st.fixed_dictionaries(
    {f: st.sampled_from(domain.CATEGORIES[f]) for f in scorer.CATEGORY_FIELDS}
    | {"age": st.none() | st.integers(*scorer.AGE_RANGE)}
).filter(lambda c: sum(c[k] == domain.UNKNOWN for k in scorer.KEY_FIELDS) <= 1)


@given(st.lists(_valid_clients, min_size=1, max_size=8))
@settings(max_examples=40, deadline=None)
def test_form_and_file_give_identical_answers(model, clients):
    """One client through validate_client/score_client, and the same clients as a file's text rows."""
    singles = [scorer.score_client(scorer.validate_client(c), model) for c in clients]
    rows = pd.DataFrame([{k: "" if v is None else str(v) for k, v in c.items()} for c in clients])
    table = scorer.score_table(rows, model)
    assert table.refused_count == 0 and table.scored_count == len(clients)
    assert table.table[scorer.SEGMENT_COLUMN].tolist() == [r.segment for r in singles]
    assert table.table[scorer.FILLED_COLUMN].tolist() == [r.filled[0].describe() if r.filled else ""
                                                          for r in singles]


# --- The neighbour vote -------------------------------------------------------------------------------------


def test_missing_job_is_filled_by_majority_of_five_nearest(model):
    voters = [_voter("technician", 30), _voter("admin.", 31), _voter("technician", 33), _voter("admin.", 34),
              _voter("technician", 35), _voter("admin.", 80), _voter("admin.", 29, marital="single")]
    tiny = _tiny_model(model, voters)
    client = scorer.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "age": 32,
                                      "marital": "married", "education": "high.school", "default": "no"})
    result = scorer.score_client(client, tiny)
    (filled,) = result.filled
    # Ages 31, 33, 30, 34, 35 are nearest; the single 29-year-old is one mismatch (10 years) away.
    assert filled.neighbours == (101, 102, 100, 103, 104)
    assert filled.votes == (("technician", 3), ("admin.", 2))
    assert filled.value == "technician" and result.key_fields["job"] == "technician"
    assert result.segment == 4
    assert filled.describe() == "job = technician (5 nearest clients: technician 3, admin. 2)"
    assert filled.tied == () and filled.to_dict()["tie"] is None


def test_vote_tie_goes_to_the_nearest_neighbours_category(model):
    voters = [_voter("admin.", 40, education="basic.4y"), _voter("services", 41), _voter("services", 42),
              _voter("admin.", 39)]
    tiny = _tiny_model(model, voters)
    client = scorer.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "age": 40,
                                      "marital": "married", "education": "high.school", "default": "no"})
    (filled,) = scorer.score_client(client, tiny).filled
    # Only four voters: 2 services, 2 admin.; the nearest (the 39- and 41-year-olds tie at 1 year) comes first
    # in time order, so services (voter 101) wins the tie.
    assert filled.neighbours == (101, 103, 102, 100)
    assert filled.votes == (("services", 2), ("admin.", 2))
    assert filled.value == "services"
    # The tie is said, with how it was broken and by whom.
    assert filled.tied == ("services", "admin.") and filled.deciding_neighbour == 101
    assert filled.describe() == ("job = services (4 nearest clients: services 2, admin. 2; tie between services "
                                 "and admin. (2 votes each), broken by the nearest neighbour's job; uncertain: 50% "
                                 "for services; with admin. the segment would be 1)")
    assert filled.uncertain and filled.alternative == "admin." and filled.voters == 4
    assert filled.to_dict()["tie"] == {"between": ["services", "admin."], "votes": 2,
                                       "broken_by": "nearest_neighbour", "deciding_neighbour": 101}


def test_equal_age_differences_are_exact_ties_broken_by_time_order(model):
    """A client of 40 is exactly as far from 39 as from 41, whatever the mean and scale of age."""
    voters = [_voter("services", 41), _voter("admin.", 39), _voter("services", 41), _voter("admin.", 39),
              _voter("technician", 60)]
    for mean, scale in ((41.3, 9.7), (38.9, 10.4), (40.02, 10.13)):
        tiny = _tiny_model(model, voters, age_mean=mean, age_scale=scale)
        client = scorer.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "age": 40,
                                          "marital": "married", "education": "high.school", "default": "no"})
        (filled,) = scorer.score_client(client, tiny).filled
        assert filled.neighbours == (100, 101, 102, 103, 104), (mean, scale)
        assert filled.value == "services" and filled.tied == ("services", "admin.")


def test_unknown_age_and_unknown_context_are_handled_as_documented(model):
    voters = [_voter("admin.", 20, default="unknown"), _voter("retired", 70), _voter("retired", 71)]
    tiny = _tiny_model(model, voters)
    client = scorer.validate_client({"job": "unknown", "housing": "yes", "loan": "no", "default": "unknown",
                                      "marital": "married", "education": "high.school"})
    (filled,) = scorer.score_client(client, tiny).filled
    # No age: only categories count, and 'unknown' default matches 'unknown' as a category of its own.
    assert filled.neighbours[0] == 100


def _brute_force_neighbours(index: dict, client: dict, missing: str) -> list[int]:
    """The 5 nearest voters by the documented distance, computed the slow, obvious way."""
    voters = pd.DataFrame(index["codes"], columns=index["fields"])
    categories = index["categories"]
    distance = sum((voters[f] != categories[f].index(client[f])).astype(float)
                   for f in index["fields"] if f != missing)
    if client["age"] is not None:
        distance = distance + (index["age"] - client["age"]) ** 2 / index["age_scale"] ** 2
    nearest = np.lexsort((np.arange(len(voters)), distance.to_numpy()))[:5]
    return index["client_id"][nearest].tolist()


def test_vote_matches_a_brute_force_search_of_the_real_voters(model, full_store):
    index = full_store.scoring_index
    rng = np.random.default_rng(7)
    for _ in range(40):
        client = {f: rng.choice(domain.CATEGORIES[f]) for f in scorer.CATEGORY_FIELDS}
        missing = str(rng.choice(scorer.KEY_FIELDS))
        for key in scorer.KEY_FIELDS:
            client[key] = domain.UNKNOWN if key == missing else rng.choice(domain.known_categories(key))
        client["age"] = None if rng.random() < 0.25 else int(rng.integers(17, 95))
        (filled,) = scorer.score_client(scorer.validate_client(client), model).filled
        assert list(filled.neighbours) == _brute_force_neighbours(index, client, missing), client
        position = {c: i for i, c in enumerate(index["client_id"].tolist())}
        voted = [domain.known_categories(missing)[index["codes"][position[c], scorer.KEY_FIELDS.index(missing)]]
                 for c in filled.neighbours]
        # The 5 nearest vote, and every voter as near as the fifth with them (tests/scoring/test_vote_certainty.py
        # counts those by brute force too).
        votes = dict(filled.votes)
        assert all(votes.get(category, 0) >= count for category, count in pd.Series(voted).value_counts().items())
        assert sum(votes.values()) == filled.voters >= len(filled.neighbours)


def test_segment_table_agrees_with_the_tree_for_every_key_combination(model, full_store):
    tree = full_store.segmentation_model.tree
    for codes, path in model.paths.items():
        row = np.array(codes, dtype=float)
        assert model.segment_table[codes] == tree.predict(row.reshape(1, -1))[0]
        assert list(path) == decision_path(tree, row)
    assert len(model.paths) == 11 * 2 * 2


def test_score_client_explains_a_client_with_all_key_fields(model):
    result = scorer.score_client(Client(job="student", housing="no", loan="no"), model)
    assert result.filled == ()
    assert result.segment == 3
    assert result.to_dict(catalogue.segments(current_store()))["name"] == catalogue.segments(current_store())[3].name
    assert result.decision_path[0] == 0


# --- Tables ------------------------------------------------------------------------------------------------


def test_score_table_keeps_every_row_in_order_with_a_status_and_an_empty_segment_when_refused(model):
    rows = pd.DataFrame({
        "client_id": ["007", "008", "009", "010", "011", "012"],
        "job": ["admin.", "admin.", "pilot", "student", " services ", ""],
        "housing": ["yes", "unknown", "yes", "no", "no", "yes"],
        "loan": ["no", "unknown", "no", "no", "yes", "no"],
        "age": ["40", "40", "41", "abc", "", "33"],
        "branch": ["north", "south", "east", "west", "=HYPERLINK(\"x\")", "north"],
    })
    result = scorer.score_table(rows, model)
    table = result.table
    assert list(table.columns) == list(rows.columns) + ["status", "segment", "segment_name", "filled"]
    pd.testing.assert_frame_equal(table[list(rows.columns)], rows)  # every input cell unchanged
    assert result.refused_rows.tolist() == [3, 4, 5]
    reasons = [REASON_TWO_UNKNOWN, "'pilot' is not a category of Job; expected one of " + ", ".join(
        domain.CATEGORIES["job"]), "'abc' is not an age; expected a whole number from 16 to 120"]
    assert result.refusals == tuple(scorer.Refusal(reason, 1, (row,)) for reason, row in zip(reasons, [3, 4, 5]))
    assert table["status"].tolist() == ["scored"] + [f"not scored: {r}" for r in reasons] + ["scored", "scored"]
    assert table["segment"].isna().tolist() == [False, True, True, True, False, False]
    assert table["segment"].iat[0] == 1 and table["segment"].iat[4] == 2
    assert table["segment_name"].tolist()[1:4] == ["", "", ""]
    assert table["segment_name"].iat[4] == catalogue.segments(current_store())[2].name
    assert table["filled"].iat[0] == "" and table["filled"].iat[5].startswith("job = ")
    names = catalogue.segment_names(current_store())
    assert result.scored_count == 3 and sum(scorer.segment_counts(result, names).values()) == 3


def test_score_table_reads_values_in_any_case_and_with_spaces_and_says_which(model):
    rows = pd.DataFrame({" Job": ["Admin.", " technician", "admin.", "ADMIN."],
                         "HOUSING": ["Yes", "yes", "yes ", "Yes"], "Loan": ["no", "No", "no", "no"],
                         "Education": ["Basic.9Y", "basic.9y", "", "basic.9y"]})
    result = scorer.score_table(rows, model)
    assert result.scored_count == 4
    assert result.columns == {"job": " Job", "housing": "HOUSING", "loan": "Loan", "education": "Education"}
    assert table_values(result, " Job") == ["Admin.", " technician", "admin.", "ADMIN."]  # written back as given
    read = {(n.column, n.written, n.read_as): n.rows for n in result.normalised}
    assert read == {(" Job", "Admin.", "admin."): 1, (" Job", " technician", "technician"): 1,
                    (" Job", "ADMIN.", "admin."): 1, ("HOUSING", "Yes", "yes"): 2, ("HOUSING", "yes ", "yes"): 1,
                    ("Loan", "No", "no"): 1, ("Education", "Basic.9Y", "basic.9y"): 1}
    exact = scorer.score_table(pd.DataFrame({"job": ["admin.", "technician", "admin.", "admin."],
                                              "housing": ["yes"] * 4, "loan": ["no"] * 4,
                                              "education": ["basic.9y", "basic.9y", "", "basic.9y"]}), model)
    assert result.table["segment"].tolist() == exact.table["segment"].tolist()


def table_values(result: scorer.TableScore, column: str) -> list:
    return result.table[column].tolist()


def test_our_columns_never_overwrite_the_users_but_replace_our_own_from_an_earlier_scoring(model):
    rows = pd.DataFrame({"job": ["admin."], "housing": ["yes"], "loan": ["no"], "Segment": ["gold"]})
    table = scorer.score_table(rows, model).table
    assert list(table.columns) == ["job", "housing", "loan", "Segment", "status", "scored_segment",
                                   "segment_name", "filled"]
    assert table["Segment"].iat[0] == "gold" and table["scored_segment"].iat[0] == 1
    again = scorer.score_table(table.drop(columns="Segment").rename(columns={"scored_segment": "segment"}), model)
    assert list(again.table.columns) == ["job", "housing", "loan", "status", "segment", "segment_name", "filled"]


def test_score_table_uses_later_row_numbers_for_a_later_chunk(model):
    rows = pd.DataFrame({"job": ["admin.", "nobody"], "housing": ["yes", "yes"], "loan": ["no", "no"]})
    result = scorer.score_table(rows, model, first_row=1002)
    assert result.refused_rows.tolist() == [1003] and result.refusals[0].first_rows == (1003,)


def test_whole_real_file_is_scored_and_the_990_without_loans_known_kept_as_not_scored(bank_csv, model):
    from dashapp.scoring.client_files import read_client_csv

    clients = read_client_csv(bank_csv.read_bytes())
    result = scorer.score_table(clients.table, model)
    table = result.table
    assert clients.dialect.delimiter == ";" and len(table) == 41188
    assert (result.scored_count, result.refused_count) == (40198, 990)
    assert [(r.reason.split(" are unknown")[0], r.rows) for r in result.refusals] == [
        ("Housing loan and Personal loan", 985), ("Job, Housing loan and Personal loan", 5)]
    assert result.problems == 2
    assert [len(r.first_rows) for r in result.refusals] == [scorer.REFUSAL_ROWS_LISTED, 5]
    assert table["segment"].isna().sum() == 990
    filled = table[table["filled"] != ""]
    assert len(filled) == ((table["job"] == "unknown") & (table["status"] == "scored")).sum() == 325
    assert filled["filled"].str.startswith("job = ").all()
    assert list(table.columns) == list(domain.RAW_COLUMNS) + list(scorer.OUTPUT_COLUMNS)
    assert result.normalised == ()


def test_the_client_record_has_exactly_the_fields_of_the_one_table():
    """A field added to fields.FIELDS must be added to Client too (and the other way round)."""
    import dataclasses

    from dashapp.core import fields

    assert {f.name for f in dataclasses.fields(Client)} == set(fields.NAMES)


# --- Bounded work: refusals grouped, votes per profile (issue 13) ------------------------------------------------


def test_refusals_are_grouped_per_distinct_reason_with_their_first_rows(model):
    n = 1000
    rows = pd.DataFrame({"job": ["pilot" if i % 3 == 0 else "admin." for i in range(n)],
                         "housing": ["yes"] * n, "loan": ["no"] * n,
                         "age": ["abc" if i % 5 == 0 else "40" for i in range(n)]})
    result = scorer.score_table(rows, model)
    pilot = "'pilot' is not a category of Job; expected one of " + ", ".join(domain.CATEGORIES["job"])
    age = "'abc' is not an age; expected a whole number from 16 to 120"
    listed = scorer.REFUSAL_ROWS_LISTED
    assert result.refusals == (
        scorer.Refusal(pilot, 334, tuple(range(2, 2 + 3 * listed, 3))),
        scorer.Refusal(age, 200, tuple(range(2, 2 + 5 * listed, 5))))
    assert result.problems == 2
    refused = [i for i in range(n) if i % 3 == 0 or i % 5 == 0]
    assert result.refused_rows.tolist() == [i + 2 for i in refused]
    # The scored file still says, row by row, every reason of that row.
    expected = ["scored"] * n
    for i in refused:
        expected[i] = "not scored: " + "; ".join([pilot] * (i % 3 == 0) + [age] * (i % 5 == 0))
    assert result.table["status"].tolist() == expected


def test_a_table_of_distinct_bad_values_keeps_the_commonest_reasons_and_counts_them_all(model):
    n = scorer.REFUSALS_KEPT + 30
    rows = pd.DataFrame({"job": ["pilot"] * 3 + [f"job{i}" for i in range(n)], "housing": ["yes"] * (n + 3),
                         "loan": ["no"] * (n + 3)})
    result = scorer.score_table(rows, model)
    assert result.problems == n + 1 and result.refused_count == n + 3
    assert len(result.refusals) == scorer.REFUSALS_KEPT
    assert result.refusals[0].rows == 3 and result.refusals[0].first_rows == (2, 3, 4)  # most rows first
    assert [r.first_rows for r in result.refusals[1:4]] == [(5,), (6,), (7,)]  # then the earliest row
    assert result.table["status"].iat[-1].startswith(f"not scored: 'job{n - 1}' is not a category of Job")


def test_a_batch_of_clients_gets_the_brute_force_neighbours_of_each(model, full_store):
    """Many clients in one call share voter groups per profile (the vectorised vote): same as one by one."""
    index = full_store.scoring_index
    rng = np.random.default_rng(13)
    clients, missing = [], []
    for _ in range(300):
        client = {f: str(rng.choice(domain.CATEGORIES[f])) for f in fields.CONTEXT_CATEGORY_FIELDS}
        gap = str(rng.choice(scorer.KEY_FIELDS))
        for key in scorer.KEY_FIELDS:
            client[key] = domain.UNKNOWN if key == gap else str(rng.choice(domain.known_categories(key)))
        client["age"] = None if rng.random() < 0.2 else int(rng.integers(16, 121))
        clients.append(client)
        missing.append(gap)
    # Repeated profiles at other ages, and repeated clients, as a file has them.
    clients += [dict(c, age=a) for c in clients[:20] for a in (18, 40, 90)] + clients[:10]
    missing += [m for m in missing[:20] for _ in range(3)] + missing[:10]
    results = scorer.score_clients([scorer.validate_client(c) for c in clients], model)
    for client, gap, result in zip(clients, missing, results):
        (filled,) = result.filled
        assert list(filled.neighbours) == _brute_force_neighbours(index, client, gap), client


def test_many_exact_ties_in_one_batch_go_to_the_earlier_voter(model):
    voters = [_voter(job, age, marital=marital) for job in ("admin.", "services", "technician")
              for age in (38, 40, 42) for marital in ("married", "single")]
    tiny = _tiny_model(model, voters)
    names = list(fields.KEY_FIELDS + fields.CONTEXT_CATEGORY_FIELDS)
    categories = {f: list(domain.known_categories(f) if f in fields.KEY_FIELDS else domain.CATEGORIES[f])
                  for f in names}
    index = {"fields": names, "categories": categories,
             "codes": np.array([[categories[f].index(v[f]) for f in names] for v in voters]),
             "age": np.array([v["age"] for v in voters], dtype=float), "age_scale": tiny.neighbours.age_scale,
             "client_id": tiny.neighbours.client_id}
    clients = [dict(_voter("unknown", age, marital=marital), education="high.school")
               for age in (36, 39, 40, 41, 44, None) for marital in ("married", "single", "divorced")]
    results = scorer.score_clients([scorer.validate_client(c) for c in clients], tiny)
    for client, result in zip(clients, results):
        (filled,) = result.filled
        assert list(filled.neighbours) == _brute_force_neighbours(index, client, "job"), client
