"""The FastAPI application: :func:`create_app` wires settings, index, model and routes together."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from indexer.core.model import Embedder
from indexer.core.settings import Settings
from service.api import errors
from service.api.routes import admin, documents, search, system
from service.console import corpus
from service.console import routes as console
from service.runtime.engine import QueryEngine
from service.runtime.headers import SecurityHeaders
from service.runtime.live import LiveIndex
from service.runtime.metrics import Metrics, RequestMetrics
from service.runtime.reindex import Reindexer
from service.runtime.state import ServiceState
from service.web import pages as web
from service.web.templating import STATIC_DIR

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
        if settings.corpus_dir.is_dir():
            left = await asyncio.to_thread(corpus.tidy, settings.corpus_dir, settings.withdrawn_days)
            for path in left:
                log.warning("removed %s, left by an upload cut short", path.name, extra={"event": "upload_leftover"})
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
                return errors.error(401, "missing or wrong metrics token", headers={"WWW-Authenticate": "Bearer"})
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
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    errors.install(app)
    app.add_exception_handler(console.Answer, console.answer)
    return app


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
