"""The FastAPI application: :func:`create_app` wires settings, index, model and routes together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from indexer.errors import DocumentNotFoundError, PasserelleError, QueryError
from indexer.model import Embedder
from indexer.search import Searcher
from indexer.settings import Settings
from service import web
from service.api.deps import ServiceState
from service.api.routes import admin, documents, search, system
from service.engine import QueryEngine
from service.live import LiveIndex, Reindexer

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the service. The index and model load at start-up; a wrong or missing index stops it there.

    Args:
        settings: configuration; read from the environment when omitted.
        embedder: an already loaded model to share (tests, benchmarks); loaded from settings otherwise.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = embedder or Embedder.from_settings(settings)
        model.load()
        engine: QueryEngine | None = None

        def swap(searcher: Searcher) -> None:
            if engine is not None:
                engine.searcher = searcher

        live = LiveIndex(settings, model, on_swap=swap)
        engine = QueryEngine(live.searcher, cache_size=settings.query_cache_size)
        engine.start()
        app.state.passerelle = ServiceState(settings=settings, live=live, engine=engine, reindexer=Reindexer(live))
        watcher = asyncio.create_task(live.watch())
        log.info("serving %d documents from %s", live.index.manifest.documents, live.index.path)
        try:
            yield
        finally:
            watcher.cancel()
            engine.stop()

    app = FastAPI(
        title="Passerelle",
        summary="Multilingual semantic search over the social sector's conference material and theses.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(search.router_for(settings))
    app.include_router(documents.router_for(settings))
    app.include_router(system.router)
    app.include_router(admin.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": "; ".join(map(_reason, exc.errors()))})

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.exception_handler(DocumentNotFoundError)
    async def _not_found(request: Request, exc: DocumentNotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(PasserelleError)
    async def _passerelle_error(request: Request, exc: PasserelleError) -> JSONResponse:
        log.error("request failed: %s", exc)
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    return app


def _shown(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _reason(error: Mapping[str, Any]) -> str:
    """One validation error of FastAPI's, in the words of the service's own errors."""
    location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]  # no list positions
    name = location[-1] if len(location) > 1 else "the request"
    kind, limits, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    if kind == "greater_than_equal":
        return f"{name} must be at least {limits['ge']}, got {_shown(value)}"
    if kind == "less_than_equal":
        return f"{name} must be at most {limits['le']}, got {_shown(value)}"
    if kind == "too_long":  # a list
        return f"at most {limits['max_length']} values per filter: {name} has {limits.get('actual_length')}"
    if kind == "string_too_long":
        return f"{name} values may have at most {limits['max_length']} characters, got {len(str(value))}"
    return f"{name}: {error.get('msg', 'invalid')}"
