"""Search: one code path for the service, the command line and the evaluation.

Passages are searched by meaning (FAISS inner product of normalised e5 vectors = cosine similarity); the
hits are grouped by document, best passage first. Filters are applied inside the FAISS search through an
ID selector, so a filtered query still finds ``k`` documents when ``k`` exist.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import faiss
import numpy as np

from indexer.errors import QueryError
from indexer.model import Embedder
from indexer.store import DocumentRecord, Index

# Other matching passages shown with each document.
OTHER_PASSAGES = 3


@dataclass(frozen=True)
class Filters:
    """Restrict a search. Empty tuples / ``None`` mean no restriction; values within a field are OR-ed."""

    edition: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    def is_empty(self) -> bool:
        return not (self.edition or self.type or self.language or self.year
                    or self.year_from is not None or self.year_to is not None)

    def sql(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        parameters: list[Any] = []
        for column in ("edition", "type", "language", "year"):
            values = getattr(self, column)
            if values:
                clauses.append(f"d.{column} IN ({','.join('?' * len(values))})")
                parameters.extend(values)
        if self.year_from is not None:
            clauses.append("d.year >= ?")
            parameters.append(self.year_from)
        if self.year_to is not None:
            clauses.append("d.year <= ?")
            parameters.append(self.year_to)
        return " AND ".join(clauses) or "1", parameters


@dataclass(frozen=True)
class PassageHit:
    id: int
    page: int
    start: int
    end: int
    language: str | None
    text: str
    score: float


@dataclass(frozen=True)
class Hit:
    """One document in the results: its best passage, and a few other passages that matched."""

    document: DocumentRecord
    score: float
    passage: PassageHit
    others: list[PassageHit] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    took_ms: float


class Searcher:
    """Answers queries over one :class:`~indexer.store.Index` with one :class:`~indexer.model.Embedder`."""

    def __init__(self, index: Index, embedder: Embedder, *, max_query_chars: int = 500, max_k: int = 100) -> None:
        self.index = index
        self.embedder = embedder
        self.max_query_chars = max_query_chars
        self.max_k = max_k

    def check(self, query: str, *, k: int, filters: Filters) -> str:
        """Validate a request; returns the query with whitespace normalised, or raises :class:`QueryError`."""
        query = " ".join(query.split())
        if not query:
            raise QueryError("the query is empty: type a few words or a question")
        if len(query) > self.max_query_chars:
            raise QueryError(f"the query is too long ({len(query)} characters, at most {self.max_query_chars})")
        if not 1 <= k <= self.max_k:
            raise QueryError(f"k must be between 1 and {self.max_k}, got {k}")
        vocabulary = self.index.vocabulary()
        for name in ("edition", "type", "language", "year"):
            unknown = [v for v in getattr(filters, name) if v not in vocabulary[name]]
            if unknown:
                known = ", ".join(str(v) for v in vocabulary[name]) or "none"
                raise QueryError(f"unknown {name} {', '.join(map(str, unknown))}: the index has {known}")
        if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
            raise QueryError(f"year_from ({filters.year_from}) is after year_to ({filters.year_to})")
        return query

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None) -> SearchResult:
        """Validate, embed and search one query."""
        filters = filters or Filters()
        started = time.perf_counter()
        query = self.check(query, k=k, filters=filters)
        vector = self.embedder.encode_query([query])[0]
        hits = self.search_vector(vector, k=k, filters=filters)
        return SearchResult(query, hits, (time.perf_counter() - started) * 1000)

    def search_vector(self, vector: np.ndarray, *, k: int, filters: Filters,
                      exclude_document: str | None = None) -> list[Hit]:
        """The ``k`` best documents for an already embedded query."""
        vectors = self.index.vectors
        params = None
        allowed = vectors.ntotal
        if not filters.is_empty():
            where, parameters = filters.sql()
            ids = self.index.passage_ids_where(where, parameters)
            allowed = len(ids)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        if allowed == 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        # Documents have several passages: fetch more passages than documents wanted, widening as needed.
        fetch = min(allowed, max(4 * k, 32))
        while True:
            scores, ids = vectors.search(query, fetch, params=params)
            grouped = self._group(scores[0], ids[0], k=k, exclude_document=exclude_document)
            if len(grouped) >= k or fetch >= allowed:
                return grouped
            fetch = min(allowed, fetch * 4)

    def _group(self, scores: np.ndarray, ids: np.ndarray, *, k: int, exclude_document: str | None) -> list[Hit]:
        found = [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i >= 0]
        passages = self.index.passages([i for i, _ in found])
        by_document: dict[str, list[PassageHit]] = {}
        for passage_id, score in found:
            record = passages[passage_id]
            if record.document_id == exclude_document:
                continue
            by_document.setdefault(record.document_id, []).append(PassageHit(
                record.id, record.page, record.start, record.end, record.language, record.text, score))
        ranked = sorted(by_document.items(), key=lambda item: -item[1][0].score)[:k]
        documents = self.index.documents([document_id for document_id, _ in ranked])
        return [Hit(documents[document_id], hits[0].score, hits[0], hits[1 : 1 + OTHER_PASSAGES])
                for document_id, hits in ranked]

    def search_many(self, queries: Sequence[str], *, k: int, filters: Filters | None = None) -> list[list[Hit]]:
        """Search several already validated queries with one model call (used by the service's batcher)."""
        filters = filters or Filters()
        vectors = self.embedder.encode_query(list(queries))
        return [self.search_vector(vector, k=k, filters=filters) for vector in vectors]
