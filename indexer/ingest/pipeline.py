"""The indexing pipeline: documents → passages → vectors → a new index generation.

:func:`index_corpus` indexes a corpus folder incrementally: documents are known by path and content hash,
so a run re-embeds only new and changed files, re-points moved ones, drops deleted ones, indexes a file
present twice once, and applies catalogue-only corrections without re-embedding; an unchanged corpus
writes nothing. :func:`index_documents` is the full-build core it shares with evaluation, which feeds
documents that do not come from files. A file that cannot be read is reported (:class:`FileIssue`) and
the run goes on; nothing a single file does stops it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from rich.progress import Progress

from indexer.core.errors import (
    CatalogueError,
    ExtractionError,
    IndexBusyError,
    IndexCorruptError,
    IndexNotFoundError,
    TooLargeError,
)
from indexer.core.generations import MANIFEST, Manifest, current_generation, lock_for_writing, publish, remove_leftovers
from indexer.core.language import detect_language
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from indexer.core.store import FORMAT_VERSION, DocumentRecord, Index, IndexWriter, earlier_document_ids
from indexer.ingest import boilerplate
from indexer.ingest.catalogue import CATALOGUE_NAME, Entries, Entry, read_catalogues, read_editions
from indexer.ingest.chunking import chunk_sections
from indexer.ingest.extract import Limits, ocr_available
from indexer.ingest.kinds import Sections, passage_kind
from indexer.ingest.sources import (
    SourceDocument,
    corpus_entries,
    document_id,
    file_hash,
    is_ignored,
    load_document,
    walk_corpus,
)
from indexer.ingest.worker import Worker

log = logging.getLogger(__name__)

# pypdf logs every oddity of a malformed PDF; the summary reports what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Passages waiting to be embedded together: large enough to fill the model's batches well.
_EMBED_BUFFER = 256
# Passages (as the model reads them) to their L2-normalised float32 vectors, one row each.
Encode = Callable[[list[str]], np.ndarray]
# Files extracted ahead of the one being embedded.
_PREFETCH = 4


class Read(Protocol):
    """Runs ``load_document`` somewhere else than the local worker process, ``threads`` calls at once."""

    threads: int

    def __call__(self, function: Callable[..., SourceDocument], /, *args: Any, **kwargs: Any) -> SourceDocument: ...
# Failures that depend on the limits: read again when a limit changed.
_LIMIT_REASONS = {"too large", "too slow", "crashed"}

T = TypeVar("T")
R = TypeVar("R")


def _prefetch(function: Callable[[T], R], items: list[T], *, depth: int, threads: int = 1) -> Iterator[R]:
    """``map(function, items)`` computed on ``threads`` worker threads up to ``depth`` items ahead of the
    consumer, in order."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="passerelle-extract") as pool:
        pending: deque[Future[R]] = deque()
        iterator = iter(items)
        for item in itertools.islice(iterator, depth):
            pending.append(pool.submit(function, item))
        while pending:
            result = pending.popleft().result()
            for item in itertools.islice(iterator, 1):
                pending.append(pool.submit(function, item))
            yield result


@dataclass(frozen=True)
class FileIssue:
    """A file that was skipped (not a document, or a duplicate) or failed (could not be read), and why."""

    path: str
    reason: str
    message: str
    content_hash: str = ""


@dataclass
class IndexReport:
    """What an indexing run did. Also saved in the index as ``report.json``."""

    documents: int = 0
    passages: int = 0
    pages: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # "old → new"
    removed: list[str] = field(default_factory=list)
    metadata_updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded_passages: int = 0
    ocr_pages: int = 0
    duplicates: list[FileIssue] = field(default_factory=list)
    skipped: list[FileIssue] = field(default_factory=list)
    failed: list[FileIssue] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_path: str = ""
    new_generation: bool = True
    ocr: bool = False
    limits: dict[str, float] = field(default_factory=dict)
    rebuilt: str = ""  # why every document was read again, when the previous index could not be built on

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def corpus_fingerprint(corpus_root: Path, *, known: Mapping[str, str] | None = None) -> str:
    """A hash of every indexable file's path and content, and of the catalogues, walked as
    :func:`~indexer.ingest.sources.walk_corpus` walks: a link that is not followed counts by its path alone.
    ``known`` gives content hashes already computed, by relative path (a run has hashed every file once)."""
    known = known or {}
    digest = hashlib.sha256()
    for path, skip in corpus_entries(corpus_root):
        relative = path.relative_to(corpus_root)
        if is_ignored(relative) and relative.name != CATALOGUE_NAME:
            continue
        content = (known.get(relative.as_posix()) or file_hash(path)) if skip is None else skip.reason
        digest.update(f"{relative.as_posix()}\0{content}\n".encode())
    return digest.hexdigest()


def limit_settings(settings: Settings) -> dict[str, float]:
    """The settings that decide which files are refused as too large, too slow or crashing."""
    return {name: getattr(settings, name) for name in ("max_file_mb", "max_unpacked_mb", "max_compression_ratio",
                                                       "max_pages", "max_passages", "max_seconds_per_file",
                                                       "extract_memory_mb")}


def _entry_hash(entry: Entry | None) -> str:
    if entry is None:
        return ""
    return hashlib.sha256(json.dumps(asdict(entry), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _record(document: SourceDocument, *, language: str | None, metadata_hash: str) -> DocumentRecord:
    return DocumentRecord(
        id=document.id, path=document.path, title=document.title, authors=document.authors, year=document.year,
        edition=document.edition, type=document.type, language=language, page_count=len(document.pages),
        format=document.format, content_hash=document.content_hash, extra=document.extra,
        metadata_hash=metadata_hash,
    )


# A passage waiting for its vector: (document id, ordinal, page, start, end, language, text, kind, section).
_PassageRow = tuple[str, int, int, int, int, str | None, str, str, str | None]
# Whether passages are embedded with their title and section heading (see :func:`embedded_text`); measured in
# bench/RESULTS-documents.md. Changing it changes every vector: FORMAT_VERSION goes with it.
PASSAGE_CONTEXT = True
# Longest document title or section heading embedded with a passage as its context, in characters.
_CONTEXT_CHARS = 160


def embedded_text(text: str, *, title: str, section: str | None) -> str:
    """What the model reads of a passage: its document's title and section heading, then its text; a
    passage that never names its topic is found by it (the text shown and searched by keyword is the bare one)."""
    # A text that starts with its title (a page's first passage often does) is not given it twice.
    context = [title[:_CONTEXT_CHARS]] if title and not text.startswith(title[:_CONTEXT_CHARS]) else []
    if section and section.casefold() != title.casefold() and not text.startswith(section[:_CONTEXT_CHARS]):
        context.append(section[:_CONTEXT_CHARS])
    return f"{' — '.join(context)}\n{text}" if context else text


class _Pipeline:
    """Chunks, detects languages and embeds documents into an :class:`IndexWriter`.

    The model encodes one buffer of passages on a background thread while this thread chunks and detects
    the languages of the next documents (torch releases the GIL; the rest is Python): the pipeline then runs
    at nearly the bare model's speed. The writer (SQLite) is only used from the calling thread.
    """

    def __init__(self, writer: IndexWriter, embedder: Embedder, settings: Settings, report: IndexReport,
                 encode: Encode | None = None) -> None:
        self.writer = writer
        self.embedder = embedder
        # The one place passages become vectors: the model here, or an embedding backend (a cluster's workers).
        self.encode = encode or embedder.encode_document
        # A cluster asks for a larger buffer (its ``buffer_size``), so that every worker has a batch of each.
        self.buffer = max(_EMBED_BUFFER, getattr(encode, "buffer_size", 0))
        self.settings = settings
        self.report = report
        self.pending: list[_PassageRow] = []
        self._context: list[str] = []  # what the model reads of each pending passage
        self._encoding: tuple[list[_PassageRow], _Background] | None = None

    def add(self, document: SourceDocument, *, metadata_hash: str = "") -> None:
        """Chunk and queue ``document``; raises :class:`TooLargeError` (adding nothing) over ``max_passages``."""
        sections = Sections(document.headings)
        chunks = [
            chunk
            for number, page in enumerate(document.pages, start=1)
            for chunk in chunk_sections(page, page=number, cuts=sections.cuts(number - 1),
                                        count_tokens=self.embedder.count_tokens,
                                        max_tokens=self.settings.passage_tokens,
                                        overlap_tokens=self.settings.overlap_tokens)
        ]
        if len(chunks) > self.settings.max_passages:
            raise TooLargeError(f"{len(chunks):,} passages, over the {self.settings.max_passages:,} a document may "
                                "make (raise PASSERELLE_MAX_PASSAGES to read it)")
        languages = self.settings.languages
        detected = [detect_language(chunk.text, languages=languages) for chunk in chunks]
        weights: Counter[str] = Counter()
        for chunk, language in zip(chunks, detected, strict=True):
            if language:
                weights[language] += len(chunk.text)
        document_language = document.language or (weights.most_common(1)[0][0] if weights else None)
        if document_language is None:
            document_language = detect_language(" ".join(document.pages)[:5000], languages=languages)
        self.writer.add_document(_record(document, language=document_language, metadata_hash=metadata_hash))
        page_count = len(document.pages)
        # A title that is only the document's path or id says nothing (evaluation sets without titles).
        title = document.title if document.title != document.path else ""
        for ordinal, (chunk, language) in enumerate(zip(chunks, detected, strict=True)):
            section = sections.at(chunk.page - 1, chunk.start)
            kind = passage_kind(chunk.text, page=chunk.page, page_count=page_count, section=section)
            self.pending.append((document.id, ordinal, chunk.page, chunk.start, chunk.end,
                                 language or document_language, chunk.text, kind, section))
            self._context.append(embedded_text(chunk.text, title=title, section=section)
                                 if PASSAGE_CONTEXT else chunk.text)
        self.report.ocr_pages += document.ocr_pages
        if len(self.pending) >= self.buffer:
            self.flush()

    def flush(self) -> None:
        """Store the buffer being encoded (waiting for it), and start encoding the pending passages."""
        self._store_encoded()
        if self.pending:
            rows, self.pending = self.pending, []
            texts, self._context = self._context, []
            self._encoding = (rows, _Background(self._encode, texts))

    def finish(self) -> None:
        """Encode and store everything still pending."""
        self.flush()
        self._store_encoded()

    def _encode(self, texts: list[str]) -> Any:
        self.embedder.configure_thread()
        started = time.perf_counter()
        vectors = self.encode(texts)
        self.report.embed_seconds += time.perf_counter() - started
        return vectors

    def _store_encoded(self) -> None:
        if self._encoding is None:
            return
        rows, encoding = self._encoding
        self._encoding = None
        self.writer.add_passages(rows, encoding.result())
        self.report.embedded_passages += len(rows)


class _Background:
    """``function(argument)`` on a daemon thread (an interrupted run does not wait for the model to finish)."""

    def __init__(self, function: Callable[[Any], Any], argument: Any) -> None:
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, argument), daemon=True,
                                        name="passerelle-embed")
        self._thread.start()

    def _run(self, function: Callable[[Any], Any], argument: Any) -> None:
        try:
            self._result = function(argument)
        except BaseException as exc:  # handed to the waiting thread
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def _finish(writer: IndexWriter, report: IndexReport, *, started: float, corpus_root: Path, fingerprint: str,
            embedder: Embedder) -> None:
    # Before the time is taken: both are part of the run (the means may load the model to encode questions).
    boilerplate.mark(writer)
    writer.centre(embedder.encode_query)
    report.seconds = round(time.perf_counter() - started, 3)
    report.embed_seconds = round(report.embed_seconds, 3)
    report.index_path = str(writer.index_dir / writer.name)
    # Counted before the commit so that the saved report.json holds what the summary prints.
    _count(report, writer)
    writer.set_editions(read_editions(corpus_root).values())
    writer.commit(corpus_root=corpus_root, corpus_fingerprint=fingerprint, report=report.as_dict())


def _count(report: IndexReport, index: Index | IndexWriter) -> None:
    documents, passages, pages = index.query(
        "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages), "
        "(SELECT coalesce(sum(page_count), 0) FROM documents)")[0]
    report.documents, report.passages, report.pages = int(documents), int(passages), int(pages)
    report.languages = dict(index.query("SELECT language, count(*) FROM documents WHERE language IS NOT NULL "
                                        "GROUP BY language ORDER BY 2 DESC"))


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
    encode: Encode | None = None,
) -> IndexReport:
    """Index ``documents`` (or issues to report) into a new, complete generation of ``index_dir``; ``encode``
    embeds passages in place of ``embedder`` (see :mod:`indexer.ingest.cluster`)."""
    report = report or IndexReport()
    started = time.perf_counter()
    writer = IndexWriter(index_dir, model=embedder.name, dimension=embedder.dimension,
                         vector_index=settings.vector_index)
    task = progress.add_task("Indexing", total=total) if progress is not None else None
    try:
        pipeline = _Pipeline(writer, embedder, settings, report, encode)
        for item in documents:
            if isinstance(item, FileIssue):
                (report.skipped if item.reason == "unsupported" else report.failed).append(item)
            else:
                try:
                    pipeline.add(item)
                except TooLargeError as exc:
                    report.failed.append(FileIssue(item.path, exc.reason, str(exc), item.content_hash))
                else:
                    report.added.append(item.path)
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=f"Indexing {_short(item.path)}")
        pipeline.finish()
        _finish(writer, report, started=started, corpus_root=corpus_root, fingerprint=fingerprint, embedder=embedder)
    except BaseException:
        writer.abort()
        raise
    return report


def _short(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


@dataclass
class _Plan:
    """What an incremental run has to do, file by file."""

    embed: list[tuple[str, str]] = field(default_factory=list)  # (path, "added" | "changed")
    repoint: list[tuple[DocumentRecord, str]] = field(default_factory=list)  # (old record, new path)
    remove: list[DocumentRecord] = field(default_factory=list)
    unchanged: int = 0

    def is_empty(self) -> bool:
        return not (self.embed or self.repoint or self.remove)


def _previous_index(index_dir: Path, embedder: Embedder) -> tuple[Index | None, bool, str]:
    """The generation to build on (the current one, or the newest intact one when it is broken), whether
    that is a fallback, and, when there is none to build on though an index exists, why."""
    older = _older_format(index_dir)
    if older is not None:
        why = (f"the index was built in format {older}; this version reads and stores documents differently "
               f"(format {FORMAT_VERSION}: vectors without their language's component, so that a document in "
               "another language ranks beside one in the question's), so every document is read and embedded "
               "again, once (keeping its id)")
        log.warning("rebuilding from scratch: %s", why)
        return None, False, why
    try:
        previous, problem = Index.open_last_good(index_dir)
    except (IndexNotFoundError, IndexCorruptError) as exc:
        if not isinstance(exc, IndexNotFoundError):
            log.warning("rebuilding from scratch: %s", exc)
            return None, False, f"the index could not be read: {exc}"
        return None, False, ""
    if problem:
        log.warning("building on an earlier generation: %s", problem)
    if previous.manifest.model != embedder.name or previous.manifest.format_version != FORMAT_VERSION:
        log.warning("rebuilding from scratch: the index was built with %s", previous.manifest.model)
        return None, False, f"the index was built with another model ({previous.manifest.model})"
    return previous, problem is not None, ""


def _older_format(index_dir: Path) -> int | None:
    """The format version of the current generation when it is not this version's, else None."""
    current = current_generation(index_dir)
    try:
        version = Manifest.read(current / MANIFEST).format_version if current is not None else FORMAT_VERSION
    except (OSError, IndexCorruptError):
        return None
    return version if version != FORMAT_VERSION else None


def _tidy(index_dir: Path, *, restore: Index | None) -> None:
    """What an unchanged run still owes the index folder: leftovers of killed runs removed and, when the
    current generation was broken, the intact one it matches made current again."""
    try:
        lock = lock_for_writing(index_dir)
    except IndexBusyError:
        return  # the run holding the lock tidies up when it commits
    with lock:
        if restore is not None:
            log.warning("%s is current again", restore.path.name)
            publish(index_dir, restore.path)
        remove_leftovers(index_dir)


@dataclass
class _Survey:
    """An incremental run's first half: the corpus walked and hashed, and the plan against the index."""

    corpus_root: Path
    report: IndexReport
    entries: dict[str, Entry]
    hashes: dict[str, str]
    previous: Index | None
    fell_back: bool
    plan: _Plan


def _survey(corpus_root: Path, *, index_dir: Path, embedder: Embedder, settings: Settings, full: bool) -> _Survey:
    corpus_root = corpus_root.resolve()
    if not corpus_root.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_root}")
    report = IndexReport(ocr=ocr_available() and settings.ocr, limits=limit_settings(settings))
    entries = _catalogue_entries(corpus_root, report)
    files = list(walk_corpus(corpus_root))
    listed = {path.relative_to(corpus_root).as_posix() for path, _ in files}
    for missing in sorted(set(entries) - listed):
        report.failed.append(FileIssue(missing, "missing", "listed in a catalogue but not found in the corpus"))

    hashes: dict[str, str] = {}
    canonical: dict[str, str] = {}  # content hash → first path with it
    for path, skip_reason in files:
        relative = path.relative_to(corpus_root).as_posix()
        if skip_reason is not None:
            report.skipped.append(FileIssue(relative, skip_reason.reason, skip_reason.message))
            continue
        digest = file_hash(path)
        if digest in canonical:
            report.duplicates.append(FileIssue(relative, "duplicate", f"same content as {canonical[digest]}", digest))
            continue
        canonical[digest] = relative
        hashes[relative] = digest

    previous, fell_back, report.rebuilt = (None, False, "") if full else _previous_index(index_dir, embedder)
    previous_failures = _previous_failures(previous, report)
    plan = _plan(hashes, entries, previous, previous_failures, report)
    return _Survey(corpus_root, report, entries, hashes, previous, fell_back, plan)


@dataclass
class DryRun:
    """What :func:`index_corpus` would do now, by relative path; nothing embedded, nothing written."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # "old → new"
    metadata_updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reread: list[str] = field(default_factory=list)  # failed last time, read again (OCR or limits changed)
    unchanged: int = 0
    duplicates: list[FileIssue] = field(default_factory=list)
    skipped: list[FileIssue] = field(default_factory=list)
    failed: list[FileIssue] = field(default_factory=list)  # failed last time with the same content: not retried

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_corpus(corpus_root: Path, *, index_dir: Path, embedder: Embedder, settings: Settings,
                full: bool = False) -> DryRun:
    """What bringing the index of ``corpus_root`` up to date would add, change, move, remove and read again."""
    survey = _survey(corpus_root, index_dir=index_dir, embedder=embedder, settings=settings, full=full)
    failed_before = {f["path"] for f in survey.previous.report().get("failed", [])} if survey.previous else set()
    report = survey.report
    dry = DryRun(unchanged=survey.plan.unchanged, duplicates=report.duplicates, skipped=report.skipped,
                 failed=report.failed, removed=[record.path for record in survey.plan.remove])
    for relative, kind in survey.plan.embed:
        if kind == "changed":
            dry.changed.append(relative)
        else:
            (dry.reread if relative in failed_before else dry.added).append(relative)
    for old, new_path in survey.plan.repoint:
        if old.path == new_path:
            dry.metadata_updated.append(new_path)
        else:
            dry.moved.append(f"{old.path} → {new_path}")
    return dry


def index_corpus(corpus_root: Path, *, index_dir: Path, embedder: Embedder, settings: Settings,
                 progress: Progress | None = None, full: bool = False, encode: Encode | None = None,
                 read: Read | None = None) -> IndexReport:
    """Bring the index of ``corpus_root`` up to date (or rebuild it with ``full``); see the module doc.

    ``encode`` embeds the passages in place of ``embedder`` (which still tokenises them and names the model):
    :class:`indexer.ingest.cluster.ClusterEncoder` hands them to a Dask cluster. ``read`` reads the files to
    embed in place of the local worker process (:class:`indexer.ingest.cluster.ClusterReader`: on the cluster's
    workers, ``read.threads`` at once).
    """
    started = time.perf_counter()
    survey = _survey(corpus_root, index_dir=index_dir, embedder=embedder, settings=settings, full=full)
    corpus_root, report, entries, hashes = survey.corpus_root, survey.report, survey.entries, survey.hashes
    previous, fell_back, plan = survey.previous, survey.fell_back, survey.plan

    editions = read_editions(corpus_root)
    if previous is not None and plan.is_empty() and previous.editions() == editions:
        _tidy(index_dir, restore=previous if fell_back else None)
        report.unchanged = plan.unchanged
        report.new_generation = False
        report.index_path = str(previous.path)
        _count(report, previous)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    writer = IndexWriter(index_dir, model=embedder.name, dimension=embedder.dimension,
                         base=previous.path if previous is not None else None, vector_index=settings.vector_index)
    # Files are read in a worker process: a file that exhausts memory or time, or crashes its reader, fails alone.
    worker = Worker(memory_mb=settings.extract_memory_mb, seconds=settings.max_seconds_per_file)
    limits = Limits.from_settings(settings)
    try:
        if previous is not None:
            records = previous.all_documents()
            previous_ids = {record.path: record.id for record in records}
            earlier_by_hash: dict[str, str] = {}
        else:  # a rebuild: the ids the documents had in the index it replaces, whatever its format or model
            previous_ids, earlier_by_hash = earlier_document_ids(index_dir)
        # Ids that files still at their path take back: a file with another's old content does not get them.
        reserved = {previous_ids[path] for path in hashes if path in previous_ids}
        for record in plan.remove:
            writer.remove_document(record.id)
            report.removed.append(record.path)
        pipeline = _Pipeline(writer, embedder, settings, report, encode)
        task = progress.add_task("Indexing", total=len(plan.embed) + len(plan.repoint)) if progress else None
        for old, new_path in plan.repoint:
            _advance(progress, task, new_path)
            try:
                document = worker.call(load_document, corpus_root / new_path, corpus_root=corpus_root,
                                       entry=entries.get(new_path), ocr=False, limits=limits)
            except ExtractionError as exc:  # it was readable before; report rather than keep stale data
                writer.remove_document(old.id)
                report.failed.append(FileIssue(new_path, exc.reason, str(exc), hashes[new_path]))
                continue
            language = document.language or old.language
            # A moved file keeps its id: links to its page survive the move.
            writer.replace_metadata(old.id, replace(_record(document, language=language,
                                                            metadata_hash=_entry_hash(entries.get(new_path))),
                                                    id=old.id))
            if old.path != new_path:
                report.moved.append(f"{old.path} → {new_path}")
            else:
                report.metadata_updated.append(new_path)
        call = read if read is not None else worker.call

        def extract_one(relative: str) -> SourceDocument | FileIssue:
            try:
                return call(load_document, corpus_root / relative, corpus_root=corpus_root,
                            entry=entries.get(relative), ocr=report.ocr, limits=limits)
            except ExtractionError as exc:
                return FileIssue(relative, exc.reason, str(exc), hashes[relative])
            except OSError as exc:
                return FileIssue(relative, "unreadable", f"cannot be read: {exc}", hashes[relative])

        # Extraction of the next files (in the worker process) overlaps the model's encoding: on two cores the
        # pipeline runs close to the bare model's speed.
        threads = read.threads if read is not None else 1
        extracted = _prefetch(extract_one, [relative for relative, _ in plan.embed],
                              depth=max(_PREFETCH, 2 * threads), threads=threads)
        for (relative, kind), outcome in zip(plan.embed, extracted, strict=True):
            _advance(progress, task, relative)
            if kind == "changed":
                writer.remove_document(previous_ids.get(relative, document_id(relative)))
            if isinstance(outcome, FileIssue):
                report.failed.append(outcome)
                continue
            outcome.kept_id = _kept_id(writer, relative, outcome.content_hash, by_path=previous_ids,
                                       by_hash=earlier_by_hash, reserved=reserved)
            try:
                pipeline.add(outcome, metadata_hash=_entry_hash(entries.get(relative)))
            except TooLargeError as exc:
                report.failed.append(FileIssue(relative, exc.reason, str(exc), hashes[relative]))
                continue
            (report.added if kind == "added" else report.changed).append(relative)
        pipeline.finish()
        report.unchanged = plan.unchanged
        _finish(writer, report, started=started, corpus_root=corpus_root, embedder=embedder,
                fingerprint=corpus_fingerprint(corpus_root, known={
                    **hashes, **{issue.path: issue.content_hash for issue in report.duplicates}}))
    except BaseException:
        writer.abort()
        raise
    finally:
        worker.close()
    return report


def _kept_id(writer: IndexWriter, relative: str, content_hash: str, *, by_path: Mapping[str, str],
             by_hash: Mapping[str, str], reserved: set[str]) -> str:
    """The id a file to embed gets: the one its path had, else (in a rebuild) the one its content had, else its
    path's — unless a moved document kept that one: then its path's and content's. Empty: its path's."""
    def free(candidate: str) -> bool:
        return not writer.query("SELECT 1 FROM documents WHERE id = ?", (candidate,))

    if (own := by_path.get(relative)) is not None and free(own):
        return own
    if (moved := by_hash.get(content_hash)) is not None and moved not in reserved and free(moved):
        return moved
    return "" if free(document_id(relative)) else document_id(f"{relative}\0{content_hash}")


def _advance(progress: Progress | None, task: Any, path: str) -> None:
    if progress is not None and task is not None:
        progress.update(task, advance=1, description=f"Indexing {_short(path)}")


def _catalogue_entries(corpus_root: Path, report: IndexReport) -> Entries:
    def failed(path: Path, exc: CatalogueError) -> None:
        report.failed.append(FileIssue(path.relative_to(corpus_root).as_posix(), "bad catalogue", str(exc)))

    return read_catalogues(corpus_root, on_error=failed)


def _previous_failures(previous: Index | None, report: IndexReport) -> dict[tuple[str, str], dict[str, str]]:
    """Files that failed last time, by (path, hash): not read again unless they or the reader changed."""
    if previous is None:
        return {}
    last = previous.report()
    if bool(last.get("ocr")) != report.ocr:  # OCR became (un)available: scans deserve another try
        return {}
    limits_changed = last.get("limits") != report.limits
    return {(f["path"], f.get("content_hash", "")): f for f in last.get("failed", [])
            if f.get("content_hash") and not (limits_changed and f.get("reason") in _LIMIT_REASONS)}


def _plan(hashes: dict[str, str], entries: dict[str, Entry], previous: Index | None,
          previous_failures: dict[tuple[str, str], dict[str, str]], report: IndexReport) -> _Plan:
    plan = _Plan()
    old_by_path = {record.path: record for record in previous.all_documents()} if previous is not None else {}
    old_by_hash: dict[str, list[DocumentRecord]] = {}
    for record in old_by_path.values():
        old_by_hash.setdefault(record.content_hash, []).append(record)
    kept: set[str] = set()  # old paths that stay indexed (as themselves or re-pointed)
    for relative, digest in hashes.items():
        old = old_by_path.get(relative)
        if old is not None and old.content_hash == digest:
            kept.add(old.path)
            if old.metadata_hash != _entry_hash(entries.get(relative)):
                plan.repoint.append((old, relative))
            else:
                plan.unchanged += 1
            continue
        failure = previous_failures.get((relative, digest))
        if failure is not None:
            report.failed.append(FileIssue(relative, failure["reason"], failure["message"], digest))
            continue
        moved_from = next((r for r in old_by_hash.get(digest, []) if r.path not in hashes and r.path not in kept),
                          None)
        if moved_from is not None:
            kept.add(moved_from.path)
            plan.repoint.append((moved_from, relative))
        elif old is not None:
            kept.add(old.path)
            plan.embed.append((relative, "changed"))
        else:
            plan.embed.append((relative, "added"))
    plan.remove = [record for path, record in old_by_path.items() if path not in kept]
    return plan
