"""Arrow text columns: the vectorised trimming and quoting are exactly the per-value Python ones."""

from __future__ import annotations

import sys

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings, strategies as st

from dashapp.scoring import text_cells

ODD = ["admin.", " Admin. ", "\u212aadmin.", '"retired"', "'x'", 'say "hi"', "a\\b", "x" * 38, "x" * 39, "é" * 45,
       "\t", "", "\x1cstudent\x1f", "blue-collar\u3000", "\u0660\u0664", "pilot\n", "\x00", "\U0001f600", " \u00a0 "]


def test_the_whitespace_is_what_str_strip_strips():
    assert set(text_cells.WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


@given(st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=50)), min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_arrow_texts_are_cell_text_and_shown_of_each_value(values):
    cells = pa.array(values, type=pa.string())
    texts = text_cells.compared_texts(cells)
    assert texts.to_pylist() == [text_cells.cell_text(v) for v in values]
    assert text_cells.shown_texts(texts).to_pylist() == [text_cells.shown(text_cells.cell_text(v)) for v in values]


def test_distinct_cells_index_every_row_and_read_missing_cells_as_empty():
    positions, cells = text_cells.distinct_cells(pd.Series(["a", None, "b", "a", float("nan"), 40], dtype=object))
    assert [cells[i].as_py() for i in positions.tolist()] == ["a", "", "b", "a", "", "40"]
