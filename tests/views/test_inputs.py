"""The checks every callback makes of its inputs (dashapp.views.inputs): what the widgets send passes, the rest is
refused with a message that names the input and stays one short line."""

from __future__ import annotations

import pytest

from dashapp.views import inputs
from dashapp.views.inputs import InvalidInput


def test_one_of_returns_the_allowed_item_and_never_mixes_types():
    assert inputs.one_of("k", 4, [2, 3, 4]) == 4
    assert inputs.one_of("k", 4.0, [2, 3, 4]) == 4 and isinstance(inputs.one_of("k", 4.0, [4]), int)
    assert inputs.one_of("job", "admin.", ["admin.", "student"]) == "admin."
    for bad in ("4", True, [4], {"k": 4}, None, 4.5, 999):
        with pytest.raises(InvalidInput, match="k="):
            inputs.one_of("k", bad, [2, 3, 4])


def test_ranges_are_two_whole_numbers_in_order_within_bounds():
    assert inputs.number_range("age", [20, 30.0], 17, 98) == (20, 30)
    assert inputs.number_range("age", None, 17, 98) is None
    for bad in (["a", "b"], [30, 20], [10, 30], [20, 99], [20], 20, [20, 30, 40], [True, 30], [20, float("nan")]):
        with pytest.raises(InvalidInput, match="age"):
            inputs.number_range("age", bad, 17, 98)


def test_subsets_are_lists_of_allowed_items():
    assert inputs.subset("job", None, ["a", "b"]) == [] and inputs.subset("job", ["b", "a"], ["a", "b"]) == ["b", "a"]
    for bad in (5, "a", ["c"], [["a"]], ["a"] * 3):
        with pytest.raises(InvalidInput, match="job"):
            inputs.subset("job", bad, ["a", "b"])


def test_clicks_searches_and_viewports():
    assert inputs.clicked_point("g", None) is None
    assert inputs.clicked_point("g", {"points": [{"customdata": 3}, {}]}) == {"customdata": 3}
    for bad in ({}, {"points": []}, {"points": "x"}, {"points": [5]}, [], "x"):
        with pytest.raises(InvalidInput, match="g="):
            inputs.clicked_point("g", bad)
    assert inputs.customdata("g", {"customdata": [7, "x"]}, 0) == 7
    with pytest.raises(InvalidInput):
        inputs.customdata("g", {"customdata": 7}, 0)
    assert inputs.search(None) == "" and inputs.search("?a=1") == "?a=1"
    with pytest.raises(InvalidInput):
        inputs.search(["?a=1"])
    assert inputs.viewport(None) is None and inputs.viewport({"width": 390}) == {"width": 390}
    for bad in ({"width": "wide"}, {"width": -1}, {"width": 10**9}, {"width": 390, "x": 1}, "wide", [390]):
        with pytest.raises(InvalidInput, match="viewport"):
            inputs.viewport(bad)


def test_a_message_quotes_a_huge_value_short():
    with pytest.raises(InvalidInput) as refused:
        inputs.one_of("job", "x" * 100_000, ["admin."])
    assert len(str(refused.value)) < 200 and "\n" not in str(refused.value)
    with pytest.raises(InvalidInput, match="very large"):
        inputs.whole_number("age", 10**5000, 17, 98)


def test_a_stored_form_is_short_values_of_the_forms_fields():
    fields = ("age", "job", "housing")
    assert inputs.form_values("last", {"age": 40, "job": "technician"}, fields) == {
        "age": 40, "job": "technician", "housing": None}
    for crafted in ({"salary": 1}, ["age"], {"job": {"nested": 1}}, {"job": "x" * 101}, {"age": True}):
        with pytest.raises(inputs.InvalidInput):
            inputs.form_values("last", crafted, fields)
