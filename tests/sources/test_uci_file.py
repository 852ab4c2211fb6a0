"""Obtaining the data: configured copy, cache, and a download served by a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dashapp.core.settings import BANK_FULL_SHA256, settings_from_env
from dashapp.sources.uci_file import DataSourceError, download_bank_csv, obtain_bank_csv, sha256_of


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def archive_server(bank_csv, tmp_path_factory):
    """Serves, from a folder built here: the UCI-shaped nested zip, a corrupted one, and a wrong-data one."""
    root = tmp_path_factory.mktemp("uci")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(bank_csv, "bank-additional/bank-additional-full.csv")
    with zipfile.ZipFile(root / "bank+marketing.zip", "w") as zf:
        zf.writestr("bank-additional.zip", inner.getvalue())
        zf.writestr("bank.zip", b"not used")
    good = (root / "bank+marketing.zip").read_bytes()
    (root / "corrupted.zip").write_bytes(good[: len(good) // 2] + b"\x00" * 100)
    altered = io.BytesIO()
    with zipfile.ZipFile(altered, "w") as zf:
        zf.writestr("bank-additional/bank-additional-full.csv", Path(bank_csv).read_bytes()[:-500])
    with zipfile.ZipFile(root / "different.zip", "w") as zf:
        zf.writestr("bank-additional.zip", altered.getvalue())

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_download_extracts_nested_zip_and_verifies(archive_server, tmp_path):
    target = tmp_path / "raw" / "bank-additional-full.csv"
    download_bank_csv(f"{archive_server}/bank+marketing.zip", target, progress=False)
    assert sha256_of(target) == BANK_FULL_SHA256
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no scratch files left


def test_corrupted_archive_is_refused_and_leaves_nothing(archive_server, tmp_path):
    target = tmp_path / "raw" / "bank-additional-full.csv"
    with pytest.raises(DataSourceError, match="not a valid UCI zip"):
        download_bank_csv(f"{archive_server}/corrupted.zip", target, progress=False)
    assert list(target.parent.iterdir()) == []


def test_different_file_is_refused_with_expected_checksum(archive_server, tmp_path):
    target = tmp_path / "raw" / "bank-additional-full.csv"
    with pytest.raises(DataSourceError, match=f"expected {BANK_FULL_SHA256}"):
        download_bank_csv(f"{archive_server}/different.zip", target, progress=False)
    assert list(target.parent.iterdir()) == []


def test_unreachable_address_is_a_clear_error(archive_server, tmp_path):
    with pytest.raises(DataSourceError, match="could not download"):
        download_bank_csv(f"{archive_server}/missing.zip", tmp_path / "x.csv", progress=False)


def test_source_order_env_then_cache_then_download(archive_server, bank_csv, tmp_path):
    env = {"BANK_DATA_DIR": str(tmp_path / "cache"), "BANK_MARKETING_URL": f"{archive_server}/bank+marketing.zip"}
    assert obtain_bank_csv(settings_from_env({**env, "BANK_MARKETING_CSV": str(bank_csv)}), progress=False) \
        == Path(bank_csv).resolve()
    downloaded = obtain_bank_csv(settings_from_env(env), progress=False)
    assert downloaded == (tmp_path / "cache" / "bank-additional-full.csv").resolve()
    # The second call finds the cache; a broken URL proves no download happens.
    cached = obtain_bank_csv(settings_from_env({**env, "BANK_MARKETING_URL": f"{archive_server}/nope"}),
                             progress=False)
    assert cached == downloaded


def test_configured_copy_that_differs_is_refused(tmp_path):
    wrong = tmp_path / "bank-additional-full.csv"
    wrong.write_text("age;job\n1;admin.\n")
    with pytest.raises(DataSourceError, match="sha256"):
        obtain_bank_csv(settings_from_env({"BANK_MARKETING_CSV": str(wrong)}), progress=False)
    with pytest.raises(DataSourceError, match="does not exist"):
        obtain_bank_csv(settings_from_env({"BANK_MARKETING_CSV": str(tmp_path / "nope.csv")}), progress=False)
