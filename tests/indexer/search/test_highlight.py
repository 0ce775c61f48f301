from __future__ import annotations

import re
from collections.abc import Callable

from indexer.search.highlight import Highlighter


def judge(is_match: Callable[[str, str | None], bool]) -> Highlighter:
    """A highlighter that judges each word on its own."""
    return Highlighter(lambda words, language: [word for word in words if is_match(word, language)])


def _naive_marks(text: str, words: set[str]) -> list[str]:
    return [m.group() for m in re.finditer(r"\w+", text) if m.group() in words]


def test_marks_whole_words_only_and_escapes_html() -> None:
    highlighter = judge(lambda word, language: word.lower() in {"wohnung", "santé"})
    html = highlighter.highlight("Wohnung <b>& Wohnungen</b>, santé; Wohnung.")
    assert html == ("<mark>Wohnung</mark> &lt;b&gt;&amp; Wohnungen&lt;/b&gt;, <mark>santé</mark>; "
                    "<mark>Wohnung</mark>.")


def test_marks_every_occurrence_as_judging_each_word_would() -> None:
    text = ("L'intégration scolaire des enfants: intégration, intégrations, désintégration; "
            "Integration und integrierte Kinder (Kinder-Integration) — 2024 intégration_2024")
    words = {"intégration", "Kinder", "Integration", "2024"}
    marked = re.findall(r"<mark>(.*?)</mark>", judge(lambda word, language: word in words).highlight(text))
    assert marked == _naive_marks(text, words)


def test_a_matching_word_inside_a_longer_word_is_not_marked() -> None:
    highlighter = judge(lambda word, language: word in {"a1", "x"})
    assert highlighter.highlight("a1 a11 xa x.x (x)") == (
        "<mark>a1</mark> a11 xa <mark>x</mark>.<mark>x</mark> (<mark>x</mark>)")


def test_snippet_centres_on_the_densest_matches_and_keeps_whole_words() -> None:
    text = " ".join(["filler"] * 80 + ["logement", "social", "logement"] + ["filler"] * 80)
    snippet = judge(lambda word, language: word == "logement").snippet(text, width=120)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count("<mark>logement</mark>") == 2
    assert all(part in {"filler", "social", "<mark>logement</mark>", "…"} for part in snippet.split())


def test_no_matcher_marks_nothing() -> None:
    highlighter = Highlighter.none()
    assert highlighter.highlight("a <b>") == "a &lt;b&gt;"
    assert highlighter.snippet("short text") == "short text"


def test_the_text_language_reaches_the_judge() -> None:
    seen: list[str | None] = []
    highlighter = judge(lambda word, language: seen.append(language) or False)
    highlighter.highlight("ein Wort", "de")
    highlighter.snippet("un mot", "fr")
    highlighter.highlight("a word")
    assert set(seen) == {"de", "fr", None}


def test_each_distinct_word_is_judged_once_per_language() -> None:
    judged: list[tuple[str, str | None]] = []

    def select(words: set[str], language: str | None) -> list[str]:
        judged.extend((word, language) for word in words)
        return [word for word in words if word == "logement"]

    highlighter = Highlighter(select)
    assert highlighter.highlight("le logement social", "fr") == "le <mark>logement</mark> social"
    assert highlighter.snippet("un logement, le logement", "fr") == "un <mark>logement</mark>, le <mark>logement</mark>"
    assert highlighter.highlight("logement social", "de") == "<mark>logement</mark> social"
    assert sorted(judged) == sorted([("le", "fr"), ("logement", "fr"), ("social", "fr"), ("un", "fr"),
                                     ("logement", "de"), ("social", "de")])


def test_words_next_to_accents_digits_and_underscores_are_not_whole_words() -> None:
    text = "santé santéX _santé santé_ 2santé éсанте santé. (santé)"
    highlighter = judge(lambda word, language: word == "santé")
    marked = re.findall(r"<mark>(.*?)</mark>", highlighter.highlight(text))
    assert marked == _naive_marks(text, {"santé"})
    assert highlighter.highlight(text).count("<mark>") == 3


def test_indexed_terms_are_trusted_only_when_they_line_up_with_the_words() -> None:
    from indexer.core.text import analyse, term
    from indexer.search.keyword import TermMatcher, match_expression

    _, word_forms = match_expression("Integration", ["de"])
    matcher = TermMatcher(word_forms)

    def make() -> Highlighter:
        return Highlighter(lambda words, language: [w for w in words if matcher(term(w, language))],
                           select_terms=matcher.select)

    text = "Die Integration der Kinder: integrierte Klassen."
    assert make().highlight(text, "de", terms=analyse(text, "de")) == make().highlight(text, "de")
    assert make().highlight(text, "de", terms=analyse(text, "de")).count("<mark>") == 2
    # NFKD folds U+037A to a space (an empty term) and U+FDFB to two words: the counts agree with a plain
    # split, but the terms are shifted; they must not be used then.
    text = "ͺ Integration ﷻ"
    assert make().highlight(text, "de", terms=analyse(text, "de")) == "ͺ <mark>Integration</mark> ﷻ"
