"""How fast spreadsheets go in and out: the UCI file as an .xlsx workbook read, scored and written, and the largest
chart's data (the explorer's t-SNE map) as CSV and Excel.

    PYTHONPATH=. python benchmarks/bench_sheets.py              # on model/ (BANK_MODEL_DIR)
    PYTHONPATH=. python benchmarks/bench_sheets.py --repeat 1

openpyxl parses and writes every cell in Python, so a workbook is far slower than the CSV path (about 1 s for
the same rows; bench_scoring.py): the upload scores it in a background job with a progress bar, and this
measures how long the reading and the writing take. Prints medians; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import timeit
from pathlib import Path

import pandas as pd
import plotly.io

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dashapp.artifacts import model_folder  # noqa: E402
from dashapp.core.settings import get_settings  # noqa: E402
from dashapp.results import chart_data
from dashapp.scoring import client_workbooks, scorer
from dashapp.sources.uci_file import obtain_bank_csv  # noqa: E402


def _median_s(function, repeat: int) -> float:
    return statistics.median(timeit.repeat(function, number=1, repeat=repeat))


def bench_workbook(csv_path: Path, model: scorer.ScoringModel, repeat: int) -> None:
    rows = pd.read_csv(csv_path, sep=";")
    buffer = io.BytesIO()
    rows.to_excel(buffer, sheet_name="clients", index=False)
    content = buffer.getvalue()
    file = client_workbooks.read_client_file(content, max_rows=None)
    result = scorer.score_table(file.table, model)
    read = _median_s(lambda: client_workbooks.read_client_file(content, max_rows=None), repeat)
    score = _median_s(lambda: scorer.score_table(file.table, model), repeat)
    write = _median_s(lambda: client_workbooks.scored_file_bytes(result.table, file.dialect), repeat)
    print(f"the UCI file as .xlsx ({len(rows):,} rows x {rows.shape[1]} columns, {len(content) / 2**20:.1f} MB): "
          f"read {read:.1f} s, scored {score:.2f} s, written {write:.1f} s (medians of {repeat})")


def bench_chart_data(store: model_folder.ArtifactStore, repeat: int) -> None:
    from dashapp.figures import explorer as figures
    from dashapp.views import explorer as view

    config = view.config_of({"treatment": "knn", "pipeline": 8, "features": "final", "k": 4})
    points = view.tsne_points(store.tsne(config), store.clients, 4)
    shares = view.cluster_shares(view.configuration_metrics(store.grid_metrics, config), 4)
    figure = json.loads(plotly.io.to_json(figures.tsne_figure(points, 4, shares=shares)))
    size = len(json.dumps(figure))
    for suffix in ("csv", "xlsx"):
        seconds = _median_s(lambda: chart_data.chart_file_bytes(figure, "t-SNE map", suffix), repeat)
        print(f"the t-SNE map's data ({size / 1e3:,.0f} KB of figure JSON) as {suffix}: {seconds * 1e3:.0f} ms "
              f"(median of {repeat})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    settings = get_settings()
    store = model_folder.load_store(str(settings.model_dir))
    bench_workbook(obtain_bank_csv(settings, progress=False), scorer.scoring_model(store), args.repeat)
    bench_chart_data(store, max(args.repeat, 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
