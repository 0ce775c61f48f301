# No ``from __future__ import annotations``: the routes are defined in :func:`router_for`, and FastAPI reads
# their parameters' limits (taken from the settings) from annotations evaluated where they are written.
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from indexer.core.settings import Settings
from indexer.search.filters import (
    FILTERS,
    MAX_FILTER_VALUE_CHARS,
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


def filter_dependency() -> Callable[..., Awaitable[Filters]]:
    """The dependency that reads the filters (``Annotated[Filters, Depends(filter_dependency())]``): one query
    parameter per filter declared in :data:`indexer.search.filters.FILTERS`, with its limits, so that the OpenAPI
    schema lists them all."""

    async def filters(request: Request, **values: Any) -> Filters:  # async: no thread-pool hop (see deps.get_state)
        # pydantic reads "2_026" and "٢٠٢٦" as 2026: years are checked as sent, ASCII digits only, as the page does.
        check_years({spec.name: request.query_params.getlist(spec.name) for spec in FILTERS
                     if spec.kind in ("year", "bound")})
        return Filters(**values)

    parameters = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for spec in FILTERS:
        annotation: Any
        default: list[str] | None
        if spec.kind == "bound":
            annotation, default = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description=spec.help)], None
        else:
            values = f"{spec.help} (at most {spec.most} values)"
            kind = Year if spec.kind == "year" else Value
            annotation, default = Annotated[list[kind], Query(max_length=spec.most, description=values)], []  # type: ignore[valid-type]
        parameters.append(inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                            annotation=annotation))
    filters.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return filters
SortParam = Annotated[Sort, Query(description="relevance (default), or the matches by year: newest or oldest "
                                              "first — the same documents, the same matches")]


def k_parameter(settings: Settings) -> Any:
    """The ``k`` parameter, bounded by ``settings.max_k`` (so the OpenAPI schema says so too)."""
    return Query(ge=1, le=settings.max_k, description="Number of documents to return")


def router_for(settings: Settings) -> APIRouter:
    """The search route, with the limits of ``settings`` in its parameters."""
    router = APIRouter(tags=["search"])
    k_query = k_parameter(settings)
    read_filters = filter_dependency()  # with the filters declared now

    @router.get("/search", response_model=SearchResponse, responses=error_responses(422, 500, 503))
    async def search(
        state: State,
        searcher: CurrentSearcher,
        filters: Annotated[Filters, Depends(read_filters)],
        q: Annotated[str, Query(min_length=1, max_length=settings.max_query_chars,
                                description="The question or keywords, in any language")],
        k: Annotated[int, k_query] = 10,
        mode: Annotated[Mode, Query(description="hybrid (default), dense (meaning only) or keyword")] = "hybrid",
        sort: SortParam = "relevance",
    ) -> SearchResponse:
        """Documents that answer ``q``, best first, one entry per document with its best passage."""
        return await searching.search(searcher, state.engine, q=q, k=k, filters=filters, mode=mode, sort=sort)

    return router
