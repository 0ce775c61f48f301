"""The re-index runner: one ``index_corpus`` run at a time on a background thread, requests merged.

Staff start a run from the console or the admin API; a withdrawal asks for one too. A request that comes while a
run is going is not lost and does not start a thread of its own: it is remembered (a full run asked wins over an
incremental one) and served by one more run when the current one ends, whatever the number of requests meanwhile.
The served index is swapped only when a run has finished (:meth:`service.runtime.live.LiveIndex.reload`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import Progress

from indexer.core.errors import IndexBusyError
from indexer.ingest.pipeline import IndexReport, index_corpus
from service.runtime.live import LiveIndex
from service.runtime.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass
class ReindexStatus:
    running: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    last_report: dict[str, Any] | None = None
    progress: dict[str, Any] = field(default_factory=dict)


class Reindexer:
    """Runs re-indexes of the configured corpus on one background thread at a time, merging requests."""

    def __init__(self, live: LiveIndex, *, metrics: Metrics | None = None) -> None:
        self.live = live
        self.metrics = metrics
        self.status = ReindexStatus()
        self._progress: Progress | None = None
        self._guard = threading.Lock()  # over _running and _pending
        self._running = False
        self._pending: bool | None = None  # a run asked for while one ran: whether it must be full

    @property
    def pending(self) -> bool:
        """Whether a run is waiting for the current one to end."""
        return self._pending is not None

    def start(self, *, full: bool = False) -> bool:
        """Start a run now; ``False`` when one is already running (nothing is remembered then)."""
        with self._guard:
            if self._running:
                return False
            self._running = True
        self._begin(full)
        return True

    def request(self, *, full: bool = False) -> bool:
        """Start a run now, or, when one is running, once more after it (requests meanwhile merged into that
        one). Returns whether it started now."""
        with self._guard:
            if self._running:
                self._pending = bool(self._pending) or full
                return False
            self._running = True
        self._begin(full)
        return True

    def _begin(self, full: bool) -> None:
        self.status = ReindexStatus(running=True, started_at=time.time())
        self._progress = Progress(disable=True)  # headless: its tasks are read by status()
        threading.Thread(target=self._loop, args=(full,), name="passerelle-reindex", daemon=True).start()

    def _loop(self, full: bool) -> None:
        while True:
            self._run(full)
            with self._guard:
                if self._pending is None:
                    self._running = False
                    self.status.running = False
                    return
                full, self._pending = self._pending, None
            self.status = ReindexStatus(running=True, started_at=time.time())
            self._progress = Progress(disable=True)

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
            self.status.finished_at = time.time()

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


