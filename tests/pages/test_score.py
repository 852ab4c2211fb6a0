"""The Score page: its layout, the form, upload and download callbacks called directly, and agreement with the API.

Runs on the full artifacts in model/ (the page reads them through the process's store).
"""

from __future__ import annotations

import base64
import io
import logging

import dash
import pandas as pd
import pytest
from dash.exceptions import PreventUpdate

from app import app as dash_app  # the page registry is global: one app per test session, imported as gunicorn does
from dashapp.artifacts.current import current_store
from dashapp.artifacts.neighbours import N_NEIGHBOURS
from dashapp.core import catalogue, domain
from dashapp.core.fields import KEY_FIELDS
from dashapp.scoring import client_files, score_jobs, scorer
from dashapp.views import score as score_view
from tests.layout_helpers import by_id as _by_id, components as _components, text as _text

SCORE = "pages.score"


@pytest.fixture(scope="module", autouse=True)
def _artifacts(full_store):
    return full_store


@pytest.fixture(scope="module", autouse=True)
def _job_folder(tmp_path_factory):
    """Scored files kept in a folder of this module's own, not the default one in the temp dir."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(score_jobs.JOB_CACHE_ENV, str(tmp_path_factory.mktemp("jobs")))
        score_jobs._scored_files.cache_clear()
        yield
    score_jobs._scored_files.cache_clear()


@pytest.fixture(scope="module")
def page():
    from pages import score

    return score


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def _layout(**query):
    return dash.page_registry[SCORE]["layout"](**query)


def _form_values(page, **changes) -> dict:
    """The form's default values by field, with ``changes`` applied."""
    ids = _by_id(_layout())
    values = {f: ids[page.field_id(f)].value for f in page.FIELDS}
    values.update(changes)
    return values


def _submit(page, **changes):
    out = page.score_one_client(clicks=1, submits=None, form=_form_values(page, **changes))
    return out["result"], out["invalid"], out["feedback"]


def test_the_last_client_scored_is_kept_and_shown_again_when_the_page_opens():
    from pages import score as page

    form = _form_values(page, job="retired", age=70)
    scored = page.score_one_client(clicks=1, submits=None, form=form)
    assert scored["last"] == form
    # The page opens (nothing pressed) with that client in the session's store: its result again.
    reopened = page.score_one_client(clicks=None, submits=None, form=_form_values(page), last=scored["last"])
    assert _segment_shown(reopened["result"]) == _segment_shown(scored["result"])
    # Nothing kept: the page's placeholder stays.
    with pytest.raises(PreventUpdate):
        page.score_one_client(clicks=None, submits=None, form=_form_values(page), last=None)


def _segment_shown(result) -> int:
    from pages.score import SCORE_RESULT_SEGMENT

    return int(_by_id(result)[SCORE_RESULT_SEGMENT].children.removeprefix("Segment "))


def _upload(content: bytes, media_type: str = "text/csv") -> str:
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"


# --- Registry and layout --------------------------------------------------------------------------------


def test_page_is_registered_with_the_pages_that_decide(page):
    registered = dash.page_registry[SCORE]
    assert (registered["path"], registered["name"], registered["nav_group"]) == ("/score", "Score a client", "decide")


def test_page_answers_over_http():
    response = dash_app.server.test_client().get("/score")
    assert response.status_code == 200 and "_dash-config" in response.get_data(as_text=True)


def test_layout_starts_with_typical_key_fields_and_every_other_detail_not_given(page, full_store):
    ids = _by_id(_layout())
    for component_id in (page.SCORE_SUBMIT, page.SCORE_RESULT, page.SCORE_UPLOAD, page.SCORE_UPLOAD_RESULT,
                         page.SCORE_DOWNLOAD, page.SCORE_DOWNLOAD_BUTTON):
        assert component_id in ids, component_id
    clients = full_store.clients
    for field in page.FIELDS:
        assert page.feedback_id(field) in ids
        value = ids[page.field_id(field)].value
        if field in KEY_FIELDS:
            assert value == clients[field][clients[field] != "unknown"].mode().iloc[0], field
        else:  # not given: nothing the user did not choose decides who votes
            assert value in ("", None), field
    assert ids[page.field_id("job")].value == "admin." and ids[page.field_id("housing")].value == "yes"
    assert "the other details start as not given" in _text(_layout())
    assert ids[page.SCORE_DOWNLOAD_BUTTON].disabled is True


def test_dropdowns_have_readable_labels_and_allow_unknown(page):
    ids = _by_id(_layout())
    housing = {o["value"]: o["label"] for o in ids[page.field_id("housing")].options}
    assert housing["yes"] == "Housing loan" and housing["no"] == "No housing loan"
    assert housing["unknown"].startswith("Unknown")
    education = {o["value"]: o["label"] for o in ids[page.field_id("education")].options}
    assert education["university.degree"] == "University degree" and education["unknown"] == "Unknown"
    for field in page.FIELDS:
        if field in KEY_FIELDS:
            assert [o["value"] for o in ids[page.field_id(field)].options] == list(domain.CATEGORIES[field])
        elif field != "age":
            options = ids[page.field_id(field)].options
            assert options[0] == {"label": "Not given", "value": ""}
            assert [o["value"] for o in options[1:]] == list(domain.CATEGORIES[field])


def test_age_hint_states_the_rule_the_validation_applies(page):
    layout = _layout()
    assert _by_id(layout)[page.field_id("age")].placeholder == "16 to 120"
    assert "A whole number from 16 to 120; leave empty if not known." in _text(layout)
    _, _, feedback = _submit(page, age=121)
    assert feedback["age"] == "121 is not an age; expected a whole number from 16 to 120"


def test_form_inputs_and_labels_come_from_the_table_of_client_fields(page):
    from dashapp.core import fields

    ids = _by_id(_layout())
    assert page.FIELDS == fields.NAMES
    labels = [c for c in _components(_layout()) if type(c).__name__ == "Label" and c.html_for != page.SCORE_SHEET]
    assert [label.children for label in labels] == [f.label for f in fields.FIELDS]
    assert all(page.field_id(f) in ids for f in fields.NAMES)


def test_key_fields_rule_is_stated_on_the_form():
    assert "At least two of the three must be known" in _text(_layout())


def test_tab_query_opens_the_file_tab(page):
    assert _by_id(_layout())[page.SCORE_TABS].active_tab == page.TAB_CLIENT
    assert _by_id(_layout(tab="file"))[page.SCORE_TABS].active_tab == page.TAB_FILE
    assert _by_id(_layout(tab="nonsense"))[page.SCORE_TABS].active_tab == page.TAB_CLIENT


def test_page_ids_are_prefixed_by_the_page():
    ids = _by_id(_layout())
    assert ids and all(component_id.startswith("score-") for component_id in ids)


def test_page_without_artifacts_says_what_to_run(page, monkeypatch):
    monkeypatch.setattr(page, "artifact_status", lambda: (None, "No artifacts in /nowhere."))
    layout = _layout()
    assert "artifact-problem" in layout.className
    # The reason names the server's model folder: for the operator's log, not for the page.
    assert "make artifacts" in _text(layout) and "/nowhere" not in _text(layout)


def test_dependencies_list_the_page_callbacks():
    import json

    callbacks = json.loads(dash_app.server.test_client().get("/_dash-dependencies").data)
    outputs = " ".join(callback["output"] for callback in callbacks)
    for output in ("score-result.children", "score-upload-result.children", "score-download.data",
                   "score-job.invalid", "score-age-feedback.children"):
        assert output in outputs, output


# --- One client -------------------------------------------------------------------------------------------


def test_submitting_the_default_form_shows_segment_profile_and_tree(page, full_store, model):
    result, invalid, feedback = _submit(page)
    assert not any(invalid.values()) and not any(feedback.values())
    expected = scorer.score_client(scorer.validate_client(score_view.typical_client(full_store.clients)), model)
    assert _segment_shown(result) == expected.segment
    text = _text(result)
    segment = catalogue.segments(current_store())[expected.segment]
    assert segment.name in text and segment.description in text and segment.products[0] in text
    profile = next(p for p in full_store.profiles["segments"] if p["segment"] == expected.segment)
    assert f"{profile['clients']:,}" in text and f"{profile['subscription_rate']:.1%}" in text
    tree = _by_id(result)[page.SCORE_TREE].figure
    path = next(t for t in tree.data if t.name == "decision path")
    # One bold edge per step of the path: its segments are separated by None.
    assert len([x for x in path.x if x is None]) == len(expected.decision_path) - 1
    assert page.SCORE_RESULT_VOTE not in _by_id(result)


def test_unknown_job_is_filled_and_the_vote_is_shown(page, model):
    result, invalid, _ = _submit(page, job="unknown")
    assert not any(invalid.values())
    vote = _by_id(result)[page.SCORE_RESULT_VOTE]
    text = _text(vote)
    # Only job's neighbours on housing and loan: every training client with the same two votes.
    assert "Job was not known" in text and "training clients most similar on the fields given" in text
    values = _form_values(page, job="unknown")
    core = scorer.score_client(scorer.validate_client(score_view.form_input(values)), model)
    filled = core.filled[0]
    # Said in the label the form shows ('Administrative'), not the code (admin.).
    assert filled.field == "job" and f"'{catalogue.category_label('job', filled.value)}'" in text
    for category, count in filled.votes:
        assert f"{catalogue.category_label('job', category)}: {count}" in text
    rows = [c for c in _components(vote) if type(c).__name__ == "Tr"]
    assert len(rows) == 1 + N_NEIGHBOURS  # header + the voters
    assert f"{filled.neighbours[0]:,}" in text
    assert "filled by the vote of the most similar clients" in _text(result) or "tied vote" in _text(result)


#: A client whose vote ties (found on the full build): the 5 nearest and every one as near are management 2,
#: admin. 2, unemployed 1.
TIED = {"job": "unknown", "age": 23, "education": "university.degree", "marital": "single", "default": "no"}


def test_a_tied_vote_is_said_with_how_it_was_broken(page, model):
    result, invalid, _ = _submit(page, **TIED)
    assert not any(invalid.values())
    tie = _text(_by_id(result)[page.SCORE_RESULT_TIE])
    admin, management = score_view.value_label("job", "admin."), score_view.value_label("job", "management")
    assert tie.startswith(f"A tie between {management!r} and {admin!r} (2 votes each): it went to {management!r}, "
                          "the job of the nearest of the tied clients (client ")
    assert "treat the segment as uncertain" in tie
    vote = _text(_by_id(result)[page.SCORE_RESULT_VOTE])
    assert "no majority" in vote and "the majority's choice" not in vote
    assert "filled by a tied vote of the most similar clients" in _text(result)
    values = _form_values(page, **TIED)
    (filled,) = scorer.score_client(scorer.validate_client(score_view.form_input(values)), model).filled
    assert filled.votes == (("management", 2), ("admin.", 2), ("unemployed", 1))
    assert _by_id(result)[page.SCORE_RESULT_UNCERTAIN]  # 40% for the winner: uncertain, and said
    assert f"client {filled.deciding_neighbour:,}" in tie


def test_a_close_vote_says_so_and_names_the_segment_the_other_way(page, model):
    """The issue's example: a technician without a personal loan, housing unknown, nothing else given."""
    result, invalid, _ = _submit(page, job="technician", housing="unknown", loan="no")
    assert not any(invalid.values())
    (filled,) = scorer.score_client(scorer.validate_client({"job": "technician", "loan": "no"}), model).filled
    assert filled.voters > 1000 and filled.uncertain
    said = _text(_by_id(result)[page.SCORE_RESULT_UNCERTAIN])
    assert said.startswith(f"Uncertain: only {filled.share:.0%} of the votes went to ")
    assert f"the client would be in segment {filled.alternative_segment}" in said


def test_two_unknown_key_fields_are_marked_inline_without_a_result(page):
    result, invalid, feedback = _submit(page, job="unknown", loan="unknown")
    assert invalid == {f: f in ("job", "loan") for f in page.FIELDS}
    assert feedback["job"] == ("Job and Personal loan are unknown; at least two of Job, Housing loan and Personal "
                               "loan must be known")
    assert feedback["job"] == feedback["loan"]
    assert "cannot be scored yet" in _text(result)
    assert page.SCORE_RESULT_SEGMENT not in _by_id(result)


@pytest.mark.parametrize("age, message", [(150, "150 is not an age"), (40.5, "40.5 is not an age"),
                                          ("forty", "'forty' is not an age")])
def test_an_impossible_age_is_marked_inline(page, age, message):
    result, invalid, feedback = _submit(page, age=age)
    assert invalid["age"] and sum(invalid.values()) == 1
    assert feedback["age"].startswith(message)


def test_an_empty_age_is_unknown_and_left_out(page):
    result, invalid, _ = _submit(page, age=None, job="unknown")
    assert not any(invalid.values())
    assert "left out of the comparison" in _text(result)


def test_a_value_the_form_never_offers_is_refused_not_crashed(page):
    _, invalid, feedback = _submit(page, education="phd")
    assert invalid["education"] and "'phd' is not a category of Education" in feedback["education"]


def test_an_unexpected_failure_is_logged_and_shown_as_a_plain_message(page, monkeypatch, caplog):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(page.scorer, "score_client", broken)
    with caplog.at_level(logging.ERROR, logger="pages.score"):
        result, invalid, _ = _submit(page)
    assert "Something went wrong on our side" in _text(result)
    assert "boom" not in _text(result) and "Traceback" not in _text(result)
    assert not any(invalid.values())
    assert any(record.exc_info for record in caplog.records)


THREE_CLIENTS = [
    {"job": "student", "housing": "no", "loan": "no", "age": 22, "marital": "single", "education": "high.school",
     "default": "no"},
    {"job": "unknown", "housing": "yes", "loan": "no", "age": 47, "marital": "married", "education": "basic.9y",
     "default": "unknown"},
    {"job": "technician", "housing": "yes", "loan": "unknown", "age": None, "marital": "divorced",
     "education": "unknown", "default": "no"},
]


def test_page_gives_the_same_segment_as_the_core_and_the_api(page, model):
    from app import server

    api = server.test_client()
    for client in THREE_CLIENTS:
        out = page.score_one_client(clicks=1, submits=None, form={f: client[f] for f in page.FIELDS})
        result = out["result"]
        assert not any(out["invalid"].values())
        core = scorer.score_client(scorer.validate_client(client), model)
        response = api.post("/api/v1/score", json=client)
        assert response.status_code == 200
        assert _segment_shown(result) == core.segment == response.get_json()["segment"], client
        assert response.get_json()["filled"] == [f.to_dict() for f in core.filled]


# --- A file of clients ---------------------------------------------------------------------------------------

UCI_HEADER = '"age";"job";"marital";"education";"default";"housing";"loan";"contact";"note"'
UCI_ROWS = [
    '56;"housemaid";"married";"basic.4y";"no";"no";"no";"telephone";"ok"',
    '37;"services";"married";"high.school";"no";"yes";"no";"telephone";"=HYPERLINK(""http://x.test"",""y"")"',
    '40;"unknown";"married";"basic.6y";"no";"unknown";"no";"telephone";"two keys unknown"',
    '41;"unknown";"married";"university.degree";"no";"yes";"no";"cellular";"job filled"',
    '33;"pilot";"single";"high.school";"no";"yes";"no";"cellular";"no such job"',
    'abc;"admin.";"single";"high.school";"no";"yes";"yes";"cellular";"-1.5"',
    '29;"admin.";"single";"high.school";"no";"no";"yes";"cellular";"@SUM(A1)"',
]


def _uci_file() -> bytes:
    return ("\n".join([UCI_HEADER, *UCI_ROWS]) + "\n").encode()


class _Progress:
    """Stands in for the set_progress Dash gives a background callback (one value per progress output, in a
    list): records what the bar was told."""

    def __init__(self):
        self.told: list[tuple] = []

    def __call__(self, values):
        assert isinstance(values, list)
        self.told.append(tuple(values))


def _score_file(page, content: bytes, filename: str = "clients.csv", progress=None) -> dict:
    return page.score_file(progress or _Progress(), _upload(content), filename)


def _upload_result(page, content: bytes, filename: str = "clients.csv"):
    out = _score_file(page, content, filename)
    assert out["message"] is None
    assert (out["scored"] is None) is out["disabled"]  # a download exactly when a scored file is kept
    return out["result"], out["disabled"]


def _rows(component) -> list:
    return [c for c in _components(component) if type(c).__name__ == "Tr"]


def test_upload_scores_the_file_keeps_every_row_and_lists_refused_rows(page, model):
    children, scored_disabled = _upload_result(page, _uci_file())
    assert scored_disabled is False
    ids = _by_id(children)
    summary = _text(ids[page.SCORE_UPLOAD_SUMMARY])
    assert "'clients.csv': 4 of 7 rows scored" in summary
    assert "3 rows could not be scored; they are in the scored file too" in summary
    assert "9 columns plus status, segment, segment_name, filled" in summary
    assert "Read as UTF-8, ';'-separated; the scored file is written the same way." in summary
    expected = scorer.score_table(client_files.read_client_csv(_uci_file()).table, model)
    counts = scorer.segment_counts(expected, catalogue.segment_names(current_store()))
    count_rows = _rows(ids[page.SCORE_UPLOAD_SUMMARY])[1:]
    shown = {_text(row.children[1]): int(_text(row.children[2])) for row in count_rows}
    assert shown == {catalogue.segments(current_store())[n].name: count for n, count in counts.items()}
    assert sum(counts.values()) == 4
    rows = _rows(ids[page.SCORE_UPLOAD_PREVIEW])
    assert len(rows) == 1 + 7  # every row, scored or not
    header = [cell.children for cell in rows[0].children]
    assert header == ["Status", "Segment", "Row", "Job", "Housing loan", "Personal loan", "Age", "Marital status",
                      "Education", "Credit in default", "Filled by the vote"]
    assert [_text(r.children[2]) for r in rows[1:]] == ["2", "3", "4", "5", "6", "7", "8"]
    assert [_text(r.children[0]) for r in rows[1:]] == ["scored", "scored", "not scored", "scored", "not scored",
                                                       "not scored", "scored"]
    assert _text(rows[3].children[1]) == ""  # no segment where none can be given
    label = score_view.value_label
    assert [_text(c) for c in rows[1].children[3:10]] == [
        label("job", "housemaid"), "No housing loan", "No personal loan", "56", label("marital", "married"),
        "Basic (4 years)", "No credit in default"]
    assert _text(rows[1].children[8]) == "Basic (4 years)"  # a readable label, not basic.4y
    assert "job = " in _text(rows[4])  # row 5: the filled job and its vote
    refused = _text(ids[page.SCORE_UPLOAD_REFUSED])
    assert "Rows that could not be scored (3)" in refused
    assert "Job and Housing loan are unknown" in refused
    assert "'pilot' is not a category of Job" in refused
    assert "'abc' is not an age" in refused


def test_refused_rows_are_listed_once_per_problem_with_their_first_rows(page):
    """A file whose rows are all refused for one reason lists that reason once, with its first rows."""
    rows = 3 * score_view.REFUSALS_LISTED
    content = b"job;housing;loan\n" + b"".join(f"pilot;yes;no\nbad{i};yes;no\n".encode() for i in range(rows))
    children, _ = _upload_result(page, content)
    refused = _by_id(children)[page.SCORE_UPLOAD_REFUSED]
    table = _rows(refused)
    assert [_text(cell) for cell in table[0].children] == list(score_view.REFUSALS_HEADER)
    first = [_text(cell) for cell in table[1].children]
    assert first[0].startswith("'pilot' is not a category of Job") and first[1] == f"{rows:,}"
    assert first[2] == ", ".join(str(r) for r in range(2, 2 + 2 * scorer.REFUSAL_ROWS_LISTED, 2)) + ", ..."
    assert len(table) == 1 + score_view.REFUSALS_LISTED  # the commonest problems, not one line per row
    assert f"... and {rows + 1 - score_view.REFUSALS_LISTED:,} more distinct problems." in _text(refused)
    assert "status column says, for every row, why it was not scored" in _text(refused)


def test_the_upload_hint_states_every_limit(page):
    hint = _text(_layout())
    assert (f"Up to 50 MB, {client_files.MAX_UPLOAD_ROWS:,} rows and {client_files.MAX_UPLOAD_COLUMNS:,} columns"
            in hint)


def test_upload_of_a_comma_separated_file_with_only_the_key_columns(page):
    content = b"job,housing,loan\nstudent,no,no\nadmin.,yes,yes\n"
    children, scored_disabled = _upload_result(page, content)
    assert scored_disabled is False
    ids = _by_id(children)
    assert "2 of 2 rows scored" in _text(ids[page.SCORE_UPLOAD_SUMMARY])
    assert "Every row was scored" in _text(ids[page.SCORE_UPLOAD_SUMMARY])
    assert page.SCORE_UPLOAD_REFUSED not in ids


def test_upload_of_a_cp1251_tab_file_with_headers_and_values_in_any_case(page):
    text = "ФИО\tJob\t Housing \tLOAN\nИванов\tAdmin.\tYes\tno\nПетров\t technician\tyes\tNo\n"
    children, _ = _upload_result(page, text.encode("cp1251"))
    ids = _by_id(children)
    read_as = _text(ids[page.SCORE_UPLOAD_READ_AS])
    assert "Read as Windows-1251 (Cyrillic), tab-separated" in read_as
    for line in ("column ' Housing ' read as housing", "column 'LOAN' read as loan",
                 "Job: 'Admin.' read as 'admin.' (1 row)", " Housing : 'Yes' read as 'yes' (1 row)",
                 "Job: ' technician' read as 'technician' (1 row)", "LOAN: 'No' read as 'no' (1 row)"):
        assert line in read_as, line
    assert "2 of 2 rows scored" in _text(ids[page.SCORE_UPLOAD_SUMMARY])


@pytest.mark.parametrize("content, message", [
    (b"", "'clients.csv' is empty"),
    (b"   \n\n", "'clients.csv' is empty"),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "is a damaged workbook or zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "an Excel 97-2003 workbook (.xls)"),
    (b"job;housing;loan\x00\x01\x02" + bytes(range(256)), "is a binary file"),
    (b"name,balance\nAna,12\n", "has no column 'job', 'housing', 'loan'"),
    (b"job;housing;loan\n", "has a header but no client rows"),
])
def test_unreadable_files_get_a_clear_message(page, content, message):
    children, scored_disabled = _upload_result(page, content)
    assert message in _text(children)
    assert "upload-problem" in children.className
    assert scored_disabled is True


def test_a_file_over_the_limit_is_refused_with_its_size(page):
    content = b"job;housing;loan\n" + b"admin.;yes;no\n" * (client_files.MAX_UPLOAD_BYTES // 14 + 10)
    children, scored_disabled = _upload_result(page, content)
    assert "is 50.0 MB; the limit is 50 MB" in _text(children) and scored_disabled is True
    assert "Up to 50 MB" in _text(_layout())


def test_upload_that_is_not_a_data_url_is_refused(page):
    out = page.score_file(_Progress(), "not a file", "clients.csv")
    assert "choose the file again" in _text(out["result"]) and out["disabled"] is True
    out = page.score_file(_Progress(), "data:text/csv;base64,@@@", "clients.csv")
    assert "arrived damaged" in _text(out["result"])


def test_an_unexpected_upload_failure_is_logged_not_shown(page, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise KeyError("internal")

    monkeypatch.setattr(page.scorer, "score_table", broken)
    with caplog.at_level(logging.ERROR, logger="pages.score"):
        children, scored_disabled = _upload_result(page, _uci_file())
    assert "Something went wrong on our side" in _text(children) and "internal" not in _text(children)
    assert scored_disabled is True
    assert any(record.exc_info for record in caplog.records)


# --- Downloads ----------------------------------------------------------------------------------------------


def _download(page, content: bytes, filename: str = "clients.csv", scored: dict | None = None):
    out = page.download_file(_Progress(), 1, scored, _upload(content), filename)
    assert out["message"] is None
    return out["download"]


def test_download_holds_every_row_and_column_plus_the_status_with_formulas_neutralised(page, model):
    data = _download(page, _uci_file())
    assert data["filename"] == "clients-scored.csv" and data["base64"] is True
    content = base64.b64decode(data["content"])
    text = content.decode("utf-8")
    scored = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    original = [c.strip('"') for c in UCI_HEADER.split(";")]
    assert list(scored.columns) == original + ["status", "segment", "segment_name", "filled"]
    assert len(scored) == 7 and scored["age"].tolist() == ["56", "37", "40", "41", "33", "abc", "29"]
    notes = scored.set_index("age")["note"]
    assert notes["37"] == "'=HYPERLINK(\"http://x.test\",\"y\")"  # a formula made inert
    assert notes["29"] == "'@SUM(A1)"
    assert notes["abc"] == "-1.5"  # a number stays a number
    assert notes["56"] == "ok"
    expected = scorer.score_table(client_files.read_client_csv(_uci_file()).table, model).table
    assert scored["segment"].tolist() == [str(s) if not pd.isna(s) else "" for s in expected["segment"]]
    assert scored["status"].tolist() == expected["status"].tolist()
    assert scored["status"].iat[2].startswith("not scored: Job and Housing loan are unknown")
    filled = scored.set_index("age")["filled"]
    assert filled["41"].startswith("job = ") and filled["56"] == ""
    # The input's own lines are in the download byte for byte, each followed by the added cells.
    for line, out in zip([UCI_HEADER, *UCI_ROWS][:2], text.splitlines()):
        assert out.startswith(line + ";")


def test_download_without_an_upload_does_nothing(page):
    with pytest.raises(PreventUpdate):
        page.download_file(_Progress(), 1, None, None, None)


def test_download_failure_says_so_in_plain_words(page, caplog):
    with caplog.at_level(logging.ERROR, logger="pages.score"):
        out = page.download_file(_Progress(), 1, None, _upload(b""), "clients.csv")
    assert out["download"] is dash.no_update and "Something went wrong" in _text(out["message"])


def test_scoring_a_file_tells_the_progress_bar_and_keeps_the_scored_file_for_the_download(page, model, monkeypatch):
    progress = _Progress()
    out = _score_file(page, _uci_file(), "march.csv", progress)
    assert progress.told[0] == (0, 1, "Reading the file\u2026")
    assert (7, 7, "7 of 7 rows scored") in progress.told
    assert progress.told[-1] == (7, 7, "Writing the scored file\u2026")
    file = client_files.read_client_csv(_uci_file())
    expected = score_view.scored_file_bytes(file, scorer.score_table(file.table, model))
    assert out["scored"]["filename"] == "march-scored.csv"
    assert score_jobs.scored_file(out["scored"]["token"]) == expected

    def not_again(*_args, **_kwargs):
        raise AssertionError("the download scored the file again")

    monkeypatch.setattr(page.scorer, "score_table", not_again)
    data = _download(page, _uci_file(), "march.csv", scored=out["scored"])
    assert data["filename"] == "march-scored.csv" and base64.b64decode(data["content"]) == expected


def test_a_download_whose_scored_file_is_gone_scores_the_upload_again(page, model):
    progress = _Progress()
    out = page.download_file(progress, 1, {"token": "expired", "filename": "old-scored.csv"}, _upload(_uci_file()),
                             "march.csv")
    file = client_files.read_client_csv(_uci_file())
    expected = score_view.scored_file_bytes(file, scorer.score_table(file.table, model))
    assert out["download"]["filename"] == "march-scored.csv"
    assert base64.b64decode(out["download"]["content"]) == expected
    assert (7, 7, "7 of 7 rows scored") in progress.told


def test_cancel_says_which_job_stopped(page):
    stopped = page.cancelled(1, page.HIDDEN)  # the result is hidden while a file is scored
    assert "Scoring stopped" in _text(stopped["result"]) and stopped["disabled"] is True
    assert stopped["scored"] is None
    stopped = page.cancelled(1, page.SHOWN)  # and shown while a download scores it again
    assert stopped["result"] is dash.no_update and stopped["scored"] is dash.no_update
    assert "Download stopped" in _text(stopped["message"])


def test_the_browser_keeps_files_over_the_limit_and_the_page_says_so(page):
    ids = _by_id(_layout(tab="file"))
    upload = ids[page.SCORE_UPLOAD]
    assert upload.max_size == client_files.MAX_UPLOAD_BYTES
    wrapper = next(c for c in _components(_layout(tab="file"))
                   if getattr(c, "data-max-bytes", None) is not None)
    assert int(getattr(wrapper, "data-max-bytes")) == client_files.MAX_UPLOAD_BYTES
    assert getattr(wrapper, "data-message") == page.SCORE_UPLOAD_TOO_LARGE and page.SCORE_UPLOAD_TOO_LARGE in ids


# --- The plain-data helpers ---------------------------------------------------------------------------------


def test_form_input_turns_browser_values_into_client_fields():
    values = score_view.form_input({"job": "admin.", "housing": None, "loan": "", "age": 41.0})
    assert values["housing"] == values["loan"] == "unknown" and values["age"] == 41
    assert isinstance(values["age"], int)
    assert score_view.form_input({"age": ""})["age"] is None
    assert score_view.form_input({"age": 40.5})["age"] == 40.5


def test_decode_upload_reads_data_urls_only():
    assert score_view.decode_upload(_upload(b"job;housing;loan\n")) == b"job;housing;loan\n"
    for contents in (None, "", "text", "data:text/csv,plain"):
        with pytest.raises(client_files.ClientFileError):
            score_view.decode_upload(contents)


def test_download_names_follow_the_upload():
    assert score_view.scored_filename("March clients.csv") == "March clients-scored.csv"
    assert score_view.scored_filename(None) == "clients-scored.csv"


def test_normalised_summary_lists_the_most_common_first():
    lines = score_view.normalised_summary({("housing", "Yes", "yes"): 3, ("job", "Admin.", "admin."): 1})
    assert lines == ["housing: 'Yes' read as 'yes' (3 rows)", "job: 'Admin.' read as 'admin.' (1 row)"]


# --- A workbook (.xlsx) --------------------------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _uci_workbook() -> bytes:
    """The UCI rows above as a workbook's second sheet (numbers as numbers), after a sheet of notes."""
    table = pd.read_csv(io.BytesIO(_uci_file()), sep=";", dtype=object, keep_default_na=False)
    table["age"] = [int(a) if a.isdigit() else a for a in table["age"]]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        notes = pd.DataFrame({"job": ["admin."], "housing": ["yes"], "loan": ["no"]})
        notes.to_excel(writer, sheet_name="Notes", index=False)
        table.to_excel(writer, sheet_name="March calls", index=False)
        for row in writer.sheets["March calls"].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text a user typed, not a formula (openpyxl takes "=..." for one)
    return buffer.getvalue()


def test_upload_of_a_workbook_scores_its_first_sheet_and_offers_the_others(page):
    out = page.score_file(_Progress(), _upload(_uci_workbook(), XLSX_TYPE), "march.xlsx")
    summary = _text(_by_id(out["result"])[page.SCORE_UPLOAD_SUMMARY])
    assert "'march.xlsx': 1 of 1 rows scored" in summary
    assert "Read as an Excel workbook, sheet 'Notes' (1 of 2); the scored file is written the same way." in summary
    assert out["sheets"] == [{"label": "Notes", "value": "Notes"}, {"label": "March calls", "value": "March calls"}]
    assert out["sheet"] == "Notes" and out["sheet_area"] == page.SHOWN
    assert out["scored"]["filename"] == "march-scored.xlsx" and out["scored"]["sheet"] == "Notes"


def test_choosing_another_sheet_scores_it_into_a_workbook(page, model):
    out = page.score_sheet(_Progress(), "March calls", _upload(_uci_workbook(), XLSX_TYPE), "march.xlsx",
                           {"token": "t", "filename": "march-scored.xlsx", "sheet": "Notes"})
    assert "'march.xlsx': 4 of 7 rows scored" in _text(_by_id(out["result"])[page.SCORE_UPLOAD_SUMMARY])
    assert out["sheet"] == "March calls" and out["scored"]["sheet"] == "March calls"
    scored = pd.read_excel(io.BytesIO(score_jobs.scored_file(out["scored"]["token"])), sheet_name=None)
    (sheet, table), = scored.items()
    assert sheet == "March calls" and len(table) == 7
    assert table["age"].tolist()[:5] == [56, 37, 40, 41, 33] and table["age"].iloc[5] == "abc"  # numbers stay numbers
    assert table["note"].iloc[1] == "'=HYPERLINK(\"http://x.test\",\"y\")"  # formula text neutralised
    assert table["status"].tolist()[:2] == ["scored", "scored"]
    expected = scorer.score_table(client_files.read_client_csv(_uci_file()).table, model)
    assert table["segment"].iloc[:2].tolist() == expected.table["segment"].iloc[:2].tolist()
    # The download of a scored file that is gone scores the chosen sheet again.
    again = page.download_file(_Progress(), 1, {**out["scored"], "token": "gone"},
                               _upload(_uci_workbook(), XLSX_TYPE), "march.xlsx")
    assert again["download"]["filename"] == "march-scored.xlsx"
    assert len(pd.read_excel(io.BytesIO(base64.b64decode(again["download"]["content"])))) == 7


def test_the_sheet_just_read_is_not_scored_again_and_a_missing_one_is_said(page):
    with pytest.raises(PreventUpdate):
        page.score_sheet(_Progress(), "Notes", _upload(_uci_workbook()), "m.xlsx", {"sheet": "Notes"})
    out = page.score_sheet(_Progress(), "Gone", _upload(_uci_workbook()), "m.xlsx", {"sheet": "Notes"})
    assert "has no sheet 'Gone'; its sheets are 'Notes', 'March calls'" in _text(out["result"])
    assert out["sheets"] is dash.no_update  # the chooser stays, to pick another sheet


def test_a_csv_upload_hides_the_sheet_chooser(page):
    out = page.score_file(_Progress(), _upload(_uci_file()), "clients.csv")
    assert out["sheets"] == [] and out["sheet"] is None and out["sheet_area"] == page.HIDDEN
    assert out["scored"]["filename"] == "clients-scored.csv"


def test_a_workbook_whose_first_sheet_is_not_clients_offers_its_sheets(page):
    content = _uci_workbook()
    book = pd.read_excel(io.BytesIO(content), sheet_name=None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"about": ["March calls"]}).to_excel(writer, sheet_name="Read me", index=False)
        book["March calls"].to_excel(writer, sheet_name="March calls", index=False)
    out = page.score_file(_Progress(), _upload(buffer.getvalue(), XLSX_TYPE), "march.xlsx")
    assert "sheet 'Read me' (1 of 2), its columns are 'about'" in _text(out["result"])
    assert out["sheets"] == [{"label": "Read me", "value": "Read me"}, {"label": "March calls", "value": "March calls"}]
    assert out["sheet"] is None and out["sheet_area"] == page.SHOWN and out["scored"] is None


def test_each_view_of_the_score_page_keys_its_jobs_apart():
    # Dash keys a background job by its inputs; each page view's own token among them keeps two people's jobs on
    # the same file apart (issue 25, item 2).
    from pages import score

    tokens = {_by_id(score.layout())[score.SCORE_JOB_TOKEN].data for _view in range(3)}
    assert len(tokens) == 3 and all(len(token) >= 20 for token in tokens)
