from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from indexer.search import Filters
from service import searching
from service.api.deps import State
from service.schemas import ErrorBody, SearchResponse


async def filters(  # async: no thread-pool hop for a few assignments (see deps.get_state)
    edition: Annotated[list[str], Query(description="Only these editions")] = [],  # noqa: B006
    type: Annotated[list[str], Query(description="Only these document types")] = [],  # noqa: B006
    language: Annotated[list[str], Query(description="Only documents in these languages")] = [],  # noqa: B006
    year: Annotated[list[int], Query(description="Only these years")] = [],  # noqa: B006
    year_from: Annotated[int | None, Query(description="Only documents from this year on")] = None,
    year_to: Annotated[int | None, Query(description="Only documents up to this year")] = None,
    author: Annotated[list[str], Query(description="Only documents by an author whose name contains this")] = [],  # noqa: B006
) -> Filters:
    """The filter parameters shared by every search-like endpoint."""
    return Filters(edition=tuple(edition), type=tuple(type), language=tuple(language), year=tuple(year),
                   year_from=year_from, year_to=year_to, author=tuple(author))


FilterParams = Annotated[Filters, Depends(filters)]
router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResponse, responses={422: {"model": ErrorBody}})
async def search(
    state: State,
    filters: FilterParams,
    q: Annotated[str, Query(description="The question or keywords, in any language")],
    k: Annotated[int, Query(description="Number of documents to return")] = 10,
    mode: Annotated[str, Query(description="hybrid (default), dense (meaning only) or keyword")] = "hybrid",
) -> SearchResponse:
    """Documents that answer ``q``, best first, one entry per document with its best passage."""
    return await searching.search(state, q=q, k=k, filters=filters, mode=mode)
