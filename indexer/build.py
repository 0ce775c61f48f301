"""The indexing pipeline: documents → passages → vectors → a new index generation.

:func:`index_corpus` indexes a corpus folder; :func:`index_documents` is the core it shares with
evaluation, which feeds documents that do not come from files. A file that cannot be read is reported
(:class:`FileIssue`) and the run goes on; nothing a single file does stops it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import Progress

from indexer.catalogue import CATALOGUE_NAME, Entry, read_catalogue
from indexer.chunking import chunk_page
from indexer.errors import CatalogueError, ExtractionError
from indexer.language import detect_language
from indexer.model import Embedder
from indexer.settings import Settings
from indexer.sources import SourceDocument, file_hash, is_ignored, load_document, walk_corpus
from indexer.store import DocumentRecord, IndexWriter

log = logging.getLogger(__name__)

# pypdf logs every oddity of a malformed PDF; the summary reports what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Passages waiting to be embedded together: large enough to fill the model's batches well.
_EMBED_BUFFER = 256


@dataclass(frozen=True)
class FileIssue:
    """A file that was skipped (not a document format) or failed (could not be read), and why."""

    path: str
    reason: str
    message: str


@dataclass
class IndexReport:
    """What an indexing run did. Also saved in the index as ``report.json``."""

    documents: int = 0
    passages: int = 0
    pages: int = 0
    skipped: list[FileIssue] = field(default_factory=list)
    failed: list[FileIssue] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _catalogue_entries(corpus_root: Path, report: IndexReport) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted(corpus_root.rglob(CATALOGUE_NAME), key=lambda p: len(p.parts)):
        relative = path.relative_to(corpus_root)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        try:
            entries.update(read_catalogue(path, corpus_root=corpus_root))
        except CatalogueError as exc:
            report.failed.append(FileIssue(relative.as_posix(), "bad catalogue", str(exc)))
    return entries


def corpus_fingerprint(corpus_root: Path) -> str:
    """A hash of every indexable file's path and content, and of the catalogues."""
    digest = hashlib.sha256()
    for path in sorted(p for p in corpus_root.rglob("*") if p.is_file()):
        relative = path.relative_to(corpus_root)
        if is_ignored(relative) and relative.name != CATALOGUE_NAME:
            continue
        digest.update(f"{relative.as_posix()}\0{file_hash(path)}\n".encode())
    return digest.hexdigest()


class _Pipeline:
    """Chunks, detects languages and embeds documents into an :class:`IndexWriter`."""

    def __init__(self, writer: IndexWriter, embedder: Embedder, settings: Settings, report: IndexReport) -> None:
        self.writer = writer
        self.embedder = embedder
        self.settings = settings
        self.report = report
        self.pending: list[tuple[str, int, int, int, int, str | None, str]] = []
        self.languages: Counter[str] = Counter()

    def add(self, document: SourceDocument) -> None:
        chunks = [
            chunk
            for number, page in enumerate(document.pages, start=1)
            for chunk in chunk_page(page, page=number, count_tokens=self.embedder.count_tokens,
                                    max_tokens=self.settings.passage_tokens,
                                    overlap_tokens=self.settings.overlap_tokens)
        ]
        languages = self.settings.languages
        detected = [detect_language(chunk.text, languages=languages) for chunk in chunks]
        weights: Counter[str] = Counter()
        for chunk, language in zip(chunks, detected, strict=True):
            if language:
                weights[language] += len(chunk.text)
        document_language = document.language or (weights.most_common(1)[0][0] if weights else None)
        if document_language is None:
            document_language = detect_language(" ".join(document.pages)[:5000], languages=languages)
        self.writer.add_document(DocumentRecord(
            id=document.id, path=document.path, title=document.title, authors=document.authors,
            year=document.year, edition=document.edition, type=document.type, language=document_language,
            page_count=len(document.pages), format=document.format, content_hash=document.content_hash,
            extra=document.extra,
        ))
        for ordinal, (chunk, language) in enumerate(zip(chunks, detected, strict=True)):
            self.pending.append((document.id, ordinal, chunk.page, chunk.start, chunk.end,
                                 language or document_language, chunk.text))
        self.report.documents += 1
        self.report.pages += len(document.pages)
        if document_language:
            self.languages[document_language] += 1
        if len(self.pending) >= _EMBED_BUFFER:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        started = time.perf_counter()
        vectors = self.embedder.encode_document([row[-1] for row in self.pending])
        self.report.embed_seconds += time.perf_counter() - started
        self.writer.add_passages(self.pending, vectors)
        self.report.passages += len(self.pending)
        self.pending = []


def index_documents(
    documents: Iterable[SourceDocument | FileIssue],
    *,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    corpus_root: Path,
    fingerprint: str,
    report: IndexReport | None = None,
    progress: Progress | None = None,
    total: int | None = None,
) -> IndexReport:
    """Index ``documents`` (or issues to report) into a new generation of ``index_dir`` and switch to it."""
    report = report or IndexReport()
    started = time.perf_counter()
    writer = IndexWriter(index_dir, model=embedder.name, dimension=embedder.dimension)
    task = progress.add_task("Indexing", total=total) if progress is not None else None
    try:
        pipeline = _Pipeline(writer, embedder, settings, report)
        for item in documents:
            if isinstance(item, FileIssue):
                (report.skipped if item.reason == "unsupported" else report.failed).append(item)
            else:
                pipeline.add(item)
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=f"Indexing {_short(item.path)}")
        pipeline.flush()
        report.languages = dict(pipeline.languages.most_common())
        report.seconds = round(time.perf_counter() - started, 3)
        report.embed_seconds = round(report.embed_seconds, 3)
        report.index_path = str(index_dir / writer.name)
        writer.commit(corpus_root=corpus_root, corpus_fingerprint=fingerprint, report=report.as_dict())
    except BaseException:
        writer.abort()
        raise
    finally:
        if progress is not None and task is not None:
            progress.update(task, description="Indexing done")
    return report


def _short(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


def read_corpus(corpus_root: Path, report: IndexReport) -> tuple[int, Iterator[SourceDocument | FileIssue]]:
    """Count the files of ``corpus_root`` and return an iterator that extracts them one by one."""
    entries = _catalogue_entries(corpus_root, report)
    files = list(walk_corpus(corpus_root))
    listed = {path.relative_to(corpus_root).as_posix() for path, _ in files}
    for missing in sorted(set(entries) - listed):
        report.failed.append(FileIssue(missing, "missing", "listed in a catalogue but not found in the corpus"))

    def items() -> Iterator[SourceDocument | FileIssue]:
        for path, skip_reason in files:
            relative = path.relative_to(corpus_root).as_posix()
            if skip_reason is not None:
                yield FileIssue(relative, "unsupported", skip_reason)
                continue
            try:
                yield load_document(path, corpus_root=corpus_root, entry=entries.get(relative))
            except ExtractionError as exc:
                yield FileIssue(relative, exc.reason, str(exc))
            except OSError as exc:
                yield FileIssue(relative, "unreadable", f"cannot be read: {exc}")

    return len(files), items()


def index_corpus(corpus_root: Path, *, index_dir: Path, embedder: Embedder, settings: Settings,
                 progress: Progress | None = None) -> IndexReport:
    """Index every document under ``corpus_root`` into ``index_dir``; see :func:`index_documents`."""
    corpus_root = corpus_root.resolve()
    if not corpus_root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_root}")
    report = IndexReport()
    total, items = read_corpus(corpus_root, report)
    return index_documents(items, index_dir=index_dir, embedder=embedder, settings=settings,
                           corpus_root=corpus_root, fingerprint=corpus_fingerprint(corpus_root),
                           report=report, progress=progress, total=total)
