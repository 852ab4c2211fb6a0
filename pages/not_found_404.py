"""The page Dash shows for an address no page has, in the request's language (Dash's own says it in English)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashapp.core.i18n import N_, _
from dashapp.web.components import page_title

# No order: the navigation and the Overview's list of pages leave it out.
dash.register_page(__name__, path="/404", title=page_title(N_("Page not found")))

NOT_FOUND = "not-found"


def layout(**_query):
    return dbc.Alert([
        html.H2(_("Page not found"), className="h4 alert-heading"),
        html.P([_("The studio has no page at this address. "),
                dcc.Link(_("Go to the overview"), href=dash.get_relative_path("/")), "."], className="mb-0"),
    ], color="warning", id=NOT_FOUND)
