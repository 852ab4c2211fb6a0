"""How a spreadsheet wrote a CSV file: its encoding, byte-order mark, delimiter, line ending and quoting.

:mod:`dashapp.scoring.client_files` reads a file of clients with the :class:`Dialect` found here and writes the
scored file back in the same one. UTF-8 (with or without a byte-order mark) is taken when the bytes decode as
UTF-8; otherwise Windows-1251 for Cyrillic, Windows-1252 or Latin-1 for Western European spreadsheets. The
delimiter (tab, ``;`` or ``,``), the line ending and the quoting come from the header line.

Why not the libraries (measured on the full UCI file, under load on the 2-core machine): charset-normalizer *is*
used, restricted to the three single-byte encodings (left free, it reads a short Windows-1251 file as Mac
Cyrillic or Big5, and a Latin-1 one as Windows-1250). clevercsv 0.8 sniffs the same delimiters as a count of
the header line on the files we accept (semicolon, comma with spaces, tab), in up to 0.56 s for 20 KB of the
UCI file; a spreadsheet export never varies the quoting or escaping that it also guesses.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

#: Delimiters a spreadsheet export uses, in the order a tie between their counts is settled.
DELIMITERS = (";", "\t", ",")
#: Encodings tried when a file is not UTF-8, and how a person names them.
SINGLE_BYTE_ENCODINGS = {"cp1251": "Windows-1251 (Cyrillic)", "cp1252": "Windows-1252 (Western European)",
                         "latin_1": "Latin-1 (ISO 8859-1)"}
UTF8_BOM = codecs.BOM_UTF8
#: How much of a file the checks and the encoding's guess look at.
SAMPLE_BYTES = 65536


@dataclass(frozen=True)
class Dialect:
    """How a file is written, so that the scored file is written the same way.

    Attributes
    ----------
    encoding : str
        A Python codec: ``utf-8``, ``cp1251``, ``cp1252`` or ``latin_1``.
    bom : bool
        Whether the file starts with a UTF-8 byte-order mark (Excel's "CSV UTF-8" does; without it Excel
        shows Cyrillic as mojibake).
    delimiter : str
        Tab, ``;`` or ``,``.
    line_terminator : str
        ``\\r\\n`` or ``\\n``, as the header line ends.
    quote_text : bool
        Whether every text cell is quoted (the UCI file: ``"admin."``) rather than only those that need it.
    """

    encoding: str = "utf-8"
    bom: bool = False
    delimiter: str = ","
    line_terminator: str = "\n"
    quote_text: bool = False

    def describe(self) -> str:
        """``UTF-8 with a byte-order mark, ';'-separated`` as the page says it."""
        encoding = SINGLE_BYTE_ENCODINGS.get(self.encoding, "UTF-8")
        if self.bom:
            encoding += " with a byte-order mark"
        delimiter = "tab" if self.delimiter == "\t" else repr(self.delimiter)
        return f"{encoding}, {delimiter}-separated"


def _non_ascii_sample(content: bytes, limit: int = SAMPLE_BYTES) -> bytes:
    """The lines holding bytes above 127, up to about ``limit`` bytes: what tells the encodings apart."""
    lines, size, position = [], 0, 0
    high = re.compile(rb"[\x80-\xff]")
    while size <= limit and (match := high.search(content, position)):
        start = content.rfind(b"\n", 0, match.start()) + 1
        end = content.find(b"\n", match.start())
        end = len(content) if end < 0 else end
        lines.append(content[start:end])
        size += end - start
        position = end + 1
    return b"\n".join(lines)


#: Bytes that are letters in Windows-1251 (А-я, Ё, ё) and accented letters in Windows-1252.
_HIGH_LETTERS = rb"[\xc0-\xff\xa8\xb8]"


def _cyrillic_or_western(sample: bytes) -> str | None:
    """Windows-1251 when most high letters stand in runs of three or more (Russian words are written in them
    alone), Windows-1252 when most stand alone among ASCII letters (José, Müller); None when unclear.

    charset-normalizer needs more text than a short client list gives: it reads "ФИО;Job / Иванов;Admin." as
    Windows-1252. This count is what tells the two apart in such a file."""
    letters = len(re.findall(_HIGH_LETTERS, sample))
    if letters < 2:
        return None
    in_runs = sum(len(run) for run in re.findall(_HIGH_LETTERS + rb"{3,}", sample))
    share = in_runs / letters
    return "cp1251" if share >= 0.6 else "cp1252" if share <= 0.3 else None


def detect_encoding(content: bytes) -> tuple[str, bool]:
    """The encoding of a file's bytes and whether it starts with a UTF-8 byte-order mark.

    UTF-8 is taken when the bytes decode as UTF-8 (a file that is not UTF-8 almost never does); otherwise the
    letters decide between Windows-1251 and Windows-1252 (see :func:`_cyrillic_or_western`), and where they
    do not, charset-normalizer chooses among :data:`SINGLE_BYTE_ENCODINGS`; Latin-1 takes any byte left.

    Parameters
    ----------
    content : bytes
        The file, or (for a large file) its start and its non-ASCII lines.

    Returns
    -------
    (str, bool)
        A Python codec name and whether a BOM was found.
    """
    import charset_normalizer

    if content.startswith(UTF8_BOM):
        return "utf-8", True
    try:
        content.decode("utf-8")
        return "utf-8", False
    except UnicodeDecodeError as error:
        # A sample cut in the middle of a character is still UTF-8.
        if error.start >= len(content) - 3 and error.reason == "unexpected end of data":
            return "utf-8", False
    sample = content if len(content) <= SAMPLE_BYTES else (
        content[:SAMPLE_BYTES // 2] + b"\n" + _non_ascii_sample(content[SAMPLE_BYTES // 2:]))
    encoding = _cyrillic_or_western(sample)
    if encoding is None:
        best = charset_normalizer.from_bytes(sample, cp_isolation=list(SINGLE_BYTE_ENCODINGS)).best()
        encoding = best.encoding if best is not None else "cp1252"
    try:
        content.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin_1"  # decodes every byte
    return encoding, False


def sniff_dialect(first_line: str, encoding: str, bom: bool) -> Dialect:
    """The delimiter, line ending and quoting of a file from its header line (as decoded, line ending kept)."""
    header = first_line.rstrip("\r\n")
    counts = {d: header.count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: counts[d])  # max() keeps the first of equal counts
    cells = header.split(delimiter)
    quote_text = all(c.strip().startswith('"') for c in cells if c.strip())
    return Dialect(encoding=encoding, bom=bom, delimiter=delimiter,
                   line_terminator="\r\n" if first_line.endswith("\r\n") else "\n", quote_text=quote_text)


def file_encoding(source: Path) -> tuple[str, bool]:
    """:func:`detect_encoding` for a file of any size: one pass checks UTF-8, a sample decides otherwise."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with source.open("rb") as handle:
        if handle.read(len(UTF8_BOM)) == UTF8_BOM:
            return "utf-8", True
        handle.seek(0)
        try:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8", False
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        sample = bytearray(handle.read(SAMPLE_BYTES // 2))
        for block in iter(lambda: handle.read(1 << 20), b""):
            sample += b"\n" + _non_ascii_sample(block, SAMPLE_BYTES // 2)
            if len(sample) > SAMPLE_BYTES:
                break
    return detect_encoding(bytes(sample))
