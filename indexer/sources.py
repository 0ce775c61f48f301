"""From a corpus folder to documents with text and metadata.

Metadata is resolved field by field, first source that knows wins: the folder's catalogue
(:mod:`indexer.catalogue`), the file's own metadata, the folder layout ``corpus/<edition>/…``, and for the
title the document's first heading as a last resort. The language, when no source gives it, is detected
later from the text (see :mod:`indexer.build`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer._hashing import sha256_file as file_hash
from indexer.catalogue import CATALOGUE_NAME, Entry
from indexer.extract import Extracted, Limits, extract, is_supported

# Folder names that say what kind of document a file is, when no catalogue does.
_TYPE_FOLDERS = {
    "theses": "thesis", "thesis": "thesis", "memoires": "thesis", "mémoires": "thesis", "arbeiten": "thesis",
    "slides": "slides", "presentations": "slides", "talks": "talk", "abstracts": "talk", "reports": "report",
    "rapports": "report", "articles": "article", "programme": "programme", "programmes": "programme",
}
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@dataclass
class SourceDocument:
    """One document, extracted, with its resolved metadata. ``path`` is relative to the corpus root."""

    path: str
    pages: list[str]
    format: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    edition: str | None = None
    type: str = "document"
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    ocr_pages: int = 0

    @property
    def id(self) -> str:
        return document_id(self.path)


def document_id(path: str) -> str:
    """Stable public id of a document: derived from its path, so links survive a re-index."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]


def is_ignored(relative: Path) -> bool:
    """Files that are part of the corpus folder but not documents: hidden, ``_build``, catalogues, READMEs."""
    return (
        any(part.startswith((".", "_")) for part in relative.parts)
        or relative.name == CATALOGUE_NAME
        or relative.name.upper().startswith("README")
    )


def walk_corpus(corpus_root: Path) -> Iterator[tuple[Path, str | None]]:
    """Every file under ``corpus_root`` that is not ignored, with ``None`` or the reason it is skipped."""
    for path in sorted(p for p in corpus_root.rglob("*") if p.is_file()):
        relative = path.relative_to(corpus_root)
        if is_ignored(relative):
            continue
        if not is_supported(path):
            yield path, f"unsupported format {path.suffix.lower() or '(no extension)'}"
        else:
            yield path, None


def resolve(relative: str, extracted: Extracted, entry: Entry | None) -> dict[str, Any]:
    """Metadata of one document from the catalogue entry, the file and the folder layout, in that order."""
    entry = entry or Entry()
    parts = Path(relative).parts
    edition_from_layout = parts[0] if len(parts) > 1 else None
    year_match = _YEAR.search(edition_from_layout or "")
    type_from_layout = next((_TYPE_FOLDERS[p.lower()] for p in parts[:-1] if p.lower() in _TYPE_FOLDERS), None)
    if type_from_layout is None and extracted.format == "pptx":
        type_from_layout = "slides"
    return {
        "title": entry.title or extracted.title or extracted.heading or Path(relative).stem,
        "authors": entry.authors if entry.authors is not None else extracted.authors,
        "year": entry.year or extracted.year or (int(year_match.group()) if year_match else None),
        "edition": entry.edition or edition_from_layout,
        "type": entry.type or type_from_layout or "document",
        "language": entry.language or extracted.language,
        "extra": entry.extra,
    }


def load_document(path: Path, *, corpus_root: Path, entry: Entry | None, ocr: bool = False,
                  limits: Limits | None = None) -> SourceDocument:
    """Extract one file and resolve its metadata; raises :class:`~indexer.errors.ExtractionError`."""
    relative = path.relative_to(corpus_root).as_posix()
    extracted = extract(path, ocr=ocr, limits=limits)
    return SourceDocument(path=relative, pages=extracted.pages, format=extracted.format,
                          content_hash=file_hash(path), ocr_pages=extracted.ocr_pages,
                          **resolve(relative, extracted, entry))
