"""The studio's languages: the message catalogues, the language of the work at hand, numbers and dates in it.

Dash-free and Flask-free, so the views, the figures, the API and the command line share it. The messages are
GNU gettext catalogues read with Babel (``dashapp/locale/<language>/LC_MESSAGES/messages.po``), the standard of
the Python ecosystem: translators' tools read and write them, Babel extracts the messages from the code
(``babel.cfg``; ``make translations`` updates the catalogue), and Babel's CLDR data gives each language its plural
rules, number symbols and month names. English is the language of the code: its messages are the catalogues'
keys and need no catalogue of their own.

The language is held in a context variable, not a global: the web app sets it per request (from ``?lang=``, the
cookie, then ``Accept-Language``; :func:`choose_language`), the command line once (``--lang`` or ``LANG``). Not
Flask-Babel: it binds the language to Flask's request context and answers untranslated outside it, and the
command line and the views work outside it.

Messages are marked for extraction where they are written: ``_("...")`` translates now; ``N_("...")`` only marks
a constant (a page's name, a label in a table) that is translated where it is shown, with ``_(constant)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

#: The studio's languages, the first the default.
LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANGUAGE = LANGUAGES[0]
#: Each language's name in itself, for the switch in the navigation bar.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}
#: The query parameter and the cookie that carry a chosen language.
LANGUAGE_PARAMETER = "lang"
LANGUAGE_COOKIE = "lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("studio_language", default=DEFAULT_LANGUAGE)


def catalogue_path(language: str) -> Path:
    """Where ``language``'s message catalogue lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> NullTranslations:
    """``language``'s compiled catalogue, read once per process; English, the code's own, translates nothing.

    The ``.po`` file is compiled in memory rather than shipped as a ``.mo``, so a catalogue edited by a
    translator is the one served, with no compiled copy to fall out of date.
    """
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    with catalogue_path(language).open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def preload() -> None:
    """Read every language's catalogue and CLDR data now (gunicorn's master, so that workers inherit them): about
    0.1 s that the first request in Russian would otherwise wait for."""
    for language in LANGUAGES:
        translations(language)
        number(1234.5, 1, language=language)
        month_year(dt.date(2008, 5, 1), language=language)


def current_language() -> str:
    """The language of the work at hand (a request, a command)."""
    return _language.get()


def set_language(language: str) -> None:
    """Make ``language`` the current one in this context (a request's thread, a command's run)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the studio speaks {', '.join(LANGUAGES)}")
    _language.set(language)


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """Work in ``language`` within a ``with`` block, then return to the language before."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; the studio speaks {', '.join(LANGUAGES)}")
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(current_language()).ugettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` in the current language (Russian has three)."""
    return translations(current_language()).ungettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where the same English words need different translations."""
    return translations(current_language()).upgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it: it is translated where it is shown."""
    return message


def normalise_language(value: object) -> str | None:
    """A language of ours from a tag as browsers and people write it (``"ru-RU"``, ``"RU"``), else None."""
    if not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def choose_language(requested: object = None, remembered: object = None, accepted: Iterable[str] = ()) -> str:
    """The language to answer in: the one asked for (``?lang=``), else the one remembered (the cookie), else the
    first of the browser's ``Accept-Language`` (best first) the studio speaks, else English."""
    for candidate in (requested, remembered, *accepted):
        language = normalise_language(candidate)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The command line's language: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (``ru_RU.UTF-8``),
    the first set, as gettext reads them; English when none names a language of ours."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return normalise_language(value.split(":")[0].split(".")[0]) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


Result = TypeVar("Result")


def cached_per_language(maxsize: int | None = 128) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """``functools.lru_cache`` for a function whose result holds text: one entry per language and arguments.

    The current language is part of the key, so a figure drawn for a Russian request is never served to an
    English one. ``maxsize`` is per language.
    """
    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        @functools.lru_cache(maxsize=None if maxsize is None else maxsize * len(LANGUAGES))
        def in_language(language: str, *args, **kwargs):
            return function(*args, **kwargs)

        @functools.wraps(function)
        def cached(*args, **kwargs):
            return in_language(current_language(), *args, **kwargs)

        cached.cache_clear = in_language.cache_clear
        cached.cache_info = in_language.cache_info
        return cached

    return decorate


# --- Numbers and dates ------------------------------------------------------------------------------------------

#: Russian typesetting separates thousands with a narrow no-break space (U+202F); CLDR gives a no-break space.
_GROUP_SEPARATORS = {"ru": "\u202f"}


def _grouped(text: str, language: str) -> str:
    separator = _GROUP_SEPARATORS.get(language)
    if separator is None:
        return text
    return text.replace(numbers.get_group_symbol(language), separator)


def number(value: float, digits: int = 0, language: str | None = None) -> str:
    """``value`` with ``digits`` decimals and grouped thousands: ``41,188.5`` in English, ``41 188,5`` in Russian."""
    language = language or current_language()
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _grouped(numbers.format_decimal(value, format=pattern, locale=language, decimal_quantization=True),
                    language)


def percent(share: float, digits: int = 0, language: str | None = None) -> str:
    """A share as a percentage: ``26.3%`` in English, ``26,3 %`` in Russian (CLDR's spacing)."""
    language = language or current_language()
    pattern = Locale.parse(language).percent_formats[None].pattern
    integer, _sep, suffix = pattern.partition("0")
    fraction = "." + "0" * digits if digits else ""
    return _grouped(numbers.format_percent(share, format=f"{integer}0{fraction}{suffix}", locale=language),
                    language)


def month_year(day: dt.date, abbreviated: bool = False, language: str | None = None) -> str:
    """A month and its year as a heading says it: ``May 2008`` / ``май 2008``; ``Sep 2008`` / ``сент. 2008``
    abbreviated. The stand-alone month (``LLLL``), since a month with no day is not in the genitive in Russian."""
    language = language or current_language()
    return dates.format_date(day, "LLL y" if abbreviated else "LLLL y", locale=language)


def day(day_: dt.date, language: str | None = None) -> str:
    """A date in full: ``5 May 2008`` / ``5 мая 2008 г.``."""
    return dates.format_date(day_, "long", locale=language or current_language())


def plotly_separators(language: str | None = None) -> str:
    """plotly's ``layout.separators`` for the language: its decimal mark, then its thousands separator."""
    language = language or current_language()
    return numbers.get_decimal_symbol(language) + _GROUP_SEPARATORS.get(language, numbers.get_group_symbol(language))
