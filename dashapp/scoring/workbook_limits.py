"""A workbook measured before it is parsed (issue 25): what openpyxl would unpack and build, checked from the zip's
central directory and by streaming the few parts that matter, so that a file built to inflate is refused with a
message naming the limit instead of taking the worker's memory and minutes.

:func:`check_unpacked` refuses a workbook when any part (wherever it lies: a sheet found through the
relationships may be anywhere in the zip) or all of them unpack past their limits, when its shared strings are too
many bytes or too many strings (counted as they unpack, not as the file declares), or when a sheet reaches further
right than the columns allowed, as declared in its dimension or used by a cell (openpyxl pads every row it reads
to the sheet's widest).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from dashapp.core import i18n
from dashapp.core.i18n import N_, _
from dashapp.scoring.client_files import ClientFileError

#: The largest part of a workbook, unpacked, that is parsed (a sheet's XML: about 35 bytes a cell). The UCI file's
#: 41,188 rows unpack to about 37 MB, so the row limit's 200,000 rows of that width fit with room; a "zip bomb"
#: does not. All parts together may unpack to twice that.
MAX_UNPACKED_SHEET_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_WORKBOOK_BYTES = 2 * MAX_UNPACKED_SHEET_BYTES
MAX_WORKBOOK_PARTS = 10_000
#: Shared strings (the text cells' table, which openpyxl loads whole before the first row): at most this many
#: bytes unpacked, and this many strings (ten text cells in each of the row limit's rows).
MAX_SHARED_STRINGS_BYTES = 128 * 1024 * 1024
MAX_SHARED_STRINGS = 2_000_000
#: Excel's widest sheet (column XFD).
EXCEL_COLUMNS = 16_384
_HEAD_BYTES = 2048
_SST_ROOT, _SHEET_ROOT = b"<sst", b"<worksheet"
#: A cell reference (``r="AB12"``) or a dimension's corner (``ref="A1:XFD9"``) of two or three letters: a column
#: past Z (one letter never exceeds the limits).
_COLUMN_REFERENCE = re.compile(rb'\b(?:r="|ref="[A-Z]{1,3}[0-9]+:)([A-Z]{2,3})[0-9]')
_REFERENCE_OVERLAP = 64
#: What a refusal of a workbook too large to read advises.
_SPLIT_IT = N_("Split the workbook, or save it as CSV and score it with scripts/score.py")


def _unpacks_too_large(name: str, what: str, size: int, limit: int) -> ClientFileError:
    """``what`` (a part, the shared strings, ...) unpacks to ``size`` bytes, past ``limit``."""
    return ClientFileError(_("{name}: {what} unpacks to {size} MB; the limit is {limit} MB. {advice}").format(
        name=name, what=what, size=i18n.number(size / 2**20, 1), limit=i18n.number(limit / 2**20),
        advice=_(_SPLIT_IT)))


def _column_number(letters: bytes) -> int:
    """``b"A"`` -> 1, ``b"XFD"`` -> 16,384: a cell reference's column."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _xml_head(archive: zipfile.ZipFile, part: str) -> bytes:
    with archive.open(part) as stream:
        return stream.read(_HEAD_BYTES)


def _windows(archive: zipfile.ZipFile, part: str, overlap: int) -> Iterator[bytes]:
    """A part as it unpacks, a MiB at a time, each piece led by the last ``overlap`` bytes of the one before, so
    that a pattern cut between two pieces is seen whole."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            yield window
            tail = window[-overlap:]


def _count_strings(archive: zipfile.ZipFile, part: str, limit: int) -> int:
    """How many strings the shared strings part holds (its ``<si>`` elements, counted as it unpacks, not its
    declared count, which a file may leave out or get wrong), stopping past ``limit``."""
    count = 0
    # An overlap shorter than "<si>" holds no whole element, so none is counted twice.
    for window in _windows(archive, part, overlap=3):
        count += window.count(b"<si>") + window.count(b"<si ")
        if count > limit:
            break
    return count


def _widest_column(archive: zipfile.ZipFile, part: str, limit: int) -> int:
    """The last column a sheet declares (its ``<dimension>``) or puts a cell in, read as it unpacks, stopping
    at the first beyond ``limit``: openpyxl pads every row it reads to the sheet's widest, so one cell in the
    last column would make every row 16,384 cells."""
    widest = 0
    for window in _windows(archive, part, _REFERENCE_OVERLAP):
        for match in _COLUMN_REFERENCE.finditer(window):
            widest = max(widest, _column_number(match.group(1)))
            if widest > limit:
                return widest
    return widest


def check_unpacked(content: bytes, parts: dict[str, int], name: str, max_columns: int | None) -> None:
    """Refuse a workbook whose reading would inflate past the limits, before openpyxl parses anything: any part
    (wherever it lies: a sheet found through the relationships may be anywhere in the zip) or all of them
    unpacked, the shared strings (bytes and count), a sheet's width as declared or used. Sizes are the zip's
    central directory's; Python's zipfile never unpacks a part past its declared size."""
    if len(parts) > MAX_WORKBOOK_PARTS:
        raise ClientFileError(_("{name} holds {count} parts; a workbook has at most {limit}. {advice}").format(
            name=name, count=i18n.number(len(parts)), limit=i18n.number(MAX_WORKBOOK_PARTS), advice=_(_SPLIT_IT)))
    largest = max(parts, key=parts.get, default=None)
    if largest is not None and parts[largest] > MAX_UNPACKED_SHEET_BYTES:
        raise _unpacks_too_large(name, _("its part {part}").format(part=repr(largest[:100])), parts[largest],
                                 MAX_UNPACKED_SHEET_BYTES)
    total = sum(parts.values())
    if total > MAX_UNPACKED_WORKBOOK_BYTES:
        raise _unpacks_too_large(name, _("the whole workbook"), total, MAX_UNPACKED_WORKBOOK_BYTES)
    widest_allowed = min(max_columns or EXCEL_COLUMNS, EXCEL_COLUMNS)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for part, size in parts.items():
            if not part.endswith(".xml") or size < len(_SST_ROOT):
                continue
            head = _xml_head(archive, part)
            if _SST_ROOT in head:
                if size > MAX_SHARED_STRINGS_BYTES:
                    raise _unpacks_too_large(name, _("its table of text cells (shared strings)"), size,
                                             MAX_SHARED_STRINGS_BYTES)
                strings = _count_strings(archive, part, MAX_SHARED_STRINGS)
                if strings > MAX_SHARED_STRINGS:
                    raise ClientFileError(_("{name} holds over {count} different texts (shared strings); the limit "
                                            "is {limit}. {advice}").format(
                        name=name, count=i18n.number(MAX_SHARED_STRINGS), limit=i18n.number(MAX_SHARED_STRINGS),
                        advice=_(_SPLIT_IT)))
            elif _SHEET_ROOT in head:
                widest = _widest_column(archive, part, widest_allowed)
                if widest > widest_allowed:
                    raise ClientFileError(_("{name} has a sheet that reaches column {column} ({number}); the limit "
                                            "is {limit} columns. Delete the empty columns to its right, or save it "
                                            "as CSV").format(name=name, column=_column_letters(widest),
                                                             number=i18n.number(widest),
                                                             limit=i18n.number(widest_allowed)))


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


