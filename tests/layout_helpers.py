"""Walking a Dash component tree in tests: every component, components by id, the visible text."""

from __future__ import annotations


def components(component):
    """Every component below ``component`` (itself included), depth first, through children, labels and options."""
    if component is None or isinstance(component, (str, int, float)):
        return
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from components(child)
        return
    yield component
    for prop in ("children", "label"):
        yield from components(getattr(component, prop, None))
    for option in getattr(component, "options", None) or []:
        if isinstance(option, dict):
            yield from components(option.get("label"))


def by_id(layout) -> dict:
    """``{id: component}`` for every component with a string id."""
    return {c.id: c for c in components(layout) if isinstance(getattr(c, "id", None), str)}


def strings(component):
    """The text children below ``component``."""
    if isinstance(component, str):
        yield component
    elif isinstance(component, (list, tuple)):
        for child in component:
            yield from strings(child)
    elif component is not None and hasattr(component, "to_plotly_json"):
        yield from strings(getattr(component, "children", None))


def text(layout) -> str:
    return " ".join(strings(layout))


def callback_rendered_layouts(store) -> list:
    """What the pages draw only in a callback's answer (not in their layout): the Score page's result for its
    typical client, with the tree of the client's path."""
    import sys

    score = sys.modules["pages.score"]  # imported by the app, as gunicorn imports it
    result = score.score_one_client(1, None, score._form_defaults(store), {"width": 1400})
    return [result["result"]]


def layout_start_values(dash_app) -> dict:
    """``{(component id, property): value}`` as the shell and every page's layout start them."""
    import json

    import dash
    import plotly.graph_objects as go
    import plotly.io

    by_id = {}
    for layout in [dash_app.layout(), *(page["layout"]() for page in dash.page_registry.values())]:
        by_id.update({c.id: c for c in components(layout) if isinstance(getattr(c, "id", None), str)})
    values = {}
    for spec in dash_app.callback_map.values():
        for item in spec["inputs"] + spec["state"]:
            value = getattr(by_id.get(item["id"]), item["property"], None)
            # A figure (the charts' data downloads take it as state) as the browser holds it: plotly's JSON.
            values[item["id"], item["property"]] = (json.loads(plotly.io.to_json(value))
                                                    if isinstance(value, go.Figure) else value)
    # What the browser itself fills in: the address and the window's width.
    values.update({("_pages_location", "pathname"): "/", ("_pages_location", "search"): "",
                   ("shell-viewport", "data"): {"width": 1400}})
    return values
