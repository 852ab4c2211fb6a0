"""The Segments page's view (dashapp.views.segments): the selected segment and its URL query, a profile."""

from __future__ import annotations

from dashapp.views.segments import parse_segment, segment_from_search, segment_profile, segment_query_string


def test_parse_segment_accepts_only_segment_numbers():
    assert parse_segment("3", (1, 2, 3, 4)) == 3
    assert [parse_segment(v, (1, 2, 3, 4)) for v in (None, "", "0", "5", "x")] == [None] * 5


def test_segment_from_search_reads_the_address():
    assert segment_from_search("?segment=2", (1, 2, 3, 4)) == 2
    assert segment_from_search("?segment=2&segment=4", (1, 2, 3, 4)) == 2  # the first one counts
    assert [segment_from_search(search, (1, 2, 3, 4))
            for search in (None, "", "?segment=", "?segment=9", "?k=4")] == [None] * 5


def test_segment_query_string_round_trips():
    assert segment_query_string(3) == "?segment=3"
    assert segment_query_string(None) == ""
    assert all(segment_from_search(segment_query_string(number), (1, 2, 3, 4)) == number for number in (1, 2, 3, 4))


def test_segment_profile_finds_a_segment_whatever_its_key_type():
    profiles = {"segments": [{"segment": 1, "clients": 5}, {"segment": "2", "clients": 7}]}
    assert segment_profile(profiles, 2)["clients"] == 7
