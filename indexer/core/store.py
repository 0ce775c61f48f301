"""One index generation's data: FAISS vectors, a SQLite store of documents and passages, a manifest.

Files of a generation folder (where they live and how generations come and go: :mod:`indexer.core.generations`)::

    manifest.json       format version, model, dimension, counts, corpus fingerprint, checksums
    vectors.faiss       passage vectors; FAISS ids are passage ids in the store
    store.sqlite        documents and passages
    report.json         what the indexing run indexed, skipped and failed
    language-means.npz  each language's mean vectors, taken out of the stored passages and of queries
                        (:mod:`indexer.core.centering`)

:class:`IndexWriter` writes a new generation under a temporary name, renames it when complete, and only then
points ``CURRENT`` to it: whatever moment a run is stopped at, readers see either the old index or the new
one, whole. :class:`Index` reads one generation.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import faiss
import numpy as np

from indexer.core import ann, centering
from indexer.core.centering import MEANS_FILE, LanguageMeans
from indexer.core.errors import DocumentNotFoundError, IndexCorruptError, IndexNotFoundError, ModelMismatchError
from indexer.core.generations import (
    FORMAT_VERSION,
    MANIFEST,
    READERS_LOCK,
    STAGING_PREFIX,
    Manifest,
    check_files,
    complete_generations,
    current_generation,
    fsync_dir,
    hold,
    is_refused,
    lock_for_writing,
    mark_refused,
    publish,
    remove_leftovers,
)
from indexer.core.hashing import sha256_file
from indexer.core.text import analyse, name_key

VECTORS = "vectors.faiss"
STORE = "store.sqlite"
REPORT = "report.json"

_SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    authors TEXT NOT NULL,          -- JSON list
    year INTEGER,
    edition TEXT,
    type TEXT NOT NULL,
    language TEXT,
    page_count INTEGER NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    extra TEXT NOT NULL,            -- JSON object: supervisor, programme, prize, keywords, …
    metadata_hash TEXT NOT NULL     -- of the catalogue entry: a corrected title is noticed without re-embedding
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,         -- the FAISS id of its vector
    document_id TEXT NOT NULL REFERENCES documents(id),
    ordinal INTEGER NOT NULL,       -- position in the document
    page INTEGER NOT NULL,          -- 1-based
    start INTEGER NOT NULL,         -- character offsets in the page text
    end INTEGER NOT NULL,
    language TEXT,
    text TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'content',  -- content, contents, bibliography, front_matter (indexer.ingest.kinds),
                                    -- boilerplate (indexer.ingest.boilerplate)
    section TEXT,                   -- the heading of the section the passage is in
    repeated INTEGER NOT NULL DEFAULT 0  -- its words that are text repeated across documents (not keywords)
);
-- Editions as their catalogues describe them ([edition] id, title, year): what the interface shows for an id.
CREATE TABLE editions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    year INTEGER
);
CREATE INDEX passages_by_document ON passages(document_id, ordinal);
-- Keyword index: the analysed terms of each passage (see indexer.core.text), rowid = passage id.
CREATE VIRTUAL TABLE passages_fts USING fts5(terms, tokenize='unicode61 remove_diacritics 0', prefix='6');
CREATE VIRTUAL TABLE passages_terms USING fts5vocab(passages_fts, 'row');
"""


_PASSAGE_COLUMNS = "id, document_id, ordinal, page, start, end, language, text, kind, section"


@dataclass(slots=True)  # not frozen: built for every passage a search shows (see search.PassageHit)
class PassageRecord:
    id: int
    document_id: str
    ordinal: int
    page: int
    start: int
    end: int
    language: str | None
    text: str
    kind: str = "content"  # see indexer.ingest.kinds
    section: str | None = None


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    path: str
    title: str
    authors: list[str]
    year: int | None
    edition: str | None
    type: str
    language: str | None
    page_count: int
    format: str
    content_hash: str
    extra: dict[str, Any]
    metadata_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EditionRecord:
    """An edition of the event: its folder id, its catalogue title and year."""

    id: str
    title: str
    year: int | None = None


class IndexWriter:
    """Writes a new generation beside the served one; :meth:`commit` switches to it atomically.

    With ``base``, the new generation starts as a copy of that generation (store and vectors), so an
    incremental run only adds, removes and re-points what changed. Only one writer at a time: a lock file
    in ``index_dir`` (released by the system even if the process is killed) guards the folder.
    """

    def __init__(self, index_dir: Path, *, model: str, dimension: int, base: Path | None = None,
                 vector_index: ann.Kind | Literal["auto"] = "auto") -> None:
        self.index_dir = index_dir
        self.model = model
        self.dimension = dimension
        self.vector_index = vector_index
        index_dir.mkdir(parents=True, exist_ok=True)
        self.means: LanguageMeans | None = None  # the base's, until the commit measures them (if it must)
        self._lock = lock_for_writing(index_dir)
        try:
            remove_leftovers(index_dir)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")  # sorts in creation order
            self.name = f"gen-{stamp}-{secrets.token_hex(3)}"
            self.staging = index_dir / f"{STAGING_PREFIX}{self.name.removeprefix('gen-')}"
            self.staging.mkdir()
            if base is not None:
                shutil.copyfile(base / STORE, self.staging / STORE)
                self._db = sqlite3.connect(self.staging / STORE)
                self._vectors = faiss.read_index(str(base / VECTORS))
                self.means = LanguageMeans.load(base / MEANS_FILE)
                (last,) = self._db.execute("SELECT max(id) FROM passages").fetchone()
                self._next_passage_id = 0 if last is None else last + 1
            else:
                self._db = sqlite3.connect(self.staging / STORE)
                self._db.executescript(_SCHEMA)
                self._vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
                self._next_passage_id = 0
            # Vectors as embedded, stored at the commit once the language means are known (ids, vectors).
            self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        except BaseException:
            self._lock.close()
            raise

    @property
    def passages(self) -> int:
        return int(self._vectors.ntotal) + sum(len(ids) for ids, _ in self._pending)

    def query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` on the generation being built (as :meth:`Index.query` on a finished one)."""
        return list(self._db.execute(sql, tuple(parameters)).fetchall())

    def add_document(self, record: DocumentRecord) -> None:
        self._db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (record.id, record.path, record.title, json.dumps(record.authors, ensure_ascii=False), record.year,
             record.edition, record.type, record.language, record.page_count, record.format,
             record.content_hash, json.dumps(record.extra, ensure_ascii=False), record.metadata_hash),
        )

    def set_editions(self, editions: Iterable[EditionRecord]) -> None:
        """The editions the catalogues describe now (an incremental run replaces the base's)."""
        self._db.execute("DELETE FROM editions")
        self._db.executemany("INSERT INTO editions VALUES (?,?,?)",
                             [(edition.id, edition.title, edition.year) for edition in editions])

    def replace_metadata(self, old_id: str, record: DocumentRecord) -> None:
        """New metadata (and possibly a new path and id) for a document whose text did not change."""
        self._db.execute(
            "UPDATE documents SET id=?, path=?, title=?, authors=?, year=?, edition=?, type=?, language=?, "
            "extra=?, metadata_hash=? WHERE id=?",
            (record.id, record.path, record.title, json.dumps(record.authors, ensure_ascii=False), record.year,
             record.edition, record.type, record.language, json.dumps(record.extra, ensure_ascii=False),
             record.metadata_hash, old_id),
        )
        if record.id != old_id:
            self._db.execute("UPDATE passages SET document_id=? WHERE document_id=?", (record.id, old_id))

    def remove_document(self, document_id: str) -> int:
        """Remove a document, its passages and their vectors; returns the number of passages removed."""
        ids = np.array([row[0] for row in self._db.execute(
            "SELECT id FROM passages WHERE document_id=?", (document_id,))], dtype=np.int64)
        if len(ids):
            waiting = np.concatenate([pending for pending, _ in self._pending]) if self._pending else ids[:0]
            stored = ids[~np.isin(ids, waiting)]
            if len(stored):
                self._vectors = ann.remove(self._vectors, stored)
            kept = []
            for pending, vectors in self._pending:
                keep = ~np.isin(pending, ids)
                if keep.any():
                    kept.append((pending[keep], vectors[keep]))
            self._pending = kept
            self._db.executemany("DELETE FROM passages_fts WHERE rowid=?", [(int(i),) for i in ids])
            self._db.execute("DELETE FROM passages WHERE document_id=?", (document_id,))
        self._db.execute("DELETE FROM documents WHERE id=?", (document_id,))
        return len(ids)

    def add_passages(self, rows: Sequence[tuple[Any, ...]], vectors: np.ndarray) -> None:
        """``rows`` are (document_id, ordinal, page, start, end, language, text[, kind, section]), one per
        vector row."""
        if len(rows) != len(vectors):
            raise ValueError("one vector per passage")
        ids = np.arange(self._next_passage_id, self._next_passage_id + len(rows), dtype=np.int64)
        self._db.executemany("INSERT INTO passages (id, document_id, ordinal, page, start, end, language, text, kind, "
                             "section) VALUES (?,?,?,?,?,?,?,?,?,?)",
                             [(int(i), *row[:7], row[7] if len(row) > 7 else "content",
                               row[8] if len(row) > 8 else None) for i, row in zip(ids, rows, strict=True)])
        self._db.executemany("INSERT INTO passages_fts(rowid, terms) VALUES (?, ?)",
                             [(int(i), analyse(row[6], row[5])) for i, row in zip(ids, rows, strict=True)])
        if len(rows):
            self._pending.append((ids, np.asarray(vectors, dtype=np.float32)))
        self._next_passage_id += len(rows)

    def mark_repeated(self, changes: Iterable[tuple[int, str, int, str]]) -> None:
        """Passages' kinds, counts of repeated words and keyword-index terms, as (id, kind, repeated, terms):
        what :mod:`indexer.ingest.boilerplate` finds once the whole corpus is in."""
        changes = list(changes)
        self._db.executemany("UPDATE passages SET kind=?, repeated=? WHERE id=?",
                             [(kind, repeated, passage_id) for passage_id, kind, repeated, _ in changes])
        self._db.executemany("UPDATE passages_fts SET terms=? WHERE rowid=?",
                             [(terms, passage_id) for passage_id, _, _, terms in changes])

    def centre(self, encode_queries: centering.EncodeQueries | None) -> None:
        """Store the pending vectors with their language's mean taken out, measuring the means (and
        re-centring every stored vector) when the corpus has outgrown them (:mod:`indexer.core.centering`)."""
        language_of = {int(i): language for i, language in self._db.execute(
            "SELECT id, coalesce(language, '') FROM passages")}
        pending_ids = np.concatenate([ids for ids, _ in self._pending]) if self._pending \
            else np.empty(0, dtype=np.int64)
        pending = np.vstack([vectors for _, vectors in self._pending]) if self._pending \
            else np.empty((0, self.dimension), dtype=np.float32)
        self._pending = []
        if self.means is not None and not centering.needs_refit(self.means, Counter(language_of.values())):
            if len(pending_ids):
                languages = [language_of[i] for i in pending_ids.tolist()]
                ann.add(self._vectors, self.means.center_passages(pending, languages), pending_ids)
            return
        stored_ids = ann.all_ids(self._vectors) if self._vectors.ntotal else np.empty(0, dtype=np.int64)
        stored = ann.reconstruct_many(self._vectors, stored_ids) if len(stored_ids) \
            else np.empty((0, self.dimension), dtype=np.float32)
        if self.means is not None:  # back to the vectors as embedded
            stored = stored + self.means.passage_means([language_of[i] for i in stored_ids.tolist()])
        ids = np.concatenate([stored_ids, pending_ids]).astype(np.int64)
        raw = np.vstack([stored, pending]).astype(np.float32)
        languages = [language_of[i] for i in ids.tolist()]
        self.means = centering.fit(raw, languages, sample_texts=self._sample_texts, encode_queries=encode_queries)
        self._vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        if len(ids):
            ann.add(self._vectors, self.means.center_passages(raw, languages), ids)

    def _sample_texts(self, language: str) -> list[str]:
        """Up to :data:`~indexer.core.centering.QUERY_SAMPLE` passages of ``language`` spread over the corpus
        (content passages, unless the language has none)."""
        rows = self._db.execute("SELECT text, kind = 'content' FROM passages WHERE coalesce(language, '') = ? "
                                "ORDER BY id", (language,)).fetchall()
        texts = [text for text, is_content in rows if is_content] or [text for text, _ in rows]
        if len(texts) <= centering.QUERY_SAMPLE:
            return texts
        return [texts[int(n)] for n in np.linspace(0, len(texts) - 1, centering.QUERY_SAMPLE)]

    def commit(self, *, corpus_root: Path, corpus_fingerprint: str, report: dict[str, Any],
               encode_queries: centering.EncodeQueries | None = None) -> Path:
        """Finish the generation, make it the served one, and return its folder. ``encode_queries`` (the
        model's query encoding) measures the language means when they are measured again: needed once the
        corpus holds two languages of :data:`~indexer.core.centering.MIN_PASSAGES` passages."""
        if self._pending or self.means is None:
            self.centre(encode_queries)
        # One keyword-index segment instead of the several that flushes and incremental runs leave: each query
        # term is then looked up once, not once a segment (piaf-fr, 3 segments: BM25 queries 470 -> 408 µs,
        # document frequencies 65 -> 44 µs; the same scores).
        self._db.execute("INSERT INTO passages_fts(passages_fts) VALUES('optimize')")
        self._db.commit()
        (documents,) = self._db.execute("SELECT count(*) FROM documents").fetchone()
        self._db.execute("VACUUM")
        self._db.close()
        self._vectors = self._sized_vector_index()
        faiss.write_index(self._vectors, str(self.staging / VECTORS))
        assert self.means is not None  # measured by centre
        self.means.save(self.staging / MEANS_FILE)
        (self.staging / REPORT).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        manifest = Manifest(
            format_version=FORMAT_VERSION, model=self.model, dimension=self.dimension,
            documents=documents, passages=self.passages, corpus_root=str(corpus_root.resolve()),
            corpus_fingerprint=corpus_fingerprint, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            checksums={name: sha256_file(self.staging / name) for name in (VECTORS, STORE, MEANS_FILE)},
        )
        (self.staging / READERS_LOCK).touch()
        # The manifest is written last: a generation without one is incomplete by definition.
        manifest.write(self.staging / MANIFEST)
        for name in (VECTORS, STORE, REPORT, MEANS_FILE):
            with (self.staging / name).open("rb") as handle:
                os.fsync(handle.fileno())
        final = self.index_dir / self.name
        os.rename(self.staging, final)
        fsync_dir(self.index_dir)
        publish(self.index_dir, final)
        remove_leftovers(self.index_dir)
        self._lock.close()
        return final

    def _sized_vector_index(self) -> faiss.Index:
        """The vectors in the kind of index their number calls for (exact while it is fast enough)."""
        wanted = ann.choose_kind(self.passages) if self.vector_index == "auto" else self.vector_index
        if wanted == ann.kind_of(self._vectors) or self.passages == 0:
            return self._vectors
        ids = ann.all_ids(self._vectors)
        return ann.build_vector_index(ann.reconstruct_many(self._vectors, ids), ids, kind=wanted)

    def abort(self) -> None:
        try:
            self._db.close()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._lock.close()


class Index:
    """A served index generation: read-only, safe to share between threads.

    Each thread gets its own SQLite connection (a connection shared across threads is what crashed a
    peer's service under load); the FAISS index is only read. While the object lives it holds a reader's
    lock on its generation, so no clean-up removes the files under it.
    """

    def __init__(self, path: Path, manifest: Manifest, vectors: faiss.Index, language_means: LanguageMeans,
                 reader_lock: IO[bytes] | None = None) -> None:
        self.path = path
        self.manifest = manifest
        self.vectors = vectors  # stored with their language's mean taken out (language_means)
        self.language_means = language_means
        self._reader_lock = reader_lock  # released when this object is collected
        self._local = threading.local()
        self._vocabulary: dict[str, list[Any]] | None = None
        self._passage_languages: list[str] | None = None
        self._owners: tuple[np.ndarray, np.ndarray, list[str]] | None = None
        self._sample: np.ndarray | None = None
        self._asides: np.ndarray | None = None
        self._boilerplate: np.ndarray | None = None
        # A generation never changes: its document records are read once, then served from memory.
        self._documents: dict[str, DocumentRecord] = {}
        self._editions: dict[str, EditionRecord] | None = None

    @classmethod
    def open(cls, index_dir: Path, *, expected_model: str | None = None, verify: bool = True) -> Index:
        """Open the current generation of ``index_dir``, checking that its parts agree.

        Raises :class:`IndexNotFoundError`, :class:`IndexCorruptError` or :class:`ModelMismatchError`.
        """
        path = current_generation(index_dir)
        if path is None or not (path / MANIFEST).exists():
            raise IndexNotFoundError(_no_index(index_dir))
        return cls.open_generation(path, expected_model=expected_model, verify=verify)

    @classmethod
    def open_last_good(cls, index_dir: Path, *, expected_model: str | None = None) -> tuple[Index, str | None]:
        """The current generation or, when it is missing, incomplete or damaged, the newest intact one.

        Returns the index and, when it fell back, why. A damaged generation is marked so that it is never
        chosen again. Raises :class:`IndexNotFoundError` when there is no generation at all, what
        :meth:`open_generation` raises when none is good.
        """
        current = current_generation(index_dir)
        error: IndexCorruptError | IndexNotFoundError
        try:
            return cls.open(index_dir, expected_model=expected_model), None
        except IndexCorruptError as exc:
            if current is not None:
                mark_refused(current, str(exc))
            problem, error = str(exc), exc
        except IndexNotFoundError as exc:
            if current is None:
                problem = f"{index_dir / 'CURRENT'} names no generation"
            else:
                problem = f"{index_dir / 'CURRENT'} names {current.name}, which is missing or incomplete"
            error = exc
        for earlier in complete_generations(index_dir):
            if earlier == current or is_refused(earlier):
                continue
            try:
                index = cls.open_generation(earlier, expected_model=expected_model)
            except IndexCorruptError as exc:
                mark_refused(earlier, str(exc))
                continue
            except IndexNotFoundError:  # removed meanwhile
                continue
            return index, f"{problem}; serving {earlier.name}, the newest intact generation"
        if isinstance(error, IndexNotFoundError):
            raise IndexNotFoundError(_no_index(index_dir)) from None
        raise error

    @classmethod
    def open_generation(cls, path: Path, *, expected_model: str | None = None, verify: bool = True) -> Index:
        """Open one generation folder, checking that its parts agree."""
        reader_lock = hold(path)
        try:
            return cls._read(path, expected_model=expected_model, verify=verify, reader_lock=reader_lock)
        except BaseException:
            if reader_lock is not None:  # not left held by a traceback until it is collected
                reader_lock.close()
            raise

    @classmethod
    def _read(cls, path: Path, *, expected_model: str | None, verify: bool, reader_lock: IO[bytes] | None) -> Index:
        try:
            manifest = Manifest.read(path / MANIFEST)
        except FileNotFoundError:
            raise IndexNotFoundError(f"index generation {path.name} has no {MANIFEST}") from None
        if expected_model is not None and manifest.model != expected_model:
            raise ModelMismatchError(index_model=manifest.model, configured_model=expected_model)
        if verify or manifest.format_version != FORMAT_VERSION:
            check_files(path, manifest)
        try:
            vectors = faiss.read_index(str(path / VECTORS))
        except RuntimeError as exc:
            raise IndexCorruptError(f"index {path}: cannot read {VECTORS}: {exc}") from exc
        try:
            means = LanguageMeans.load(path / MEANS_FILE)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"index {path}: cannot read {MEANS_FILE}: {exc}") from exc
        index = cls(path, manifest, vectors, means, reader_lock)
        try:
            counts = index.query_one("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM passages)")
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"index {path}: cannot read {STORE}: {exc}") from exc
        if (vectors.ntotal, vectors.d) != (manifest.passages, manifest.dimension) or tuple(counts) != (
            manifest.documents, manifest.passages,
        ):
            raise IndexCorruptError(
                f"index {path}: parts disagree (manifest {manifest.documents} documents / {manifest.passages} "
                f"passages, store {counts[0]} / {counts[1]}, vectors {vectors.ntotal} of dimension {vectors.d})"
            )
        return index

    def is_available(self) -> bool:
        """Whether this generation's files are still on disk (someone may have removed them by hand)."""
        return (self.path / STORE).is_file() and (self.path / MANIFEST).is_file()

    @property
    def corpus_root(self) -> Path:
        return Path(self.manifest.corpus_root)

    def report(self) -> dict[str, Any]:
        try:
            return json.loads((self.path / REPORT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path / STORE}?mode=ro", uri=True)
            # Filters compare names as people write them differently (see indexer.search.filters).
            connection.create_function("name_key", 1, _name_key, deterministic=True)
            self._local.connection = connection
        return connection

    def query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, tuple(parameters)).fetchall()

    def query_one(self, sql: str, parameters: Iterable[Any] = ()) -> tuple[Any, ...]:
        return self._connection().execute(sql, tuple(parameters)).fetchone()

    # -- documents and passages ------------------------------------------------------------------------

    _DOCUMENT_COLUMNS = "id, path, title, authors, year, edition, type, language, page_count, format, " \
                        "content_hash, extra, metadata_hash"

    @staticmethod
    def _document(row: tuple[Any, ...]) -> DocumentRecord:
        return DocumentRecord(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7],
                              row[8], row[9], row[10], json.loads(row[11]), row[12])

    def all_documents(self) -> list[DocumentRecord]:
        return [self._document(row) for row in self.query(f"SELECT {self._DOCUMENT_COLUMNS} FROM documents")]

    def document(self, document_id: str) -> DocumentRecord | None:
        row = self.query_one(f"SELECT {self._DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (document_id,))
        return self._document(row) if row else None

    def require_document(self, document_id: str) -> DocumentRecord:
        """The document's record; raises :class:`DocumentNotFoundError` when the index has no such document."""
        record = self.document(document_id)
        if record is None:
            raise DocumentNotFoundError(f"no document {document_id!r} in the index")
        return record

    def documents(self, ids: Sequence[str]) -> dict[str, DocumentRecord]:
        """The records of the given documents (those that exist), read from the store once per generation."""
        cache = self._documents
        missing = [i for i in dict.fromkeys(ids) if i not in cache]
        if missing:
            marks = ",".join("?" * len(missing))
            rows = self.query(f"SELECT {self._DOCUMENT_COLUMNS} FROM documents WHERE id IN ({marks})", missing)
            cache.update((row[0], self._document(row)) for row in rows)
        return {i: cache[i] for i in ids if i in cache}

    def passages(self, ids: Sequence[int]) -> dict[int, PassageRecord]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.query(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id IN ({marks})", [int(i) for i in ids])
        return {row[0]: PassageRecord(*row) for row in rows}

    def passages_of(self, document_id: str) -> list[PassageRecord]:
        rows = self.query(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE document_id = ? ORDER BY ordinal",
                          (document_id,))
        return [PassageRecord(*row) for row in rows]

    def vocabulary(self) -> dict[str, list[Any]]:
        """The values filters can take: editions, years, types, languages present in the index."""
        if self._vocabulary is None:
            self._vocabulary = {
                column: [row[0] for row in self.query(
                    f"SELECT DISTINCT {column} FROM documents WHERE {column} IS NOT NULL ORDER BY 1")]
                for column in ("edition", "year", "type", "language")
            }
        return self._vocabulary

    def editions(self) -> dict[str, EditionRecord]:
        """The catalogue's editions by id (read once: a generation never changes)."""
        if self._editions is None:
            self._editions = {row[0]: EditionRecord(*row) for row in self.query(
                "SELECT id, title, year FROM editions ORDER BY year DESC, id")}
        return self._editions

    def document_ids_where(self, where: str, parameters: Sequence[Any], *, oldest_first: bool = False) -> list[str]:
        """The documents meeting an SQL condition on ``documents d``, by year (undated last), then title."""
        direction = "ASC" if oldest_first else "DESC"
        rows = self.query(f"SELECT d.id FROM documents d WHERE {where} "
                          f"ORDER BY d.year IS NULL, d.year {direction}, d.title, d.id", parameters)
        return [row[0] for row in rows]

    def document_ids_at(self, path: str) -> list[str]:
        """The documents read from the file at ``path`` (relative to the corpus root, as stored)."""
        return [row[0] for row in self.query("SELECT id FROM documents WHERE path = ?", [path])]

    def passage_ids_where(self, where: str, parameters: Sequence[Any]) -> np.ndarray:
        rows = self.query(
            f"SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE {where}", parameters
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    # -- keyword index ---------------------------------------------------------------------------------

    def keyword_search(self, expression: str, *, limit: int, where: str = "1",
                       parameters: Sequence[Any] = ()) -> list[tuple[int, float]]:
        """Passages matching an FTS5 ``expression``, best first, with their BM25 score (higher is better)."""
        if not expression:
            return []
        # BM25 named once: written twice (column and ORDER BY), SQLite computed it twice for every match.
        if where == "1":
            rows = self.query("SELECT rowid, bm25(passages_fts) AS cost FROM passages_fts WHERE passages_fts MATCH ? "
                              "ORDER BY cost LIMIT ?", (expression, limit))
        else:
            rows = self.query(
                "SELECT f.rowid, bm25(passages_fts) AS cost FROM passages_fts f JOIN passages p ON p.id = f.rowid "
                f"JOIN documents d ON d.id = p.document_id WHERE passages_fts MATCH ? AND {where} "
                "ORDER BY cost LIMIT ?", (expression, *parameters, limit))
        return [(int(row[0]), -float(row[1])) for row in rows]

    def passage_terms(self, ids: Sequence[int]) -> dict[int, str]:
        """Passages' words as the keyword index holds them (see :func:`indexer.core.text.analyse`)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return dict(self.query(f"SELECT rowid, terms FROM passages_fts WHERE rowid IN ({marks})",
                               [int(i) for i in ids]))

    def term_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """In how many passages each indexed term occurs."""
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        return dict(self.query(f"SELECT term, doc FROM passages_terms WHERE term IN ({marks})", list(terms)))

    def passage_languages(self) -> list[str]:
        if self._passage_languages is None:
            self._passage_languages = [
                row[0] for row in self.query("SELECT DISTINCT language FROM passages WHERE language IS NOT NULL")]
        return self._passage_languages

    def _owner_table(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        if self._owners is None:
            rows = self.query("SELECT p.id, p.document_id, p.kind FROM passages p ORDER BY p.id")
            self._asides = np.fromiter((row[2] != "content" for row in rows), dtype=bool, count=len(rows))
            self._boilerplate = np.fromiter((row[2] == "boilerplate" for row in rows), dtype=bool, count=len(rows))
            documents = sorted({row[1] for row in rows})
            position = {document_id: n for n, document_id in enumerate(documents)}
            self._owners = (np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)),
                            np.fromiter((position[row[1]] for row in rows), dtype=np.int32, count=len(rows)),
                            documents)
        return self._owners

    def preload(self) -> Index:
        """Read now the tables queries keep in memory, so that the first query does not wait for them.

        Document records included: queries would read them all in time anyway (a response needs those of
        its 50 best documents), and until then each new one cost a query an SQL read and JSON parsing.
        """
        self._owner_table()
        self.vector_sample()
        self.vocabulary()
        self.editions()
        self.passage_languages()
        self._documents.update((record.id, record) for record in self.all_documents())
        return self

    def vector_sample(self, size: int = 1024) -> np.ndarray:
        """The vectors of up to ``size`` passages spread evenly over the index, one row each: a query's scores
        against them are its score distribution over the whole corpus (what an off-topic query's best score
        is measured against)."""
        if self._sample is None:
            passage_ids = self._owner_table()[0]
            chosen = passage_ids[np.linspace(0, len(passage_ids) - 1, min(size, len(passage_ids))).astype(np.int64)]
            self._sample = np.ascontiguousarray(ann.reconstruct_many(self.vectors, np.unique(chosen)),
                                                dtype=np.float32)
        return self._sample

    def passage_owners(self, ids: np.ndarray | Sequence[int]) -> tuple[np.ndarray, list[str]]:
        """The document of each of the given passages: its position in the returned list of document ids,
        -1 for a passage the index does not hold (removed, or never indexed).

        Every query groups hundreds of candidate passages by document: an in-memory table (12 bytes a
        passage, read once per index generation, which never changes) instead of an SQL query each time,
        and positions rather than names, so that grouping can stay in numpy.
        """
        passage_ids, owner, documents = self._owner_table()
        wanted = np.asarray(ids, dtype=np.int64)
        if not len(passage_ids) or not len(wanted):
            return np.full(len(wanted), -1, dtype=np.int64), documents
        found = np.minimum(np.searchsorted(passage_ids, wanted), len(passage_ids) - 1)
        return np.where(passage_ids[found] == wanted, owner[found], -1), documents

    def asides(self, ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """Whether each of the given passages is of a kind other than content (a table of contents, a
        bibliography, front matter, boilerplate); False for a passage the index does not hold. Kept in memory with
        the owner table: every query asks it of all its candidates."""
        return self._flag(ids, "_asides")

    def boilerplate(self, ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """Whether each of the given passages is mostly text repeated across documents (never shown first)."""
        return self._flag(ids, "_boilerplate")

    def _flag(self, ids: np.ndarray | Sequence[int], table: str) -> np.ndarray:
        """One of the per-passage flags read with the owner table, for the given passages."""
        passage_ids, _, _ = self._owner_table()
        asides: np.ndarray | None = getattr(self, table)
        wanted = np.asarray(ids, dtype=np.int64)
        if asides is None or not len(passage_ids) or not len(wanted):
            return np.zeros(len(wanted), dtype=bool)
        found = np.minimum(np.searchsorted(passage_ids, wanted), len(passage_ids) - 1)
        return (passage_ids[found] == wanted) & asides[found]

    def document_count(self) -> int:
        """Documents that have at least one passage."""
        return len(self._owner_table()[2])


def earlier_document_ids(index_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The document ids of the current generation, by path and by content hash, read whatever its format or model
    (a rebuild gives each document the id it had: its page keeps its address); empty when there is none to read."""
    current = current_generation(index_dir)
    if current is None or not (current / STORE).is_file():
        return {}, {}
    try:
        connection = sqlite3.connect(f"file:{current / STORE}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT path, id, content_hash FROM documents").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return {}, {}
    return {path: i for path, i, _ in rows}, {digest: i for _, i, digest in rows}


def _name_key(value: object) -> str | None:
    return name_key(value) if isinstance(value, str) else None


def _no_index(index_dir: Path) -> str:
    return f"no index in {index_dir}: build one with `passerelle index CORPUS_DIR --index-dir {index_dir}`"
