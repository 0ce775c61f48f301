"""Prometheus metrics of the service, served at ``GET /metrics`` when ``PASSERELLE_METRICS=on``.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (tests run several apps in one process, and the
default registry would refuse the second one's metrics). Requests are labelled by their route *template*
(``/api/documents/{document_id}``), never the raw path or the query text: those would leak what was searched and
give Prometheus one series per question.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from indexer.core.settings import Settings
    from indexer.core.store import Index
    from indexer.ingest.pipeline import IndexReport

# Search requests take milliseconds to a second; the stages of one, down to a tenth of a millisecond.
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_REINDEX_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)


class Metrics:
    """The service's metrics and the hooks that update them; every hook is cheap and thread-safe."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("passerelle_http_requests", "HTTP requests answered, by route template, method and "
                                "status.", ["route", "method", "status"], registry=registry)
        self.request_seconds = Histogram("passerelle_http_request_duration_seconds", "Time to answer an HTTP "
                                         "request, by route template and method.", ["route", "method"],
                                         buckets=_REQUEST_BUCKETS, registry=registry)
        self.stage_seconds = Histogram("passerelle_query_stage_duration_seconds", "Time of each stage of a query: "
                                       "encode (the model, for a whole batch), rank (index and judgement), shape "
                                       "(highlighting and the answer).", ["stage"], buckets=_STAGE_BUCKETS,
                                       registry=registry)
        self.cache = Counter("passerelle_query_cache_lookups", "Query-embedding cache lookups, by result.",
                             ["result"], registry=registry)
        self.generation = Gauge("passerelle_index_generation_info", "The index generation served (value 1).",
                                ["generation", "model"], registry=registry)
        self.documents = Gauge("passerelle_index_documents", "Documents in the served generation.",
                               registry=registry)
        self.passages = Gauge("passerelle_index_passages", "Passages in the served generation.", registry=registry)
        self.age = Gauge("passerelle_index_age_seconds", "Seconds since the served generation was written.",
                         registry=registry)
        self.reindex_runs = Counter("passerelle_reindex_runs", "Background re-index runs, by outcome.", ["outcome"],
                                    registry=registry)
        self.reindex_seconds = Histogram("passerelle_reindex_duration_seconds", "Duration of background re-index "
                                         "runs.", buckets=_REINDEX_BUCKETS, registry=registry)
        self.reindex_files = Counter("passerelle_reindex_files", "Files seen by background re-index runs, by "
                                     "outcome.", ["outcome"], registry=registry)
        self.reindex_passages = Counter("passerelle_reindex_passages_embedded", "Passages embedded by background "
                                        "re-index runs.", registry=registry)
        self.model_load_seconds = Gauge("passerelle_model_load_seconds", "Time the embedding model took to load at "
                                        "start-up.", registry=registry)
        for result in ("hit", "miss"):  # both series exist from the start, so a rate over them is defined
            self.cache.labels(result)

    # -- hooks -----------------------------------------------------------------------------------------

    def cache_lookups(self, hits: int, misses: int) -> None:
        if hits:
            self.cache.labels("hit").inc(hits)
        if misses:
            self.cache.labels("miss").inc(misses)

    def reindexed(self, report: IndexReport | None, seconds: float, outcome: str) -> None:
        self.reindex_runs.labels(outcome).inc()
        self.reindex_seconds.observe(seconds)
        if report is None:
            return
        files = {"added": len(report.added), "changed": len(report.changed), "moved": len(report.moved),
                 "unchanged": report.unchanged, "skipped": len(report.skipped),
                 "failed": len(report.failed), "removed": len(report.removed), "duplicate": len(report.duplicates)}
        for name, count in files.items():
            if count:
                self.reindex_files.labels(name).inc(count)
        if report.embedded_passages:
            self.reindex_passages.inc(report.embedded_passages)

    def serving(self, index: Index) -> None:
        """Set the generation gauges from the index served now (called at each scrape: it may have changed)."""
        self.generation.clear()
        manifest = index.manifest
        self.generation.labels(index.path.name, manifest.model).set(1)
        self.documents.set(manifest.documents)
        self.passages.set(manifest.passages)
        try:
            self.age.set(max(0.0, time.time() - datetime.fromisoformat(manifest.created_at).timestamp()))
        except ValueError:  # an index written without a readable date: the age is unknown, not zero
            self.age.set(float("nan"))

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def authorised(self, settings: Settings, authorization: str | None) -> bool:
        token = settings.metrics_token
        if token is None:
            return True
        scheme, _, given = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(),
                                                                     token.get_secret_value().encode())


class RequestMetrics:
    """Counts and times every HTTP request by route template and status. Plain ASGI, as SecurityHeaders: a
    BaseHTTPMiddleware would cost each request a task hop."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes every handler answers 500

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            route = _template(scope)
            method = scope.get("method", "GET")
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.request_seconds.labels(route, method).observe(time.perf_counter() - started)


def _template(scope: Scope) -> str:
    """The matched route's template as declared (Starlette records the route in the scope; a static file counts
    under its mount's path), and one label for every path that no route matched, whatever was asked."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "<unmatched>"
