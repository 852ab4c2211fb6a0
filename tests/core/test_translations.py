"""The message catalogues against the code: every message the code marks is translated, none is left over.

The messages are extracted exactly as ``make translations`` extracts them (Babel, ``babel.cfg``), so a message
added, reworded or removed in the code fails here until the Russian catalogue follows.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from dashapp.core import i18n

REPO = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]


def _message_id(message) -> str | tuple[str, ...]:
    return message if isinstance(message, str) else tuple(message)


def extracted_messages() -> dict[tuple[str | None, object], list[str]]:
    """(context, message id) -> where the code uses it, as Babel extracts them with ``babel.cfg``."""
    with (REPO / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict = {}
    for filename, line, message, _comments, context in extract_from_dir(
            str(REPO), method_map, options_map, strip_comment_tags=True):
        key = (context, message if isinstance(message, str) else message[0])
        found.setdefault(key, []).append(f"{filename}:{line}")
    return found


def catalogue(language: str):
    with i18n.catalogue_path(language).open("rb") as po_file:
        return read_po(po_file, locale=language)


@pytest.fixture(scope="module")
def in_code():
    return extracted_messages()


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_holds_every_message_the_code_uses_and_no_other(in_code, language):
    held = {(message.context, message.id if isinstance(message.id, str) else message.id[0])
            for message in catalogue(language) if message.id}
    missing = sorted(f"{key[1]!r} ({in_code[key][0]})" for key in set(in_code) - held)
    left_over = sorted(repr(key[1]) for key in held - set(in_code))
    assert missing == [], f"{len(missing)} messages the {language} catalogue lacks, e.g. {missing[:10]}"
    assert left_over == [], f"{len(left_over)} messages no code uses any more, e.g. {left_over[:10]}"


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language):
    forms = catalogue(language).num_plurals
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(s.strip() for s in strings) or (message.pluralizable and len(strings) != forms):
            problems.append(f"{ids[0]!r}: untranslated or fuzzy")
            continue
        if any(_fields(s) != _fields(ids[0]) for s in strings):
            problems.append(f"{ids[0]!r}: placeholders {sorted(_fields(ids[0]))} differ in the translation")
    assert problems == []


def _translated_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in {"_", "N_", "gettext", "ngettext", "pgettext"}:
            yield node


def test_messages_are_written_out_where_they_are_translated():
    # An f-string or a variable inside _() cannot be extracted, so it would never be translated. A constant
    # marked with N_ elsewhere and translated with _(name) where shown is the one exception, and it takes a name.
    problems = []
    for path in [*REPO.glob("dashapp/**/*.py"), *REPO.glob("pages/*.py"), *REPO.glob("scripts/*.py")]:
        for call in _translated_calls(ast.parse(path.read_text(), str(path))):
            texts = call.args[1:] if call.func.id == "pgettext" else call.args[:2 if call.func.id == "ngettext" else 1]
            for argument in texts:
                literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                looked_up = call.func.id == "_" and not isinstance(argument, (ast.JoinedStr, ast.BinOp, ast.Constant))
                if not (literal or looked_up):
                    problems.append(f"{path.relative_to(REPO)}:{call.lineno}")
    assert problems == []
