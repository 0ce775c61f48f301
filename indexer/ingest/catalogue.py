"""Catalogue files: the metadata staff write down for the documents of a folder.

A ``catalogue.toml`` may sit in any folder of the corpus (usually one per edition folder). Its entries
describe files of that folder and its sub-folders; ``file`` is relative to the catalogue::

    [edition]                      # optional: describes the edition folder itself
    id = "2026-intelligence-artificielle"
    title = "Journée du secteur social 2026"
    year = 2026
    theme = "L'intelligence artificielle dans le travail social"

    [[documents]]
    file = "theses/ia-services-sociaux.pdf"
    title = "L'intelligence artificielle dans les services sociaux"
    authors = ["Léa Dupont"]
    year = 2026
    type = "thesis"                # thesis, talk, slides, programme, report, article, …
    language = "fr"                # ISO 639-1
    supervisor = "Prof. Dr. Anne Weber"      # any other key is kept as extra metadata
    programme = "Bachelor en Sciences Sociales et Éducatives (BSSE)"
    prize = "Prix du meilleur mémoire BSSE 2026"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from indexer.core.errors import CatalogueError
from indexer.core.store import EditionRecord

CATALOGUE_NAME = "catalogue.toml"
_KNOWN = {"file", "title", "authors", "year", "type", "language", "edition"}


@dataclass(frozen=True)
class Edition:
    """The ``[edition]`` table of a catalogue: the conference day its folder holds. ``None``: not said."""

    id: str | None
    title: str | None = None
    year: int | None = None
    date: date | None = None
    venue: str | None = None
    organiser: str | None = None


def read_edition(path: Path) -> Edition | None:
    """The ``[edition]`` table of the catalogue at ``path`` (texts stripped, mistyped values left out); ``None``
    without one, or when the file is not a readable catalogue (:func:`read_catalogues` reports those). The one
    reader of that table: the indexer, the console and the citations use it."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("edition")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(table, dict):
        return None

    def text(key: str) -> str | None:
        value = table.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    year, when = table.get("year"), table.get("date")
    return Edition(id=text("id"), title=text("title"),
                   year=year if isinstance(year, int) and not isinstance(year, bool) else None,
                   date=when if isinstance(when, date) and not isinstance(when, datetime) else None,
                   venue=text("venue"), organiser=text("organiser"))


@dataclass
class Entry:
    """What a catalogue says about one file. ``None`` means the catalogue does not say."""

    title: str | None = None
    authors: list[str] | None = None
    year: int | None = None
    type: str | None = None
    language: str | None = None
    edition: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# Catalogues are parsed in the indexing process (the service's, for POST /admin/reindex): 4 MB describe
# some 13,000 documents, and a larger file is refused before it is read.
_MAX_CATALOGUE_BYTES = 4 * 2**20


def read_catalogue(path: Path, *, corpus_root: Path) -> dict[str, Entry]:
    """Entries of one catalogue, keyed by file path relative to ``corpus_root`` (POSIX form)."""
    size = path.stat().st_size
    if size > _MAX_CATALOGUE_BYTES:
        raise CatalogueError(f"{path}: {size / 2**20:.0f} MB, more than a catalogue can be "
                             f"({_MAX_CATALOGUE_BYTES // 2**20} MB describe some 13,000 documents)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc
    folder = path.parent.relative_to(corpus_root)
    edition_table = data.get("edition", {})
    edition = edition_table.get("id") if isinstance(edition_table, dict) else None
    entries: dict[str, Entry] = {}
    documents = data.get("documents", [])
    if not isinstance(documents, list):
        raise CatalogueError(f"{path}: [[documents]] must be an array of tables")
    for number, item in enumerate(documents, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            raise CatalogueError(f"{path}: document #{number} has no 'file'")
        relative = PurePosixPath(*folder.parts, *PurePosixPath(item["file"]).parts)
        if ".." in relative.parts:
            raise CatalogueError(f"{path}: document #{number}: 'file' must stay inside the corpus")
        authors = item.get("authors")
        if isinstance(authors, str):
            authors = [authors]
        year = item.get("year")
        if year is not None and not isinstance(year, int):
            raise CatalogueError(f"{path}: document #{number}: 'year' must be a number, got {year!r}")
        entries[str(relative)] = Entry(
            title=item.get("title"), authors=authors, year=year, type=item.get("type"),
            language=item.get("language"), edition=item.get("edition", edition),
            extra={k: v for k, v in item.items() if k not in _KNOWN},
        )
    return entries


def read_editions(corpus_root: Path) -> dict[str, EditionRecord]:
    """The ``[edition]`` tables of the catalogues under ``corpus_root`` that have an id and a title; a
    malformed catalogue is skipped (:func:`read_catalogues` reports it)."""
    editions: dict[str, EditionRecord] = {}
    for path in sorted(corpus_root.rglob(CATALOGUE_NAME), key=lambda p: len(p.parts)):
        if any(part.startswith((".", "_")) for part in path.relative_to(corpus_root).parts):
            continue
        edition = read_edition(path)
        if edition is not None and edition.id and edition.title:
            editions[edition.id] = EditionRecord(edition.id, edition.title, edition.year)
    return editions


class Entries(dict[str, Entry]):
    """Catalogue entries by file path (POSIX, relative to the corpus root). A file is also described by its
    edition: :meth:`get` gives a file no entry names the ``[edition]`` table's id and year of the nearest catalogue
    above it, and an entry without a year that year — a file's own metadata (a template's date) comes after."""

    def __init__(self) -> None:
        super().__init__()
        self.editions: dict[str, Edition] = {}  # by folder (POSIX, "" for the root)

    def edition_of(self, relative: str) -> Edition | None:
        for folder in PurePosixPath(relative).parents:
            key = "" if str(folder) == "." else str(folder)
            if key in self.editions:
                return self.editions[key]
        return None

    def get(self, key: str, default: Entry | None = None) -> Entry | None:  # type: ignore[override]
        entry = super().get(key)
        edition = self.edition_of(key)
        if edition is None or edition.year is None:
            return entry if entry is not None else default
        if entry is None:
            return Entry(year=edition.year, edition=edition.id)
        return entry if entry.year is not None else replace(entry, year=edition.year)


def read_catalogues(corpus_root: Path, *,
                    on_error: Callable[[Path, CatalogueError], None] | None = None) -> Entries:
    """Entries of every catalogue under ``corpus_root``; a deeper catalogue wins over a shallower one.

    A malformed catalogue raises :class:`CatalogueError`, or, with ``on_error``, is reported there and skipped.
    """
    entries = Entries()
    root = Path(os.path.realpath(corpus_root))
    for path in sorted(corpus_root.rglob(CATALOGUE_NAME), key=lambda p: len(p.parts)):
        if any(part.startswith((".", "_")) for part in path.relative_to(corpus_root).parts):
            continue
        if not Path(os.path.realpath(path)).is_relative_to(root):  # a link out of the corpus folder is not followed
            continue
        try:
            entries.update(read_catalogue(path, corpus_root=corpus_root))
        except CatalogueError as exc:
            if on_error is None:
                raise
            on_error(path, exc)
            continue
        edition = read_edition(path)
        if edition is not None:
            folder = path.parent.relative_to(corpus_root).as_posix()
            entries.editions["" if folder == "." else folder] = edition
    return entries
