"""Views: what each page shows, as plain data computed from the artifacts (no Dash, no plotly).

One module per page that prepares data (``data``, ``explorer``, ``segments``, ``tree``, ``score``; the Overview
shows the artifacts as they are); views that several pages share are named by subject (``rates``, ``caveats``).
"""
