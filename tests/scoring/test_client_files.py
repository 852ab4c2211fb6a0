"""Files of clients: read as a spreadsheet wrote them, written back the same way, every row and column kept.

The round-trip tests build small files here (Windows-1251 with a Cyrillic header, a UTF-8 byte-order mark, tabs,
decimal commas, a client_id column, rows that cannot be scored) and compare the scored file byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd
import pytest

from dashapp.scoring import client_files, scorer
from dashapp.scoring.client_files import ClientFileError, Dialect, read_client_csv

ADDED = ("status", "segment", "segment_name", "filled")


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def _scored_bytes(content: bytes, model) -> tuple[bytes, scorer.TableScore]:
    file = read_client_csv(content)
    result = scorer.score_table(file.table, model)
    return client_files.client_csv_bytes(result.table, file.dialect), result


def _added_cells(result: scorer.TableScore, row: int, delimiter: str) -> str:
    """What the scored file appends to an input line: our four cells, as the writer writes them."""
    cells = [str(v) if not pd.isna(v) else "" for v in result.table.iloc[row, -4:]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(cells)  # quoted only where needed
    return buffer.getvalue()


# --- Reading ---------------------------------------------------------------------------------------------


CSV = b"job,housing,loan,age,note\nadmin.,yes,no,40,first\nstudent,no,no,22,second\n"


def test_comma_semicolon_and_tab_files_read_alike():
    comma = read_client_csv(CSV)
    uci = read_client_csv(b'"job";"housing";"loan";"age";"note"\n"admin.";"yes";"no";40;"first"\n'
                          b'"student";"no";"no";22;"second"\n')
    tab = read_client_csv(CSV.replace(b",", b"\t"))
    assert (comma.dialect.delimiter, uci.dialect.delimiter, tab.dialect.delimiter) == (",", ";", "\t")
    assert (comma.dialect.quote_text, uci.dialect.quote_text) == (False, True)
    pd.testing.assert_frame_equal(comma.table, uci.table)
    pd.testing.assert_frame_equal(comma.table, tab.table)
    assert comma.table["age"].tolist() == ["40", "22"]


def test_headers_are_matched_in_any_case_with_spaces_around_and_kept_as_written():
    file = read_client_csv(b"Job, Housing, Loan, Age\nadmin., yes, no, 40\n")
    assert file.columns == {"job": "Job", "housing": " Housing", "loan": " Loan", "age": " Age"}
    assert list(file.table.columns) == ["Job", " Housing", " Loan", " Age"]
    assert file.table.iloc[0].tolist() == ["admin.", " yes", " no", " 40"]  # cells exactly as written


@pytest.mark.parametrize(("text", "encoding", "bom", "codec"), [
    ("ФИО;job;housing;loan\nИванов Иван;admin.;yes;no\n", "cp1251", False, "cp1251"),
    ("name;job;housing;loan\nJosé Núñez;técnico;sí;no\n", "cp1252", False, "cp1252"),
    ("job,housing,loan\nadmin.,sí,no\n", "latin-1", False, "cp1252"),
    ("\ufeffФИО\tjob\thousing\tloan\nИванов\tadmin.\tyes\tno\n", "utf-8", True, "utf-8"),
    ("ФИО,job,housing,loan\nИванов,admin.,yes,no\n", "utf-8", False, "utf-8"),
])
def test_the_common_encodings_of_russian_and_western_spreadsheets_are_detected(text, encoding, bom, codec):
    file = read_client_csv(text.encode(encoding))
    assert (file.dialect.encoding, file.dialect.bom) == (codec, bom)
    assert file.table.columns[0] in ("ФИО", "name", "job")
    assert file.table.iloc[0, 0] == text.lstrip("\ufeff").splitlines()[1].split(file.dialect.delimiter)[0]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b" \n\n", "The file is empty"),
    (b"PK\x03\x04rest-of-a-workbook", "looks like an Excel workbook or a zip archive"),
    (b"job,housing\x00,loan\n", "is a binary file"),
    ("job,housing,loan\n".encode("utf-16"), "is UTF-16 text"),
    (b"job,housing,age\nadmin.,yes,40\n", "has no column 'loan'"),
    (b"job,housing,loan\n", "has a header but no client rows"),
    (b'job,housing,loan\n"admin.,yes,no\n', "is not a well-formed CSV file"),
    (b"job,JOB ,housing,loan\nadmin.,admin.,yes,no\n", "has more than one column for job ('job', 'JOB ')"),
])
def test_read_client_csv_explains_files_it_cannot_read(content, message):
    with pytest.raises(ClientFileError) as raised:
        read_client_csv(content)
    assert message in str(raised.value)


def test_a_missing_column_message_shows_how_the_file_was_read():
    with pytest.raises(ClientFileError) as raised:
        read_client_csv(b"name;balance\nAna;12\n")
    assert str(raised.value).startswith("The file has no column 'job', 'housing', 'loan' (read as UTF-8, "
                                        "';'-separated, its columns are 'name', 'balance')")


def test_read_client_csv_refuses_files_over_the_limit():
    with pytest.raises(ClientFileError, match=r"is 0\.0 MB; the limit is 0 MB"):
        read_client_csv(CSV, max_bytes=10)


# --- Neutralising formulas --------------------------------------------------------------------------------


def test_formula_cells_are_neutralised_but_numbers_in_either_convention_stay_numbers():
    table = pd.DataFrame({
        "text": ["=1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rx", "plain", "+7 (495) 123-45-67", "-cmd|' /C calc'!A0",
                 "-1.8", "-1,8", "-46,2", "+3", "1e5", "1.234,5", "-1 234,5", "12%", "", "-"],
        "numbers": list(range(-1, 17)),
    })
    safe = client_files.neutralise_formulas(table)
    assert safe["text"].tolist() == ["'=1+2", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rx", "plain",
                                     "'+7 (495) 123-45-67", "'-cmd|' /C calc'!A0", "-1.8", "-1,8", "-46,2", "+3",
                                     "1e5", "1.234,5", "-1 234,5", "12%", "", "'-"]
    assert safe["numbers"].tolist() == [str(n) for n in table["numbers"]]
    assert table["text"].iat[0] == "=1+2"


def test_headers_that_a_spreadsheet_would_run_are_neutralised_too():
    table = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "-1,5": ["y"], "job": ["admin."]})
    written = client_files.client_csv_bytes(table, Dialect(delimiter=";"))
    assert written.decode().splitlines()[0] == "'=cmd|' /C calc'!A0;-1,5;job"


# --- Round trips ----------------------------------------------------------------------------------------------


def _cp1251_file() -> tuple[list[str], bytes]:
    lines = ["ФИО;client_id;Job; Housing ;LOAN;age;balance;phone",
             "Иванов Иван;007;Admin.;Yes;no;40;-1,8;8 495 123-45-67",
             "Петрова Анна;008;technician;unknown;unknown;35;-46,2;8 (812) 555",  # two key fields unknown
             "Сидоров Пётр;009;unknown;yes;no;25;1.234,5;",                      # job filled by the vote
             "Кузнецова Ольга;010;pilot;yes;no;abc;=1+2;+7 (999) 123"]                 # refused twice over
    return lines, ("\r\n".join(lines) + "\r\n").encode("cp1251")


def test_a_cp1251_file_round_trips_byte_for_byte_plus_the_status_columns(model):
    lines, content = _cp1251_file()
    written, result = _scored_bytes(content, model)
    out = written.decode("cp1251").split("\r\n")
    assert out[-1] == "" and len(out) - 1 == len(lines)  # every row, CRLF kept, nothing else
    assert out[0] == lines[0] + ";" + ";".join(ADDED)
    for row, line in enumerate(lines[1:-1]):
        assert out[row + 1] == line + ";" + _added_cells(result, row, ";"), row
    # The last row's formula is neutralised; everything else in it is kept.
    assert out[4].startswith("Кузнецова Ольга;010;pilot;yes;no;abc;'=1+2;'+7 (999) 123;\"not scored: ")
    assert written.startswith("ФИО;".encode("cp1251"))
    statuses = result.table["status"].tolist()
    assert statuses[0] == statuses[2] == "scored"
    assert statuses[1] == ("not scored: Housing loan and Personal loan are unknown; at least two of Job, "
                           "Housing loan and Personal loan must be known")
    assert statuses[3].startswith("not scored: 'pilot' is not a category of Job") and "'abc' is not an age" in statuses[3]
    assert result.table["segment"].isna().tolist() == [False, True, False, True]
    assert result.table["filled"].iat[2].startswith("job = ")


def test_a_utf8_file_with_a_byte_order_mark_and_tabs_keeps_both(model):
    text = "ФИО\tjob\thousing\tloan\tclient_id\nИванов\tstudent\tno\tno\tA-1\nПетров\tadmin.\tunknown\tunknown\tA-2\n"
    written, result = _scored_bytes(codecs.BOM_UTF8 + text.encode(), model)
    assert written.startswith(codecs.BOM_UTF8 + "ФИО\tjob".encode())
    out = written[len(codecs.BOM_UTF8):].decode("utf-8").split("\n")
    assert out[0] == "ФИО\tjob\thousing\tloan\tclient_id\t" + "\t".join(ADDED)
    assert out[1] == "Иванов\tstudent\tno\tno\tA-1\t" + _added_cells(result, 0, "\t")
    assert out[2].startswith("Петров\tadmin.\tunknown\tunknown\tA-2\tnot scored: ")  # no tab in it: bare
    assert "\t\t" in out[2]  # the empty segment and segment name


def test_the_uci_file_round_trips_with_its_quoting(bank_csv, model):
    content = bank_csv.read_bytes()
    written, result = _scored_bytes(content, model)
    lines_in, lines_out = content.decode().split("\r\n"), written.decode().split("\r\n")
    assert len(lines_out) == len(lines_in)
    assert all(out.startswith(line + ";") for line, out in zip(lines_in[:-1], lines_out))
    assert lines_out[0].endswith('"y";"status";"segment";"segment_name";"filled"')


def test_a_comma_file_quotes_only_cells_that_need_it(model):
    content = b'job,housing,loan,name\nadmin.,yes,no,"Smith, John"\nstudent,no,no,"say ""hi"""\n'
    written, result = _scored_bytes(content, model)
    out = written.decode().split("\n")
    assert out[1] == 'admin.,yes,no,"Smith, John",' + _added_cells(result, 0, ",")
    assert out[2].startswith('student,no,no,"say ""hi""",scored,3,')


# --- Any size, in chunks ----------------------------------------------------------------------------------------


def test_stream_writes_exactly_what_the_upload_download_holds(tmp_path, model):
    _lines, content = _cp1251_file()
    source = tmp_path / "clients.csv"
    source.write_bytes(content)
    summary = client_files.score_csv_stream(source, tmp_path / "out.csv", model, chunk_rows=2)
    assert (tmp_path / "out.csv").read_bytes() == _scored_bytes(content, model)[0]
    assert (summary.rows, summary.scored, summary.refused) == (4, 2, 2)
    assert summary.dialect == Dialect("cp1251", False, ";", "\r\n", False)
    assert summary.normalised == {("Job", "Admin.", "admin."): 1, (" Housing ", "Yes", "yes"): 1}


def test_stream_scores_in_chunks_like_one_table(tmp_path, model):
    rows = pd.DataFrame({"job": ["admin.", "unknown", "nurse", "student", "unknown"] * 3,
                         "housing": ["yes", "yes", "no", "unknown", "unknown"] * 3,
                         "loan": ["no", "no", "no", "no", "yes"] * 3,
                         "age": [str(a) for a in range(30, 45)]})
    source = tmp_path / "in.csv"
    rows.to_csv(source, index=False)
    summary = client_files.score_csv_stream(source, tmp_path / "out.csv", model, chunk_rows=4)
    whole = scorer.score_table(rows.astype(object), model)
    streamed = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert streamed["status"].tolist() == whole.table["status"].tolist()
    assert streamed["segment"].tolist() == [str(s) if not pd.isna(s) else "" for s in whole.table["segment"]]
    assert streamed["filled"].tolist() == whole.table["filled"].tolist()
    assert whole.refused_rows.tolist() == [4, 6, 9, 11, 14, 16]
    assert summary.scored == 9 and summary.refused == 6 and sum(summary.segments.values()) == 9


def test_a_failed_stream_leaves_no_half_file(tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_bytes(b'job,housing,loan\nadmin.,yes,no\n"admin.,yes,no\n')
    with pytest.raises(ClientFileError, match="not a well-formed CSV"):
        client_files.score_csv_stream(source, tmp_path / "out.csv", model)
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_dialect_describes_itself_as_the_page_says_it():
    assert Dialect("utf-8", True, "\t").describe() == "UTF-8 with a byte-order mark, tab-separated"
    assert Dialect("cp1251", False, ";").describe() == "Windows-1251 (Cyrillic), ';'-separated"


def test_io_helpers_write_into_an_open_file():
    buffer = io.BytesIO()
    client_files.write_client_csv(pd.DataFrame({"a": ["1"]}), buffer, Dialect(), header=True)
    client_files.write_client_csv(pd.DataFrame({"a": ["2"]}), buffer, Dialect(), header=False)
    assert buffer.getvalue() == b"a\n1\n2\n"


# --- Limits and headers (issue 13) ------------------------------------------------------------------------------


def test_a_header_wider_than_the_column_limit_is_refused_before_the_rows_are_read():
    header = ",".join(["job", "housing", "loan"] + [f"c{i}" for i in range(100_000)])
    content = (header + "\n" + "not,even,a,row\n").encode()  # malformed rows: never parsed
    with pytest.raises(ClientFileError, match=r"has 100,003 columns .*; the limit is 500\. Keep the columns"):
        read_client_csv(content)
    limit = client_files.MAX_UPLOAD_COLUMNS
    at_limit = ",".join(["job", "housing", "loan"] + [f"c{i}" for i in range(limit - 3)])
    assert read_client_csv((at_limit + "\n" + ",".join(["admin.", "yes", "no"] + ["1"] * (limit - 3)) + "\n")
                           .encode()).table.shape == (1, limit)


def test_more_rows_than_the_limit_are_refused_before_scoring():
    limit = client_files.MAX_UPLOAD_ROWS
    content = b"job;housing;loan\n" + b"admin.;yes;no\n" * (limit + 1)
    with pytest.raises(ClientFileError, match=f"has {limit + 1:,} rows of clients; the limit is {limit:,}"):
        read_client_csv(content)
    assert len(read_client_csv(b"job;housing;loan\n" + b"admin.;yes;no\n" * 3, max_rows=3).table) == 3


def test_formula_headers_are_neutralised_in_the_download_and_the_stream(model, tmp_path):
    content = ('job;housing;loan;=HYPERLINK("http://x");+cmd;-2+3;@SUM(A1);-1,5;\tnote\n'
               "admin.;yes;no;a;b;c;d;e;f\n").encode()
    written, _result = _scored_bytes(content, model)
    header = written.decode().splitlines()[0]
    assert header == ('job;housing;loan;"\'=HYPERLINK(""http://x"")";\'+cmd;\'-2+3;\'@SUM(A1);-1,5;\'\tnote;'
                      + ";".join(ADDED))
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    client_files.score_csv_stream(source, tmp_path / "out.csv", model)
    assert (tmp_path / "out.csv").read_bytes() == written
