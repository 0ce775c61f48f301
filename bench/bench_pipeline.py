"""Pipeline benchmarks: indexing throughput and /search latency, each against its bare baseline.

(a) Indexing: the whole pipeline (extract, chunk, detect languages, embed, store) on the bundled corpus,
    against the bare model encoding exactly the same passages, alternately (``--index-rounds``). Target:
    ratio ≥ 0.85 (≥ 0.9 in the issue "Fast at every size").
(b) Search: ``GET /search`` over HTTP on a real server (uvicorn, loopback), against the bare path —
    encoding the query and searching FAISS in-process — with the same queries, each query over HTTP and
    then bare, interleaved. Target: p50 ≤ 1.5× bare.

Run: ``.venv/bin/python bench/bench_pipeline.py`` (prints figures; no assertion).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.support
from bench_load import Bare, paired_latency, serve
from queries import QUERIES

from indexer import Embedder, Index, Settings, index_corpus
from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def bench_indexing(settings: Settings, embedder: Embedder, scratch: Path, *, rounds: int) -> Path:
    """The pipeline and the bare model, alternately, ``rounds`` times each, which goes first alternating
    after the first round (the machine drifts: ±0.03 on the ratio between two runs minutes apart); the
    ratio of the total times. Returns one index built."""
    # Throughput is compared with the model loaded for both paths; loading it is a one-off cost, printed apart.
    started = time.perf_counter()
    embedder.load()
    print(f"    (loading the model: {time.perf_counter() - started:.1f} s, not counted)")
    embedder.encode_document(["Warm-up: the first call pays for lazy initialisation."] * 8)
    pipeline = bare = embedding = 0.0
    texts: list[str] = []

    def encode_bare() -> float:
        started = time.perf_counter()
        embedder.encode_document(texts)
        return time.perf_counter() - started

    for round_ in range(rounds):
        if round_ % 2:  # bare first (the texts are the same every round)
            bare += encode_bare()
        target = scratch / f"index-{round_}"  # a new index each time: every round indexes the whole corpus
        started = time.perf_counter()
        report = index_corpus(settings.corpus_dir, index_dir=target, embedder=embedder, settings=settings)
        pipeline += time.perf_counter() - started
        embedding += report.embed_seconds
        texts = [row[0] for row in Index.open(target).query("SELECT text FROM passages ORDER BY id")]
        if not round_ % 2:
            bare += encode_bare()
        print(f"    round {round_ + 1}: pipeline/bare = {bare / pipeline:.3f} so far", flush=True)
    passages = len(texts) * rounds
    print(f"(a) indexing {report.documents} documents, {len(texts)} passages, {rounds} rounds each way, alternating")
    print(f"    pipeline {pipeline:.1f} s = {passages / pipeline:.1f} passages/s "
          f"(of which embedding {embedding:.1f} s)")
    print(f"    bare model {bare:.1f} s = {passages / bare:.1f} passages/s")
    print(f"    ratio pipeline/bare throughput = {bare / pipeline:.3f}  (targets: >= 0.85 in #2, >= 0.9 in #7)")
    return target


def bench_search(settings: Settings, embedder: Embedder, index_dir: Path, *, rounds: int, mode: str) -> None:
    """One client, each query over HTTP and then on the bare path, interleaved so both see the same machine
    (``bench_load.paired_latency``; the server's query cache is off: the bare path has none)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = serve(index_dir, settings.models_dir, port, cache_size=0)
    bare = Bare(embedder, Index.open(index_dir), depth=40)
    try:
        wait_ready(base_url, server)
        paired_latency(base_url, bare, list(QUERIES), requests=5, mode=mode, k=10)  # warm-up of both paths
        (http, _), (bare_ms, _) = paired_latency(base_url, bare, list(QUERIES), requests=rounds * len(QUERIES),
                                                 mode=mode, k=10)
    finally:
        server.terminate()
        server.wait(timeout=30)
    http50, http95 = _percentiles(http)
    bare50, bare95 = _percentiles(bare_ms)
    print(f"(b) search, mode={mode}, {len(http)} sequential requests over HTTP, 1 client, query cache off")
    print(f"    HTTP /search  p50 {http50:.1f} ms  p95 {http95:.1f} ms")
    print(f"    bare encode+FAISS  p50 {bare50:.1f} ms  p95 {bare95:.1f} ms")
    print(f"    ratio p50 HTTP/bare = {http50 / bare50:.2f}  (target <= 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query list")
    parser.add_argument("--index-rounds", type=lambda v: max(1, int(v)), default=4,
                        help="indexing runs each way (even: as many with the pipeline first as with bare first)")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "keyword"])
    parser.add_argument("--only", choices=["indexing", "search"], help="run one of the two benchmarks")
    parser.add_argument("--index-dir", type=Path, help="an existing index of the corpus for the search benchmark")
    args = parser.parse_args()
    settings = Settings(corpus_dir=args.corpus)
    embedder = Embedder.from_settings(settings)
    with tempfile.TemporaryDirectory(prefix="passerelle-bench-") as scratch:
        index_dir = args.index_dir
        if args.only != "search":
            built = bench_indexing(settings, embedder, Path(scratch), rounds=args.index_rounds)
            index_dir = index_dir or built
        if args.only != "indexing":
            if index_dir is None:
                parser.error("--only search needs --index-dir")
            bench_search(settings, embedder, index_dir, rounds=args.rounds, mode=args.mode)


if __name__ == "__main__":
    main()
