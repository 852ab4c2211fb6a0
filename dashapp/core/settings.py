"""Paths and settings, read once from the environment with sensible defaults.

Every other module asks :func:`get_settings` instead of reading ``os.environ`` or guessing paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The ``dashapp`` package's folder (what ships in a wheel: the product catalogue, the message catalogues).
PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: The checkout the package sits in (``data/``, ``model/``); in a plain install, set the paths by environment.
PROJECT_ROOT = PACKAGE_DIR.parent

#: sha256 of ``bank-additional-full.csv`` as the UCI archive distributes it.
BANK_FULL_SHA256 = "74adfc578bf77a7ff4bb1ba4a9f8709d9e3c6907342959c2c8416847e0afb4d8"
UCI_ARCHIVE_URL = "https://archive.ics.uci.edu/static/public/222/bank+marketing.zip"


@dataclass(frozen=True)
class Settings:
    """Where things are and how the app is served.

    Attributes
    ----------
    data_csv : Path or None
        ``BANK_MARKETING_CSV``: an existing copy of ``bank-additional-full.csv`` to use as is.
    data_dir : Path
        ``BANK_DATA_DIR``: the cache for the downloaded file (default ``data/raw``).
    model_dir : Path
        ``BANK_MODEL_DIR``: the built artifacts (default ``model``).
    download_url : str
        ``BANK_MARKETING_URL``: the UCI archive to download when no copy exists.
    url_prefix : str
        ``URL_PREFIX``: the path the app is mounted under, e.g. ``/studio/`` (default ``/``).
    product_catalogue : Path
        ``BANK_PRODUCT_CATALOGUE``: the products suggested per kind of segment (default
        ``dashapp/product_catalogue.toml``; read when the segments are shown, so editing it needs no rebuild).
    """

    data_csv: Path | None
    data_dir: Path
    model_dir: Path
    download_url: str
    url_prefix: str
    product_catalogue: Path = PACKAGE_DIR / "product_catalogue.toml"

    @property
    def cached_csv(self) -> Path:
        return self.data_dir / "bank-additional-full.csv"


def _normalise_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip().strip("/")
    return prefix if prefix == "/" else prefix + "/"


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    csv = env.get("BANK_MARKETING_CSV", "").strip()
    return Settings(
        data_csv=Path(csv).expanduser().resolve() if csv else None,
        data_dir=Path(env.get("BANK_DATA_DIR", PROJECT_ROOT / "data" / "raw")).resolve(),
        model_dir=Path(env.get("BANK_MODEL_DIR", PROJECT_ROOT / "model")).resolve(),
        download_url=env.get("BANK_MARKETING_URL", UCI_ARCHIVE_URL),
        url_prefix=_normalise_prefix(env.get("URL_PREFIX", "/")),
        product_catalogue=Path(env.get("BANK_PRODUCT_CATALOGUE", "").strip()
                               or PACKAGE_DIR / "product_catalogue.toml").expanduser().resolve(),
    )


@cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return settings_from_env()
