"""Highlighting: query words (and words sharing their stem) wrapped in ``<mark>``, HTML-escaped.

Function words (:mod:`indexer.core.function_words`) are never marked, whatever the query: "eng" or "an"
lit up in every line tell the reader nothing.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable, Iterable

from indexer.core.function_words import is_function_word
from indexer.core.text import WORD

SNIPPET_CHARS = 240


Select = Callable[[set[str], str | None], Iterable[str]]


class Highlighter:
    """Marks the words of a text that ``select(words, language)`` picks (``None``: marks nothing).

    ``select`` gets the distinct words of a text and the text's language (``None``: unknown), so each
    word can be judged by the form under which the keyword index stores it, and returns the matching ones.
    It judges a whole set at once, so that it can do so without a Python call per word.

    A text whose indexed form is at hand (``terms``: its ``\\w+`` words as the keyword index holds them, in
    order, for its language) is judged on those forms instead, by ``select_terms`` (the matching ones among
    a set of indexed terms): no word is analysed again. Without a language, or when the terms do not line
    up one for one with the words, the text's words are judged as above.
    """

    def __init__(self, select: Select | None, *,
                 select_terms: Callable[[list[str]], set[str]] | None = None) -> None:
        self.select = select
        self.select_terms = select_terms
        # Verdicts per text language: a response's passages share most of their words, each is judged once.
        self._judged: dict[str | None, set[str]] = {}
        self._matching: dict[str | None, set[str]] = {}
        self._last: tuple[str, str | None, list[tuple[int, int]]] = ("", None, [])

    @classmethod
    def none(cls) -> Highlighter:
        return cls(None)

    def _matches(self, text: str, language: str | None, terms: str | None) -> list[tuple[int, int]]:
        if self.select is None:
            return []
        if (text, language) != self._last[:2]:  # highlight() and snippet() of a passage find its words once
            words = WORD.findall(text)
            # Split on single spaces: a word whose term is empty keeps its place, and one whose term holds a
            # space (NFKD can give one, e.g. U+FDFB) makes the counts differ: they then are not trusted.
            indexed = terms.split(" ") if terms is not None and language is not None else None
            if indexed is not None and self.select_terms is not None and len(indexed) == len(words):
                matching = self.select_terms(indexed)
                found = set(itertools.compress(words, map(matching.__contains__, indexed)))
            else:
                # Each distinct word is judged once: judging every occurrence was most of a response's time.
                found = self._matching_words(set(words), language)
            # The few matching words are then found with str.find.
            found = {word for word in found if not is_function_word(word)}
            self._last = (text, language, _occurrences(text, found))
        return self._last[2]

    def _matching_words(self, words: set[str], language: str | None) -> set[str]:
        assert self.select is not None
        judged = self._judged.setdefault(language, set())
        matching = self._matching.setdefault(language, set())
        new = words - judged
        if new:
            matching.update(self.select(new, language))
            judged |= new
        return words & matching

    def matched_words(self, text: str, language: str | None = None, *, terms: str | None = None) -> list[str]:
        """The distinct words of ``text`` that match the query, as written there, in order of appearance
        (compared without case: "Schule" and "schule" are one)."""
        seen: dict[str, str] = {}
        for start, end in self._matches(text, language, terms):
            seen.setdefault(text[start:end].casefold(), text[start:end])
        return list(seen.values())

    def highlight(self, text: str, language: str | None = None, *, terms: str | None = None) -> str:
        return _mark(text, self._matches(text, language, terms), 0, len(text))

    def snippet(self, text: str, language: str | None = None, *, terms: str | None = None,
                width: int = SNIPPET_CHARS) -> str:
        """About ``width`` characters around the densest cluster of matches (the start when none)."""
        matches = self._matches(text, language, terms)
        if len(text) <= width:
            return _mark(text, matches, 0, len(text))
        if matches:
            # The window that holds the most matches, starting a little before one of them.
            best = max(matches, key=lambda m: sum(1 for o in matches if m[0] <= o[0] < m[0] + width))
            start = max(0, best[0] - width // 5)
        else:
            start = 0
        end = min(len(text), start + width)
        # Whole words only.
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 30 else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        prefix = "… " if start > 0 else ""
        suffix = " …" if end < len(text) else ""
        return prefix + _mark(text, matches, start, end) + suffix


def _occurrences(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Where ``words`` occur in ``text`` as whole words (``\\w+`` runs, as the words were found), in order.

    str.find rather than a regex of the words: compiling one per passage (``re`` compiles in Python) cost
    more than all the rest of highlighting. Two different whole words cannot overlap.
    """
    spans: list[tuple[int, int]] = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            whole = (start == 0 or not _is_word_char(text[start - 1])) and (
                end == len(text) or not _is_word_char(text[end]))
            if whole:
                spans.append((start, end))
            start = text.find(word, end)
    spans.sort()
    return spans


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # exactly what \w matches in a str pattern


def _mark(text: str, matches: list[tuple[int, int]], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for match_start, match_end in matches:
        if match_end <= start or match_start >= end:
            continue
        parts.append(html.escape(text[position:match_start]))
        parts.append(f"<mark>{html.escape(text[match_start:match_end])}</mark>")
        position = match_end
    parts.append(html.escape(text[position:end]))
    return "".join(parts)
