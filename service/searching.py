"""What the API and the web page both do with a request: validate, search, shape the answer.

Every function takes the request's :class:`~indexer.search.searcher.Searcher` — one index generation, resolved
once per request — so that checking, ranking and highlighting all read the same generation even when a
reload swaps the live one meanwhile.
"""

from __future__ import annotations

import time
from pathlib import Path

from indexer.core.errors import DocumentFileGoneError
from indexer.core.store import DocumentRecord
from indexer.search.filters import Filters, Mode, Sort, parse_sort
from indexer.search.searcher import Searcher
from service.api.schemas import (
    Document,
    DocumentDetail,
    DocumentList,
    FacetValue,
    Passage,
    Result,
    SearchResponse,
    SimilarResponse,
)
from service.runtime.engine import QueryEngine
from service.withdrawals import require_not_withdrawn


async def search(searcher: Searcher, engine: QueryEngine, *, q: str, k: int, filters: Filters,
                 mode: Mode = "hybrid", sort: Sort = "relevance") -> SearchResponse:
    """Validate (raises :class:`~indexer.core.errors.QueryError`), search on the inference thread, shape."""
    started = time.perf_counter()
    query = searcher.check(q, k=k, filters=filters, mode=mode)
    parse_sort(sort)
    ranking = await engine.search(searcher, query, k=k, filters=filters, mode=mode, sort=sort)
    shaping = time.perf_counter()
    highlighter = searcher.highlighter(query)
    results = [Result.of(hit, highlighter) for hit in ranking.hits]
    if engine.metrics is not None:
        engine.metrics.stage_seconds.labels("shape").observe(time.perf_counter() - shaping)
    return SearchResponse(
        query=query, k=k, mode=mode, sort=sort, took_ms=round((time.perf_counter() - started) * 1000, 2),
        matches=ranking.matches, results=results,
        facets={name: [FacetValue(value=v, count=c) for v, c in values] for name, values in ranking.facets.items()},
    )


def browse(searcher: Searcher, *, filters: Filters, sort: Sort = "newest", limit: int = 10,
           offset: int = 0) -> DocumentList:
    """The documents ``filters`` select, without a query (raises :class:`~indexer.core.errors.QueryError`)."""
    listing = searcher.browse(filters, sort=sort, limit=limit, offset=offset)
    return DocumentList(
        total=listing.total, limit=limit, offset=offset, sort=sort,
        documents=[Document.of(record) for record in listing.documents],
        facets={name: [FacetValue(value=v, count=c) for v, c in values] for name, values in listing.facets.items()},
    )


def similar(searcher: Searcher, document_id: str, *, k: int, filters: Filters, index_dir: Path) -> SimilarResponse:
    """The documents closest to one ("more like this"); raises ``DocumentFileGoneError`` when it was withdrawn."""
    require_not_withdrawn(searcher, index_dir, document_id)
    record = searcher.index.require_document(document_id)
    hits = searcher.similar(document_id, k=k, filters=filters)
    return SimilarResponse(document=Document.of(record), k=k, matches=sum(hit.match for hit in hits),
                           results=[Result.of(hit) for hit in hits])


def document_record(searcher: Searcher, document_id: str, *, index_dir: Path) -> DocumentRecord:
    """An indexed document's record; raises ``DocumentFileGoneError`` when it was withdrawn, ``DocumentNotFoundError``
    when the index has no such document."""
    require_not_withdrawn(searcher, index_dir, document_id)
    return searcher.index.require_document(document_id)


def document_detail(searcher: Searcher, document_id: str, *, index_dir: Path) -> DocumentDetail:
    """A document and its passages; raises ``DocumentFileGoneError`` when it was withdrawn."""
    require_not_withdrawn(searcher, index_dir, document_id)
    record = searcher.index.require_document(document_id)
    return DocumentDetail(document=Document.of(record),
                          passages=[Passage.of(p, record) for p in searcher.index.passages_of(document_id)])


def document_file(searcher: Searcher, document_id: str, *, index_dir: Path) -> Path:
    """The path of an indexed document's file, looked up by id and only inside the corpus root; raises
    :class:`~indexer.core.errors.DocumentFileGoneError` when it was withdrawn or has left the corpus (or would
    lead out of it)."""
    require_not_withdrawn(searcher, index_dir, document_id)
    record = searcher.index.require_document(document_id)
    root = searcher.index.corpus_root.resolve()
    path = (root / record.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise DocumentFileGoneError(f"the file of document {document_id!r} is no longer in the corpus")
    return path
