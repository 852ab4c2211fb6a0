"""Obtaining ``bank-additional-full.csv``: a configured copy, the local cache, or the UCI archive.

Every copy is checked against the published sha256 before it is used; a download is written to a temporary
file and renamed into place only once verified, so nothing half-written is ever left behind.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from tqdm import tqdm

from dashapp.core.settings import BANK_FULL_SHA256, Settings

logger = logging.getLogger(__name__)

_INNER_ZIP = "bank-additional.zip"
_CSV_MEMBER = "bank-additional/bank-additional-full.csv"
_CHUNK = 1 << 20


class DataSourceError(RuntimeError):
    """The data set could not be obtained or is not the expected file."""


def sha256_of(path: str | Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_checksum(path: Path, expected: str = BANK_FULL_SHA256) -> None:
    """Raise :class:`DataSourceError` unless ``path`` has the sha256 ``expected``."""
    actual = sha256_of(path)
    if actual != expected:
        raise DataSourceError(
            f"{path} is not the UCI bank-additional-full.csv: its sha256 is {actual}, expected {expected}. "
            "The file may be truncated, corrupted or a different version; remove it and fetch it again "
            "(make data).")


def _download(url: str, destination: Path, progress: bool) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "bank-segmentation-studio"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (URL is a setting)
        total = int(response.headers.get("Content-Length") or 0) or None
        with destination.open("wb") as out, tqdm(total=total, unit="B", unit_scale=True,
                                                 desc="Downloading bank-marketing data",
                                                 disable=not progress) as bar:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                bar.update(len(chunk))


def _extract_csv(archive: Path) -> bytes:
    """The CSV's bytes from the UCI zip, which nests ``bank-additional.zip`` inside the outer archive."""
    try:
        with zipfile.ZipFile(archive) as outer:
            names = outer.namelist()
            if _CSV_MEMBER in names:  # tolerate a flat archive too
                return outer.read(_CSV_MEMBER)
            if _INNER_ZIP not in names:
                raise DataSourceError(f"the archive has no {_INNER_ZIP} (it has {', '.join(names[:5])})")
            with zipfile.ZipFile(io.BytesIO(outer.read(_INNER_ZIP))) as inner:
                return inner.read(_CSV_MEMBER)
    except (zipfile.BadZipFile, KeyError, EOFError, zipfile.LargeZipFile) as error:
        raise DataSourceError(f"the downloaded archive is not a valid UCI zip: {error}") from error


def download_bank_csv(url: str, destination: Path, expected_sha256: str = BANK_FULL_SHA256,
                      progress: bool = True) -> Path:
    """Download the UCI archive, extract and verify the CSV, and move it atomically to ``destination``.

    Parameters
    ----------
    url : str
        The archive's address (the UCI zip, or a test server's).
    destination : Path
        Where the verified CSV goes.
    expected_sha256 : str
        The CSV's published checksum.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Path
        ``destination``.

    Raises
    ------
    DataSourceError
        If the download fails or the archive or CSV is not the expected one; ``destination`` is untouched.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".download-") as scratch:
        archive = Path(scratch) / "bank-marketing.zip"
        try:
            _download(url, archive, progress)
        except OSError as error:
            raise DataSourceError(f"could not download {url}: {error}") from error
        candidate = Path(scratch) / destination.name
        candidate.write_bytes(_extract_csv(archive))
        verify_checksum(candidate, expected_sha256)
        os.replace(candidate, destination)
    logger.info("downloaded and verified %s", destination)
    return destination


def obtain_bank_csv(settings: Settings, progress: bool = True) -> Path:
    """The path of a verified ``bank-additional-full.csv``, downloading it only when no copy exists.

    Source order: ``BANK_MARKETING_CSV``; the cache in ``settings.data_dir``; the UCI archive.

    Raises
    ------
    DataSourceError
        If the configured copy is missing or differs from the published file, or the download fails.
    """
    if settings.data_csv is not None:
        if not settings.data_csv.is_file():
            raise DataSourceError(f"BANK_MARKETING_CSV points at {settings.data_csv}, which does not exist")
        verify_checksum(settings.data_csv)
        return settings.data_csv
    if settings.cached_csv.is_file():
        verify_checksum(settings.cached_csv)
        return settings.cached_csv
    return download_bank_csv(settings.download_url, settings.cached_csv, progress=progress)
