"""The interface's words: every key in every language, and how the language is chosen."""

from __future__ import annotations

import re
import string

import pytest

from service.web import i18n


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_language() -> None:
    keys = {language: set(strings) for language, strings in i18n.STRINGS.items()}
    assert set(keys) == set(i18n.LANGUAGES) == {"fr", "de", "en"}
    every = set().union(*keys.values())
    for language, present in keys.items():
        assert every - present == set(), f"missing in {language}"


@pytest.mark.parametrize("key", sorted(i18n.STRINGS["en"]))
def test_strings_are_filled_and_take_the_same_values(key: str) -> None:
    texts = {language: i18n.STRINGS[language][key] for language in i18n.LANGUAGES}
    assert all(text.strip() for text in texts.values()), texts
    assert len({frozenset(_placeholders(text)) for text in texts.values()}) == 1, texts


def test_templates_only_use_existing_keys() -> None:
    from service.web.templating import TEMPLATES

    folder = TEMPLATES.env.loader.searchpath[0]  # type: ignore[union-attr]
    from pathlib import Path

    used = set()
    for template in Path(folder).glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_.]+)['"]""", template.read_text(encoding="utf-8")))
    assert used, "no translated string found in the templates"
    assert used - set(i18n.STRINGS["en"]) == set()


def test_translate_fills_values_and_falls_back() -> None:
    assert i18n.translate("de", "results.count.many", n=3) == "3 Dokumente gefunden"
    assert i18n.translate("xx", "search.button") == i18n.STRINGS[i18n.DEFAULT_LANGUAGE]["search.button"]
    assert i18n.translate("en", "no.such.key") == "no.such.key"


def test_document_types_and_languages_in_the_interface_language() -> None:
    assert [i18n.label(lang, "type", "thesis") for lang in ("fr", "de", "en")] == ["mémoire", "Abschlussarbeit",
                                                                                  "thesis"]
    assert [i18n.label(lang, "language", "lb") for lang in ("fr", "de", "en")] == ["luxembourgeois",
                                                                                  "Luxemburgisch", "Luxembourgish"]
    assert i18n.label("fr", "type", "poster") == "poster"  # unknown values are shown as they are
    assert i18n.label("de", "year", 2025) == "2025"
    assert i18n.meta_label("fr", "supervisor") == "Direction du mémoire"
    assert i18n.meta_label("en", "jury_members") == "Jury members"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-GB,en;q=0.9", "en"),
        ("lb-LU,lb;q=0.9,fr;q=0.8", "fr"),
        ("pt-PT,pt;q=0.9,de;q=0.5,en;q=0.7", "en"),
        ("fr;q=0.1, de", "de"),
        ("it, es", i18n.DEFAULT_LANGUAGE),
        ("", i18n.DEFAULT_LANGUAGE),
        ("en;q=0, de;q=bad", i18n.DEFAULT_LANGUAGE),
        ("*", i18n.DEFAULT_LANGUAGE),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_parameter_then_cookie_then_browser() -> None:
    assert i18n.choose("de", "en", "fr") == "de"
    assert i18n.choose("xx", "en", "fr") == "en"
    assert i18n.choose(None, None, "en-US,en") == "en"
    assert i18n.choose("EN", None, None) == "en"


def test_every_query_error_code_has_its_message_in_every_interface_language() -> None:
    """One table of error codes (indexer.core.errors.QUERY_ERRORS) drives the API's English and the page's
    strings: a code added there without its page string fails here."""
    import string

    from indexer.core.errors import QUERY_ERRORS, QueryError
    from service.web.pages import _error_message

    for code, english in QUERY_ERRORS.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        params: dict[str, object] = {name: "x" for name in fields} | {"name": "year_from", "values": ["x"]}
        error = QueryError(code, **params)
        assert error.code == code and str(error) == english.format(**params)
        for language in i18n.LANGUAGES:
            assert f"error.{code}" in i18n.STRINGS[language], (code, language)
            message = _error_message(language, error)
            assert "{" not in message and message != i18n.translate(language, "error.invalid", detail=str(error))
