"""Columns of a file's cells as Arrow text: converted once, compared as the validation reads them, quoted as the
messages show them, with no Python string per row.

:mod:`dashapp.scoring.scorer` validates a file's rows once per *distinct* cell (:func:`distinct_cells`), and a
crafted file can make every cell distinct; so what is done per distinct cell is done here in Arrow, exactly
as the plain-Python :func:`cell_text` and :func:`shown` do it for one value (the form, the API, the preview).
:mod:`dashapp.scoring.client_files` writes the scored file from the same Arrow columns (:func:`text_cells`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashapp.core import domain
from dashapp.core.i18n import _

#: What ``str.strip()`` strips: every character Python counts as a space (Arrow's own list differs; a test
#: checks this one against ``str.isspace``).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: Printable ASCII without the quote and the backslash: ``repr()`` writes such a text as it is, in quotes.
_PLAIN = r"^[ -&(-\[\]-~]*$"
#: How long :func:`shown` lets a quoted value be.
SHOWN_LENGTH = 40


def shown(value: object) -> str:
    """A value as a message quotes it: short, and never failing on whatever JSON can hold (what is not quoted is
    said in the current language)."""
    if isinstance(value, Mapping):
        return _("an object")
    if isinstance(value, (list, tuple)):
        return _("a list")
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return _("a very large number")
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


def cell_text(value: object) -> str:
    """A cell as the validation compares it: trimmed of spaces and quotes; an empty cell is ``unknown``."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return text.strip().strip('"').strip() or domain.UNKNOWN


def text_cells(values: pd.Series) -> pa.Array:
    """A column as Arrow strings, missing cells empty (Arrow-backed text columns need no conversion)."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_string(values.dtype.pyarrow_dtype):
        cells = pa.array(values)
    else:
        if not pd.api.types.is_object_dtype(values):
            values = values.astype("string")
        try:
            cells = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column mixing text with other objects
            cells = pa.array(values.astype("string"), type=pa.string(), from_pandas=True)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    return pc.fill_null(cells, "")


def distinct_cells(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Each row's position among the column's distinct cells, and those cells (Arrow strings)."""
    encoded = pc.dictionary_encode(text_cells(values))
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


def stripped(cells: pa.Array) -> pa.Array:
    """``str.strip()`` of every cell."""
    return pc.utf8_trim(cells, WHITESPACE)


def compared_texts(cells: pa.Array) -> pa.Array:
    """:func:`cell_text` of every cell: trimmed of spaces and quotes, ``unknown`` when nothing is left."""
    text = stripped(pc.utf8_trim(stripped(cells), '"'))
    return pc.if_else(pc.equal(text, ""), domain.UNKNOWN, text)


def shown_texts(texts: pa.Array) -> pa.Array:
    """:func:`shown` of every text: plain ASCII in Arrow; the others (escapes, other quotes) through ``repr``."""
    if len(texts) == 0:
        return texts
    room = SHOWN_LENGTH - 2  # the quotes
    quoted = pc.if_else(pc.less_equal(pc.utf8_length(texts), room),
                        pc.binary_join_element_wise("'", texts, "'", ""),
                        pc.binary_join_element_wise("'", pc.utf8_slice_codeunits(texts, 0, room - 2), "...", ""))
    other = pc.invert(pc.match_substring_regex(texts, _PLAIN))
    if not pc.any(other).as_py():
        return quoted
    others = pc.filter(texts, other).to_pylist()
    return pc.replace_with_mask(quoted, other, pa.array([shown(text) for text in others], type=pa.string()))
