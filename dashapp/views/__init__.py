"""Views: what a page shows, as plain data computed from the artifacts (no Dash), shared by pages and tests."""
