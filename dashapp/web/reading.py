"""What keeps a page short (issue 24): its answer first (:func:`page_lead`), the rest one click away behind "More"
(:func:`more`) or in a section that opens on its heading (:func:`closed_section`, whose charts a callback may draw
only once it is opened: :func:`opener_id`, :func:`wait_until_opened`), and terms of art with their definitions
(:func:`with_terms`, from :mod:`dashapp.views.glossary`). All native ``<details>``: closed, not drawn and not
counted among a page's visible words, yet in the page for find-in-page, screen readers once opened, and search
engines; ``assets/open_target.js`` opens the sections around an anchor an address names.
"""

from __future__ import annotations

from dash import html
from dash.exceptions import PreventUpdate

from dashapp.core.i18n import _
from dashapp.views import glossary, inputs


#: The class of a page's answer: its first paragraph, at most about 60 words, that says what the page finds.
PAGE_LEAD_CLASS = "page-lead"


def page_lead(children, class_name: str = "", **paragraph_props) -> html.P:
    """A page's answer, first on its first screen (a test holds it to about 60 words): what a reader who stops
    here should know. Details, method and caveats go behind :func:`more`."""
    return html.P(children, className=f"{PAGE_LEAD_CLASS} {class_name}".strip(), **paragraph_props)


def more(children, summary: str | None = None, class_name: str = "") -> html.Details:
    """What a reader may want after the answer: behind a "More" they open (an HTML ``<details>``, closed).

    Closed, it is not drawn and not counted in the page's visible words, yet it stays in the page: a browser's
    find-in-page opens it on a match, and search engines read it. ``summary`` names what it holds when "More"
    would be too vague (several on one page).
    """
    return html.Details([html.Summary(summary or _("More"), className="more-summary"),
                         html.Div(children, className="more-body")],
                        className=f"more {class_name}".strip())


#: The headings of every closed section whose charts are drawn on opening (:func:`opener_id`).
OPENERS: set[str] = set()


def opener_id(section: str) -> str:
    """The id of the heading of the closed section ``section`` whose charts are drawn once it is opened: its
    ``n_clicks``, a callback's input, is 0 until the reader opens it (see :func:`wait_until_opened`). Registered in
    :data:`OPENERS`, so that a test can open every section."""
    OPENERS.add(f"{section}-open")
    return f"{section}-open"


def wait_until_opened(clicks) -> None:
    """Stop a callback (Dash's "no update") while its section has never been opened: its charts wait for the
    reader. After the first opening they follow every change, closed or not, a redraw being cheaper than a stale
    chart on the next opening."""
    if not inputs.whole_number("opened", clicks or 0, 0, 2**31):
        raise PreventUpdate


def closed_section(title: str, children: list, opener_id: str | None = None, heading: str = "h5",
                   class_name: str = "mb-3", section_id: str | None = None) -> html.Details:
    """A section of a page closed until its heading is clicked: evidence behind the answer (charts, tables).

    ``opener_id``: the heading's id, whose ``n_clicks`` a callback may read to draw the section's charts only
    once it has been opened. ``heading``: the heading's size (Bootstrap's class, the element stays an ``h3``).
    ``section_id``: an anchor that opens it when an address names it (assets/open_target.js).
    """
    props = {"id": opener_id, "n_clicks": 0} if opener_id else {}
    section_props = {"id": section_id} if section_id else {}
    return html.Details([html.Summary(html.H3(title, className=f"{heading} d-inline"), className="section-summary",
                                      **props),
                         html.Div(children, className="mt-2")],
                        className=f"section-on-demand {class_name}".strip(), **section_props)


def with_terms(text):
    """``text`` with each term of the glossary it holds marked, its definition in a tooltip (an ``<abbr>`` the
    keyboard reaches too); anything but a string comes back as it is."""
    if not isinstance(text, str):
        return text
    pieces = [piece if isinstance(piece, str) else
              html.Abbr(piece[0], title=piece[1], tabIndex=0, className="term")
              for piece in glossary.find_terms(text)]
    return pieces[0] if len(pieces) == 1 else pieces
