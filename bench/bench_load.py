"""Load on a real server: ``GET /search`` over loopback at 1 and 8 concurrent clients, against the bare path.

For each index (``--index-dir``, repeatable), ``passerelle serve`` runs as a subprocess on a free loopback
port, with the query-embedding cache off (the bare path has none), and this process loads the same model
and index for the bare path: encoding the query and searching FAISS in-process, nothing else, set up as
well as we know how (FAISS on one thread; the cores shared out between workers' torch threads).

This machine's speed drifts by ±20 % over minutes, more than the gaps being measured, so the two sides of
each ratio are measured **interleaved**, never minutes apart:

- latency, 1 client: each query once over HTTP and once on the bare path (main thread), which goes first
  alternating, ``--requests`` times; p50/p95/p99 of each, and the ratio of the p50s (target: HTTP ≤ 1.3 ×
  bare). Their requests/s is 1 / mean latency (the time between requests is not theirs);
- throughput, 8 clients: ``--blocks`` alternating blocks of HTTP at 8 client threads (one connection
  each, a shared queue of queries) and of the bare path on 2 worker threads, ``--requests`` in all for each
  side; requests/s over each side's blocks, and their ratio (target: HTTP ≥ 0.8 × bare).

The client is the standard library's ``http.client``, one keep-alive connection per client thread: httpx,
used before, spent ~1 ms of its own reading each 27 KB response (measured interleaved: p50 26.7 against
25.3 ms), a cost of the client that would be charged to the service.

Then the server restarts with the cache on and the same request streams run again over HTTP, 1 client
then 8, to measure the cache (``--requests`` above the number of distinct queries repeats them, as users
do; with distinct queries, the 1-client pass fills the cache and the 8-client pass is all hits).

Queries: ``bench/queries.py`` for the bundled corpus, ``queries.jsonl`` of an eval set when the index is
one (``--queries-file``, matched to the index by position).

Run (indexes built beforehand)::

    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/passerelle index corpus --index-dir /tmp/bench-ix
    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/passerelle eval ../shared/data/eval/piaf-fr --index-dir /tmp/piaf-ix
    PASSERELLE_MODELS_DIR=/tmp/models .venv/bin/python bench/bench_load.py \\
        --index-dir /tmp/bench-ix --queries-file - --index-dir /tmp/piaf-ix \\
        --queries-file ../shared/data/eval/piaf-fr/queries.jsonl
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import faiss
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from queries import QUERIES

from indexer import Embedder, Index, Settings
from tests.support.servers import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = (1, 8)


def load_queries(path: str, limit: int) -> list[str]:
    if path in ("", "-"):
        return list(QUERIES)
    texts = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    return texts


def summary(latencies_ms: list[float], seconds: float) -> dict[str, float]:
    return {"requests": len(latencies_ms), "rps": len(latencies_ms) / seconds,
            "p50": float(np.percentile(latencies_ms, 50)), "p95": float(np.percentile(latencies_ms, 95)),
            "p99": float(np.percentile(latencies_ms, 99))}


Run = tuple[list[float], float]  # latencies in ms, and the seconds the whole run took


class Client:
    """One keep-alive HTTP/1.1 connection: ``GET /search``, the body read whole."""

    def __init__(self, base_url: str) -> None:
        url = urllib.parse.urlsplit(base_url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def search(self, text: str, *, mode: str, k: int) -> tuple[int, bytes]:
        self.connection.request("GET", "/search?" + urllib.parse.urlencode({"q": text, "k": k, "mode": mode}))
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def http_load(base_url: str, queries: list[str], *, clients: int, requests: int, mode: str, k: int,
              offset: int = 0) -> Run:
    """``requests`` GET /search spread over ``clients`` threads; the queries cycle from ``offset``."""
    jobs: queue.Queue[str] = queue.Queue()
    for number in range(offset, offset + requests):
        jobs.put(queries[number % len(queries)])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        connection = Client(base_url)
        try:
            connection.connection.connect()  # before the clock starts
        finally:
            start.wait(timeout=60)
        try:
            while True:
                try:
                    text = jobs.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                status, body = connection.search(text, mode=mode, k=k)
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors.append(f"{status} {body[:100]!r}")
        except Exception as exc:  # a failed connection must show, not shrink the run
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return latencies, time.perf_counter() - began


def serve(index_dir: Path, models_dir: Path, port: int, *, cache_size: int = 0) -> subprocess.Popen[bytes]:
    """``passerelle serve`` on ``port``; the query-embedding cache is off unless ``cache_size`` is given."""
    env = os.environ | {"PASSERELLE_INDEX_DIR": str(index_dir), "PASSERELLE_MODELS_DIR": str(models_dir),
                        "PASSERELLE_QUERY_CACHE_SIZE": str(cache_size)}
    return subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


class Bare:
    """Encode one query and search FAISS, nothing else: the cost the service is measured against.

    Set up as well as we know how, so that the ratios are not flattered: FAISS on one thread (with its
    default of every core, its OpenMP team spinning against torch's made a bare query 22 ms instead of
    14), and the cores shared out between the workers' torch threads (2 workers × 1 thread on 2 cores).
    """

    def __init__(self, embedder: Embedder, index: Index, *, depth: int) -> None:
        self.embedder, self.index, self.depth = embedder, index, depth

    @staticmethod
    def configure(workers: int) -> None:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))
        faiss.omp_set_num_threads(1)

    def one(self, text: str) -> float:
        began = time.perf_counter()
        vector = self.embedder.encode_query([text])
        self.index.vectors.search(vector, self.depth)
        return (time.perf_counter() - began) * 1000

    def run(self, queries: list[str], *, workers: int, requests: int, offset: int = 0) -> Run:
        """``requests`` queries (cycling from ``offset``) on ``workers`` threads."""
        texts = [queries[n % len(queries)] for n in range(offset, offset + requests)]
        with ThreadPoolExecutor(max_workers=workers, initializer=self.configure, initargs=(workers,)) as pool:
            started = threading.Barrier(workers)  # every worker started and configured before the clock, as
            list(pool.map(lambda _: started.wait(timeout=60), range(workers)))  # HTTP clients connect before it
            began = time.perf_counter()
            latencies = list(pool.map(self.one, texts))
            seconds = time.perf_counter() - began
        return latencies, seconds


WARM_UP = ["warm-up query", "requête de préchauffage", "Aufwärmen des Servers"]
# Between the two sides of a pair: long enough for the other process's spinning OpenMP threads to sleep.
PAUSE_S = 0.005


def paired_latency(base_url: str, bare: Bare, queries: list[str], *, requests: int, mode: str,
                   k: int) -> tuple[Run, Run]:
    """1 client: each query over HTTP and on the bare path (main thread); which goes first alternates."""
    Bare.configure(1)
    http_ms: list[float] = []
    bare_ms: list[float] = []
    connection = Client(base_url)
    try:
        for number in range(requests):
            text = queries[number % len(queries)]
            if number % 2:
                bare_ms.append(bare.one(text))
                time.sleep(PAUSE_S)
            began = time.perf_counter()
            status, body = connection.search(text, mode=mode, k=k)
            http_ms.append((time.perf_counter() - began) * 1000)
            if status != 200:
                raise RuntimeError(f"{status} {body[:100]!r}")
            time.sleep(PAUSE_S)
            if not number % 2:
                bare_ms.append(bare.one(text))
                time.sleep(PAUSE_S)
    finally:
        connection.close()
    return (http_ms, sum(http_ms) / 1000), (bare_ms, sum(bare_ms) / 1000)


def alternating_throughput(base_url: str, bare: Bare, queries: list[str], *, requests: int, blocks: int,
                           mode: str, k: int) -> tuple[Run, Run]:
    """8 HTTP clients and 2 bare workers, in alternating blocks; each side's runs added up."""
    http_ms: list[float] = []
    bare_ms: list[float] = []
    http_s = bare_s = 0.0
    offset = 0
    for block in range(blocks):
        size = requests // blocks + (block < requests % blocks)  # ``requests`` in all
        latencies, seconds = http_load(base_url, queries, clients=8, requests=size, mode=mode, k=k, offset=offset)
        http_ms += latencies
        http_s += seconds
        time.sleep(PAUSE_S)
        latencies, seconds = bare.run(queries, workers=2, requests=size, offset=offset)
        bare_ms += latencies
        bare_s += seconds
        time.sleep(PAUSE_S)
        offset += size
    return (http_ms, http_s), (bare_ms, bare_s)


def line(label: str, run: Run) -> dict[str, float]:
    result = summary(*run)
    print(f"   {label}: {result['rps']:.1f} req/s, p50 {result['p50']:.1f} p95 {result['p95']:.1f} "
          f"p99 {result['p99']:.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, action="append", required=True)
    parser.add_argument("--queries-file", action="append", default=[],
                        help="queries.jsonl for the index at the same position ('-': bench/queries.py)")
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement and side")
    parser.add_argument("--blocks", type=int, default=4, help="alternating blocks of the throughput runs")
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "keyword"])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--max-queries", type=int, default=300, help="queries read from a queries file")
    args = parser.parse_args()
    settings = Settings()
    embedder = Embedder.from_settings(settings)
    embedder.load()
    rows = []
    for position, index_dir in enumerate(args.index_dir):
        source = args.queries_file[position] if position < len(args.queries_file) else "-"
        queries = load_queries(source, args.max_queries)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        print(f"== {index_dir}: {len(queries)} distinct queries, {args.requests} requests per run, "
              f"mode={args.mode}, k={args.k}", flush=True)
        bare = Bare(embedder, Index.open(index_dir), depth=40)
        runs: dict[str, dict[str, float]] = {}
        server = serve(index_dir, settings.models_dir, port)
        try:
            wait_ready(base_url, server)
            http_load(base_url, queries, clients=1, requests=min(20, args.requests), mode=args.mode, k=args.k)
            for text in queries[:5]:  # warm-up
                bare.one(text)
            http1, bare1 = paired_latency(base_url, bare, queries, requests=args.requests, mode=args.mode, k=args.k)
            runs["HTTP /search, 1 client"] = latency = line("HTTP 1 client", http1)
            runs["bare, 1 worker, interleaved"] = bare_latency = line("bare encode+FAISS, 1 worker, interleaved", bare1)
            http8, bare2 = alternating_throughput(base_url, bare, queries, requests=args.requests,
                                                  blocks=args.blocks, mode=args.mode, k=args.k)
            runs["HTTP /search, 8 clients"] = throughput = line("HTTP 8 clients", http8)
            runs["bare, 2 workers, alternating"] = bare_throughput = line("bare encode+FAISS, 2 workers", bare2)
        finally:
            server.terminate()
            server.wait(timeout=30)
        latency_ratio = latency["p50"] / bare_latency["p50"]
        throughput_ratio = throughput["rps"] / bare_throughput["rps"]
        print(f"   HTTP p50 / bare p50 = {latency_ratio:.2f} (target <= 1.3); "
              f"HTTP req/s at 8 clients / bare req/s with 2 workers = {throughput_ratio:.2f} (target >= 0.8)",
              flush=True)
        # The same request streams with the query-embedding cache on: repeats skip the model.
        server = serve(index_dir, settings.models_dir, port, cache_size=settings.query_cache_size)
        try:
            wait_ready(base_url, server)
            # A warm-up with queries outside the stream, so that the cache starts empty for it.
            http_load(base_url, WARM_UP, clients=1, requests=len(WARM_UP), mode=args.mode, k=args.k)
            for clients in CLIENTS:
                run = http_load(base_url, queries, clients=clients, requests=args.requests, mode=args.mode, k=args.k)
                runs[f"HTTP /search, {clients} client(s), cache on"] = line(
                    f"HTTP {clients} client(s), query cache on ({settings.query_cache_size})", run)
        finally:
            server.terminate()
            server.wait(timeout=30)
        name = index_dir.name
        rows += [f"| {name} | {label} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |"
                 for label, r in runs.items()]
        rows.append(f"| {name} | ratios | HTTP8/bare2 = {throughput_ratio:.2f} (≥ 0.8) | "
                    f"HTTP1/bare1 p50 = {latency_ratio:.2f} (≤ 1.3) | | |")
    print("\n| index | path | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
