"""Bank client segmentation studio: the analysis core, its artifacts and the Dash app around them."""

__version__ = "0.1.0"
