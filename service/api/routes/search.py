# No ``from __future__ import annotations``: the routes are defined in :func:`router_for`, and FastAPI reads
# their parameters' limits (taken from the settings) from annotations evaluated where they are written.
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from indexer.core.settings import Settings
from indexer.search.filters import (
    MAX_FILTER_VALUE_CHARS,
    MAX_FILTER_VALUES,
    MAX_NAME_FILTER_VALUES,
    MAX_YEAR,
    MIN_YEAR,
    Filters,
    Mode,
    Sort,
    check_years,
)
from service import searching
from service.api.deps import CurrentSearcher, State
from service.api.schemas import SearchResponse, error_responses

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Value = Annotated[str, Field(max_length=MAX_FILTER_VALUE_CHARS)]


def _values(description: str, most: int = MAX_FILTER_VALUES) -> Any:
    """A repeatable filter parameter: at most ``most`` values."""
    return Query(max_length=most, description=f"{description} (at most {most} values)")


async def filters(  # async: no thread-pool hop for a few assignments (see deps.get_state)
    request: Request,
    edition: Annotated[list[Value], _values("Only these editions")] = [],  # noqa: B006
    type: Annotated[list[Value], _values("Only these document types")] = [],  # noqa: B006
    language: Annotated[list[Value], _values("Only documents in these languages")] = [],  # noqa: B006
    year: Annotated[list[Year], _values("Only these years")] = [],  # noqa: B006
    year_from: Annotated[int | None, Query(
        ge=MIN_YEAR, le=MAX_YEAR,
        description="Only documents from this year on (a range the wrong way round means the years between)")] = None,
    year_to: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR,
                                         description="Only documents up to this year")] = None,
    author: Annotated[list[Value], _values("Only documents by an author whose name contains this")] = [],  # noqa: B006
    by: Annotated[list[Value], _values("Only documents by this author: the whole name, compared without accents or "
                                       "case, in either order (\"Dupont, Léa\" = \"Léa Dupont\")",
                                       MAX_NAME_FILTER_VALUES)] = [],  # noqa: B006
    supervisor: Annotated[list[Value], _values("Only theses supervised by this person (the whole name, compared "
                                               "as for by)", MAX_NAME_FILTER_VALUES)] = [],  # noqa: B006
    keyword: Annotated[list[Value], _values("Only documents with this catalogue keyword (without accents or "
                                            "case)", MAX_NAME_FILTER_VALUES)] = [],  # noqa: B006
) -> Filters:
    """The filter parameters shared by every search-like endpoint."""
    # pydantic reads "2_026" and "٢٠٢٦" as 2026: years are checked as sent, ASCII digits only, as the page reads them.
    check_years({name: request.query_params.getlist(name) for name in ("year", "year_from", "year_to")})
    return Filters(edition=tuple(edition), type=tuple(type), language=tuple(language), year=tuple(year),
                   year_from=year_from, year_to=year_to, author=tuple(author), by=tuple(by),
                   supervisor=tuple(supervisor), keyword=tuple(keyword))


FilterParams = Annotated[Filters, Depends(filters)]
SortParam = Annotated[Sort, Query(description="relevance (default), or the matches by year: newest or oldest "
                                              "first — the same documents, the same matches")]


def k_parameter(settings: Settings) -> Any:
    """The ``k`` parameter, bounded by ``settings.max_k`` (so the OpenAPI schema says so too)."""
    return Query(ge=1, le=settings.max_k, description="Number of documents to return")


def router_for(settings: Settings) -> APIRouter:
    """The search route, with the limits of ``settings`` in its parameters."""
    router = APIRouter(tags=["search"])
    k_query = k_parameter(settings)

    @router.get("/search", response_model=SearchResponse, responses=error_responses(422, 500, 503))
    async def search(
        state: State,
        searcher: CurrentSearcher,
        filters: FilterParams,
        q: Annotated[str, Query(min_length=1, max_length=settings.max_query_chars,
                                description="The question or keywords, in any language")],
        k: Annotated[int, k_query] = 10,
        mode: Annotated[Mode, Query(description="hybrid (default), dense (meaning only) or keyword")] = "hybrid",
        sort: SortParam = "relevance",
    ) -> SearchResponse:
        """Documents that answer ``q``, best first, one entry per document with its best passage."""
        return await searching.search(searcher, state.engine, q=q, k=k, filters=filters, mode=mode, sort=sort)

    return router
