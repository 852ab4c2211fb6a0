"""Methods: how the segmentation was made, and what its choices do to the numbers the other pages show."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashapp.artifacts.current import artifact_status
from dashapp.core.i18n import N_, _
from dashapp.views import glossary
from dashapp.views.methods import METHODS_PATH, methods_sections
from dashapp.web.components import grid_pending_notice, missing_artifacts_notice, original_study_link, page_title
from dashapp.web.reading import closed_section, more, page_lead

dash.register_page(__name__, path=METHODS_PATH, name=N_("Methods"), order=8, nav_group="study",
                   title=page_title(N_("Methods")))

METHODS_SECTIONS = "methods-sections"


def _intro() -> list:
    """The page's first paragraph, the link to the original study where the translation puts it."""
    before, after = _("The segmentation reproduces the original study ({link}); this page says what its choices do. "
                      "Every number below is computed by the build from the data file.").split("{link}", 1)
    return [before, original_study_link(), after]


def layout(**_query):
    store, problem = artifact_status()
    if store is None:
        return missing_artifacts_notice(problem)
    # Each section's first sentence is its finding; the reasoning and the counts follow behind "More".
    cards = [dbc.Card([dbc.CardHeader(html.H3(section.title, className="h5 mb-0")),
                       dbc.CardBody([html.P(section.sentences[0], className="mb-1"),
                                     *([more(html.Ul([html.Li(sentence) for sentence in section.sentences[1:]],
                                                     className="mb-0 ps-3"))] if len(section.sentences) > 1 else [])])],
                      id=section.anchor, className="mb-3")
             for section in methods_sections(store.evaluation, store.provenance.split_is_time_ordered)]
    return html.Div([
        html.H2(_("Methods")),
        page_lead(_intro(), class_name="text-muted"),
        *([] if store.grid_ready else [grid_pending_notice(store.model_dir)]),
        html.Div(cards, id=METHODS_SECTIONS),
        _glossary(),
    ])


def _glossary() -> html.Details:
    """The studio's terms with a line each (:mod:`dashapp.views.glossary`), closed: pages mark a term where they
    show it, and a link to ``#glossary`` opens it (assets/open_target.js)."""
    entries = []
    for term, definition in glossary.terms():
        entries += [html.Dt(term, className="col-sm-3"), html.Dd(definition, className="col-sm-9 small")]
    return closed_section(_("Glossary"), html.Dl(entries, className="row mb-0"), section_id=glossary.GLOSSARY)
