"""The query engine batches concurrent queries onto one inference thread."""

from __future__ import annotations

import asyncio
import threading

import numpy as np

from indexer.search.filters import Filters
from service.runtime.engine import QueryEngine


class _FakeEmbedder:
    """Records each encode call and the thread it ran on."""

    name = "fake"
    precision = "fp32"

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []
        self.release = threading.Event()

    def configure_thread(self) -> None:
        pass

    def encode_query(self, queries):
        self.release.wait(5)
        self.calls.append((len(queries), threading.current_thread().name))
        return np.ones((len(queries), 4), dtype=np.float32)


class _FakeSearcher:
    """Stands for one index generation: answers with its name."""

    def __init__(self, embedder: _FakeEmbedder | None = None, name: str = "") -> None:
        self.embedder = embedder or _FakeEmbedder()
        self.name = name
        self.vectors: dict[str, object] = {}

    def rank(self, query, vector, *, k, filters, mode, sort="relevance"):
        self.vectors[query] = vector
        if k == 13:
            raise RuntimeError("unlucky")
        return [k, self.name] if self.name else [k]


def test_waiting_queries_are_encoded_together_on_one_thread() -> None:
    searcher = _FakeSearcher()
    engine = QueryEngine(max_batch=32)
    engine.start()

    async def main() -> list[object]:
        tasks = [asyncio.create_task(engine.search(searcher, f"q{i}", k=i + 1, filters=Filters())) for i in range(10)]
        await asyncio.sleep(0.2)  # all ten are queued while the first call is held
        searcher.embedder.release.set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    engine.stop()
    assert results == [[i + 1] for i in range(10)]
    assert sum(n for n, _ in searcher.embedder.calls) == 10
    assert len(searcher.embedder.calls) <= 2  # the first query alone, then the nine that waited
    assert {name for _, name in searcher.embedder.calls} == {"passerelle-inference"}


def test_an_error_reaches_only_its_own_request() -> None:
    searcher = _FakeSearcher()
    searcher.embedder.release.set()
    engine = QueryEngine()
    engine.start()

    async def main() -> list[object]:
        return await asyncio.gather(engine.search(searcher, "a", k=13, filters=Filters()),
                                    engine.search(searcher, "b", k=2, filters=Filters()), return_exceptions=True)

    bad, good = asyncio.run(main())
    engine.stop()
    assert isinstance(bad, RuntimeError) and good == [2]


def test_repeated_queries_are_answered_from_the_cache() -> None:
    searcher = _FakeSearcher()
    searcher.embedder.release.set()
    engine = QueryEngine(cache_size=2)
    engine.start()

    async def ask(query: str) -> object:
        return await engine.search(searcher, query, k=1, filters=Filters())

    async def main() -> None:
        for query in ["a", "b", "a", "a", "c", "b"]:  # "b" was evicted by "c" (size 2): encoded again
            await ask(query)

    asyncio.run(main())
    engine.stop()
    assert [n for n, _ in searcher.embedder.calls] == [1, 1, 1, 1]
    assert engine.cache_hits == 2


def test_keyword_searches_are_not_embedded() -> None:
    searcher = _FakeSearcher()
    searcher.embedder.release.set()
    engine = QueryEngine()
    engine.start()

    async def main() -> list[object]:
        cases = [("words", "keyword"), ("meaning", "dense"), ("both", "hybrid")]
        return await asyncio.gather(*(engine.search(searcher, query, k=1, filters=Filters(), mode=mode)
                                      for query, mode in cases))

    assert asyncio.run(main()) == [[1], [1], [1]]
    engine.stop()
    assert sum(n for n, _ in searcher.embedder.calls) == 2
    assert searcher.vectors["words"] is None
    assert searcher.vectors["meaning"] is not None and searcher.vectors["both"] is not None


def test_each_request_is_ranked_with_the_generation_it_resolved() -> None:
    embedder = _FakeEmbedder()
    old, new = _FakeSearcher(embedder, "old"), _FakeSearcher(embedder, "new")
    engine = QueryEngine()
    engine.start()

    async def main() -> list[object]:
        tasks = [asyncio.create_task(engine.search(searcher, f"q{i}", k=1, filters=Filters()))  # type: ignore[arg-type]
                 for i, searcher in enumerate([old, new, old, new])]
        await asyncio.sleep(0.2)  # one batch: a reload swapped the generation between the requests
        embedder.release.set()
        return await asyncio.gather(*tasks)

    assert asyncio.run(main()) == [[1, "old"], [1, "new"], [1, "old"], [1, "new"]]
    engine.stop()
    assert sum(n for n, _ in embedder.calls) == 4
