"""The Campaign response and Decision tree pages, and the subscription-rate tables, in Russian.

The views and figures on small data (the response of :mod:`tests.analysis.test_response`, the clients of
:mod:`tests.views.test_rates`, the tree of :mod:`tests.figures.test_segments_tree`), the pages on the artifacts the
settings name. What is checked: the page's own texts hold no English (no two Latin words in a row outside the codes
and proper names), numbers carry the decimal comma and Russian's narrow no-break space, counts take Russian's
three plural forms, and a text cached for one language is never served in the other.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from unittest import mock

import dash
import plotly.graph_objects as go
import pytest

import app  # noqa: F401  (creates the app, so the page modules below import as gunicorn loads them)
from dashapp.analysis.response import response_analysis
from dashapp.artifacts.current import current_store
from dashapp.core import catalogue, i18n
from dashapp.figures.classifier import class_balance_figure, confusion_matrix_figure
from dashapp.figures.response import segment_driver_figure, segment_rate_figure
from dashapp.figures.tree import tree_figure
from dashapp.views import rates, response as view
from dashapp.views.tree import rule_answer, rules_text
from tests.analysis.test_response import GROUPS, N_TRAIN, _frame
from tests.figures.test_segments_tree import _tree_nodes
from tests.layout_helpers import by_id, text
from tests.views.test_rates import SEGMENTS, _clients

NNBSP = "\u202f"  # Russian's narrow no-break space, between thousands and before the percent sign
#: Two Latin words in a row, the sign of an English text left on a Russian page (plotly's %{...} and tags removed).
_LATIN_PAIR = re.compile(r"\b[A-Za-z][A-Za-z'.-]*[ \u00a0]+[A-Za-z][A-Za-z'.-]*\b")


def english_left(texts) -> list[str]:
    """The texts holding two Latin words in a row."""
    left = []
    for piece in texts:
        plain = re.sub(r"<[^>]+>", " ", re.sub(r"%\{[^}]*\}", " ", piece or ""))
        if _LATIN_PAIR.search(plain):
            left.append(piece)
    return left


def figure_texts(figure: go.Figure) -> list[str]:
    """Every text of a figure a person reads: titles, trace names, hovers, texts and annotations."""
    layout = figure.layout
    texts = [layout.title.text, layout.xaxis.title.text, layout.yaxis.title.text, layout.legend.title.text]
    texts += [annotation.text for annotation in layout.annotations or ()]
    for trace in figure.data:
        texts += [trace.name, trace.hovertemplate]
        for values in (getattr(trace, "text", None), getattr(trace, "hovertext", None)):
            if isinstance(values, str):
                texts.append(values)
            elif values is not None:
                texts += [value for row in values for value in (row if isinstance(row, (list, tuple)) else [row])]
        if isinstance(trace.x, tuple) and trace.x and isinstance(trace.x[0], str):
            texts += list(trace.x)
    return [piece for piece in texts if isinstance(piece, str)]


@pytest.fixture(scope="module")
def response() -> dict:
    clean, segments = _frame(GROUPS)
    return response_analysis(clean, segments, N_TRAIN)


@pytest.fixture
def russian():
    with i18n.use_language("ru"):
        yield


# --- The response page's view and figures --------------------------------------------------------------------

def test_numbers_intervals_and_p_values_take_the_decimal_comma(russian):
    assert view.format_p(0.193) == "0,19" and view.format_p(7.47e-7) == "7e-7"
    assert view.format_interval([0.264, 0.3]) == f"26,4–30,0{NNBSP}%"
    assert view.format_rate(0.2812) == f"28,1{NNBSP}%"
    assert view.verdict({"p_value": 0.19, "min_expected": 50}).evidence == "p = 0,19"
    assert view.verdict({"p_value": 8e-7, "min_expected": 50}, {"p_value": 0.8}).evidence == (
        "по всем месяцам вместе p = 8e-7; внутри календарного месяца p = 0,8")


def test_the_sentences_are_russian_with_lifts_rates_and_intervals(response, russian):
    sentence = view.segment_sentence(response, "test")
    lo, hi = response["populations"]["test"]["segments"][2]["interval"]
    assert sentence.startswith(f"В тестовом периоде лифт сегмента 3 — 1,50 (вклад оформили 60,0{NNBSP}%, "
                               f"95%-й интервал {i18n.number(100 * lo, 1)}–{i18n.number(100 * hi, 1)}{NNBSP}%)")
    assert sentence.endswith("доли по всем месяцам вместе различаются (p = " + view.format_p(
        response["populations"]["test"]["segment_test"]["p_value"]) + "); без месяцев звонков календарь "
        "зафиксировать нельзя, а доли по месяцам различаются гораздо сильнее, чем при любой группировке клиентов.")
    assert view.segment_sentence(response, "train") == (
        f"В обучающем периоде сегменты не различаются (p = 1): вклад оформили от 10,0{NNBSP}% до "
        f"10,0{NNBSP}% против 10,0{NNBSP}% по всем клиентам.")
    assert view.headline(response) == ("Отчасти. В обучающем периоде сегменты не различаются; в тестовом периоде "
                                       "сегменты различаются.")
    answer = view.answer(response)
    assert english_left([answer["headline"], *answer["sentences"], i18n.gettext(view.NOT_UPLIFT),
                         i18n.gettext(view.SEGMENTS_DESCRIBE)]) == []
    assert english_left([view.driver_sentence_within(response, "test", "month")]) == []


def test_counts_take_the_three_russian_plural_forms(response, russian):
    assert [view.level_label("campaign", level) for level in ("1", "3", "4-5", "6+")] == [
        "1 звонок", "3 звонка", "4-5 звонков", "6+ звонков"]
    nothing = {**response, "populations": {**response["populations"], "test": {
        **response["populations"]["test"], "segment_test": None, "clients": 21, "rate": 0.5}}}
    assert view.segment_sentence(nothing, "test") == (
        f"В тестовом периоде сравнивать нечего (вклад оформили 50,0{NNBSP}% из 21 клиента).")


def test_population_options_tables_and_figures_are_russian(response, russian):
    options = view.populations(response)
    assert options[1]["label"] == "Обучающий период (май 2008 – июнь 2008)"
    assert options[3]["label"] == "Звонки 2008 года (май 2008 – июнь 2008)"
    table = view.segment_table(response, "train")
    assert table["columns"][1:6] == ["Клиенты", "Оформили вклад", "Доля", "95%-й интервал", "Лифт"]
    assert table["rows"][0][:4] == ["Сегмент 1", "200", "20", f"10,0{NNBSP}%"]
    assert table["rows"][2][-1] == "мало клиентов" and table["rows"][-1][0] == "Все сегменты"
    comparison = view.comparison_table(response, "train")
    assert ["Период (обучающий или тестовый)", "-", "-", "только одна группа"] in comparison["rows"]
    rate_figure = segment_rate_figure(view.segment_rates(response, "test"))
    driver_figure = segment_driver_figure(view.driver_cells(response, "test", "campaign"))
    assert rate_figure.layout.annotations[0].text.startswith("тестовый период: ")
    assert driver_figure.data[0].name == "Все сегменты" and driver_figure.data[1].name == "Сегмент 1"
    assert english_left(figure_texts(rate_figure) + figure_texts(driver_figure)) == []


# --- Subscription rates ----------------------------------------------------------------------------------------

def test_rate_tables_name_their_populations_and_months_in_russian(russian):
    table = rates.subscription_rates(_clients(), segment_numbers=SEGMENTS)
    # The table is data, the same in every language (a cached one serves both): its texts are said in Russian.
    with i18n.use_language("en"):
        assert rates.subscription_rates(_clients(), segment_numbers=SEGMENTS) == table
    assert table.time_ordered and table.names["train"] == "training period"
    assert rates.population_label(table.names["train"]) == "обучающий период"
    assert table.of("train").labelled == f"обучающий период: 33,3{NNBSP}%"
    assert table.periods["test"].description == "тестовый период: 4 звонка, янв. 2009 – нояб. 2010"
    assert rates.split_explanation(table) == (
        "Обучающий период — первые 6 звонков (май 2008 – июль 2008), на которых найдены сегменты; тестовый "
        "период — остальные 4 (янв. 2009 – нояб. 2010). Среди более поздних клиентов вклад оформили намного чаще.")
    filtered = rates.subscription_rates(_clients(), rates.FILTERED, segment_numbers=SEGMENTS)
    assert rates.population_label(filtered.of("train").population) == "отобранные клиенты, обучающий период"
    assert rates.rate_of(_clients(), rates.FILTERED).labelled == f"отобранные клиенты: 50,0{NNBSP}%"


def test_a_random_split_is_named_as_samples_in_russian(russian):
    table = rates.subscription_rates(_clients(), names=rates.RANDOM_SPLIT_POPULATIONS, segment_numbers=SEGMENTS)
    assert not table.time_ordered and rates.population_label(table.names["test"]) == "тестовая выборка"
    assert rates.split_explanation(table) == (
        "Обучающая выборка — случайные 6 клиентов, на которых найдены сегменты; тестовая выборка — остальные 4.")


def test_english_rate_tables_are_unchanged():
    table = rates.subscription_rates(_clients(), segment_numbers=SEGMENTS)
    assert table.of("train").labelled == "training period: 33.3%"
    assert table.periods["test"].description == "test period: 4 calls, Jan 2009 to Nov 2010"


# --- The tree's texts and figures ------------------------------------------------------------------------------

def test_tree_figure_and_rules_count_clients_in_russian(russian):
    tree = _tree_nodes()
    tree[2]["samples"], tree[3]["samples"] = 21, 3  # the three forms: 21 клиент, 3 клиента, 100 клиентов
    figure = tree_figure(tree, catalogue.segment_names(current_store()))
    nodes = next(trace for trace in figure.data if trace.name == "nodes")
    assert [node_text.split("<br>")[1] for node_text in nodes.text][:4] == [
        "100 клиентов", "40 клиентов", "21 клиент", "3 клиента"]
    assert all("Узел" in hover and "Состав по сегментам:" in hover for hover in nodes.hovertext)
    assert figure.layout.legend.title.text == "Прогнозируемый сегмент: "
    assert rule_answer("housing = yes") == "Да" and rule_answer("loan = no") == "Нет"
    rules = rules_text(_tree_nodes(), catalogue.segment_names(current_store()), codes=True)
    assert rules.startswith("если housing = ") and "клиент" in rules and "training" not in rules
    stacked = tree_figure(_tree_nodes(), catalogue.segment_names(current_store()), width=390)
    assert any("далее: " in node_text for node_text in stacked.data[2].text)


def test_classifier_figures_are_russian(russian):
    matrix = [[10, 0, 0, 0], [0, 1200, 0, 0], [0, 0, 5, 0], [0, 0, 0, 7]]
    confusion = confusion_matrix_figure(matrix, current_store().segment_numbers)
    assert confusion.layout.xaxis.title.text == "Прогнозируемый сегмент"
    assert confusion.data[0].text[1][1] == f"1{NNBSP}200"
    balance = class_balance_figure({1: 1500, 2: 500}, {1: 30, 2: 70})
    assert balance.data[0].name == f"Обучающий период (2{NNBSP}000)"
    assert english_left(figure_texts(confusion) + figure_texts(balance)) == []


# --- The pages, on the artifacts -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store():
    from dashapp.artifacts.current import current_store

    return current_store()


def _page(name: str, language: str):
    with i18n.use_language(language):
        return dash.page_registry[name]["layout"]()


def test_the_response_page_is_russian_and_its_caches_keep_the_languages_apart(store):
    from pages import response as page

    russian = by_id(_page("pages.response", "ru"))
    own = [page.RESPONSE_ANSWER, page.RESPONSE_RATES_TABLE, page.RESPONSE_COMPARISON, page.RESPONSE_DRIVER_SENTENCE]
    assert english_left([text(russian[component]) for component in own]) == []
    assert "Отличают ли сегменты" in text(russian[page.RESPONSE_ANSWER])
    assert re.search(rf"\d,\d{NNBSP}%", text(russian[page.RESPONSE_RATES_TABLE]))
    assert english_left(figure_texts(go.Figure(russian[page.RESPONSE_RATES].figure))) == []
    english = by_id(_page("pages.response", "en"))
    assert text(english[page.RESPONSE_ANSWER]).startswith("Do the segments tell")
    assert go.Figure(english[page.RESPONSE_RATES].figure).layout.yaxis.title.text == "Subscribed a term deposit"
    with i18n.use_language("ru"), mock.patch.object(page, "ctx", SimpleNamespace(triggered_id=page.RESPONSE_DRIVER)):
        shown = page.show_response("test", "campaign", "")
    assert english_left([text(shown["rates_table"]), text(shown["comparison"]), shown["driver_sentence"]]) == []
    assert "звонк" in " ".join(go.Figure(shown["driver_graph"]).data[0].x)


def test_the_levers_the_calendar_and_the_month_charts_are_russian(store):
    from pages import response as page

    russian = by_id(_page("pages.response", "ru"))
    levers = text(russian[page.RESPONSE_LEVERS])
    assert "Что подтверждают данные" in levers and "Отклик — не аплифт" in levers
    # Latin pairs allowed here: only the indicator's name, Euribor, stands alone.
    assert english_left([levers]) == []
    for component in (page.RESPONSE_MONTHS, page.RESPONSE_CALENDAR):
        assert english_left(figure_texts(go.Figure(russian[component].figure))) == []
    assert go.Figure(russian[page.RESPONSE_MONTHS].figure).data[0].x[0] == "май 2008"


def test_the_targeting_pages_month_by_month_view_and_profit_are_russian(store):
    from pages import targeting as page

    russian = by_id(_page("pages.targeting", "ru"))
    own = [page.TARGETING_CAMPAIGN_HEADLINE, page.TARGETING_CAMPAIGN_TABLE, page.TARGETING_PROFIT_SENTENCE]
    assert english_left([text(russian[component]) for component in own]) == []
    assert text(russian[page.TARGETING_CAMPAIGN_HEADLINE]).startswith("Обзвон 20")
    for component in (page.TARGETING_STRATIFIED, page.TARGETING_CALIBRATION, page.TARGETING_PROFIT):
        assert english_left(figure_texts(go.Figure(russian[component].figure))) == []
    with i18n.use_language("ru"):
        shown = page.show_profit(8, 60)
    assert shown["profit_sentence"].startswith("При стоимости звонка 8,00")


def test_the_tree_page_is_russian(store):
    from pages import tree as page

    russian = by_id(_page("pages.tree", "ru"))
    metrics = text(russian[page.TREE_METRICS])
    assert "Доля верных ответов" in metrics and re.search(r"\d,\d{3}", metrics)
    assert english_left([metrics]) == []
    rules = russian[page.TREE_RULES_TEXT].children
    assert rules.startswith("если ") and re.search(r"\d клиент(а|ов)? обучающей выборки", rules)
    with i18n.use_language("ru"):
        assert page.download_rules(1)["content"].startswith("если housing = ")
        assert go.Figure(page.show_confusion_matrix("logistic")).layout.yaxis.title.text == "Истинный сегмент"
    english = text(by_id(_page("pages.tree", "en"))[page.TREE_METRICS])
    assert "Accuracy" in english and re.search(r"\d\.\d{3}", english)


# --- What the tree does not mean (dashapp.views.caveats, shown on the Decision tree page) -----------------------

def test_the_job_split_and_the_accuracy_are_explained_in_russian(russian):
    from dashapp.views.caveats import accuracy_explanation, job_splits
    from tests.views.test_caveats import _tree

    (split,) = job_splits(_tree())
    assert split.headline == "Сегменты 1 и 4 разделены по алфавитному порядку профессий"
    assert split.explanation.startswith("Дерево направляет job ∈ {admin., blue-collar, entrepreneur, housemaid, "
                                        "management} в сегмент 1, а job ∈ {retired,")
    assert split.client_sentence(4, "student") == (
        "Этот клиент попал в сегмент 4, а не в сегмент 1, только потому, что его профессия (student) стоит в "
        "алфавите после «management»; о характере работы это ничего не говорит.")
    why, not_meant = accuracy_explanation(1.0, 0.9987)
    assert why.startswith("Доля верных ответов дерева, 1,000 (у логистической регрессии — 0,999), идеальна")
    assert english_left([split.headline, split.kept_because, why, not_meant]) == []
    with i18n.use_language("en"):
        assert accuracy_explanation(1.0, 0.9987)[0].startswith(
            "The tree's accuracy of 1.000 (and the logistic regression's 0.999) is perfect")
