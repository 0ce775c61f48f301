from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query

from indexer.search import Filters
from service.api.deps import State
from service.schemas import ErrorBody, Result, SearchResponse

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse, responses={422: {"model": ErrorBody}})
async def search(
    state: State,
    q: Annotated[str, Query(description="The question or keywords, in any language")],
    k: Annotated[int, Query(description="Number of documents to return")] = 10,
    edition: Annotated[list[str], Query(description="Only these editions")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Only these document types")] = [],  # noqa: B006
    language: Annotated[list[str], Query(description="Only documents in these languages")] = [],  # noqa: B006
    year: Annotated[list[int], Query(description="Only these years")] = [],  # noqa: B006
    year_from: Annotated[int | None, Query(description="Only documents from this year on")] = None,
    year_to: Annotated[int | None, Query(description="Only documents up to this year")] = None,
) -> SearchResponse:
    """Documents that answer ``q``, best first, one entry per document with its best passage."""
    started = time.perf_counter()
    filters = Filters(edition=tuple(edition), type=tuple(type), language=tuple(language), year=tuple(year),
                      year_from=year_from, year_to=year_to)
    query = state.searcher.check(q, k=k, filters=filters)
    hits = await state.engine.search(query, k=k, filters=filters)
    return SearchResponse(query=query, k=k, took_ms=round((time.perf_counter() - started) * 1000, 2),
                          results=[Result.of(hit) for hit in hits])
