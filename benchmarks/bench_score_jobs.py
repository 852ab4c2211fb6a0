"""What scoring a file in chunks costs (the Score page's background job) against scoring it in one go.

    PYTHONPATH=. python benchmarks/bench_score_jobs.py

On the 41,188-row file: score_table in one go, score_table_in_chunks at the default chunk size and at 1,000 rows,
and the page's whole job as its background process runs it (decode the upload, read, score in chunks with
progress, summarise, write the scored file and keep it in the job folder). Prints medians; asserts nothing.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dashapp.artifacts.current import current_store  # noqa: E402
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.scoring import client_files, score_jobs, scorer  # noqa: E402


def _median_s(function, repeat: int) -> float:
    function()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from dashapp.sources.uci_file import obtain_bank_csv

    csv_path = obtain_bank_csv(get_settings(), progress=False)
    model = scorer.scoring_model(current_store())
    table = client_files.read_client_csv(csv_path.read_bytes()).table
    rows = len(table)
    one_go = _median_s(lambda: scorer.score_table(table, model), 5)
    print(f"score_table, {rows:,} rows in one go: median {one_go:.3f} s")
    for chunk in (score_jobs.DEFAULT_CHUNK_ROWS, 1000):
        chunked = _median_s(lambda: score_jobs.score_table_in_chunks(table, model, chunk, lambda *_: None), 5)
        print(f"score_table_in_chunks, chunks of {chunk:,} rows: median {chunked:.3f} s "
              f"({chunked / one_go - 1:+.0%} against one go)")

    with tempfile.TemporaryDirectory() as folder:
        os.environ[score_jobs.JOB_CACHE_ENV] = folder
        import app  # noqa: F401  (the page module needs the app's page registry)
        from pages import score as page

        contents = "data:text/csv;base64," + base64.b64encode(csv_path.read_bytes()).decode()
        job = _median_s(lambda: page.score_file(lambda *_: None, contents, "clients.csv"), 5)
        print(f"the page's job on the {csv_path.stat().st_size / 2**20:.1f} MB file (read, score in chunks, "
              f"summarise, write and keep the scored file): median {job:.3f} s")


if __name__ == "__main__":
    main()
