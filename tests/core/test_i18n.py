"""The studio's languages: numbers and dates in each, plural forms, which language a request gets, and plotly's."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from dashapp.core import i18n
from dashapp.core.i18n import _, ngettext
from dashapp.views import url_state
from dashapp.web import plotly_locale

NARROW_NBSP = "\u202f"


@pytest.fixture
def russian():
    with i18n.use_language("ru"):
        yield


def test_numbers_follow_the_language():
    assert i18n.number(41188, language="en") == "41,188"
    assert i18n.number(41188.456, 2, language="en") == "41,188.46"
    assert i18n.number(41188, language="ru") == f"41{NARROW_NBSP}188"
    assert i18n.number(41188.456, 2, language="ru") == f"41{NARROW_NBSP}188,46"
    assert i18n.number(0.6312, 3, language="ru") == "0,631"
    assert i18n.percent(0.263, language="en") == "26%"
    assert i18n.percent(0.2634, 1, language="en") == "26.3%"
    assert i18n.percent(0.2634, 1, language="ru") == f"26,3{NARROW_NBSP}%"


def test_months_follow_the_language():
    may, september = dt.date(2008, 5, 1), dt.date(2010, 9, 1)
    assert i18n.month_year(may, language="en") == "May 2008"
    assert i18n.month_year(september, abbreviated=True, language="en") == "Sep 2010"
    assert i18n.month_year(may, language="ru") == "май 2008"
    assert i18n.month_year(september, abbreviated=True, language="ru") == "сент. 2010"
    assert i18n.day(dt.date(2008, 5, 5), language="ru") == f"5 мая 2008{NARROW_NBSP}г."


def test_the_current_language_is_the_contexts_and_defaults_to_english():
    assert i18n.current_language() == "en"
    assert _("Overview") == "Overview"
    with i18n.use_language("ru"):
        assert _("Overview") == "Обзор"
        assert i18n.number(1234) == f"1{NARROW_NBSP}234"
    assert _("Overview") == "Overview"
    with pytest.raises(ValueError, match="unknown language 'de'"):
        i18n.set_language("de")


def test_russian_counts_take_three_forms(russian):
    forms = [ngettext("{count} row", "{count} rows", n).format(count=n) for n in (1, 3, 5, 11, 21, 22, 112)]
    assert forms == ["1 строка", "3 строки", "5 строк", "11 строк", "21 строка", "22 строки", "112 строк"]


def test_a_message_not_in_the_catalogue_shows_as_written(russian):
    assert _("A product a bank wrote itself") == "A product a bank wrote itself"


@pytest.mark.parametrize("requested, remembered, accepted, chosen", [
    ("ru", "en", ["en-US"], "ru"),  # the address wins
    (None, "ru", ["en-US"], "ru"),  # then the cookie
    (None, None, ["de-DE", "ru-RU", "en"], "ru"),  # then the first language of the browser's the studio speaks
    ("RU", None, [], "ru"),
    ("fr", "xx", ["de"], "en"),  # nothing the studio speaks: English
    (["ru"], None, [], "en"),  # a repeated parameter is not a language
])
def test_the_language_chosen_for_a_request(requested, remembered, accepted, chosen):
    assert i18n.choose_language(requested, remembered, accepted) == chosen


@pytest.mark.parametrize("environ, language", [
    ({"LANG": "ru_RU.UTF-8"}, "ru"), ({"LANGUAGE": "ru:en", "LANG": "en_GB.UTF-8"}, "ru"),
    ({"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"), ({}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"),
])
def test_the_command_lines_language_comes_from_the_environment(environ, language):
    assert i18n.language_from_environment(environ) == language


def test_a_cache_per_language_keeps_one_entry_per_language():
    calls = []

    @i18n.cached_per_language(maxsize=4)
    def heading(number):
        calls.append(number)
        return _("Segment {number}").format(number=number)

    assert heading(2) == "Segment 2"
    with i18n.use_language("ru"):
        assert heading(2) == "Сегмент 2"
        assert heading(2) == "Сегмент 2"
    assert heading(2) == "Segment 2"
    assert calls == [2, 2]


def test_a_pages_state_in_the_address_keeps_the_language():
    assert url_state.search_update("?segment=2", "?lang=ru", from_address=False) == "?segment=2&lang=ru"
    assert url_state.search_update("", "?segment=2&lang=ru", from_address=False) == "?lang=ru"
    assert url_state.search_update("?segment=2", "?segment=2&lang=ru", from_address=False, unchanged="kept") \
        == "kept"
    assert url_state.search_update("?segment=2&lang=ru", "?segment=2&lang=ru", from_address=False,
                                   unchanged="kept") == "kept"


def test_plotly_gets_russian_months_separators_and_texts():
    locale = plotly_locale.plotly_locale("ru")
    assert locale["name"] == "ru" and locale["moduleType"] == "locale"
    formats = locale["format"]
    assert formats["decimal"] == "," and formats["thousands"] == NARROW_NBSP
    assert formats["months"][4] == "май" and formats["shortMonths"][8] == "сент."
    assert formats["days"][0] == "воскресенье" and formats["shortDays"][1] == "пн"
    assert formats["date"] == "%d.%m.%Y"
    assert set(locale["dictionary"]) == set(plotly_locale.PLOTLY_TEXTS)
    assert locale["dictionary"]["Download plot as a PNG"] == "Скачать график в PNG"
    assert all(not re.search(r"[A-Za-z]{3}", text.replace("PNG", "")) for text in locale["dictionary"].values())
    script = plotly_locale.locale_script()
    registered = json.loads(script[script.index("})(") + 3:script.rindex(");")])
    assert [entry["name"] for entry in registered] == ["ru"]


# --- The web app's choice of language, through its Flask hooks ---------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from app import app

    return app.server.test_client()


def _html_language(response) -> str:
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


def test_a_page_speaks_the_addresss_language_and_the_cookie_remembers_it(client):
    client.delete_cookie(i18n.LANGUAGE_COOKIE)
    response = client.get("/segments?lang=ru", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200 and _html_language(response) == "ru"
    assert "<title>Студия сегментации клиентов банка</title>" in response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=ru;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The next page, and every callback it sends, carries no ?lang: the cookie speaks for it.
    again = client.get("/data", headers={"Accept-Language": "en-US"})
    assert _html_language(again) == "ru" and "Set-Cookie" not in again.headers
    back = client.get("/data?lang=en")
    assert _html_language(back) == "en" and back.headers["Set-Cookie"].startswith("lang=en;")
    client.delete_cookie(i18n.LANGUAGE_COOKIE)


def test_without_a_choice_a_page_speaks_the_browsers_language(client):
    client.delete_cookie(i18n.LANGUAGE_COOKIE)
    assert _html_language(client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})) == "ru"
    assert _html_language(client.get("/", headers={"Accept-Language": "de-DE,en;q=0.5"})) == "en"
    assert _html_language(client.get("/")) == "en"


def test_the_navigation_bar_switches_language(client):
    from dashapp.web.app import LANGUAGE_LINK_TYPE, _shell_layout
    from tests.layout_helpers import components

    with i18n.use_language("ru"):
        shell = _shell_layout()
    links = [c for c in components(shell) if isinstance(getattr(c, "id", None), dict)
             and c.id.get("type") == LANGUAGE_LINK_TYPE]
    assert [(link.children, link.href) for link in links] == [("English", "?lang=en"), ("Русский", "?lang=ru")]
    assert "active" in links[1].className and "active" not in links[0].className


def test_the_plotly_locale_script_is_served(client):
    response = client.get("/plotly-locales.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "сент." in response.get_data(as_text=True)


def test_an_address_no_page_has_says_so_in_the_requests_language():
    import dash

    from tests.layout_helpers import text

    not_found = dash.page_registry["pages.not_found_404"]
    assert not_found.get("order") is None  # not in the navigation
    with i18n.use_language("ru"):
        assert "Страница не найдена" in text(not_found["layout"]()) and not_found["title"]().startswith("Страница")
    assert "Page not found" in text(not_found["layout"]())
