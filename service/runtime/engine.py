"""The query engine: every model call of the service runs on one long-lived thread, in batches.

The same query encoding runs about twice as slowly from a thread-pool worker as from a thread that keeps its
torch state, and a model shared by many threads only contends with itself. So requests put their query on a
queue and await a future; one worker thread takes every query waiting, encodes them in one model call, ranks
each with the searcher (index generation) its request resolved, and hands the answers back to the event
loop. The event loop never blocks on the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import faiss
import numpy as np

from indexer.core.model import Embedder
from indexer.search.filters import Filters, Mode, Sort
from indexer.search.searcher import Searcher, SearchResult
from service.runtime.metrics import Metrics


@dataclass
class _Job:
    searcher: Searcher
    query: str
    k: int
    filters: Filters
    mode: Mode
    sort: Sort
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[SearchResult] = field(repr=False)


class QueryEngine:
    """Batches queries from many concurrent requests onto one inference thread."""

    def __init__(self, *, max_batch: int = 32, cache_size: int = 1024, metrics: Metrics | None = None) -> None:
        self.max_batch = max_batch
        self.metrics = metrics  # None: metrics are off, and nothing is timed
        # Query embeddings of recent queries (the same question asked again, a facet clicked, a page
        # reloaded): a dictionary lookup instead of a model call. Only the inference thread touches it.
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self.cache_hits = 0
        # SimpleQueue: a lock in C, where Queue's Python condition variable cost each request's hand-off more.
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()  # None: stop
        self._thread = threading.Thread(target=self._run, name="passerelle-inference", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)

    async def search(self, searcher: Searcher, query: str, *, k: int, filters: Filters,
                     mode: Mode = "hybrid", sort: Sort = "relevance") -> SearchResult:
        """Rank an already validated query with ``searcher``; resolves when the inference thread has answered."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SearchResult] = loop.create_future()
        self._jobs.put(_Job(searcher, query, k, filters, mode, sort, loop, future))
        return await future

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch: list[_Job] = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._answer(batch)
            if stop:
                return

    def _answer(self, batch: list[_Job]) -> None:
        # The service has one model: every job's searcher, whatever its generation, shares the embedder.
        embedder = batch[0].searcher.embedder
        # Every configured core for the model, one thread for FAISS (their thread teams spinning against each
        # other slowed a query tenfold; figures in bench/RESULTS-scale-speed.md); set per batch, as it is cheap.
        embedder.configure_thread()
        metrics = self.metrics
        try:
            # A keyword-only search needs no embedding.
            queries = [job.query for job in batch if job.mode != "keyword"]
            started = time.perf_counter()
            encoded = iter(self._encode(embedder, queries))
            if metrics is not None and queries:
                metrics.stage_seconds.labels("encode").observe(time.perf_counter() - started)
        except Exception as exc:
            for job in batch:
                _reply(job, exc)
            return
        faiss.omp_set_num_threads(1)
        for job in batch:
            vector = next(encoded) if job.mode != "keyword" else None
            try:
                started = time.perf_counter()
                ranking = job.searcher.rank(job.query, vector, k=job.k, filters=job.filters, mode=job.mode,
                                             sort=job.sort)
                if metrics is not None:
                    metrics.stage_seconds.labels("rank").observe(time.perf_counter() - started)
            except Exception as exc:
                _reply(job, exc)
            else:
                _reply(job, ranking)

    def _encode(self, embedder: Embedder, queries: list[str]) -> list[np.ndarray]:
        """Query vectors, from the cache where possible; the misses are encoded in one model call."""
        model = embedder.name
        found: dict[str, np.ndarray] = {}
        hits = 0
        for query in queries:
            vector = self._cache.get((model, query))
            if vector is not None:
                self._cache.move_to_end((model, query))
                found[query] = vector
                hits += 1
        self.cache_hits += hits
        missing = list(dict.fromkeys(q for q in queries if q not in found))
        if self.metrics is not None:
            self.metrics.cache_lookups(hits, len(queries) - hits)
        if missing:
            for query, vector in zip(missing, embedder.encode_query(missing), strict=True):
                found[query] = vector
                if self.cache_size:
                    self._cache[(model, query)] = vector
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return [found[query] for query in queries]


def _reply(job: _Job, outcome: SearchResult | BaseException) -> None:
    # RuntimeError: the event loop has closed (shutdown), nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        job.loop.call_soon_threadsafe(_settle, job.future, outcome)


def _settle(future: asyncio.Future[SearchResult], outcome: SearchResult | BaseException) -> None:
    if future.cancelled():  # the client went away
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
