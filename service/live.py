"""What the service is serving now, and how it changes without a restart.

:class:`LiveIndex` holds the :class:`~indexer.search.searcher.Searcher` being served. A new index generation is picked
up by :meth:`LiveIndex.reload` — called by the watcher when ``CURRENT`` changes, by ``POST /admin/reload``
and after a re-index from ``POST /admin/reindex`` — which opens and verifies it completely *before* swapping
one reference: requests already running finish on the old index (its files stay on disk), new ones use the
new one, none sees a half-built index. A damaged generation is refused and the last good one stays served.

:class:`Reindexer` runs ``index_corpus`` on a background thread, one run at a time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rich.progress import Progress

from indexer.build.pipeline import IndexReport, index_corpus
from indexer.core.errors import IndexBusyError, IndexCorruptError, PasserelleError
from indexer.core.generations import mark_refused
from indexer.core.language import language_probabilities
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from indexer.core.store import Index, current_generation
from indexer.search.searcher import Searcher
from service.metrics import Metrics
from service.uploads import withdrawn_since

log = logging.getLogger(__name__)

HealthStatus = Literal["ok", "degraded", "unavailable"]


class LiveIndex:
    """The searcher in service; swapped atomically (one attribute assignment) on reload."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        index, problem = Index.open_last_good(settings.index_dir, expected_model=embedder.name)
        if problem:
            log.error("serving a fallback: %s", problem)
        # Why the generation served is not the current one (``None`` when it is): health says "degraded".
        self.fallback: str | None = problem
        self.problem: str | None = problem
        self.searcher = self._searcher(index)
        self._lock = threading.Lock()
        self._refused: str | None = None

    def _searcher(self, index: Index) -> Searcher:
        settings = self.settings
        searcher = Searcher(index.preload(), self.embedder, max_query_chars=settings.max_query_chars,
                            max_k=settings.max_k, languages=tuple(settings.languages))
        language_probabilities("", languages=searcher.languages)  # the detector's model, read before a query needs it
        # A generation built before a withdrawal still holds the document: hidden until a newer one.
        built = datetime.fromisoformat(index.manifest.created_at).timestamp()
        searcher.hide(withdrawn_since(settings.index_dir, built))
        return searcher

    @property
    def index(self) -> Index:
        return self.searcher.index

    def health(self, searcher: Searcher) -> tuple[HealthStatus, str | None]:
        """``ok``, ``degraded`` (serving a fallback) or ``unavailable`` (the served files are gone), and why."""
        index = searcher.index
        if not index.is_available():
            return "unavailable", (f"the served index generation {index.path.name} is no longer on disk: "
                                   "re-index, or POST /admin/reload")
        if self.fallback:
            return "degraded", self.fallback
        return "ok", None

    def reload(self, *, force: bool = False) -> bool:
        """Serve the current generation if it is new (and whole). Returns whether the index changed."""
        with self._lock:
            path = current_generation(self.settings.index_dir)
            if path is None or path == self.index.path or (path.name == self._refused and not force):
                return False
            try:
                index = Index.open_generation(path, expected_model=self.embedder.name)
            except PasserelleError as exc:
                if isinstance(exc, IndexCorruptError):
                    mark_refused(path, str(exc))
                self._refused = path.name
                self.problem = f"new index {path.name} refused, still serving {self.index.path.name}: {exc}"
                self.fallback = self.problem
                log.error("%s", self.problem, extra={"event": "index_refused", "generation": path.name,
                                                     "error": type(exc).__name__})
                return False
            searcher = self._searcher(index)
            self.searcher = searcher  # requests resolve it once each (see service.api.deps.get_searcher)
            self.problem = self.fallback = None
            log.info("now serving %s (%d documents)", path.name, index.manifest.documents,
                     extra={"event": "index_swap", "generation": path.name, "documents": index.manifest.documents,
                            "passages": index.manifest.passages})
            return True

    async def watch(self) -> None:
        """Poll ``CURRENT`` and reload when it changes (the check itself is one small file read)."""
        interval = self.settings.reload_interval
        if not interval:
            return
        while True:
            await asyncio.sleep(interval)
            path = current_generation(self.settings.index_dir)
            if path is not None and path != self.index.path and path.name != self._refused:
                await asyncio.to_thread(self.reload)


@dataclass
class ReindexStatus:
    running: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    last_report: dict[str, Any] | None = None
    progress: dict[str, Any] = field(default_factory=dict)


class Reindexer:
    """Runs a re-index of the configured corpus on a background thread; one at a time."""

    def __init__(self, live: LiveIndex, *, metrics: Metrics | None = None) -> None:
        self.live = live
        self.metrics = metrics
        self.status = ReindexStatus()
        self._progress: Progress | None = None
        self._lock = threading.Lock()

    def start(self, *, full: bool = False) -> bool:
        """Start a run; ``False`` when one is already running (here or in another process)."""
        if not self._lock.acquire(blocking=False):
            return False
        self.status = ReindexStatus(running=True, started_at=time.time())
        self._progress = Progress(disable=True)  # headless: its tasks are read by status()
        threading.Thread(target=self._run, args=(full,), name="passerelle-reindex", daemon=True).start()
        return True

    def _run(self, full: bool) -> None:
        settings = self.live.settings
        started = time.perf_counter()
        report: IndexReport | None = None
        outcome = "failed"
        try:
            report = index_corpus(settings.corpus_dir, index_dir=settings.index_dir, embedder=self.live.embedder,
                                  settings=settings, progress=self._progress, full=full)
            self.status.last_report = report.as_dict()
            outcome = "completed"
            log.info("re-index done", extra={"event": "reindex", **summary(report)})
            self.live.reload()
        except IndexBusyError as exc:
            outcome = "busy"
            self.status.error = str(exc)
        except Exception as exc:  # reported on /admin/status; the served index is untouched
            log.exception("re-index failed", extra={"event": "reindex_failed", "error": type(exc).__name__})
            self.status.error = f"{type(exc).__name__}: {exc}"
        finally:
            if self.metrics is not None:
                self.metrics.reindexed(report, time.perf_counter() - started, outcome)
            self.status.running = False
            self.status.finished_at = time.time()
            self._lock.release()

    def progress(self) -> dict[str, Any]:
        if self._progress is None or not self._progress.tasks:
            return {}
        task = self._progress.tasks[0]
        return {"done": int(task.completed), "total": int(task.total or 0), "current": task.description}


def summary(report: IndexReport) -> dict[str, Any]:
    """A re-index run in a few numbers, for its log line (no file names: they may say more than the logs should)."""
    return {"generation": Path(report.index_path).name, "documents": report.documents, "passages": report.passages,
            "added": len(report.added), "changed": len(report.changed), "removed": len(report.removed),
            "unchanged": report.unchanged, "failed": len(report.failed), "skipped": len(report.skipped),
            "embedded_passages": report.embedded_passages, "seconds": round(report.seconds, 2)}


def index_info(index: Index) -> dict[str, Any]:
    return {"generation": index.path.name, "created_at": index.manifest.created_at,
            "documents": index.manifest.documents, "passages": index.manifest.passages,
            "corpus": str(Path(index.manifest.corpus_root))}
