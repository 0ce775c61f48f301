"""Highlighting: query words (and words sharing their stem) wrapped in ``<mark>``, HTML-escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+", re.UNICODE)


class Highlighter:
    """Marks the words of a text for which ``is_match`` holds (``None``: marks nothing)."""

    def __init__(self, is_match: Callable[[str], bool] | None) -> None:
        self.is_match = is_match
        self._last: tuple[str, list[tuple[int, int]]] = ("", [])

    @classmethod
    def none(cls) -> Highlighter:
        return cls(None)

    def _matches(self, text: str) -> list[tuple[int, int]]:
        if self.is_match is None:
            return []
        if text != self._last[0]:  # highlight() and snippet() of the same passage find its words once
            self._last = (text, [(m.start(), m.end()) for m in _WORD.finditer(text) if self.is_match(m.group())])
        return self._last[1]

    def highlight(self, text: str) -> str:
        return _mark(text, self._matches(text), 0, len(text))

    def snippet(self, text: str, *, width: int = SNIPPET_CHARS) -> str:
        """About ``width`` characters around the densest cluster of matches (the start when none)."""
        matches = self._matches(text)
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
