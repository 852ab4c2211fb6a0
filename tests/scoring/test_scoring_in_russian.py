"""The Score page, scoring's reasons, the API's reasons and the scoring command in Russian (English is what the
other scoring tests check, unchanged): texts in the language at hand, numbers as Russian writes them, three
plural forms, caches that keep the languages apart, and a background job that answers in its request's
language."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import diskcache
import pandas as pd
import pytest
from dash.background_callback.managers.diskcache_manager import DiskcacheManager, _make_job_fn

from app import app as dash_app  # the page registry is global: one app per session, imported as gunicorn does
from dashapp.core import i18n
from dashapp.scoring import client_files, dask_scoring, scorer
from dashapp.views import score as score_view
from dashapp.web import api
from tests.layout_helpers import by_id, components, text
# The Score page's module fixtures: the full artifacts, a job folder of the module's own, the page module.
from tests.pages.test_score import _artifacts, _job_folder, page  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
NARROW_NBSP = "\u202f"
#: One client scored, one with a job that is no category, one with two key fields unknown.
SMALL_CSV = b"job;housing;loan;age\nadmin.;yes;no;30\npilot;yes;no;40\nunknown;unknown;no;50\n"


def _upload(content: bytes) -> str:
    return f"data:text/csv;base64,{base64.b64encode(content).decode()}"


def _progress_log() -> tuple[list, object]:
    told: list = []
    return told, lambda values: told.append(tuple(values))


# --- Scoring's reasons -----------------------------------------------------------------------------------------


def test_a_clients_reasons_follow_the_language_and_the_cache_keeps_them_apart():
    client = {"job": "pilot", "housing": None, "loan": None, "age": 12}
    english = [e.reason for e in scorer.validate_client(client)]
    with i18n.use_language("ru"):
        russian = [e.reason for e in scorer.validate_client(client)]
    assert english == [e.reason for e in scorer.validate_client(client)]  # English again, not the cached Russian
    assert english[0].startswith("'pilot' is not a category of Job; expected one of admin.")
    assert russian[0].startswith("'pilot' — недопустимое значение поля «")
    assert "ожидается одно из значений admin." in russian[0]
    assert russian[1] == "12 — это не возраст; ожидается целое число от 16 до 120"
    # Two unknown key fields: the plural form, and "и" joining the fields.
    assert "значения неизвестны; должны быть известны хотя бы два поля из трёх:" in russian[2]
    assert " и " in russian[2] and " and " not in russian[2]


def test_a_tables_status_and_vote_are_written_in_the_language_at_hand(full_store):
    table = pd.read_csv(pd.io.common.BytesIO(SMALL_CSV.replace(b"admin.", b"unknown", 1)), sep=";", dtype=str)
    with i18n.use_language("ru"):
        result = scorer.score_table(table, scorer.scoring_model(full_store))
    status, filled = result.table["status"].tolist(), result.table["filled"].tolist()
    # The status codes stay as the API's; the reasons after them are Russian.
    assert status[0] == "scored" and status[1].startswith("not scored: 'pilot' — недопустимое значение поля")
    assert filled[0].startswith("job = ") and "(ближайших клиентов: " in filled[0]
    assert [r.reason for r in result.refusals][0].startswith("'pilot' —")


def test_the_scoring_models_languages_share_one_neighbour_index(full_store):
    english = scorer.scoring_model(full_store)
    with i18n.use_language("ru"):
        russian = scorer.scoring_model(full_store)
        assert scorer.scoring_model(full_store) is russian
    assert russian is not english and russian.neighbours is english.neighbours
    assert russian.voter_groups is english.voter_groups
    assert sorted(russian.segment_names) == sorted(english.segment_names)


def test_numbers_in_file_messages_have_a_decimal_comma_and_narrow_spaces():
    with i18n.use_language("ru"):
        with pytest.raises(client_files.ClientFileError) as too_large:
            client_files.check_size(b"x" * (3 * 2**19), 2**20, client_files.file_name("clients.csv"))
        with pytest.raises(client_files.ClientFileError) as too_long:
            client_files.check_rows(1_234_567, 200_000, client_files.file_name("clients.csv"))
        limit = score_view.upload_limit_text()
    assert str(too_large.value).startswith("Файл «clients.csv» занимает 1,5 МБ, а допустимо не более 1 МБ.")
    assert f"строк с клиентами — 1{NARROW_NBSP}234{NARROW_NBSP}567, а допустимо не более 200{NARROW_NBSP}000" in str(
        too_long.value)
    assert limit == f"50 МБ, 200{NARROW_NBSP}000 строк и 500 столбцов"


def test_a_dask_partition_is_scored_in_the_commands_language(full_store):
    table = pd.read_csv(pd.io.common.BytesIO(SMALL_CSV), sep=";", dtype=str)
    scored = dask_scoring.score_partition(table, list(table.columns), scorer.scoring_model(full_store), "ru")
    assert scored.iloc[1, -4].startswith("not scored: 'pilot' — недопустимое значение")


# --- The page ------------------------------------------------------------------------------------------------


def test_the_page_reads_in_russian(page):
    import dash

    with i18n.use_language("ru"):
        layout = dash.page_registry["pages.score"]["layout"]()
    shown = text(layout)
    for words in ("Скоринг", "Ключевые поля", "Определить сегмент", "Скачать файл с сегментами",
                  f"Не более 50 МБ, 200{NARROW_NBSP}000 строк и 500 столбцов."):
        assert words in shown, words
    assert "Score the client" not in shown and "Key fields" not in shown
    tabs = [c.label for c in components(layout) if type(c).__name__ == "Tab"]
    assert tabs == ["Один клиент", "Файл клиентов"]


def test_a_form_that_cannot_be_scored_says_so_in_russian(page):
    form = {f: None for f in page.FIELDS}
    with i18n.use_language("ru"):
        out = page.score_one_client(clicks=1, submits=None, form=form)
    assert "Пока определить сегмент нельзя: исправьте поля, отмеченные красным." in text(out["result"])
    assert all("значения неизвестны" in out["feedback"][f] for f in ("job", "housing", "loan"))


def test_an_upload_is_summarised_in_russian(page):
    told, progress = _progress_log()
    with i18n.use_language("ru"):
        out = page.score_file(progress, _upload(SMALL_CSV), "clients.csv")
    ids = by_id(out["result"])
    summary = text(ids[page.SCORE_UPLOAD_SUMMARY])
    assert "Файл «clients.csv»: сегмент определён для 1 из 3 строк" in summary
    assert "Для 2 строк сегмент не определён" in summary
    assert "Прочитан как UTF-8, разделитель ';'" in summary
    refused = text(ids[page.SCORE_UPLOAD_REFUSED])
    assert "Строки, для которых сегмент не определён (2)" in refused and "'pilot' — недопустимое значение" in refused
    assert told[0] == (0, 1, "Читаем файл…") and (3, 3, "обработано 3 из 3 строк") in told


def test_a_background_job_answers_in_the_language_of_its_request(page, tmp_path):
    """Dash runs the upload's callback in a process of its own (multiprocess, forked): the job inherits the
    request's language, its progress and its result are in it."""
    cache = diskcache.Cache(str(tmp_path / "callbacks"))
    manager = DiskcacheManager(cache)
    job = _make_job_fn(page.score_file, cache, progress=True)
    with i18n.use_language("ru"):
        manager.call_job_fn("job", job, {"contents": _upload(SMALL_CSV), "filename": "clients.csv"},
                            {"args_grouping": {}, "using_args_grouping": False, "outputs_list": []})
    for _attempt in range(600):  # the job's result, once it is stored (a generous wait, never an assertion on time)
        if manager.result_ready("job"):
            break
        time.sleep(0.1)
    result = cache.get("job")
    assert isinstance(result, dict) and "result" in result, result
    summary = text(by_id(result["result"])[page.SCORE_UPLOAD_SUMMARY])
    assert "Файл «clients.csv»: сегмент определён для 1 из 3 строк" in summary
    assert cache.get(manager._make_progress_key("job"))[2] == "Записываем файл с сегментами…"


# --- The API ---------------------------------------------------------------------------------------------------


def test_the_apis_reasons_are_russian_in_a_russian_request():
    with i18n.use_language("ru"):
        _validated, _is_list, errors = api._validate_payload({"clients": "x", "extra": 1})
        _id, client_errors = api._client_id({"client_id": [1]})
        [(_cid, scored)] = api._validate_payload({"clients": [{"job": "pilot", "housing": "yes", "loan": "no"}]})[0]
    assert [e.field for e in errors] == ["extra", "clients"]  # field names stay English
    assert errors[0].reason == 'список клиентов передаётся как {"clients": [...]} и ничего больше'
    assert errors[1].reason == "должен быть списком объектов-клиентов"
    assert client_errors[0].reason.startswith("список — не идентификатор клиента; ожидается строка длиной не более 200")
    assert scored[0].field == "job" and scored[0].reason.startswith("'pilot' — недопустимое значение поля")


def test_the_api_answers_in_the_language_of_its_accept_language_header():
    client = dash_app.server.test_client()
    response = client.post("/api/v1/score", json={"job": "pilot", "housing": "yes", "loan": "no"},
                           headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == "job" and error["reason"].startswith("'pilot' — недопустимое значение поля")
    english = client.post("/api/v1/score", json={"job": "pilot", "housing": "yes", "loan": "no"},
                          headers={"Accept-Language": "en"})
    assert english.get_json()["errors"][0]["reason"].startswith("'pilot' is not a category of Job")
    # A machine's request: the language a browser chose for the pages (the cookie) does not change its answers.
    client.set_cookie("lang", "ru")
    remembered = client.post("/api/v1/score", json={"job": "pilot", "housing": "yes", "loan": "no"})
    assert remembered.get_json()["errors"][0]["reason"].startswith("'pilot' is not a category of Job")


# --- The command line -------------------------------------------------------------------------------------------


def _run(*args, lang_env: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["PYTHONPATH"] = str(REPO)
    if lang_env:
        env["LANG"] = lang_env
    return subprocess.run([sys.executable, str(REPO / "scripts" / "score.py"), *map(str, args), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_command_speaks_russian_with_lang_ru_and_writes_its_reasons_in_russian(full_store, tmp_path):
    source, target = tmp_path / "clients.csv", tmp_path / "scored.csv"
    source.write_bytes(SMALL_CSV)
    result = _run(source, target, "--model-dir", full_store.model_dir, "--lang", "ru")
    assert result.returncode == 0, result.stderr
    assert "сегмент определён для 1 из 3 строк" in result.stderr
    assert "для 2 строк сегмент не определён: причина указана в столбце статуса" in result.stderr
    scored = pd.read_csv(target, sep=";", dtype=str, keep_default_na=False)
    assert list(scored.columns[-4:]) == list(scorer.OUTPUT_COLUMNS)  # column names stay codes
    assert scored["status"].iat[1].startswith("not scored: 'pilot' — недопустимое значение поля")


def test_the_commands_language_comes_from_lang_and_an_explicit_lang_wins(tmp_path):
    missing = tmp_path / "nowhere.csv"
    russian = _run(missing, tmp_path / "out.csv", lang_env="ru_RU.UTF-8")
    english = _run(missing, tmp_path / "out.csv", "--lang", "en", lang_env="ru_RU.UTF-8")
    assert russian.returncode == english.returncode == 2
    assert f"{missing} не существует" in russian.stderr
    assert f"{missing} does not exist" in english.stderr
