"""What staff change in the corpus folder: editions, uploaded files, withdrawn files.

Every change either happens whole or not at all: an upload writes each file to a hidden temporary file in its
edition's folder (the indexer skips hidden files), checks it, flushes it to disk, and renames it into place only
when every file of the request has passed; a refusal removes the temporary files and leaves the corpus as it was.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import tomlkit
from confusable_homoglyphs import confusables
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT

from indexer.core.errors import ExtractionError
from indexer.core.generations import fsync_dir, write_atomic
from indexer.core.settings import Settings
from indexer.ingest.catalogue import CATALOGUE_NAME, read_edition
from indexer.ingest.extract import Limits, check_zip, file_format, is_supported
from indexer.ingest.sources import is_ignored

WITHDRAWN = "_withdrawn"  # at the corpus root; "_" folders are never indexed (indexer.ingest.sources.is_ignored)
EDITION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CHUNK = 1 << 20


class Refused(Exception):
    """A change refused; ``key`` names the console's message (``staff.refused.*`` in service.web.i18n),
    ``values`` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(f"{key}: {values}")
        self.key = key
        self.values = values


@dataclass
class Edition:
    folder: str
    id: str
    title: str
    year: int | None
    files: list[str] = field(default_factory=list)  # documents' paths relative to the corpus root

    @property
    def documents(self) -> int:
        return len(self.files)


def editions(corpus: Path) -> list[Edition]:
    """The corpus's top-level folders (not hidden, not ``_``), with their catalogue's edition and their documents."""
    found = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        catalogue = folder / CATALOGUE_NAME
        table = read_edition(catalogue) if catalogue.is_file() else None
        files = sorted(str(path.relative_to(corpus)) for path in folder.rglob("*")
                       if path.is_file() and not path.is_symlink() and is_supported(path)
                       and not is_ignored(path.relative_to(corpus)))
        found.append(Edition(folder.name, (table and table.id) or folder.name, (table and table.title) or folder.name,
                             table.year if table else None, files))
    return found


def find_edition(corpus: Path, folder: str) -> Path:
    """The folder of edition ``folder`` (a name, never a path)."""
    if folder.startswith((".", "_")) or "/" in folder or "\\" in folder or not (corpus / folder).is_dir():
        raise Refused("staff.refused.edition", name=folder)
    return corpus / folder


def parse_year(text: str) -> int | None:
    """A year typed in a form: empty is ``None``; otherwise ASCII digits only (``isdigit`` takes "²", which
    ``int`` refuses, and "٢٠٢٦"), from 1000 to 9999, or :class:`Refused`."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and 1000 <= int(text) <= 9999):
        raise Refused("staff.refused.year", year=text)
    return int(text)


def create_edition(corpus: Path, edition_id: str, title: str, year: int | None) -> Path:
    """A new edition folder with its ``catalogue.toml``."""
    if not EDITION_ID.match(edition_id):
        raise Refused("staff.refused.edition_id", name=edition_id)
    title = " ".join(title.split())
    if not title or len(title) > 300:
        raise Refused("staff.refused.bad_title")
    if year is not None and not 1900 <= year <= 2100:
        raise Refused("staff.refused.year", year=year)
    folder = corpus / edition_id
    if folder.exists():
        raise Refused("staff.refused.edition_exists", name=edition_id)
    document = tomlkit.document()
    table = tomlkit.table()
    table.add("id", edition_id)
    table.add("title", title)
    if year is not None:
        table.add("year", year)
    document.add("edition", table)
    folder.mkdir()
    write_atomic(folder / CATALOGUE_NAME, tomlkit.dumps(document))
    return folder


def name_key(name: str) -> str:
    """What a person reads in a file name: case, compatibility forms and look-alike letters from other scripts
    (Cyrillic "е" for Latin "e") folded, so that two names with the same key would be taken for one another."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(_latin_look_alike(c) if not c.isascii() else c for c in folded)


@functools.lru_cache(maxsize=4096)
def _latin_look_alike(character: str) -> str:
    found = confusables.is_confusable(character, preferred_aliases=["latin"])
    if not found:
        return character
    ascii_glyphs = [glyph["c"] for glyph in found[0]["homoglyphs"] if glyph["c"].isascii()]
    return ascii_glyphs[0].casefold() if ascii_glyphs else character


def safe_name(name: str) -> str:
    """``name`` as sent, when it is a plain file name the indexer reads; refused otherwise (never rewritten:
    staff see what they sent and why it is refused)."""
    name = unicodedata.normalize("NFC", name)
    if (not name or name != name.strip() or "/" in name or "\\" in name or name in (".", "..")
            or any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") or c == "\ufffd"
                   for c in name)
            or len(name.encode()) > 200):
        raise Refused("staff.refused.name", name=name)
    if name.startswith((".", "_")) or is_ignored(Path(name)):
        raise Refused("staff.refused.hidden", name=name)
    if not is_supported(Path(name)):
        raise Refused("staff.refused.type", name=name)
    return name


@dataclass
class Upload:
    name: str
    stream: BinaryIO


def save_uploads(folder: Path, uploads: Sequence[Upload], settings: Settings, *, replace: bool) -> list[Path]:
    """Keep every file of ``uploads`` in ``folder``, or none (raises :class:`Refused` for the first problem)."""
    if not uploads:
        raise Refused("staff.refused.none")
    limit = min(settings.max_upload_file_mb, settings.max_file_mb) * _CHUNK
    names = [safe_name(upload.name) for upload in uploads]
    if len({name_key(name) for name in names}) != len(names):  # "Report.txt" and "report.txt" are one name
        raise Refused("staff.refused.twice")
    existing = {name_key(path.name): path.name for path in folder.iterdir()}
    for name in names:
        other = existing.get(name_key(name))
        if other is not None and other != name:  # only looks like a file already there
            raise Refused("staff.refused.look_alike", name=name, other=other)
        if other is not None and not replace:
            raise Refused("staff.refused.exists", name=name)
    temporary: list[Path] = []
    try:
        for name, upload in zip(names, uploads, strict=True):
            handle, raw = tempfile.mkstemp(dir=folder, prefix=UPLOAD_PREFIX, suffix=Path(name).suffix)
            path = Path(raw)
            temporary.append(path)
            with os.fdopen(handle, "wb") as out:
                size = 0
                while chunk := upload.stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise Refused("staff.refused.too_large", name=name, mb=limit // _CHUNK)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise Refused("staff.refused.empty", name=name)
            declared = file_format(path)
            if declared is not None and declared.zipped:
                try:
                    check_zip(path, Limits.from_settings(settings))
                except ExtractionError as exc:
                    raise Refused("staff.refused.archive", name=name, detail=str(exc)) from exc
        kept = []
        for name, path in zip(names, temporary, strict=True):
            target = folder / name
            path.chmod(0o644)
            os.replace(path, target)
            kept.append(target)
        fsync_dir(folder)  # the renames are durable once the folder's entries are on disk
        return kept
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)


def document_path(corpus: Path, relative: str) -> Path:
    """The corpus file at ``relative`` (as :func:`editions` lists it), refused unless it is a document inside."""
    path = (corpus / relative)
    try:
        inside = path.resolve(strict=True).relative_to(corpus.resolve())
    except (OSError, ValueError):
        raise Refused("staff.refused.document", name=relative) from None
    if path.is_symlink() or not path.is_file() or is_ignored(inside) or not is_supported(path):
        raise Refused("staff.refused.document", name=relative)
    return corpus.resolve() / inside


def canonical(corpus: Path, relative: str) -> str:
    """``relative`` as the index stores a document's path (``ed/./f.txt`` and ``ed//f.txt`` are ``ed/f.txt``), when
    it is a document inside the corpus; :class:`Refused` otherwise. Paths from forms go through here first."""
    return document_path(corpus, relative).relative_to(corpus.resolve()).as_posix()


def withdraw(corpus: Path, relative: str, mode: Literal["move", "delete"]) -> Path | None:
    """Take a document's file out of the corpus: into ``_withdrawn/`` (same relative path) or deleted.
    Returns where it went (``None``: deleted)."""
    path = document_path(corpus, relative)
    if mode == "delete":
        path.unlink()
        return None
    inside = path.relative_to(corpus.resolve())
    target = corpus / WITHDRAWN / inside
    while target.exists():  # withdrawn before under the same name: keep both
        stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000_000:09d}"
        target = target.with_name(f"{Path(inside.name).stem}.withdrawn-{stamp}{target.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, target)
    os.utime(target)  # the retention counts from the withdrawal (see withdrawn_files)
    return target


@dataclass
class WithdrawnFile:
    path: str  # inside _withdrawn/, as the restore form sends it back
    original: str  # where it was, and goes back to
    withdrawn_at: float
    days_left: int


_STAMP = re.compile(r"\.withdrawn-\d{8}-\d{6}-\d{9}(?=\.[^.]+$|$)")  # added when a name was withdrawn twice


def withdrawn_files(corpus: Path, days: int) -> list[WithdrawnFile]:
    """The files in ``_withdrawn/`` that can still be restored, newest first; older ones are deleted."""
    folder = corpus / WITHDRAWN
    if not folder.is_dir():
        return []
    now, found = time.time(), []
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        age_days = (now - path.stat().st_mtime) / 86_400
        if age_days >= days:
            path.unlink(missing_ok=True)
            continue
        inside = path.relative_to(folder).as_posix()
        found.append(WithdrawnFile(inside, _STAMP.sub("", inside), path.stat().st_mtime, max(1, int(days - age_days))))
    return sorted(found, key=lambda item: -item.withdrawn_at)


def restore(corpus: Path, inside: str, days: int) -> str:
    """Put the withdrawn file ``inside`` (a path in ``_withdrawn/``) back where it was; returns that path."""
    item = next((f for f in withdrawn_files(corpus, days) if f.path == inside), None)
    if item is None:
        raise Refused("staff.refused.document", name=inside)
    target = corpus / item.original
    if target.exists():
        raise Refused("staff.refused.restore_exists", name=item.original)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(corpus / WITHDRAWN / item.path, target)
    os.utime(target)  # indexed again as changed
    return item.original


UPLOAD_PREFIX = ".upload-"
_STALE_UPLOAD = 60.0  # seconds without a write: an upload in progress writes every chunk


def tidy(corpus: Path, withdrawn_days: int) -> list[Path]:
    """What the service clears when it starts: the hidden partial files of uploads that were cut short (the
    process killed mid-upload; another service on the same corpus may be uploading, so only files left untouched
    for a minute go) and withdrawn files past their retention. Returns the partial files removed."""
    removed = []
    now = time.time()
    for path in corpus.rglob(f"{UPLOAD_PREFIX}*"):
        try:
            if path.is_file() and not path.is_symlink() and now - path.stat().st_mtime > _STALE_UPLOAD:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    withdrawn_files(corpus, withdrawn_days)
    return removed


# The catalogue fields the console's "Describe" form edits; any other key of an entry is kept as it is.
DESCRIBED = ("title", "authors", "year", "type", "language")
_WORD = re.compile(r"^[a-z][a-z-]{0,39}$")


def catalogue_for(corpus: Path, relative: str) -> Path:
    """The catalogue that describes the document at ``relative``, as the indexer reads them
    (indexer.ingest.catalogue): the deepest ``catalogue.toml`` from its folder up to its edition's that has an entry
    for it; without one, the deepest existing catalogue; without any, a new one in the edition's folder."""
    path = document_path(corpus, relative)
    root = corpus.resolve()
    parts = path.relative_to(root).parts
    edition = root / parts[0] if len(parts) > 1 else root  # a file at the corpus root: the root's catalogue
    folders = [path.parent]
    # Up from the file's folder, never past its edition's folder (nor the corpus root, its parent).
    while folders[-1] != edition and folders[-1] != root and folders[-1].is_relative_to(root):
        folders.append(folders[-1].parent)
    existing = [folder / CATALOGUE_NAME for folder in folders if (folder / CATALOGUE_NAME).is_file()]
    for catalogue in existing:
        with contextlib.suppress(Refused):
            if _entry(_parse(catalogue), path.relative_to(catalogue.parent).as_posix()) is not None:
                return catalogue
    return existing[0] if existing else folders[-1] / CATALOGUE_NAME


def description(corpus: Path, relative: str) -> dict[str, Any]:
    """What the catalogue says about the document at ``relative`` (the fields of :data:`DESCRIBED` it has)."""
    catalogue = catalogue_for(corpus, relative)
    entry = _entry(_parse(catalogue), _file_key(catalogue, corpus, relative))
    return {key: entry[key] for key in DESCRIBED if entry is not None and key in entry}


def describe(corpus: Path, relative: str, fields: dict[str, str]) -> Path:
    """Write the ``fields`` (as typed in the form; empty: removed) of the document at ``relative`` into its
    catalogue, with tomlkit: the file's comments, layout and other keys stay as they were."""
    values = _checked(fields)
    catalogue = catalogue_for(corpus, relative)
    document = _parse(catalogue)
    key = _file_key(catalogue, corpus, relative)
    entry = _entry(document, key)
    if entry is None:
        if "documents" not in document:
            document.add("documents", tomlkit.aot())
        entries = document["documents"]
        if not isinstance(entries, AoT):
            raise Refused("staff.refused.catalogue", name=str(catalogue.relative_to(corpus.resolve())))
        entry = tomlkit.table()
        entry.add("file", key)
        entries.append(entry)
        entry = entries[-1]
    for name in DESCRIBED:
        if values.get(name) is not None:
            entry[name] = values[name]
        elif name in entry:
            del entry[name]
    write_atomic(catalogue, tomlkit.dumps(document))
    return catalogue


def _checked(fields: dict[str, str]) -> dict[str, Any]:
    title = " ".join(fields.get("title", "").split())
    authors = [" ".join(line.split()) for line in fields.get("authors", "").splitlines() if line.strip()]
    year, kind, language = (fields.get(name, "").strip() for name in ("year", "type", "language"))
    if len(title) > 500 or len(authors) > 50 or any(len(author) > 200 for author in authors):
        raise Refused("staff.refused.fields")
    number = parse_year(year)
    if kind and not _WORD.match(kind):
        raise Refused("staff.refused.fields")
    if language and not (len(language) == 2 and language.isalpha()):
        raise Refused("staff.refused.fields")
    return {"title": title or None, "authors": authors or None, "year": number,
            "type": kind or None, "language": language.lower() or None}


def _parse(catalogue: Path) -> tomlkit.TOMLDocument:
    if not catalogue.is_file():
        return tomlkit.document()
    try:
        return tomlkit.parse(catalogue.read_text(encoding="utf-8"))
    except (ParseError, UnicodeDecodeError) as exc:
        raise Refused("staff.refused.catalogue", name=catalogue.name) from exc


def _file_key(catalogue: Path, corpus: Path, relative: str) -> str:
    return document_path(corpus, relative).relative_to(catalogue.parent).as_posix()


def _entry(document: tomlkit.TOMLDocument, key: str) -> Any:
    entries = document.get("documents")
    if not isinstance(entries, list):
        return None
    return next((entry for entry in entries if isinstance(entry, dict) and entry.get("file") == key), None)
