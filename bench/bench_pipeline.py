"""Pipeline benchmarks: indexing throughput and /search latency, each against its bare baseline.

(a) Indexing: the whole pipeline (extract, chunk, detect languages, embed, store) on the bundled corpus,
    against the bare model encoding exactly the same passages, in the same run. Target: ratio ≥ 0.85.
(b) Search: ``GET /search`` over HTTP on a real server (uvicorn, loopback), against the bare path —
    encoding the query and searching FAISS in-process — with the same queries. Target: p50 ≤ 1.5× bare.

Run: ``.venv/bin/python bench/bench_pipeline.py`` (prints figures; no assertion).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import faiss
import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import free_port, serve, wait_ready
from queries import QUERIES

from indexer import Embedder, Index, Settings, index_corpus

ROOT = Path(__file__).resolve().parents[1]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def bench_indexing(settings: Settings, embedder: Embedder, index_dir: Path) -> None:
    # Throughput is compared with the model loaded for both paths; loading it is a one-off cost, printed apart.
    started = time.perf_counter()
    embedder.load()
    print(f"    (loading the model: {time.perf_counter() - started:.1f} s, not counted)")
    started = time.perf_counter()
    report = index_corpus(settings.corpus_dir, index_dir=index_dir, embedder=embedder, settings=settings)
    pipeline = time.perf_counter() - started
    texts = [row[0] for row in Index.open(index_dir).query("SELECT text FROM passages ORDER BY id")]
    started = time.perf_counter()
    embedder.encode_document(texts)
    bare = time.perf_counter() - started
    print(f"(a) indexing {report.documents} documents, {len(texts)} passages")
    print(f"    pipeline {pipeline:.1f} s = {len(texts) / pipeline:.1f} passages/s "
          f"(of which embedding {report.embed_seconds:.1f} s)")
    print(f"    bare model {bare:.1f} s = {len(texts) / bare:.1f} passages/s")
    print(f"    ratio pipeline/bare throughput = {bare / pipeline:.3f}  (target >= 0.85)")


def bench_search(settings: Settings, embedder: Embedder, index_dir: Path, *, rounds: int, mode: str) -> None:
    """Sequential requests, one client; HTTP and bare passes alternate so both see the same machine."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The bare path has no query cache: neither may the server here (bench_load.py measures the cache).
    server = serve(index_dir, settings.models_dir, port, cache_size=0)
    index = Index.open(index_dir)
    faiss.omp_set_num_threads(1)  # as the service searches; FAISS's default of every core made bare slower
    http: list[float] = []
    bare: list[float] = []
    try:
        wait_ready(base_url, server)
        with httpx.Client(base_url=base_url, timeout=60) as client:
            for query in QUERIES[:5]:  # warm-up of both paths
                client.get("/search", params={"q": query, "mode": mode}).raise_for_status()
                embedder.encode_query([query])
            for _ in range(rounds):
                for query in QUERIES:
                    started = time.perf_counter()
                    response = client.get("/search", params={"q": query, "k": 10, "mode": mode})
                    http.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                for query in QUERIES:
                    started = time.perf_counter()
                    vector = embedder.encode_query([query])
                    index.vectors.search(vector, 40)
                    bare.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    http50, http95 = _percentiles(http)
    bare50, bare95 = _percentiles(bare)
    print(f"(b) search, mode={mode}, {len(http)} sequential requests over HTTP, 1 client, query cache off")
    print(f"    HTTP /search  p50 {http50:.1f} ms  p95 {http95:.1f} ms")
    print(f"    bare encode+FAISS  p50 {bare50:.1f} ms  p95 {bare95:.1f} ms")
    print(f"    ratio p50 HTTP/bare = {http50 / bare50:.2f}  (target <= 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query list")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "keyword"])
    parser.add_argument("--only", choices=["indexing", "search"], help="run one of the two benchmarks")
    parser.add_argument("--index-dir", type=Path, help="search benchmark only: an existing index of the corpus")
    args = parser.parse_args()
    settings = Settings(corpus_dir=args.corpus)
    embedder = Embedder.from_settings(settings)
    with tempfile.TemporaryDirectory(prefix="passerelle-bench-") as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        if args.only != "search":
            bench_indexing(settings, embedder, index_dir)
        if args.only != "indexing":
            bench_search(settings, embedder, index_dir, rounds=args.rounds, mode=args.mode)


if __name__ == "__main__":
    main()
