"""What the API and the web page both do with a request: validate, search, shape the answer."""

from __future__ import annotations

import time

from indexer.core.errors import DocumentNotFoundError
from indexer.search.filters import Filters, Mode
from service.api.deps import ServiceState
from service.schemas import Document, DocumentDetail, FacetValue, Passage, Result, SearchResponse, SimilarResponse


async def search(state: ServiceState, *, q: str, k: int, filters: Filters, mode: str = "hybrid") -> SearchResponse:
    """Validate (raises :class:`~indexer.core.errors.QueryError`), search on the inference thread, shape."""
    started = time.perf_counter()
    query = state.searcher.check(q, k=k, filters=filters, mode=mode)
    search_mode: Mode = mode  # type: ignore[assignment]  # checked above
    ranking = await state.engine.search(query, k=k, filters=filters, mode=search_mode)
    highlighter = state.searcher.highlighter(query)
    results = [Result.of(hit, highlighter) for hit in ranking.hits]
    return SearchResponse(
        query=query, k=k, mode=mode, took_ms=round((time.perf_counter() - started) * 1000, 2), results=results,
        facets={name: [FacetValue(value=v, count=c) for v, c in values] for name, values in ranking.facets.items()},
    )


def similar(state: ServiceState, document_id: str, *, k: int, filters: Filters) -> SimilarResponse:
    record = state.index.document(document_id)
    if record is None:
        raise DocumentNotFoundError(f"no document {document_id!r} in the index")
    hits = state.searcher.similar(document_id, k=k, filters=filters)
    return SimilarResponse(document=Document.of(record), k=k, results=[Result.of(hit) for hit in hits])


def document_detail(state: ServiceState, document_id: str) -> DocumentDetail:
    record = state.index.document(document_id)
    if record is None:
        raise DocumentNotFoundError(f"no document {document_id!r} in the index")
    return DocumentDetail(document=Document.of(record),
                          passages=[Passage.of(p, record) for p in state.index.passages_of(document_id)])
