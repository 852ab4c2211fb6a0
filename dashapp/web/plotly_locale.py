"""plotly.js in the studio's languages: month and day names, number separators and the chart's own texts.

plotly.js formats tick labels and hovers (months on a date axis, ``%{y:,.1%}``) and writes its mode bar's tips
by the locale named in a graph's config (:func:`dashapp.web.components.graph_config`). A locale is registered with
plotly.js as an object; plotly.js reads those queued in ``window.PlotlyLocales`` when it loads, and Dash loads it
lazily, after the page's scripts. This module writes that script: the names and separators from CLDR (Babel), the
texts from the studio's catalogue, so no hand-written copy of either can fall behind.
"""

from __future__ import annotations

import json
import re

from babel import Locale

from dashapp.core import i18n
from dashapp.core.i18n import N_

#: The texts plotly.js shows on the studio's charts (mode-bar tips, their messages, the double-click hints), in
#: plotly.js's own English, which is the key its locale dictionaries are looked up by.
PLOTLY_TEXTS: tuple[str, ...] = (
    N_("Autoscale"), N_("Box Select"), N_("Compare data on hover"), N_("Download plot as a PNG"),
    N_("Download plot"), N_("Lasso Select"), N_("Orbital rotation"), N_("Pan"),
    N_("Preparing image - this may take a few seconds"), N_("Image download succeeded"),
    N_("Sorry, there was a problem downloading your image!"), N_("Reset axes"), N_("Reset camera to default"),
    N_("Reset camera to last save"), N_("Reset view"), N_("Reset views"), N_("Show closest data on hover"),
    N_("Toggle Spike Lines"), N_("Toggle show closest data on hover"), N_("Turntable rotation"), N_("Zoom in"),
    N_("Zoom out"), N_("Zoom"), N_("Double-click to zoom back out"),
    N_("Double-click on legend to isolate one trace"),
)

#: CLDR date pattern letters -> the d3 time-format directives plotly.js uses.
_D3_DIRECTIVES = {"dd": "%d", "d": "%-d", "MM": "%m", "M": "%-m", "yyyy": "%Y", "y": "%Y", "yy": "%y"}


_SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)


def _d3_date(pattern: str) -> str:
    return re.sub(r"y+|M+|d+", lambda match: _D3_DIRECTIVES[match.group()], pattern)


def plotly_locale(language: str) -> dict:
    """The plotly.js locale object of ``language``: its dictionary of texts and its formats."""
    cldr = Locale.parse(language)
    with i18n.use_language(language):
        dictionary = {text: i18n.gettext(text) for text in PLOTLY_TEXTS}
    days, months = cldr.days["stand-alone"], cldr.months["stand-alone"]
    return {
        "moduleType": "locale",
        "name": language,
        "dictionary": dictionary,
        "format": {
            # CLDR numbers the weekdays from Monday (0), d3 from Sunday; the months from 1.
            "days": [days["wide"][day] for day in _SUNDAY_FIRST],
            "shortDays": [days["abbreviated"][day] for day in _SUNDAY_FIRST],
            "months": [months["wide"][month] for month in range(1, 13)],
            "shortMonths": [months["abbreviated"][month] for month in range(1, 13)],
            "date": _d3_date(cldr.date_formats["short"].pattern),
            "decimal": i18n.plotly_separators(language)[0], "thousands": i18n.plotly_separators(language)[1],
        },
    }


def locale_script() -> str:
    """The script that registers every language but the code's own with plotly.js, loaded or not yet."""
    locales = [plotly_locale(language) for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]
    return ("(function(locales) {\n"
            "  if (window.Plotly && window.Plotly.register) { window.Plotly.register(locales); }\n"
            "  else { window.PlotlyLocales = (window.PlotlyLocales || []).concat(locales); }\n"
            f"}})({json.dumps(locales, ensure_ascii=False)});\n")
