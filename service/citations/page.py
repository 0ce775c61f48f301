"""What the document page shows and declares: the APA reference, the BibTeX entry, the Highwire Press meta tags
(Google Scholar, Zotero's Embedded Metadata translator) and the downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from service.citations import STYLES
from service.citations.apa import apa
from service.citations.bibtex import bibtex
from service.citations.item import CitedDocument, file_url, item_for, name_text


def highwire_tags(document: CitedDocument, item: dict[str, Any], *, pdf_url: str | None) -> list[tuple[str, str]]:
    """``<meta name="citation_…">`` pairs, as Google Scholar and Zotero's Embedded Metadata translator read them."""
    tags = [("citation_title", item["title"])]
    tags += [("citation_author", name_text(name)) for name in item.get("author", [])]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        tags += [("citation_publication_date", str(parts[0])), ("citation_date", str(parts[0]))]
    if item["type"] == "thesis" and item.get("publisher"):
        tags.append(("citation_dissertation_institution", item["publisher"]))
    elif item["type"] == "speech" and item.get("event-title"):
        tags.append(("citation_conference_title", item["event-title"]))
    elif item["type"] == "report" and item.get("publisher"):
        tags.append(("citation_technical_report_institution", item["publisher"]))
    if item.get("language"):
        tags.append(("citation_language", item["language"]))
    if item.get("keyword"):
        tags.append(("citation_keywords", item["keyword"].replace(", ", "; ")))
    if pdf_url and document.format == "pdf":
        tags.append(("citation_pdf_url", pdf_url))
    tags.append(("citation_abstract_html_url", item["URL"]))
    return tags


@dataclass(frozen=True)
class PageCitation:
    """What the document page shows and declares: the APA reference, the BibTeX entry, its meta tags, downloads."""

    apa: str
    apa_html: str
    bibtex: str
    tags: list[tuple[str, str]]
    downloads: list[tuple[str, str]]  # (style, link)

    @classmethod
    def of(cls, document: CitedDocument, *, corpus_root: Path, base_url: str) -> PageCitation:
        item = item_for(document, corpus_root=corpus_root, base_url=base_url)
        route = f"/documents/{quote(document.id, safe='')}/cite"
        return cls(apa=apa(item), apa_html=apa(item, html=True), bibtex=bibtex(item),
                   tags=highwire_tags(document, item, pdf_url=file_url(base_url, document.id)),
                   downloads=[(name, f"{route}?format={name}") for name, style in STYLES.items() if style.extension])
