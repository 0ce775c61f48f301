"""Citations of a document for students: one module per style, behind one registry (:data:`STYLES`).

Every style writes the same CSL-JSON item (:mod:`service.citations.item`), built from the document's record and
its edition's ``[edition]`` table, so they cannot disagree. The API's ``/cite`` route, its schema and the document
page's downloads all read the registry: **a new style is one module and one entry here**. The page's APA
reference, BibTeX entry and meta tags are :mod:`service.citations.page`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.citations.apa import apa
from service.citations.bibtex import bibtex, cite_key
from service.citations.csl_json import csl_json
from service.citations.item import (
    CitedDocument,
    edition_of,
    event_name,
    file_url,
    institution,
    item_for,
    page_url,
    person_name,
    thesis_genre,
)
from service.citations.ris import ris


@dataclass(frozen=True)
class Style:
    """A citation style: how it is named in ``?format=``, served and written."""

    name: str
    media_type: str
    write: Callable[[dict[str, Any]], str]
    extension: str | None  # a file to import into a reference manager, saved under this extension; None: shown
    description: str


# In the order the document page offers the downloads.
STYLES: dict[str, Style] = {style.name: style for style in (
    Style("bibtex", "application/x-bibtex; charset=utf-8", bibtex, "bib", "bibtex (LaTeX)"),
    Style("ris", "application/x-research-info-systems; charset=utf-8", ris, "ris", "ris (EndNote, Citavi, Zotero)"),
    Style("csl-json", "application/vnd.citationstyles.csl+json", csl_json, "json",
          "csl-json (Zotero, Mendeley, Pandoc)"),
    Style("apa", "text/plain; charset=utf-8", lambda item: apa(item) + "\n", None, "apa (APA 7, plain text)"),
)}


def render(item: dict[str, Any], style: str) -> str:
    """``item`` written in ``style`` (a name of :data:`STYLES`)."""
    return STYLES[style].write(item)


__all__ = ["STYLES", "CitedDocument", "Style", "apa", "bibtex", "cite_key", "csl_json", "edition_of", "event_name",
           "file_url", "institution", "item_for", "page_url", "person_name", "render", "ris", "thesis_genre"]
