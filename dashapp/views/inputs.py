"""What the pages' callbacks accept from the browser: one check per kind of widget value, made at the boundary.

Dash-free. A callback's inputs arrive in a JSON request that anyone can write by hand, so a value the page's
widgets never send (an age range of two words, a job that is a number, k = 999, a click on a point that is not
drawn) must not reach a view that trusts it. Each check returns the value as the view wants it, or raises
:class:`InvalidInput` naming the input, the value (shortened) and what was expected. The app's ``on_error`` hook
(:func:`dashapp.web.app.create_app`) answers such a request with no update and one line in the log; any other
exception is a real error of ours and keeps its traceback.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from dashapp.scoring.scorer import shown


class InvalidInput(ValueError):
    """A callback input that the page's own widgets never send: the request was crafted, not clicked."""


def one_of(name: str, value: object, allowed: Collection) -> object:
    """The item of ``allowed`` that ``value`` is; a number never matches a string (``5`` is not ``"5"``) and
    ``True`` is not ``1``.

    Raises
    ------
    InvalidInput
        For anything else, including lists and objects.
    """
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        for choice in allowed:
            if isinstance(choice, str) == isinstance(value, str) and choice == value:
                return choice
    raise InvalidInput(f"{name}={shown(value)} must be one of {', '.join(map(str, allowed))}")


def whole_number(name: str, value: object, low: int, high: int) -> int:
    """``value`` as an int if it is a whole number from ``low`` to ``high`` (a browser may send ``17.0``)."""
    whole = (isinstance(value, int) and not isinstance(value, bool)
             or isinstance(value, float) and math.isfinite(value) and value.is_integer())
    if not whole or not low <= value <= high:
        raise InvalidInput(f"{name}={shown(value)} must be a whole number from {low} to {high}")
    return int(value)


def amount(name: str, value: object, low: float, high: float) -> float | None:
    """A number box's value as a float from ``low`` to ``high``; None while the box is empty (the page then says
    what it needs)."""
    if value is None or value == "":
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) \
            or not low <= value <= high:
        raise InvalidInput(f"{name}={shown(value)} must be a number from {low} to {high}")
    return float(value)


def number_range(name: str, value: object, low: int, high: int) -> tuple[int, int] | None:
    """A range slider's ``[first, last]`` as two ints with ``low <= first <= last <= high``; None for None."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidInput(f"{name}={shown(value)} must be a list [first, last]")
    first, last = (whole_number(name, bound, low, high) for bound in value)
    if first > last:
        raise InvalidInput(f"{name}={shown(value)} must not end before it starts")
    return first, last


def subset(name: str, value: object, allowed: Collection) -> list:
    """A multi-select's values: a list of items of ``allowed`` (None for an emptied dropdown is ``[]``)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > len(allowed):
        raise InvalidInput(f"{name}={shown(value)} must be a list of at most {len(allowed)} of "
                           f"{', '.join(map(str, allowed))}")
    return [one_of(name, item, allowed) for item in value]


def search(value: object) -> str:
    """A ``dcc.Location``'s ``search`` (``"?a=1"``): a string, ``""`` before the browser set it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"search={shown(value)} must be a URL query string")
    return value


def clicked_point(name: str, click: object) -> dict | None:
    """The point a graph's ``clickData`` reports (``{"points": [point, ...]}``): the first one, or None before
    any click."""
    if click is None:
        return None
    points = click.get("points") if isinstance(click, Mapping) else None
    if not isinstance(points, list) or not points or not isinstance(points[0], Mapping):
        raise InvalidInput(f"{name}={shown(click)} must be a graph's click, {{'points': [{{...}}]}}")
    return points[0]


def customdata(name: str, point: Mapping, position: int | None = None) -> object:
    """A clicked point's ``customdata`` (or its item at ``position``, for a point that carries a list)."""
    data = point.get("customdata")
    if position is None:
        return data
    if not isinstance(data, list) or len(data) <= position:
        raise InvalidInput(f"{name}'s customdata={shown(data)} must be a list with an item {position}")
    return data[position]


#: Window widths a viewport may report, in CSS pixels (0 in a hidden frame).
VIEWPORT_WIDTHS = (0, 100_000)


def viewport(value: object) -> dict | None:
    """The shell's viewport store (``{"width": <window.innerWidth>}``); None before the browser wrote it."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) != {"width"}:
        raise InvalidInput(f"viewport={shown(value)} must be {{'width': <pixels>}}")
    return {"width": whole_number("viewport width", value["width"], *VIEWPORT_WIDTHS)}


#: The longest text a stored form field may hold: a category code or an age is a few characters.
FORM_VALUE_CHARACTERS = 100


def form_values(name: str, value: object, fields: Collection[str]) -> dict:
    """A form's values kept in the browser (a ``dcc.Store``): a mapping of some of ``fields`` to short texts,
    numbers or None; returns every field's value (None where absent). What the values mean is checked by the
    scorer, as the form's own are."""
    if not isinstance(value, Mapping) or not set(value) <= set(fields):
        raise InvalidInput(f"{name}={shown(value)} must map the form's fields to their values")
    for field, item in value.items():
        if item is not None and not isinstance(item, (str, int, float)) or isinstance(item, bool) or (
                isinstance(item, str) and len(item) > FORM_VALUE_CHARACTERS):
            raise InvalidInput(f"{name}[{field!r}]={shown(item)} must be a short text, a number or nothing")
    return {field: value.get(field) for field in fields}
