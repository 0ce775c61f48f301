"""What the service is serving now, and how it changes without a restart.

:class:`LiveIndex` holds the :class:`~indexer.search.searcher.Searcher` being served. A new index generation is picked
up by :meth:`LiveIndex.reload` — called by the watcher when ``CURRENT`` changes, by ``POST /admin/reload``
and after a re-index from ``POST /admin/reindex`` — which opens and verifies it completely *before* swapping
one reference: requests already running finish on the old index (its files stay on disk), new ones use the
new one, none sees a half-built index. A damaged generation is refused and the last good one stays served.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from pathlib import Path
from typing import Any, Literal

from indexer.core.errors import IndexCorruptError, PasserelleError
from indexer.core.generations import mark_refused
from indexer.core.language import language_probabilities
from indexer.core.model import Embedder
from indexer.core.settings import Settings
from indexer.core.store import Index, current_generation
from indexer.search.searcher import Searcher
from service.withdrawals import withdrawn_since

log = logging.getLogger(__name__)

_ABSOLUTE_PATH = re.compile(r"(?:/[^/\s:;,]+)+/([^/\s:;,]+)")
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
        # Every document withdrawn and not restored is hidden: a generation still holds it when it was built before
        # the withdrawal, or by a run that had read the file before it left (a run that ended after it).
        searcher.hide(withdrawn_since(settings.index_dir, 0.0))
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
            return "degraded", self.public(self.fallback)
        return "ok", None

    def public(self, problem: str) -> str:
        """``problem`` as anyone may read it (``/health``): no server path — names inside the index folder stay,
        any other path is cut to its last part. The whole text is in the log and the admin status."""
        for folder in {str(self.settings.index_dir.resolve()), str(self.settings.index_dir)}:
            problem = problem.replace(folder + "/", "")
        return _ABSOLUTE_PATH.sub(lambda found: found.group(1), problem)

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


def index_info(index: Index) -> dict[str, Any]:
    return {"generation": index.path.name, "created_at": index.manifest.created_at,
            "documents": index.manifest.documents, "passages": index.manifest.passages,
            "corpus": str(Path(index.manifest.corpus_root))}
