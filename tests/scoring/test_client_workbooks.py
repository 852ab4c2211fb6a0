"""Files of clients as .xlsx workbooks: read one sheet as the spreadsheet stored it, score it, write it back as a
workbook with every row, column and value kept, numbers as numbers, formula text neutralised; clear refusals.

The workbooks are built here with openpyxl (typed cells: numbers, dates, booleans, text that looks like a number
or a formula, empty cells and rows).
"""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashapp.scoring import client_workbooks, score_jobs, scorer, workbook_limits
from dashapp.scoring.client_files import ClientFileError
from dashapp.scoring.client_workbooks import WorkbookSheet, read_client_file, read_client_workbook

HEADER = ["client_id", "Job", " Housing", "LOAN", "age", "signed", "balance", "note", "zip"]
ROWS = [
    [1, "admin.", "yes", "no", 41, datetime.datetime(2008, 5, 5), -1.5, "=HYPERLINK(\"http://x\")", "0012"],
    [2, "Student", " No", "no", 22, datetime.datetime(2009, 1, 2, 13, 30), 1234567.25, "-1,8", "0013"],
    [3, "pilot", "yes", "no", None, None, None, "+cmd", None],
    [None, None, None, None, None, None, None, None, None],
    [5, "retired", "no", "yes", 70.0, True, 0, "@SUM(A1)", "-"],
]


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, as a user typed it with a quote
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CLIENTS = _workbook({"Notes": [["written by"], ["the branch"]], "Clients": [HEADER, *ROWS]})


@pytest.fixture(scope="module")
def model(full_store):
    return scorer.scoring_model(full_store)


def _cells(content: bytes, sheet: str | None = None) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = book[sheet or book.sheetnames[0]].iter_rows(values_only=True)
    return [list(row) for row in rows]


def test_a_named_sheet_is_read_with_every_cell_as_stored():
    file = read_client_file(CLIENTS, sheet="clients")  # a sheet's name in any case
    assert file.dialect == WorkbookSheet("Clients", ("Notes", "Clients"))
    assert file.dialect.describe() == "an Excel workbook, sheet 'Clients' (2 of 2)"
    assert list(file.table.columns) == HEADER
    assert file.columns == {"job": "Job", "housing": " Housing", "loan": "LOAN", "age": "age"}
    assert file.table.iloc[0].tolist() == [1, "admin.", "yes", "no", 41, datetime.datetime(2008, 5, 5), -1.5,
                                           "=HYPERLINK(\"http://x\")", "0012"]
    assert file.table.iloc[3].tolist() == [""] * 9  # an empty row in the middle is a row of the sheet
    assert file.table.iloc[4, 4] == 70 and file.table.iloc[4, 5] is True


def test_the_first_sheet_is_read_by_default():
    with pytest.raises(ClientFileError, match="sheet 'Notes' \\(1 of 2\\), its columns are 'written by'"):
        read_client_file(CLIENTS)


def test_the_scored_workbook_keeps_every_row_column_and_value_and_neutralises_formula_text(model):
    file = read_client_file(CLIENTS, sheet="Clients")
    result = scorer.score_table(file.table, model)
    content = client_workbooks.scored_file_bytes(result.table, file.dialect)
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["Clients"]
    cells = _cells(content)
    assert cells[0] == HEADER + ["status", "segment", "segment_name", "filled"]
    written = [row[:9] for row in cells[1:]]
    assert written[0] == [1, "admin.", "yes", "no", 41, datetime.datetime(2008, 5, 5), -1.5,
                          "'=HYPERLINK(\"http://x\")", "0012"]  # a number stays a number, "0012" stays text
    assert written[1] == [2, "Student", " No", "no", 22, datetime.datetime(2009, 1, 2, 13, 30), 1234567.25, "-1,8",
                          "0013"]
    assert written[2][7] == "'+cmd" and written[4][7] == "'@SUM(A1)" and written[4][8] == "'-"
    assert written[3] == [None] * 9
    assert written[4][:6] == [5, "retired", "no", "yes", 70, True]
    status = [row[9] for row in cells[1:]]
    assert status[0] == status[1] == status[4] == "scored"
    assert status[2].startswith("not scored") and "pilot" in status[2]
    segments = [row[10] for row in cells[1:]]
    assert segments[2] is None and all(isinstance(segments[i], int) for i in (0, 1, 4))
    assert segments[0] == result.table.iloc[0, -3]


def test_a_workbook_scored_in_chunks_equals_one_go(model):
    # The Score page's background job scores in chunks.
    file = read_client_file(CLIENTS, sheet="Clients")
    chunked = score_jobs.score_table_in_chunks(file.table, model, rows_per_chunk=2)
    whole = scorer.score_table(file.table, model)
    assert client_workbooks.scored_file_bytes(chunked.table, file.dialect) != b""
    pd.testing.assert_frame_equal(chunked.table, whole.table)


def test_headers_above_the_first_filled_row_are_skipped():
    content = _workbook({"S": [[None], [None, None], ["job", "housing", "loan"], ["admin.", "yes", "no"]]})
    file = read_client_workbook(content)
    assert list(file.table.columns) == ["job", "housing", "loan"] and len(file.table) == 1


@pytest.mark.parametrize("content, message", [
    (_workbook({"Empty": []}), "Sheet 'Empty' of The file is empty"),
    (_workbook({"S": [["job", "housing", "loan"]]}), "has a header but no client rows"),
    (_workbook({"S": [["job", "housing"], ["admin.", "yes"]]}), "has no column 'loan'"),
    (b"PK\x03\x04" + b"\x00" * 100, "is a damaged workbook or zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "Excel 97-2003 workbook (.xls)"),
    # Excel wraps an encrypted .xlsx in an OLE2 file holding an "EncryptedPackage" stream.
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le"),
     "password-protected workbook"),
])
def test_what_cannot_be_read_is_refused_with_a_clear_message(content, message):
    with pytest.raises(ClientFileError, match=message.replace("(", "\\(").replace(")", "\\)")):
        read_client_file(content)


def test_a_zip_archive_and_a_damaged_workbook_are_named_as_such():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("clients.csv", "job,housing,loan\n")
    with pytest.raises(ClientFileError, match="a zip archive, not an Excel workbook"):
        read_client_file(buffer.getvalue())
    with pytest.raises(ClientFileError, match="damaged"):
        read_client_file(CLIENTS[: len(CLIENTS) // 2])


def test_a_missing_sheet_names_the_sheets_there_are():
    with pytest.raises(ClientFileError, match="has no sheet 'March'; its sheets are 'Notes', 'Clients'"):
        read_client_file(CLIENTS, sheet="March")
    with pytest.raises(ClientFileError, match="No sheet was chosen"):
        read_client_file(CLIENTS, sheet=5)
    with pytest.raises(ClientFileError, match="CSV file, which has no sheets"):
        read_client_file(b"job,housing,loan\nadmin.,yes,no\n", sheet="Clients")


def test_the_upload_limits_count_a_workbooks_rows_and_columns_before_scoring():
    wide = _workbook({"S": [["job", "housing", "loan"] + [f"c{i}" for i in range(10)], ["admin.", "yes", "no"]]})
    with pytest.raises(ClientFileError, match="has 13 columns .* the limit is 12"):
        read_client_workbook(wide, max_columns=12)
    long = _workbook({"S": [["job", "housing", "loan"]] + [["admin.", "yes", "no"]] * 6})
    with pytest.raises(ClientFileError, match="has 6 rows of clients; the limit is 5"):
        read_client_workbook(long, max_rows=5)
    assert len(read_client_workbook(long, max_rows=6).table) == 6
    with pytest.raises(ClientFileError, match="MB; the limit is 0 MB"):
        read_client_workbook(long, max_bytes=100)


def test_a_sheet_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(workbook_limits, "MAX_UNPACKED_SHEET_BYTES", 100)
    with pytest.raises(ClientFileError, match="its part '.*' unpacks to .* MB; the limit is 0 MB"):
        read_client_file(CLIENTS)


def test_scored_file_names_follow_the_format():
    workbook = WorkbookSheet("Clients", ("Clients",))
    assert client_workbooks.scored_filename("March.xlsx", workbook) == "March-scored.xlsx"
    assert client_workbooks.scored_filename("March.csv", None) == "March-scored.csv"


def test_the_command_lines_workbook_scoring_writes_the_pages_bytes(tmp_path, model):
    source = tmp_path / "clients.xlsx"
    source.write_bytes(CLIENTS)
    summary = client_workbooks.score_client_file(source, tmp_path / "out.xlsx", model, sheet="Clients",
                                                 chunk_rows=2)
    file = read_client_file(CLIENTS, sheet="Clients")
    expected = scorer.score_table(file.table, model)
    assert (summary.rows, summary.scored, summary.refused) == (5, expected.scored_count, expected.refused_count)
    assert _cells((tmp_path / "out.xlsx").read_bytes()) == _cells(
        client_workbooks.scored_file_bytes(expected.table, file.dialect))
    assert not list(tmp_path.glob(".*partial"))


# --- Workbooks built to inflate (issue 25): refused before openpyxl parses them -----------------------------


def _rezipped(content: bytes, renames: dict[str, str] | None = None,
              edits: dict[str, list[tuple[bytes, bytes]]] | None = None) -> bytes:
    """``content``'s zip with parts renamed and bytes replaced in parts, as a hostile file would be made."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            for old, new in (edits or {}).get(info.filename, []):
                data = data.replace(old, new)
            target.writestr((renames or {}).get(info.filename, info.filename), data)
    return out.getvalue()


SMALL = _workbook({"S": [["job", "housing", "loan"], ["admin.", "yes", "no"], ["student", "no", "no"]]})


def test_one_cell_in_the_last_column_is_refused_before_every_row_is_padded_to_it(tmp_path, model):
    book = openpyxl.load_workbook(io.BytesIO(SMALL))
    book["S"]["XFD3"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ClientFileError, match=r"reaches column XFD \(16,384\); the limit is 500 columns"):
        read_client_workbook(buffer.getvalue())
    # The command line too, which has no limit on the rows.
    source = tmp_path / "wide.xlsx"
    source.write_bytes(buffer.getvalue())
    with pytest.raises(ClientFileError, match="reaches column XFD"):
        client_workbooks.score_workbook_file(source, tmp_path / "out.xlsx", model)
    assert not (tmp_path / "out.xlsx").exists()


def test_a_sheet_that_only_declares_itself_wide_is_refused():
    sheet = "xl/worksheets/sheet1.xml"
    declared = _rezipped(SMALL, edits={sheet: [(b'<dimension ref="A1:C3"', b'<dimension ref="A1:XFD3"')]})
    with pytest.raises(ClientFileError, match="reaches column XFD"):
        read_client_workbook(declared)


def test_a_sheet_moved_out_of_the_worksheets_folder_is_still_measured(monkeypatch):
    rows = [["job", "housing", "loan"]] + [["admin.", "yes", "no"]] * 1000
    moved = _rezipped(_workbook({"S": rows}), renames={"xl/worksheets/sheet1.xml": "xl/data/s.xml"},
                      edits={part: [(b"worksheets/sheet1.xml", b"data/s.xml")]
                             for part in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml")})
    assert len(read_client_workbook(moved).table) == 1000  # openpyxl finds it through the relationships
    with zipfile.ZipFile(io.BytesIO(moved)) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    assert max(sizes, key=sizes.get) == "xl/data/s.xml"
    monkeypatch.setattr(workbook_limits, "MAX_UNPACKED_SHEET_BYTES", sizes["xl/data/s.xml"] - 1)
    with pytest.raises(ClientFileError, match="its part 'xl/data/s.xml' unpacks to"):
        read_client_workbook(moved)


def test_shared_strings_are_bounded_in_bytes_and_in_count(monkeypatch):
    # A table of texts as Excel writes one (openpyxl writes its cells inline), its declared count a lie: the
    # strings are counted as they unpack.
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               b'count="1" uniqueCount="1">' + b"".join(b"<si><t>text %d</t></si>" % i for i in range(5)) + b"</sst>")
    out = io.BytesIO(SMALL)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/strings/anywhere.xml", strings)
    with_strings = out.getvalue()
    assert len(read_client_workbook(with_strings).table) == 2
    monkeypatch.setattr(workbook_limits, "MAX_SHARED_STRINGS", 4)
    with pytest.raises(ClientFileError, match=r"holds over 4 different texts \(shared strings\); the limit is 4"):
        read_client_workbook(with_strings)
    monkeypatch.setattr(workbook_limits, "MAX_SHARED_STRINGS", 1000)
    monkeypatch.setattr(workbook_limits, "MAX_SHARED_STRINGS_BYTES", 50)
    with pytest.raises(ClientFileError, match=r"its table of text cells \(shared strings\) unpacks to"):
        read_client_workbook(with_strings)


def test_a_zip_of_too_many_parts_or_too_much_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(workbook_limits, "MAX_WORKBOOK_PARTS", 3)
    with pytest.raises(ClientFileError, match="parts; a workbook has at most 3"):
        read_client_workbook(SMALL)
    monkeypatch.setattr(workbook_limits, "MAX_WORKBOOK_PARTS", 10_000)
    monkeypatch.setattr(workbook_limits, "MAX_UNPACKED_WORKBOOK_BYTES", 1000)
    with pytest.raises(ClientFileError, match="the whole workbook unpacks to"):
        read_client_workbook(SMALL)
