"""From a corpus folder to documents with text and metadata.

Metadata is resolved field by field, first source that knows wins: the folder's catalogue
(:mod:`indexer.ingest.catalogue`), the file's own metadata, the folder layout ``corpus/<edition>/…``, and for the
title the document's first heading as a last resort. The language, when no source gives it, is detected
later from the text (see :mod:`indexer.ingest.pipeline`).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from indexer.core.errors import OutsideCorpusError
from indexer.core.hashing import sha256_file as file_hash
from indexer.ingest.catalogue import CATALOGUE_NAME, Entry
from indexer.ingest.extract import Extracted, Limits, extract, is_supported

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
    # Section headings: (page index, offset in the page's text, heading), as :class:`Extracted` gives them.
    headings: list[tuple[int, int, str]] = field(default_factory=list)

    # The id the document had before it moved or changed (links to it must keep working); none: from its path.
    kept_id: str = ""

    @property
    def id(self) -> str:
        return self.kept_id or document_id(self.path)


def document_id(path: str) -> str:
    """Public id of a new document: derived from its path. A document keeps it while its file keeps its path or
    its content (a moved file keeps its id: see :func:`indexer.ingest.pipeline.index_corpus`)."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]


def is_ignored(relative: Path) -> bool:
    """Corpus files that are not documents: any part starting with "." or "_", catalogues, READMEs."""
    return (
        any(part.startswith((".", "_")) for part in relative.parts)
        or relative.name == CATALOGUE_NAME
        or relative.name.upper().startswith("README")
    )


class Skip(NamedTuple):
    """Why a file of the corpus folder is not read: a short ``reason`` for summaries, and a ``message``."""

    reason: str
    message: str


def corpus_entries(corpus_root: Path) -> Iterator[tuple[Path, Skip | None]]:
    """Every file and link under ``corpus_root`` outside hidden and ``_`` folders, with ``None`` or why it must
    not be read; links after the files (so a link inside the corpus is the duplicate, not its target).

    Links are never walked into (``os.walk`` without ``followlinks``: no loop, no way out). A link to a file
    inside the corpus is followed; one leading out of it is skipped without saying where it leads.
    """
    root = Path(os.path.realpath(corpus_root))
    found: list[tuple[bool, Path, Skip | None]] = []
    for directory, folders, files in os.walk(corpus_root, followlinks=False):
        here = Path(directory)
        folders[:] = sorted(name for name in folders if not name.startswith((".", "_")))
        for name in list(folders):
            if (here / name).is_symlink():
                folders.remove(name)
                found.append((True, here / name, _folder_link(here / name, root)))
        for name in files:
            path = here / name
            if path.is_symlink():
                found.append((True, path, _file_link(path, root)))
            elif path.is_file():  # not a pipe or a device, which would block the reader
                found.append((False, path, None))
    for _, path, skip in sorted(found, key=lambda item: (item[0], item[1])):
        yield path, skip


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(root)


def _folder_link(path: Path, root: Path) -> Skip:
    if not _inside(path, root):
        return Skip("outside the corpus", "a link to a folder outside the corpus folder: not followed")
    return Skip("link", "a link to a folder: not followed (the files in it are indexed where they are)")


def _file_link(path: Path, root: Path) -> Skip | None:
    if not _inside(path, root):
        return Skip("outside the corpus", "a link to a file outside the corpus folder: not followed")
    if not path.is_file():
        return Skip("broken link", "a link to no file: its target is missing, not a file, or the link loops")
    return None


def walk_corpus(corpus_root: Path) -> Iterator[tuple[Path, Skip | None]]:
    """Every file under ``corpus_root`` that is not ignored, with ``None`` or why it is skipped."""
    for path, skip in corpus_entries(corpus_root):
        relative = path.relative_to(corpus_root)
        if is_ignored(relative):
            continue
        if skip is None and not is_supported(path):
            skip = Skip("unsupported", f"unsupported format {path.suffix.lower() or '(no extension)'}")
        yield path, skip


def resolve(relative: str, extracted: Extracted, entry: Entry | None) -> dict[str, Any]:
    """Metadata of one document from the catalogue entry (with its edition's year), the folder layout and the
    file, in that order."""
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
        # The catalogue (an entry, or its edition's year), then the edition's folder name, and only then the file's
        # own date: often a template's or a copy's, not the document's.
        "year": entry.year or (int(year_match.group()) if year_match else None) or extracted.year,
        "edition": entry.edition or edition_from_layout,
        "type": entry.type or type_from_layout or "document",
        "language": entry.language or extracted.language,
        "extra": entry.extra,
    }


def load_document(path: Path, *, corpus_root: Path, entry: Entry | None, ocr: bool = False,
                  limits: Limits | None = None) -> SourceDocument:
    """Extract one file and resolve its metadata; raises :class:`~indexer.core.errors.ExtractionError`."""
    relative = path.relative_to(corpus_root).as_posix()
    if not _inside(path, Path(os.path.realpath(corpus_root))):  # it became a link after the walk
        raise OutsideCorpusError("a link to a file outside the corpus folder: not followed")
    extracted = extract(path, ocr=ocr, limits=limits)
    return SourceDocument(path=relative, pages=extracted.pages, format=extracted.format,
                          content_hash=file_hash(path), ocr_pages=extracted.ocr_pages, headings=extracted.headings,
                          **resolve(relative, extracted, entry))
