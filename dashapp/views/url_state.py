"""The page state a URL query carries: reading a query, writing one, and when to write it to the address bar.

Dash-free. The Data, Explorer and Segments pages keep what the user picked in the query (``?segment=2``), so a
link reproduces the view and the browser's back and forward buttons step through earlier views. Each page reads
the query of its ``dcc.Location`` with :func:`query_parameters`, turns its state back into a query with
:func:`query_string`, and asks :func:`search_update` whether to write that query to the address bar. What a
page's parameters mean (and which values are valid) is the page's view's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode

from dashapp.core.i18n import LANGUAGE_PARAMETER


def query_parameters(search: str | None) -> dict[str, str | list[str]]:
    """URL query parameters as Dash passes them to a page layout: ``"?a=1&b=2&b=3"`` -> ``{"a": "1", "b": [...]}``.

    Parameters
    ----------
    search : str or None
        A ``dcc.Location``'s ``search``, with or without the leading ``?``.

    Returns
    -------
    dict
        One entry per key: its value, or the list of its values when the key repeats.
    """
    parsed = parse_qs((search or "").removeprefix("?"), keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def query_string(parameters: Mapping[str, object]) -> str:
    """A URL query from parameters in the order given: ``{"age": "25-40", "k": 4}`` -> ``"?age=25-40&k=4"``.

    ``""`` when there are none, so a page in its default state has a bare address. Commas and dots stay
    readable in a shared link (``?job=admin.,technician``); no value our pages write contains a comma of its
    own.
    """
    return "?" + urlencode(parameters, safe=",.") if parameters else ""


def search_update(query: str, search: str | None, *, from_address: bool, unchanged=None):
    """What to write to the address bar after a change of page state: ``query``, or ``unchanged``.

    Parameters
    ----------
    query : str
        The query of the page's new state (:func:`query_string`).
    search : str or None
        The address bar's query now.
    from_address : bool
        Whether the change came from the address itself (back, forward, a typed or pasted link).
    unchanged : object, optional
        What to return when nothing is to be written; a page passes ``dash.no_update``.

    Returns
    -------
    str or ``unchanged``
        ``unchanged`` when the state came from the address or the address already says ``query``; else ``query``,
        with the address's language (``?lang=``) kept at its end.
    """
    # An address the browser went back to is never rewritten (not even into canonical order): pushing a new
    # history entry there would trap the back button.
    if from_address:
        return unchanged
    query = _keeping_language(query, search)
    return unchanged if query == (search or "") else query


def _keeping_language(query: str, search: str | None) -> str:
    """``query`` with the address's ``?lang=`` at its end: a page's state never drops the language chosen."""
    language = query_parameters(search).get(LANGUAGE_PARAMETER)
    if not isinstance(language, str) or LANGUAGE_PARAMETER in query_parameters(query):
        return query
    return query + ("&" if query else "?") + urlencode({LANGUAGE_PARAMETER: language})
