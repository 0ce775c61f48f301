"""The FastAPI application: :func:`create_app` wires settings, index, model and routes together."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.utils import is_body_allowed_for_status_code
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.core.errors import DocumentFileGoneError, DocumentNotFoundError, PasserelleError, QueryError
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from service import console, web
from service.api.routes import admin, documents, search, system
from service.engine import QueryEngine
from service.live import LiveIndex, Reindexer
from service.metrics import Metrics, RequestMetrics
from service.schemas import ErrorBody, FieldError
from service.state import ServiceState

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the service. The index and model load at start-up; a wrong or missing index stops it there.

    Args:
        settings: configuration; read from the environment when omitted.
        embedder: an already loaded model to share (tests, benchmarks); loaded from settings otherwise.
    """
    settings = settings or Settings()
    metrics = Metrics() if settings.metrics == "on" else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        model = embedder or Embedder.from_settings(settings)
        model.load()
        load_seconds = time.perf_counter() - started
        if metrics is not None:
            metrics.model_load_seconds.set(load_seconds)
        live = LiveIndex(settings, model)
        engine = QueryEngine(cache_size=settings.query_cache_size, metrics=metrics)
        engine.start()
        app.state.passerelle = ServiceState(settings=settings, live=live, engine=engine,
                                            reindexer=Reindexer(live, metrics=metrics))
        watcher = asyncio.create_task(live.watch())
        index = live.index
        log.info("serving %d documents from %s", index.manifest.documents, index.path,
                 extra={"event": "start", "generation": index.path.name, "documents": index.manifest.documents,
                        "passages": index.manifest.passages, "model": model.name,
                        "model_load_seconds": round(load_seconds, 3), "metrics": settings.metrics})
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
        docs_url=None,  # served below, each with the policy its page needs
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders)
    if metrics is not None:  # off: no route, so /metrics answers 404 as any unknown path
        app.add_middleware(RequestMetrics, metrics=metrics)

        @app.get("/metrics", include_in_schema=False)
        async def prometheus(request: Request) -> Response:
            if not metrics.authorised(settings, request.headers.get("authorization")):
                return _error(401, "missing or wrong metrics token", headers={"WWW-Authenticate": "Bearer"})
            metrics.serving(request.app.state.passerelle.live.index)
            body, content_type = metrics.exposition()
            return Response(body, media_type=content_type)

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _documentation(get_swagger_ui_html(openapi_url=app.openapi_url or "", title=f"{app.title} - API",
                                                  swagger_ui_parameters=app.swagger_ui_parameters))

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _documentation(get_redoc_html(openapi_url=app.openapi_url or "", title=f"{app.title} - API"))
    app.include_router(search.router_for(settings))
    app.include_router(documents.router_for(settings))
    app.include_router(system.router)
    app.include_router(admin.router)
    app.include_router(console.router_for(settings))
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    # Every error answers an ErrorBody: FastAPI's own validation errors would be a list in ``detail``.
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(loc=list(e.get("loc", ())), msg=e.get("msg", ""), type=e.get("type", ""))
                  for e in exc.errors()]
        return _error(422, "; ".join(map(_reason, exc.errors())), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_body_allowed_for_status_code(exc.status_code):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return _error(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the exception after this answer; the client learns nothing of the internals. This answer
        # leaves from outside every middleware, so it carries the security headers itself.
        return _error(500, "internal error: the request could not be answered (it is logged)",
                      headers=SECURITY_HEADERS)

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(DocumentFileGoneError)
    async def _gone(request: Request, exc: DocumentFileGoneError) -> JSONResponse:
        return _error(410, str(exc))

    @app.exception_handler(DocumentNotFoundError)
    async def _not_found(request: Request, exc: DocumentNotFoundError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(PasserelleError)
    async def _passerelle_error(request: Request, exc: PasserelleError) -> JSONResponse:
        log.error("request failed: %s", exc, extra={"event": "error", "error": type(exc).__name__})
        return _error(503, str(exc))

    return app


# Every answer: no MIME sniffing, and a policy under which the browser runs only the service's own files (the web
# page has no inline script or style), sends forms only to it, and shows it in no frame.
CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every answer that has not set its own policy (the documentation pages,
    the corpus files). Plain ASGI: Starlette's BaseHTTPMiddleware would cost each search request a task hop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The documentation pages load Swagger UI and ReDoc from their CDN (with ReDoc's Google fonts) and start them with
# an inline script, allowed by its hash; their styles are inline too (ReDoc writes its own at run time).
_DOCUMENTATION_POLICY = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net {scripts}; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _documentation(page: HTMLResponse) -> HTMLResponse:
    inline = re.findall(rb"<script>(.*?)</script>", page.body, re.S)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(code).digest()).decode()}'" for code in inline)
    page.headers["Content-Security-Policy"] = _DOCUMENTATION_POLICY.format(scripts=hashes)
    return page


def _error(status: int, detail: str, *, errors: list[FieldError] | None = None,
           headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(status_code=status, content=body, headers=dict(headers) if headers else None)


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
    if name == "q" and kind == "string_too_short":
        return "the query is empty: type a few words or a question"
    if name == "q" and kind == "string_too_long":
        return f"the query is too long ({len(str(value))} characters, at most {limits['max_length']})"
    if kind == "string_too_long":
        return f"{name} values may have at most {limits['max_length']} characters, got {len(str(value))}"
    return f"{name}: {error.get('msg', 'invalid')}"
