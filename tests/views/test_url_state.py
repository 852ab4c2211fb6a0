"""The one URL-query helper of the pages that keep their state in the address (Data, Explorer, Segments)."""

from __future__ import annotations

from dashapp.views import url_state

KEEP = object()  # stands for dash.no_update


def test_query_parameters_parse_like_dash():
    assert url_state.query_parameters("?a=1&b=x,y&b=z") == {"a": "1", "b": ["x,y", "z"]}
    assert url_state.query_parameters("") == {} and url_state.query_parameters(None) == {}


def test_query_parameters_keep_blank_values_and_take_no_question_mark():
    assert url_state.query_parameters("segment=") == {"segment": ""}


def test_query_string_keeps_order_commas_and_dots_readable():
    assert url_state.query_string({"job": "admin.,technician", "age": "25-40", "k": 4}) == \
        "?job=admin.,technician&age=25-40&k=4"
    assert url_state.query_string({"features": "no socio"}) == "?features=no+socio"


def test_query_string_of_no_parameters_is_a_bare_address():
    assert url_state.query_string({}) == ""


def test_round_trip():
    parameters = {"treatment": "knn", "pipeline": "8", "job": "admin.,student"}
    assert url_state.query_parameters(url_state.query_string(parameters)) == parameters


def test_a_change_from_the_page_writes_the_new_query():
    assert url_state.search_update("?segment=2", "", from_address=False, unchanged=KEEP) == "?segment=2"
    assert url_state.search_update("", "?segment=2", from_address=False, unchanged=KEEP) == ""
    assert url_state.search_update("?k=4", None, from_address=False) == "?k=4"


def test_an_address_the_browser_went_back_to_is_never_rewritten():
    # Not even into canonical order: a new history entry there would trap the back button.
    assert url_state.search_update("?age=30-40&marital=single", "?marital=single&age=30-40", from_address=True,
                                   unchanged=KEEP) is KEEP


def test_an_unchanged_query_is_not_written_again():
    assert url_state.search_update("?segment=2", "?segment=2", from_address=False, unchanged=KEEP) is KEEP
    assert url_state.search_update("", None, from_address=False) is None
